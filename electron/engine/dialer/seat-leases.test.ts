import { afterEach, expect, it } from 'vitest';

import {
  describeBackends,
  type TestStore,
  type TestStoreFactory,
} from '../store/testing/backends.js';
import type { Dialer } from './dialer.js';
import { ScriptedLine, seatDialer, seedCampaign } from './testing/seats.js';

const MIN = 60_000;
const EXPIRY = 10_000;

const dialers: Dialer[] = [];
afterEach(async () => {
  await Promise.all(dialers.splice(0).map((d) => d.stop()));
});

async function twoSeats(testStore: TestStoreFactory, contacts = 6) {
  const store = await testStore();
  const clock = { now: Date.parse('2026-11-25T04:00:00Z') };
  const seeded = await seedCampaign(store, { contacts, failedRetryMs: 5 * MIN });
  const seat = (id: string) => {
    const line = new ScriptedLine(store, () => clock.now);
    const dialer = seatDialer(
      store,
      line,
      { id, leaseExpiryMs: EXPIRY },
      { now: () => clock.now, batchSize: 3 },
    );
    dialers.push(dialer);
    return { line, dialer };
  };
  return { store, clock, seeded, a: seat('seat-a'), b: seat('seat-b') };
}

type LeaseRow = {
  contact_id: number;
  status: string;
  lease_owner: string | null;
  lease_expires_at: number | null;
  attempts: number;
  next_at: number;
};

/** Waits until no call is still queued (the dialer hands calls to the line without awaiting). */
async function allDialing(store: TestStore): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const row = await store.database.get<{ n: number }>(
      "SELECT count(*) AS n FROM calls WHERE state = 'queued'",
    );
    if (row?.n === 0) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('calls stayed queued');
}

const leaseRows = (store: TestStore) =>
  store.database.all<LeaseRow>(
    'SELECT contact_id, status, lease_owner, lease_expires_at, attempts, next_at FROM campaign_contacts ORDER BY contact_id',
  );

