/** Seat lines, agents' seats and seat legs (schema 13) on both backends. */
import { expect, it } from 'vitest';

import { describeBackends } from '../testing/backends.js';
import { StoreError } from '../types.js';

describeBackends('seat repository', (testStore) => {
  it("stores each seat's line and an agent's seat; an unknown user is NOT_FOUND", async () => {
    const store = await testStore();
    expect(await store.seats.line('seat-a')).toBeNull();
    await store.seats.setLine('seat-a', 'sip:seat-seat-a@pbx.lan');
    await store.seats.setLine('seat-a', 'sip:seat-seat-a@pbx2.lan');
    expect(await store.seats.line('seat-a')).toBe('sip:seat-seat-a@pbx2.lan');
    const mei = await store.users.create({
      username: 'mei',
      displayName: 'Mei',
      role: 'agent',
      skills: [],
    });
    await store.seats.setUserSeat(mei.id, 'seat-b');
    expect(await store.seats.userSeats()).toEqual([{ id: mei.id, seatId: 'seat-b' }]);
    await store.seats.setUserSeat(mei.id, null);
    expect(await store.seats.userSeats()).toEqual([{ id: mei.id, seatId: null }]);
    await expect(store.seats.setUserSeat(9999, 'seat-b')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(store.seats.setUserSeat(9999, 'seat-b')).rejects.toBeInstanceOf(StoreError);
  });

  it('moves a leg only from the states named (one of two racing seats wins), drops the card when it ends, and lists a seat’s legs', async () => {
    const store = await testStore();
    const mei = await store.users.create({
      username: 'mei',
      displayName: 'Mei',
      role: 'agent',
      skills: [],
    });
    await store.calls.create({ id: 'c1', number: '+8613800138000', startedAt: 1_000 });
    await store.seats.putLeg({
      callId: 'c1',
      role: 'agent',
      callSeat: 'seat-a',
      userSeat: 'seat-b',
      userId: mei.id,
      state: 'offered',
      mode: null,
      context: { offeredAt: 5, card: { reason: 'asks for a person' } },
      expiresAt: 20_000,
      detail: null,
    });
    expect(await store.seats.leg('c1', 'agent')).toMatchObject({
      state: 'offered',
      context: { offeredAt: 5, card: { reason: 'asks for a person' } },
      expiresAt: 20_000,
    });
    // The agent's seat accepts; the call's seat's expiry then finds it no longer offered.
    expect(await store.seats.moveLeg('c1', 'agent', 'accepted', { from: ['offered'] })).toBe(true);
    expect(
      await store.seats.moveLeg('c1', 'agent', 'ended', { from: ['offered'], detail: 'expired' }),
    ).toBe(false);
    expect(await store.seats.moveLeg('c1', 'agent', 'connected', { from: ['accepted'] })).toBe(
      true,
    );
    expect((await store.seats.legsOf('seat-b', 0)).map((l) => l.state)).toEqual(['connected']);
    expect(await store.seats.legsOf('seat-c', 0)).toEqual([]);
    expect(
      await store.seats.moveLeg('c1', 'agent', 'ended', {
        from: ['offered', 'accepted', 'connected'],
        detail: 'the call ended',
      }),
    ).toBe(true);
    const ended = await store.seats.leg('c1', 'agent');
    expect(ended).toMatchObject({ state: 'ended', context: null, detail: 'the call ended' });
    // Ended legs are listed only when recent.
    expect(await store.seats.legsOf('seat-a', 0)).toHaveLength(1);
    expect(await store.seats.legsOf('seat-a', ended!.changedAt + 1)).toEqual([]);
    // A supervisor's mode changes in place; the live call's seat is known.
    await store.seats.putLeg({
      callId: 'c1',
      role: 'supervisor',
      callSeat: 'seat-a',
      userSeat: 'seat-c',
      userId: mei.id,
      state: 'accepted',
      mode: 'listen',
      context: null,
      expiresAt: null,
      detail: null,
    });
    expect(
      await store.seats.moveLeg('c1', 'supervisor', 'accepted', {
        from: ['accepted', 'connected'],
        mode: 'barge',
      }),
    ).toBe(true);
    expect((await store.seats.leg('c1', 'supervisor'))?.mode).toBe('barge');
    expect(await store.seats.liveCallSeat('c1')).toBeNull(); // stored without a seat
    await store.calls.create({
      id: 'c2',
      number: '+8613800138001',
      startedAt: 1_000,
      seatId: 'seat-a',
    });
    expect(await store.seats.liveCallSeat('c2')).toBe('seat-a');
  });
});
