import { expect, it } from 'vitest';

import { describeBackends } from '../testing/backends.js';

describeBackends('campaign repository', (testStore) => {
  it('creates a draft campaign with defaults', async () => {
    const store = await testStore({ now: () => 1_000 });
    const campaign = await store.campaigns.create({ name: 'Renewals' });
    expect(campaign).toEqual({
      id: campaign.id,
      name: 'Renewals',
      status: 'draft',
      dialingMode: 'agentless',
      listId: null,
      flowId: null,
      flowVersion: null,
      maxConcurrentCalls: 10,
      schedule: {},
      retryPolicy: {},
      createdAt: 1_000,
      updatedAt: 1_000,
    });
    expect(await store.campaigns.get(campaign.id)).toEqual(campaign);
    expect(await store.campaigns.getByName('Renewals')).toEqual(campaign);
    expect(await store.campaigns.get(999)).toBeNull();
    expect(await store.campaigns.getByName('nope')).toBeNull();
  });

  it('lists campaigns newest first with their list and flow names', async () => {
    let now = 1_000;
    const store = await testStore({ now: () => now++ });
    const list = await store.contacts.createList({ name: 'Leads' });
    const flow = await store.flows.create({ name: 'Survey', language: 'en' });
    const schedule = { weekdays: [1, 2, 3], from: '09:00', to: '18:00' };
    await store.campaigns.create({ name: 'First' });
    await store.campaigns.create({
      name: 'Second',
      dialingMode: 'progressive',
      listId: list.id,
      flowId: flow.id,
      maxConcurrentCalls: 3,
      schedule,
      retryPolicy: { maxAttempts: 3 },
    });
    const campaigns = await store.campaigns.list();
    expect(campaigns.map((c) => [c.name, c.listName, c.flowName])).toEqual([
      ['Second', 'Leads', 'Survey'],
      ['First', null, null],
    ]);
    expect(campaigns[0]).toMatchObject({
      dialingMode: 'progressive',
      maxConcurrentCalls: 3,
      schedule,
      retryPolicy: { maxAttempts: 3 },
    });
  });

  it('pins the latest flow version when a campaign first starts running', async () => {
    const store = await testStore();
    const flow = await store.flows.create({ name: 'Survey', language: 'zh-CN' });
    await store.flows.addVersion(flow.id, { nodes: [] });
    await store.flows.addVersion(flow.id, { nodes: ['v2'] });
    const campaign = await store.campaigns.create({ name: 'c', flowId: flow.id });

    await store.campaigns.setStatus(campaign.id, 'running');
    expect(await store.campaigns.get(campaign.id)).toMatchObject({
      status: 'running',
      flowVersion: 2,
    });

    await store.flows.addVersion(flow.id, { nodes: ['v3'] });
    await store.campaigns.setStatus(campaign.id, 'paused');
    await store.campaigns.setStatus(campaign.id, 'running');
    expect(await store.campaigns.get(campaign.id)).toMatchObject({
      status: 'running',
      flowVersion: 2,
    });
  });

  it('reports a missing campaign, list or flow', async () => {
    const store = await testStore();
    await expect(store.campaigns.setStatus(5, 'running')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Campaign 5 does not exist.',
    });
    await expect(store.campaigns.create({ name: 'x', listId: 5 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('refuses a duplicate name and an unknown status', async () => {
    const store = await testStore();
    const campaign = await store.campaigns.create({ name: 'Renewals' });
    await expect(store.campaigns.create({ name: 'Renewals' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'A campaign named "Renewals" already exists.',
    });
    // @ts-expect-error: the schema's CHECK is the last line of defence against a bad value.
    await expect(store.campaigns.setStatus(campaign.id, 'exploded')).rejects.toMatchObject({
      code: 'SQLITE',
    });
  });
});