describeBackends('seat leases', (testStore) => {
  it('stamps each lease with its seat and an expiry, the call with its seat, and renews a seat’s leases in one statement', async () => {
    const { store, clock, seeded, a, b } = await twoSeats(testStore);
    const first = await a.dialer.pass(seeded.campaign);
    const second = await b.dialer.pass(seeded.campaign);
    expect(first?.leased).toBe(3);
    expect(second?.leased).toBe(3);
    const rows = await leaseRows(store);
    expect(rows.filter((r) => r.lease_owner === 'seat-a')).toHaveLength(3);
    expect(rows.filter((r) => r.lease_owner === 'seat-b')).toHaveLength(3);
    expect(rows.every((r) => r.lease_expires_at === clock.now + EXPIRY)).toBe(true);
    const seats = await store.database.all<{ seat_id: string; n: number }>(
      'SELECT seat_id, count(*) AS n FROM calls GROUP BY seat_id ORDER BY seat_id',
    );
    expect(seats).toEqual([
      { seat_id: 'seat-a', n: 3 },
      { seat_id: 'seat-b', n: 3 },
    ]);

    clock.now += 4_000;
    expect(await a.dialer.renew()).toBe(3);
    const renewed = await leaseRows(store);
    expect(
      renewed.filter((r) => r.lease_owner === 'seat-a').map((r) => r.lease_expires_at),
    ).toEqual([clock.now + EXPIRY, clock.now + EXPIRY, clock.now + EXPIRY]);
    // B's leases keep their own expiry.
    expect(
      renewed
        .filter((r) => r.lease_owner === 'seat-b')
        .every((r) => r.lease_expires_at === clock.now - 4_000 + EXPIRY),
    ).toBe(true);
    // Only this seat's unfinished calls are its own to close after a crash.
    expect(await store.calls.unfinished({ seatId: 'seat-a' })).toHaveLength(3);
    expect(await store.calls.unfinished()).toHaveLength(6);
  });

  it('reaps a dead seat’s expired leases: never-dialed released uncounted, dialing closed as seat_lost and retried after the failed delay, ended settled as it ended', async () => {
    const { store, clock, seeded, a, b } = await twoSeats(testStore, 3);
    await a.dialer.pass(seeded.campaign, { dial: false });
    const leases = await store.campaignContacts.leases({ includeOpen: true, owner: 'seat-a' });
    expect(leases).toHaveLength(3);
    const [queued, dialing, ended] = leases.map((l) => l.call.id) as [string, string, string];
    await store.calls.update(dialing, { state: 'dialing' });
    await store.calls.update(ended, { state: 'dialing' });
    await a.line.end(ended, 'completed');

    // Seat A dies here (no heartbeat, no settling). Before the expiry nothing is reaped.
    clock.now += EXPIRY - 1;
    expect(await b.dialer.reap()).toEqual({ released: 0, closed: 0, settled: 0 });
    clock.now += 2;
    const at = clock.now;
    expect(await b.dialer.reap()).toEqual({ released: 1, closed: 1, settled: 2 });

    expect(await store.calls.get(queued)).toBeNull();
    const lost = await store.calls.get(dialing);
    expect(lost?.state).toBe('done');
    expect(lost?.outcome).toBe('failed');
    expect(lost?.endReason).toMatch(/^seat_lost: seat seat-a stopped renewing its lease/);
    const events = await store.calls.events(dialing);
    expect(events.find((e) => e.type === 'closed_seat_lost')?.data).toMatchObject({
      seat: 'seat-a',
      previousState: 'dialing',
    });
    expect((await store.calls.get(ended))?.outcome).toBe('completed');

    const byCall = new Map(leases.map((l) => [l.call.id, l.contactId]));
    const rows = new Map((await leaseRows(store)).map((r) => [r.contact_id, r]));
    expect(rows.get(byCall.get(queued)!)).toMatchObject({
      status: 'pending',
      attempts: 0,
      lease_owner: null,
    });
    expect(rows.get(byCall.get(dialing)!)).toMatchObject({
      status: 'pending',
      attempts: 1,
      next_at: at + 5 * MIN,
      lease_owner: null,
      lease_expires_at: null,
    });
    expect(rows.get(byCall.get(ended)!)).toMatchObject({ status: 'done', attempts: 1 });

    // Idempotent: a second reaper (or the same one again) finds nothing left.
    expect(await a.dialer.reap()).toEqual({ released: 0, closed: 0, settled: 0 });
    expect(await b.dialer.reap()).toEqual({ released: 0, closed: 0, settled: 0 });
  });

  it('a lost call whose bot had already stored a final disposition is closed as completed with it, not failed: its contact is done with that completed call, not redialed', async () => {
    const { store, clock, seeded, a, b } = await twoSeats(testStore, 3);
    await store.dispositions.upsert({
      code: 'reminded',
      labelEn: 'Reminded',
      labelZh: '已提醒',
      kind: 'system',
      final: true,
    });
    await store.dispositions.upsert({
      code: 'call_later',
      labelEn: 'Call later',
      labelZh: '稍后再拨',
      kind: 'system',
      final: false,
    });
    await a.dialer.pass(seeded.campaign, { dial: false });
    const leases = await store.campaignContacts.leases({ includeOpen: true, owner: 'seat-a' });
    const [final, notFinal, none] = leases.map((l) => l.call.id) as [string, string, string];
    const answeredAt = clock.now + 2_000;
    for (const id of [final, notFinal, none]) {
      await store.calls.update(id, { state: 'dialing' });
      await store.calls.update(id, { state: 'answered', answeredAt });
      await store.calls.update(id, { state: 'bot' });
    }
    // The bot ended its flow (disposition stored) and seat A died before it hung up.
    await store.calls.update(final, { dispositionCode: 'reminded' });
    await store.calls.update(notFinal, { dispositionCode: 'call_later' });

    clock.now += EXPIRY + 1;
    const at = clock.now;
    expect(await b.dialer.reap()).toEqual({ released: 0, closed: 3, settled: 3 });

    const kept = await store.calls.get(final);
    expect(kept).toMatchObject({
      state: 'done',
      outcome: 'completed',
      dispositionCode: 'reminded',
      endedAt: at,
    });
    expect(kept?.endReason).toMatch(
      /^seat_lost after the result: seat seat-a stopped renewing its lease \(expired [^)]+\) after the call's final disposition reminded was stored/,
    );
    expect(
      (await store.calls.events(final)).find((e) => e.type === 'closed_seat_lost')?.data,
    ).toMatchObject({ seat: 'seat-a', previousState: 'bot', disposition: 'reminded' });
    for (const id of [notFinal, none]) {
      const lost = await store.calls.get(id);
      expect(lost).toMatchObject({ state: 'done', outcome: 'failed' });
      expect(lost?.endReason).toMatch(/^seat_lost: seat seat-a stopped renewing its lease/);
    }
    expect((await store.calls.get(notFinal))?.dispositionCode).toBe('call_later');

    const byCall = new Map(leases.map((l) => [l.call.id, l.contactId]));
    const rows = new Map((await leaseRows(store)).map((r) => [r.contact_id, r]));
    expect(rows.get(byCall.get(final)!)).toMatchObject({
      status: 'done',
      attempts: 1,
      lease_owner: null,
    });
    const done = await store.database.get<{ reason: string; last_outcome: string }>(
      'SELECT done_reason AS reason, last_outcome FROM campaign_contacts WHERE contact_id = $id',
      { $id: byCall.get(final)! },
    );
    expect(done).toEqual({ reason: 'final disposition reminded', last_outcome: 'completed' });
    for (const id of [notFinal, none])
      expect(rows.get(byCall.get(id)!)).toMatchObject({
        status: 'pending',
        attempts: 1,
        next_at: at + 5 * MIN,
      });
  });

  it('never reaps its own leases, and two seats reaping at once close each lost lease once', async () => {
    const { store, clock, seeded, a, b } = await twoSeats(testStore, 6);
    await a.dialer.pass(seeded.campaign);
    await b.dialer.pass(seeded.campaign);
    await allDialing(store);
    clock.now += EXPIRY + 1;
    // Both seats' leases expired: each reaper takes only the other's.
    const c = seatDialer(
      store,
      new ScriptedLine(store, () => clock.now),
      { id: 'seat-c', leaseExpiryMs: EXPIRY },
      { now: () => clock.now },
    );
    dialers.push(c);
    const results = await Promise.all([a.dialer.reap(), b.dialer.reap(), c.reap()]);
    const closed = results.reduce((sum, r) => sum + r.closed, 0);
    expect(closed).toBe(6);
    const calls = await store.database.all<{ reason: string }>(
      "SELECT end_reason AS reason FROM calls WHERE state = 'done'",
    );
    expect(calls).toHaveLength(6);
    const events = await store.database.all<{ n: number }>(
      "SELECT count(*) AS n FROM call_events WHERE type = 'closed_seat_lost' GROUP BY call_id",
    );
    expect(events.every((e) => e.n === 1)).toBe(true);
    expect((await leaseRows(store)).every((r) => r.status === 'pending' && r.attempts === 1)).toBe(
      true,
    );
  });

  it('a restarted seat (same id) recovers its own leases at once and leaves another seat’s alone', async () => {
    const { store, clock, seeded, a, b } = await twoSeats(testStore, 6);
    await a.dialer.pass(seeded.campaign);
    await b.dialer.pass(seeded.campaign);
    await allDialing(store);
    // Seat A is killed and starts again with the same seat id, before its leases expire.
    await a.dialer.stop();
    const again = seatDialer(
      store,
      new ScriptedLine(store, () => clock.now),
      { id: 'seat-a', leaseExpiryMs: EXPIRY },
      { now: () => clock.now },
    );
    dialers.push(again);
    expect(await again.recover()).toEqual({ released: 0, closed: 3, settled: 3 });
    const rows = await leaseRows(store);
    expect(rows.filter((r) => r.status === 'leased').every((r) => r.lease_owner === 'seat-b')).toBe(
      true,
    );
    expect(rows.filter((r) => r.status === 'leased')).toHaveLength(3);
    expect(
      await store.database.get<{ n: number }>(
        "SELECT count(*) AS n FROM calls WHERE seat_id = 'seat-b' AND state = 'dialing'",
      ),
    ).toEqual({ n: 3 });
  });

  it('a restarted seat closes its own call whose final disposition was stored as completed too (its contact done, not redialed)', async () => {
    const { store, clock, seeded, a } = await twoSeats(testStore, 2);
    await store.dispositions.upsert({
      code: 'reminded',
      labelEn: 'Reminded',
      labelZh: '已提醒',
      kind: 'system',
      final: true,
    });
    await a.dialer.pass(seeded.campaign, { dial: false });
    const leases = await store.campaignContacts.leases({ includeOpen: true, owner: 'seat-a' });
    const [final, other] = leases.map((l) => l.call.id) as [string, string];
    for (const id of [final, other]) {
      await store.calls.update(id, { state: 'dialing' });
      await store.calls.update(id, { state: 'answered', answeredAt: clock.now });
      await store.calls.update(id, { state: 'bot' });
    }
    await store.calls.update(final, { dispositionCode: 'reminded' });
    await a.dialer.stop();
    const again = seatDialer(
      store,
      new ScriptedLine(store, () => clock.now),
      { id: 'seat-a', leaseExpiryMs: EXPIRY },
      { now: () => clock.now },
    );
    dialers.push(again);
    expect(await again.recover()).toEqual({ released: 0, closed: 2, settled: 2 });
    expect(await store.calls.get(final)).toMatchObject({
      outcome: 'completed',
      dispositionCode: 'reminded',
    });
    expect((await store.calls.get(other))?.outcome).toBe('failed');
    const byCall = new Map(leases.map((l) => [l.call.id, l.contactId]));
    const rows = new Map((await leaseRows(store)).map((r) => [r.contact_id, r]));
    expect(rows.get(byCall.get(final)!)?.status).toBe('done');
    expect(rows.get(byCall.get(other)!)?.status).toBe('pending');
  });

  it('settles a lease once when its seat and another seat’s reaper both try (abandonment counted once)', async () => {
    const { store, clock, seeded, a, b } = await twoSeats(testStore, 1);
    await a.dialer.pass(seeded.campaign);
    await allDialing(store);
    const [lease] = await store.campaignContacts.leases({ includeOpen: true });
    await a.line.end(lease!.call.id, 'completed');
    clock.now += EXPIRY + 1;
    const [own, reaped] = await Promise.all([a.dialer.settleEnded(), b.dialer.reap()]);
    expect(own + reaped.settled).toBe(1);
    const minutes = await store.database.all<{ answered: number }>(
      'SELECT answered FROM campaign_abandonment',
    );
    expect(minutes.reduce((sum, m) => sum + m.answered, 0)).toBe(1);
  });

  it('renews while the seat runs (heartbeat), so a live seat’s calls are never reaped', async () => {
    const { store, seeded, a, b } = await twoSeats(testStore, 2);
    // Real time here: a short expiry and the dialers' own timers.
    const real = seatDialer(store, a.line, {
      id: 'seat-live',
      leaseExpiryMs: 600,
      heartbeatMs: 100,
    });
    const other = seatDialer(store, b.line, {
      id: 'seat-other',
      leaseExpiryMs: 600,
      heartbeatMs: 100,
    });
    dialers.push(real, other);
    await real.pass(seeded.campaign);
    await allDialing(store);
    real.start();
    other.start();
    // Three expiries: only the heartbeat keeps the leases.
    await new Promise((r) => setTimeout(r, 1800));
    const rows = await leaseRows(store);
    expect(rows.filter((r) => r.status === 'leased' && r.lease_owner === 'seat-live')).toHaveLength(
      2,
    );
    await real.stop();
    // Stopped (as if dead): the other seat reaps it once the lease expires.
    let after: Array<{ reason: string | null }> = [];
    for (let i = 0; i < 100; i++) {
      after = await store.database.all<{ reason: string | null }>(
        'SELECT end_reason AS reason FROM calls',
      );
      if (after.every((c) => c.reason !== null)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(after).toHaveLength(2);
    expect(after.every((c) => c.reason?.startsWith('seat_lost: seat seat-live'))).toBe(true);
  });
});
