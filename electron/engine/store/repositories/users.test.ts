import { expect, it } from 'vitest';

import { describeBackends } from '../testing/backends.js';

describeBackends('user repository', (testStore) => {
  it('creates users offline, lists them by username and changes their status', async () => {
    const store = await testStore({ now: () => 1_000 });
    const zoe = await store.users.create({
      username: 'zoe',
      displayName: 'Zoe',
      role: 'supervisor',
      skills: ['en', 'complaints'],
    });
    expect(zoe).toEqual({
      id: zoe.id,
      username: 'zoe',
      displayName: 'Zoe',
      role: 'supervisor',
      skills: ['en', 'complaints'],
      status: 'offline',
      createdAt: 1_000,
    });
    const amy = await store.users.create({
      username: 'amy',
      displayName: '艾米',
      role: 'agent',
      skills: [],
    });
    expect((await store.users.list()).map((u) => u.username)).toEqual(['amy', 'zoe']);

    await store.users.setStatus(amy.id, 'available');
    expect(await store.users.get(amy.id)).toEqual({ ...amy, status: 'available' });
    expect(await store.users.get(999)).toBeNull();
  });

  it('reports a missing user and refuses an unknown status or role', async () => {
    const store = await testStore();
    await expect(store.users.setStatus(5, 'away')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'User 5 does not exist.',
    });
    const amy = await store.users.create({
      username: 'amy',
      displayName: 'Amy',
      role: 'agent',
      skills: [],
    });
    // @ts-expect-error: checked by the schema too
    await expect(store.users.setStatus(amy.id, 'sleeping')).rejects.toMatchObject({
      code: 'SQLITE',
    });
    await expect(
      // @ts-expect-error: checked by the schema too
      store.users.create({ username: 'bob', displayName: 'Bob', role: 'boss', skills: [] }),
    ).rejects.toMatchObject({ code: 'SQLITE' });
  });
});
