import { expect, it } from 'vitest';

import { describeBackends } from '../testing/backends.js';
import type { NewTrunk } from '../types.js';

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

describeBackends('trunk repository', (testStore) => {
  it('creates, finds, lists (primary first) and removes trunks', async () => {
    const store = await testStore({ now: () => 1_000 });
    const main = await store.trunks.create(trunk());
    expect(main).toEqual({
      id: main.id,
      ...trunk(),
      transferMode: 'bridge',
      createdAt: 1_000,
      updatedAt: 1_000,
    });
    await store.trunks.create(
      trunk({
        name: 'a-backup',
        role: 'backup',
        register: false,
        username: null,
        passwordCipher: null,
        callerId: null,
      }),
    );
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
    await store.calls.create({
      id: 'c1',
      number: '+8613800138000',
      startedAt: 1,
      trunkId: main.id,
    });
    await store.trunks.remove('main');
    expect(await store.calls.get('c1')).toMatchObject({ trunkId: null });
  });

  it('refuses a duplicate name and a non-WebSocket URI', async () => {
    const store = await testStore();
    await store.trunks.create(trunk());
    await expect(store.trunks.create(trunk())).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'A trunk named "main" already exists.',
    });
    await expect(
      store.trunks.create(trunk({ name: 'udp', uri: 'sip:pbx.example.com' })),
    ).rejects.toMatchObject({ code: 'SQLITE' });
  });

  it('finds a trunk by id', async () => {
    const store = await testStore();
    const main = await store.trunks.create(trunk());
    expect(await store.trunks.get(main.id)).toEqual(main);
    expect(await store.trunks.get(main.id + 1)).toBeNull();
  });

  it('updates only the given fields, clears fields set to null, and stamps updatedAt', async () => {
    let clock = 1_000;
    const store = await testStore({ now: () => clock });
    const main = await store.trunks.create(trunk());
    clock = 2_000;
    const updated = await store.trunks.update('main', {
      uri: 'ws://10.0.0.5:5066',
      register: false,
      passwordCipher: null,
      callerId: null,
      maxConcurrentCalls: 5,
    });
    expect(updated).toEqual({
      ...main,
      uri: 'ws://10.0.0.5:5066',
      register: false,
      passwordCipher: null,
      callerId: null,
      maxConcurrentCalls: 5,
      updatedAt: 2_000,
    });
    expect(await store.trunks.getByName('main')).toEqual(updated);
    // Nothing to change still touches updatedAt only.
    clock = 3_000;
    expect(await store.trunks.update('main', {})).toEqual({ ...updated, updatedAt: 3_000 });
  });

  it('renames a trunk, keeping its id, and refuses a name already taken', async () => {
    const store = await testStore();
    const main = await store.trunks.create(trunk());
    await store.trunks.create(trunk({ name: 'backup', role: 'backup' }));
    const renamed = await store.trunks.update('main', { name: 'carrier-a' });
    expect(renamed).toMatchObject({ id: main.id, name: 'carrier-a' });
    expect(await store.trunks.getByName('main')).toBeNull();
    await expect(store.trunks.update('carrier-a', { name: 'backup' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'A trunk named "backup" already exists.',
    });
    expect(await store.trunks.getByName('carrier-a')).toEqual(renamed);
  });

  it('says NOT_FOUND when updating a trunk that does not exist', async () => {
    const store = await testStore();
    await expect(store.trunks.update('nope', { register: true })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'No trunk named "nope".',
    });
  });

  it('updates inside a transaction and rolls back with it', async () => {
    const store = await testStore();
    await store.trunks.create(trunk());
    await expect(
      store.transaction(async (tx) => {
        await tx.trunks.update('main', { domain: 'other.example.com' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await store.trunks.getByName('main'))?.domain).toBe('pbx.example.com');
  });
});
