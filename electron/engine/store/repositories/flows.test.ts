import { expect, it } from 'vitest';

import { describeBackends } from '../testing/backends.js';

describeBackends('flow repository', (testStore) => {
  it('creates flows and numbers their versions from 1', async () => {
    let now = 1_000;
    const store = await testStore({ now: () => now });
    const flow = await store.flows.create({ name: 'Survey', language: 'zh-CN' });
    expect(flow).toEqual({
      id: flow.id,
      name: 'Survey',
      language: 'zh-CN',
      latestVersion: null,
      createdAt: 1_000,
      updatedAt: 1_000,
    });

    now = 2_000;
    const v1 = await store.flows.addVersion(flow.id, {
      start: 'greet',
      nodes: { greet: { say: '您好' } },
    });
    expect(v1).toEqual({
      flowId: flow.id,
      version: 1,
      definition: { start: 'greet', nodes: { greet: { say: '您好' } } },
      createdAt: 2_000,
    });
    now = 3_000;
    const v2 = await store.flows.addVersion(flow.id, { start: 'ask' });
    expect(v2.version).toBe(2);

    expect(await store.flows.getByName('Survey')).toEqual({
      ...flow,
      latestVersion: 2,
      updatedAt: 3_000,
    });
    expect(await store.flows.getVersion(flow.id, 1)).toEqual(v1);
    expect(await store.flows.getVersion(flow.id, 3)).toBeNull();
    expect(await store.flows.getByName('nope')).toBeNull();
  });

  it('lists flows by name with their latest version', async () => {
    const store = await testStore();
    const b = await store.flows.create({ name: 'B', language: 'en' });
    await store.flows.create({ name: 'A', language: 'zh-CN' });
    await store.flows.addVersion(b.id, {});
    expect((await store.flows.list()).map((f) => [f.name, f.latestVersion])).toEqual([
      ['A', null],
      ['B', 1],
    ]);
  });

  it('numbers versions without gaps or clashes when added concurrently', async () => {
    const store = await testStore();
    const flow = await store.flows.create({ name: 'F', language: 'en' });
    const versions = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.flows.addVersion(flow.id, { i })),
    );
    expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
  });

  it("lists a flow's versions oldest first and follows a language change", async () => {
    let now = 10;
    const store = await testStore({ now: () => now });
    const flow = await store.flows.create({ name: 'F', language: 'en' });
    expect(await store.flows.listVersions(flow.id)).toEqual([]);
    await store.flows.addVersion(flow.id, { a: 1 });
    now = 20;
    await store.flows.addVersion(flow.id, { a: 2 });
    expect(await store.flows.listVersions(flow.id)).toEqual([
      { version: 1, createdAt: 10 },
      { version: 2, createdAt: 20 },
    ]);
    await store.flows.setLanguage(flow.id, 'zh-CN');
    expect((await store.flows.getByName('F'))?.language).toBe('zh-CN');
    await expect(store.flows.setLanguage(99, 'en')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a duplicate name, an unknown language and a missing flow', async () => {
    const store = await testStore();
    await store.flows.create({ name: 'Survey', language: 'en' });
    await expect(store.flows.create({ name: 'Survey', language: 'en' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'A flow named "Survey" already exists.',
    });
    // @ts-expect-error: checked by the schema too
    await expect(store.flows.create({ name: 'x', language: 'fr' })).rejects.toMatchObject({
      code: 'SQLITE',
    });
    await expect(store.flows.addVersion(77, {})).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Flow 77 does not exist.',
    });
  });
});
