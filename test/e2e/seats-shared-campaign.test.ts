/**
 * Issue 16 §2, at the store and dialer level: seats (engines) sharing campaigns on one real
 * PostgreSQL, each seat with its own connection pool and its own Dialer, all leasing at once.
 *
 * - Ten seats, two campaigns over the same 2,000 numbers with a daily cap of one call per number:
 *   every number is called exactly once over both campaigns (the cap holds across seats and
 *   campaigns), no contact is leased twice in one attempt slot, and the work is spread over seats.
 * - Three seats, one campaign of 2,000 contacts; one seat (its own process) is killed with SIGKILL
 *   mid-campaign holding live calls:
 *   after its leases expire the others' reapers close its calls as `seat_lost`, its contacts are
 *   redialed after the failed retry delay, and every contact ends with exactly one completed call.
 *
 * The line places nothing (dialer/testing/seats.ts): what is under test is leasing, the checks in
 * the lease's transaction, renewal and reaping. Lease expiry and retry delays are short here.
 */
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { Dialer } from '../../electron/engine/dialer/dialer.js';
import {
  ScriptedLine,
  seatDialer,
  seedCampaign,
} from '../../electron/engine/dialer/testing/seats.js';
import {
  openPostgresStore,
  type PostgresStore,
} from '../../electron/engine/store/postgres/store.js';
import { freshPostgresUrl, sharedPostgres } from '../support/postgres.js';
import { spawnScriptAt } from '../support/script-child.js';

const CONTACTS = 2_000;
const stores: PostgresStore[] = [];
const dialers: Dialer[] = [];

afterAll(async () => {
  await Promise.all(dialers.map((d) => d.stop()));
  await Promise.all(stores.map((s) => s.close()));
  await (await sharedPostgres()).stop();
});

