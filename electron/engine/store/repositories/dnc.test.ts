import { expect, it } from 'vitest';

import { describeBackends } from '../testing/backends.js';

describeBackends('do-not-call repository', (testStore) => {
  it('adds numbers once, keeping the first reason, and counts only the new ones', async () => {
    const store = await testStore({ now: () => 1_000 });
    expect(
      await store.dnc.add([
        { phone: '+8613800138000', reason: 'asked on call', source: 'agent' },
        { phone: '+12025550100', source: 'import' },
      ]),
    ).toBe(2);
    expect(
      await store.dnc.add([
        { phone: '+8613800138000', reason: 'again', source: 'api' },
        { phone: '+447700900123', source: 'flow' },
      ]),
    ).toBe(1);
    expect(await store.dnc.has('+8613800138000')).toBe(true);
    expect(await store.dnc.has('+8613900000000')).toBe(false);
    const entries = await store.dnc.list();
    expect(entries.find((e) => e.phone === '+8613800138000')).toEqual({
      phone: '+8613800138000',
      reason: 'asked on call',
      source: 'agent',
      createdAt: 1_000,
    });
    expect(entries.find((e) => e.phone === '+12025550100')?.reason).toBeNull();
  });

  it('lists newest first with paging, and removes numbers', async () => {
    let now = 1_000;
    const store = await testStore({ now: () => now });
    await store.dnc.add([{ phone: '+1', source: 'import' }]);
    now = 2_000;
    await store.dnc.add([{ phone: '+2', source: 'import' }]);
    now = 3_000;
    await store.dnc.add([{ phone: '+3', source: 'import' }]);
    expect((await store.dnc.list()).map((e) => e.phone)).toEqual(['+3', '+2', '+1']);
    expect((await store.dnc.list({ limit: 1, offset: 1 })).map((e) => e.phone)).toEqual(['+2']);
    expect(await store.dnc.remove('+2')).toBe(true);
    expect(await store.dnc.remove('+2')).toBe(false);
    expect(await store.dnc.has('+2')).toBe(false);
  });

  it('adds a large list in one go', async () => {
    const store = await testStore();
    const entries = Array.from({ length: 20_500 }, (_, i) => ({
      phone: `+86139${String(i).padStart(8, '0')}`,
      source: 'import',
    }));
    expect(await store.dnc.add(entries)).toBe(20_500);
    expect(await store.dnc.add(entries)).toBe(0);
  });
});
