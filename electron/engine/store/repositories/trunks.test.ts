import { describe, expect, it } from 'vitest';
import { useTestStores } from '../testing/temp.js';
import type { NewTrunk } from '../types.js';

const testStore = useTestStores();

const trunk = (overrides: Partial<NewTrunk> = {}): NewTrunk => ({
  name: 'main',
  uri: 'wss://pbx.example.com:8089/ws',
  domain: 'pbx.example.com',
  username: '1001',
  passwordCipher: 'v1:abcd',
  register: true,
  callerId: '+8602100000000',
  maxConcurrentCalls: 30,
  role: 'primary',
  ...overrides,
});

describe('trunk repository', () => {
  it('creates, finds, lists (primary first) and removes trunks', async () => {
    const store = await testStore({ now: () => 1_000 });
    const main = await store.trunks.create(trunk());
    expect(main).toEqual({ id: main.id, ...trunk(), createdAt: 1_000, updatedAt: 1_000 });
    await store.trunks.create(trunk({ name: 'a-backup', role: 'backup', register: false, username: null, passwordCipher: null, callerId: null }));
    expect((await store.trunks.list()).map((t) => [t.name, t.role, t.register])).toEqual([
      ['main', 'primary', true],
      ['a-backup', 'backup', false],
    ]);
    expect(await store.trunks.getByName('main')).toEqual(main);
    expect(await store.trunks.remove('main')).toBe(true);
    expect(await store.trunks.remove('main')).toBe(false);
    expect(await store.trunks.getByName('main')).toBeNull();
  });

  it('keeps call history when a trunk is removed', async () => {
    const store = await testStore();
    const main = await store.trunks.create(trunk());
    await store.calls.create({ id: 'c1', number: '+8613800138000', startedAt: 1, trunkId: main.id });
    await store.trunks.remove('main');
    expect(await store.calls.get('c1')).toMatchObject({ trunkId: null });
  });

  it('refuses a duplicate name and a non-WebSocket URI', async () => {
    const store = await testStore();
    await store.trunks.create(trunk());
    await expect(store.trunks.create(trunk())).rejects.toMatchObject({ code: 'CONFLICT', message: 'A trunk named "main" already exists.' });
    await expect(store.trunks.create(trunk({ name: 'udp', uri: 'sip:pbx.example.com' }))).rejects.toMatchObject({ code: 'SQLITE' });
  });
});
