import { describe, expect, it } from 'vitest';

import { campaignCommands, type CampaignDetail } from '../api/campaigns.js';
import { ApiError } from '../api/errors.js';
import { useTestStores } from '../store/testing/temp.js';
import { CampaignService } from './campaign-service.js';

const testStore = useTestStores();
const weekdays = [['09:00', '20:00']];
const schedule = {
  timeZone: 'Asia/Shanghai',
  windows: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays },
};

async function setup() {
  const store = await testStore();
  const list = await store.contacts.createList({ name: 'Leads', defaultRegion: 'CN' });
  await store.contacts.upsertContacts(list.id, [
    { phone: '+8613800138000', name: '王先生' },
    { phone: '+8613800138001' },
  ]);
  const flow = await store.flows.create({ name: 'reminder', language: 'zh-CN' });
  await store.flows.addVersion(flow.id, { id: 'reminder', v: 1 });
  await store.flows.addVersion(flow.id, { id: 'reminder', v: 2 });
  await store.trunks.create({
    name: 'main',
    uri: 'ws://127.0.0.1:1',
    domain: 'example.test',
    username: null,
    passwordCipher: null,
    register: false,
    callerId: null,
    maxConcurrentCalls: 10,
    role: 'primary',
  });
  const emitted: CampaignDetail[] = [];
  const running: number[] = [];
  const service = new CampaignService({
    store,
    actor: 'test',
    emit: (d) => emitted.push(d),
    onRunning: (id) => running.push(id),
    throttleMs: 0,
  });
  const handlers = service.handlers();
  const create = async (params: Record<string, unknown>) =>
    handlers['campaigns.create'](
      campaignCommands['campaigns.create'].params.parse({
        name: 'Renewals',
        list: 'Leads',
        flow: { name: 'reminder' },
        trunks: ['main'],
        schedule,
        ...params,
      }),
    );
  return { store, service, handlers, create, emitted, running, flow };
}

async function failure(work: unknown): Promise<ApiError> {
  const error = await Promise.resolve(work).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('campaigns (real SQLite)', () => {
  it('names the field of an unknown list, flow, flow version or trunk', async () => {
    const { create } = await setup();
    expect(await failure(create({ list: 'Nope' }))).toMatchObject({
      code: 'INVALID_PARAMS',
      field: 'list',
    });
    expect(await failure(create({ flow: { name: 'nope' } }))).toMatchObject({ field: 'flow.name' });
    expect(await failure(create({ flow: { name: 'reminder', version: 7 } }))).toMatchObject({
      field: 'flow.version',
      message: expect.stringContaining('latest: 2'),
    });
    expect(await failure(create({ trunks: ['main', 'backup'] }))).toMatchObject({
      field: 'trunks.1',
      message: expect.stringContaining('no trunk named "backup"'),
    });
    expect(await failure(create({ flow: null }))).toMatchObject({ field: 'flow' });
    await create({});
    expect(await failure(create({}))).toMatchObject({ code: 'CONFLICT', field: 'name' });
  });

  it('start pins the latest flow version and adds the list’s contacts; pause, resume and stop; audit entries', async () => {
    const { store, handlers, create, emitted, running } = await setup();
    const created = await create({
      retryPolicy: { maxAttempts: 2, retryAfterMs: { busy: 60_000 }, dailyCapPerNumber: 2 },
    });
    expect(created).toMatchObject({
      status: 'draft',
      flowVersion: null,
      config: {
        list: 'Leads',
        trunks: ['main'],
        flow: { name: 'reminder' },
        dialingMode: 'agentless',
      },
      progress: { contacts: 0 },
    });
    const started = await handlers['campaigns.start']({ name: 'Renewals' });
    expect(started).toMatchObject({
      status: 'running',
      flowVersion: 2,
      progress: { contacts: 2, remaining: 2, dialed: 0, finished: 0 },
    });
    expect(running).toEqual([started.id]);
    expect(
      await failure(
        handlers['campaigns.update']({ name: 'Renewals', changes: { maxConcurrentCalls: 2 } }),
      ),
    ).toMatchObject({ code: 'CONFLICT' });
    expect(await handlers['campaigns.pause']({ name: 'Renewals' })).toMatchObject({
      status: 'paused',
    });
    // A contact imported while paused is picked up on resume.
    const list = await store.contacts.getListByName('Leads');
    await store.contacts.upsertContacts(list!.id, [{ phone: '+8613800138002' }]);
    expect(
      await handlers['campaigns.update']({ name: 'Renewals', changes: { maxConcurrentCalls: 2 } }),
    ).toMatchObject({ config: { maxConcurrentCalls: 2 }, flowVersion: 2 });
    expect(await handlers['campaigns.resume']({ name: 'Renewals' })).toMatchObject({
      status: 'running',
      progress: { contacts: 3 },
    });
    expect(await handlers['campaigns.stop']({ name: 'Renewals' })).toMatchObject({
      status: 'stopped',
    });
    expect(await failure(handlers['campaigns.resume']({ name: 'Renewals' }))).toMatchObject({
      code: 'CONFLICT',
    });
    expect(emitted.map((d) => d.status)).toEqual([
      'running',
      'paused',
      'paused',
      'running',
      'stopped',
    ]);
    const page = await handlers['campaigns.contacts']({
      name: 'Renewals',
      limit: 2,
      offset: 0,
      search: '王',
    });
    expect(page).toMatchObject({
      total: 1,
      contacts: [{ phone: '+8613800138000', name: '王先生', status: 'pending', attempts: 0 }],
    });
    const actions = (await store.audit.list()).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'campaigns.create',
        'campaigns.start',
        'campaigns.pause',
        'campaigns.update',
        'campaigns.resume',
        'campaigns.stop',
      ]),
    );
  });

  it('keeps a version the admin pinned at creation', async () => {
    const { handlers, create } = await setup();
    await create({ flow: { name: 'reminder', version: 1 } });
    expect(await handlers['campaigns.start']({ name: 'Renewals' })).toMatchObject({
      flowVersion: 1,
      config: { flow: { name: 'reminder', version: 1 } },
    });
  });
});
