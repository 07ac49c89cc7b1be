/** Commands on a call another seat holds (schema 14) on both backends. */
import { expect, it } from 'vitest';

import { describeBackends } from '../testing/backends.js';

describeBackends('seat command repository', (testStore) => {
  it('adds a pending command, lets one claim win, finishes it with a result and drops its args', async () => {
    const store = await testStore();
    await store.calls.create({ id: 'c1', number: '+8613800138000', startedAt: 1_000 });
    const mei = await store.users.create({
      username: 'mei',
      displayName: 'Mei',
      role: 'agent',
      skills: [],
    });
    const sent = await store.seatCommands.add({
      callId: 'c1',
      callSeat: 'seat-a',
      fromSeat: 'seat-b',
      userId: mei.id,
      kind: 'dtmf',
      args: { digits: '12#', transport: 'rfc4733' },
    });
    expect(sent).toMatchObject({
      callId: 'c1',
      callSeat: 'seat-a',
      fromSeat: 'seat-b',
      userId: mei.id,
      kind: 'dtmf',
      args: { digits: '12#', transport: 'rfc4733' },
      state: 'pending',
      result: null,
      errorCode: null,
    });
    expect((await store.seatCommands.pendingFor('seat-a')).map((c) => c.id)).toEqual([sent.id]);
    expect(await store.seatCommands.pendingFor('seat-b')).toEqual([]);
    // Two claims: one wins; a running command is no longer pending.
    expect(await store.seatCommands.claim(sent.id)).toBe(true);
    expect(await store.seatCommands.claim(sent.id)).toBe(false);
    expect(await store.seatCommands.pendingFor('seat-a')).toEqual([]);
    // The sender giving up on a pending command finds it running: it does not move.
    expect(
      await store.seatCommands.finish(sent.id, ['pending'], {
        state: 'failed',
        errorCode: 'UNAVAILABLE',
        error: 'nobody took it',
      }),
    ).toBe(false);
    expect(
      await store.seatCommands.finish(sent.id, ['running'], { state: 'done', result: {} }),
    ).toBe(true);
    expect(await store.seatCommands.get(sent.id)).toMatchObject({
      state: 'done',
      args: null,
      result: {},
      errorCode: null,
      error: null,
    });
  });

  it('fails a command nobody claimed so a late claim cannot run it; prunes finished ones; goes with its call', async () => {
    let now = 10_000;
    const store = await testStore({ now: () => now });
    await store.calls.create({ id: 'c2', number: '+8613800138001', startedAt: 1_000 });
    const hold = await store.seatCommands.add({
      callId: 'c2',
      callSeat: 'seat-a',
      fromSeat: 'seat-b',
      userId: null,
      kind: 'hold',
      args: { hold: true },
    });
    expect(
      await store.seatCommands.finish(hold.id, ['pending'], {
        state: 'failed',
        errorCode: 'UNAVAILABLE',
        error: 'seat-a did not take it',
      }),
    ).toBe(true);
    expect(await store.seatCommands.claim(hold.id)).toBe(false);
    expect(await store.seatCommands.get(hold.id)).toMatchObject({
      state: 'failed',
      errorCode: 'UNAVAILABLE',
      error: 'seat-a did not take it',
      args: null,
    });
    now = 20_000;
    const mute = await store.seatCommands.add({
      callId: 'c2',
      callSeat: 'seat-a',
      fromSeat: 'seat-b',
      userId: null,
      kind: 'mute',
      args: { muted: true },
    });
    // Only finished commands older than the cut are pruned.
    expect(await store.seatCommands.prune(15_000)).toBe(1);
    expect(await store.seatCommands.get(hold.id)).toBeNull();
    expect(await store.seatCommands.prune(30_000)).toBe(0);
    await store.database.run("DELETE FROM calls WHERE id = 'c2'");
    expect(await store.seatCommands.get(mute.id)).toBeNull();
  });
});
