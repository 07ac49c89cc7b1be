import { expect, it } from 'vitest';

import { describeBackends } from '../testing/backends.js';

describeBackends('settings repository', (testStore) => {
  it('stores JSON values of any shape and reads them back', async () => {
    const store = await testStore();
    expect(await store.settings.getAll()).toEqual({});
    await store.settings.setMany({
      language: 'en',
      ringTimeoutMs: 30_000,
      recordCalls: false,
      nested: { a: [1, null, 'x'] },
      nothing: null,
    });
    expect(await store.settings.getAll()).toEqual({
      language: 'en',
      ringTimeoutMs: 30_000,
      recordCalls: false,
      nested: { a: [1, null, 'x'] },
      nothing: null,
    });
  });

  it('overwrites existing keys and keeps the others', async () => {
    let now = 1_000;
    const store = await testStore({ now: () => now });
    await store.settings.setMany({ language: 'en', timeZone: 'Asia/Shanghai' });
    now = 2_000;
    await store.settings.setMany({ language: 'zh-CN' });
    expect(await store.settings.getAll()).toEqual({ language: 'zh-CN', timeZone: 'Asia/Shanghai' });
    expect(await store.database.all('SELECT key, updated_at FROM settings ORDER BY key')).toEqual([
      { key: 'language', updated_at: 2_000 },
      { key: 'timeZone', updated_at: 1_000 },
    ]);
  });

  it('writes all keys or none', async () => {
    const store = await testStore();
    await store.settings.setMany({ language: 'en' });
    // A value JSON cannot represent fails the second key; the first must not stay written.
    const values = { language: 'zh-CN', broken: undefined } as unknown as Record<string, null>;
    await expect(store.settings.setMany(values)).rejects.toThrow(/Cannot store undefined/);
    expect(await store.settings.getAll()).toEqual({ language: 'en' });
  });
});