async function openSeats(url: string, n: number): Promise<PostgresStore[]> {
  const opened = await Promise.all(
    Array.from({ length: n }, () => openPostgresStore({ url, max: 3 })),
  );
  stores.push(...opened);
  return opened;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const count = async (store: PostgresStore, sql: string): Promise<number> =>
  (await store.database.get<{ n: number }>(sql))?.n ?? 0;

describe('seats sharing campaigns on one PostgreSQL', () => {
  it('ten seats, two campaigns over the same 2,000 numbers, daily cap 1: each number called once, no attempt slot leased twice', async () => {
    const started = Date.now();
    const url = await freshPostgresUrl();
    const seats = await openSeats(url, 10);
    const first = seats[0]!;
    const a = await seedCampaign(first, { contacts: CONTACTS, name: 'A', dailyCapPerNumber: 1 });
    await seedCampaign(first, {
      contacts: CONTACTS,
      phones: a.phones,
      name: 'B',
      dailyCapPerNumber: 1,
    });
    seats.forEach((store, i) => {
      const line = new ScriptedLine(store, Date.now, 'completed');
      // No seat dies here: an expiry long enough that a renewal queued behind a seat's burst of
      // 200 call writes (its store's FIFO lane) on a loaded machine still lands in time.
      const dialer = seatDialer(store, line, { id: `seat-${i}`, leaseExpiryMs: 30_000 });
      dialers.push(dialer);
      dialer.start();
    });
    await until(
      'every number to be called once and no lease left',
      async () =>
        (await count(first, "SELECT count(*) AS n FROM calls WHERE state = 'done'")) >= CONTACTS &&
        (await count(
          first,
          "SELECT count(*) AS n FROM campaign_contacts WHERE status = 'leased'",
        )) === 0,
      240_000,
    );
    // A little longer: nothing more may be dialed (every other contact waits for tomorrow).
    await new Promise((r) => setTimeout(r, 1_000));
    await Promise.all(dialers.splice(0).map((d) => d.stop()));

    expect(await count(first, 'SELECT count(*) AS n FROM calls')).toBe(CONTACTS);
    expect(
      await count(
        first,
        'SELECT count(*) AS n FROM (SELECT number FROM calls GROUP BY number HAVING count(*) > 1) AS twice',
      ),
    ).toBe(0);
    expect(
      await count(
        first,
        'SELECT count(*) AS n FROM (SELECT campaign_id, contact_id, attempt FROM calls GROUP BY campaign_id, contact_id, attempt HAVING count(*) > 1) AS twice',
      ),
    ).toBe(0);
    expect(await count(first, "SELECT count(*) AS n FROM calls WHERE outcome <> 'completed'")).toBe(
      0,
    );
    // Each number's one call went to one of its two contacts; the other waits (cap) or is pending.
    expect(
      await count(
        first,
        "SELECT count(*) AS n FROM campaign_contacts WHERE status = 'done' AND done_reason = 'completed'",
      ),
    ).toBe(CONTACTS);
    const bySeat = await first.database.all<{ seat_id: string; n: number }>(
      'SELECT seat_id, count(*) AS n FROM calls GROUP BY seat_id ORDER BY seat_id',
    );
    expect(bySeat.length).toBeGreaterThanOrEqual(3);
    console.info(
      `[seats] 10 seats, 2 × ${CONTACTS} contacts over one set of numbers: ${CONTACTS} calls in ${Date.now() - started} ms; by seat ${bySeat.map((s) => s.n).join('/')}`,
    );
  }, 360_000);

  it('three seats, one campaign of 2,000; one seat is killed (SIGKILL) holding calls: reaped as seat_lost after the expiry, redialed after the failed delay, exactly one completed call per contact', async () => {
    const started = Date.now();
    const url = await freshPostgresUrl();
    const [one, two] = (await openSeats(url, 2)) as [PostgresStore, PostgresStore];
    await seedCampaign(one, {
      contacts: CONTACTS,
      name: 'Shared',
      dailyCapPerNumber: 3,
      failedRetryMs: 1_000,
    });
    const expiry = { leaseExpiryMs: 1_500, heartbeatMs: 300 };
    // The doomed seat runs in a process of its own, and its calls never end: they are live when
    // it is killed with SIGKILL (its connections drop, its open transaction rolls back).
    const doomed = spawnScriptAt(
      join(import.meta.dirname, '../../electron/engine/dialer/testing/seat-child.ts'),
      [url, 'seat-doomed', String(expiry.leaseExpiryMs), String(expiry.heartbeatMs)],
    );
    await doomed.waitForLine((line) => Number(/^held (\d+)$/.exec(line)?.[1] ?? 0) >= 50);
    const live = [one, two].map((store, i) => {
      const dialer = seatDialer(
        store,
        new ScriptedLine(store, Date.now, 'completed'),
        // Each lease carries its owner's expiry: the doomed seat's is short (how soon its calls
        // are reaped); the survivors' own is long (a loaded machine never costs them a lease), and
        // they look for lost leases every 300 ms.
        { id: `seat-${i + 1}`, leaseExpiryMs: 30_000, heartbeatMs: expiry.heartbeatMs },
        { pollMs: 200 },
      );
      dialers.push(dialer);
      return dialer;
    });
    for (const d of live) d.start();
    // Mid-campaign: the others are dialing too.
    await until(
      'the other seats to be dialing',
      async () =>
        (await count(one, "SELECT count(*) AS n FROM calls WHERE outcome = 'completed'")) >= 100,
      120_000,
    );
    doomed.process.kill('SIGKILL');
    expect((await doomed.exited).signal).toBe('SIGKILL');
    const diedAt = Date.now();
    const held = await count(
      one,
      "SELECT count(*) AS n FROM campaign_contacts WHERE status = 'leased' AND lease_owner = 'seat-doomed'",
    );
    expect(held).toBeGreaterThan(0);

    await until(
      'the lost seat’s leases to be reaped',
      async () =>
        (await count(
          one,
          "SELECT count(*) AS n FROM campaign_contacts WHERE status = 'leased' AND lease_owner = 'seat-doomed'",
        )) === 0,
      60_000,
    );
    const reapedAfterMs = Date.now() - diedAt;
    await until(
      'every contact done',
      async () =>
        (await count(one, "SELECT count(*) AS n FROM campaign_contacts WHERE status = 'done'")) ===
        CONTACTS,
      240_000,
    );
    await Promise.all(live.map((d) => d.stop()));

    const lost = await one.database.all<{ outcome: string; end_reason: string }>(
      "SELECT outcome, end_reason FROM calls WHERE seat_id = 'seat-doomed'",
    );
    const lostDialed = lost.filter((c) => c.outcome !== null);
    expect(lostDialed.length).toBeGreaterThanOrEqual(50);
    expect(
      lostDialed.every(
        (c) => c.outcome === 'failed' && c.end_reason.startsWith('seat_lost: seat seat-doomed'),
      ),
    ).toBe(true);
    expect(
      await count(
        one,
        "SELECT count(*) AS n FROM (SELECT contact_id FROM calls WHERE outcome = 'completed' GROUP BY contact_id HAVING count(*) = 1) AS once",
      ),
    ).toBe(CONTACTS);
    expect(await count(one, "SELECT count(*) AS n FROM calls WHERE outcome = 'completed'")).toBe(
      CONTACTS,
    );
    expect(
      await count(
        one,
        'SELECT count(*) AS n FROM (SELECT contact_id, attempt FROM calls GROUP BY contact_id, attempt HAVING count(*) > 1) AS twice',
      ),
    ).toBe(0);
    // Redialed no sooner than the failed retry delay after the reaper closed the call.
    const early = await count(
      one,
      `SELECT count(*) AS n FROM calls lost JOIN calls again ON again.contact_id = lost.contact_id AND again.attempt = lost.attempt + 1
       WHERE lost.seat_id = 'seat-doomed' AND again.started_at < lost.ended_at + 1000`,
    );
    expect(early).toBe(0);
    console.info(
      `[seats] 3 seats, ${CONTACTS} contacts, one killed holding ${held} leases: reaped ${reapedAfterMs} ms after it died (expiry 1500 ms), campaign done in ${Date.now() - started} ms`,
    );
  }, 360_000);
});
