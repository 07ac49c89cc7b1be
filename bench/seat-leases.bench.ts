/**
 * Seats sharing one campaign (issue 16): lease throughput and latency with 1, 3 and 10 concurrent
 * leasers on a real PostgreSQL (a throwaway cluster, test/support/postgres.ts), beside SQLite with
 * one; and the reaper's time to recover a dead seat's leases.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Dialer } from '../electron/engine/dialer/dialer.js';
import { ScriptedLine, seatDialer, seedCampaign } from '../electron/engine/dialer/testing/seats.js';
import { openPostgresStore, type PostgresStore } from '../electron/engine/store/postgres/store.js';
import { openSqliteStore } from '../electron/engine/store/sqlite-store.js';
import type { Store } from '../electron/engine/store/types.js';
import { startPostgres } from '../test/support/postgres.js';
import { type BenchRow, type BenchSuite, ms, percentile } from './harness.js';

const CONTACTS = Number(process.env.OUTBOUND_BENCH_SEAT_CONTACTS ?? 6_000);
const BATCH = 50;
const REAP = Number(process.env.OUTBOUND_BENCH_SEAT_REAP ?? 1_000);

interface LeaseRun {
  leased: number;
  wallMs: number;
  passMs: number[];
}

/** Every leaser runs dialer passes (judge and lease up to BATCH, nothing dialed) until none is left. */
async function leaseAll(stores: Store[], campaignId: number): Promise<LeaseRun> {
  const passMs: number[] = [];
  let leased = 0;
  const campaign = (await stores[0]!.campaignContacts.getCampaign(campaignId))!;
  const started = performance.now();
  await Promise.all(
    stores.map(async (store, i) => {
      const dialer: Dialer = seatDialer(
        store,
        new ScriptedLine(store, Date.now, null),
        { id: `bench-seat-${i}`, leaseExpiryMs: 600_000 },
        { batchSize: BATCH },
      );
      for (;;) {
        const t = performance.now();
        const result = await dialer.pass(campaign, { dial: false });
        passMs.push(performance.now() - t);
        if (!result || result.judged === 0) break;
        leased += result.leased;
      }
    }),
  );
  return { leased, wallMs: performance.now() - started, passMs: passMs.sort((a, b) => a - b) };
}

function row(name: string, run: LeaseRun): BenchRow {
  return {
    name,
    values: {
      'contacts leased': String(run.leased),
      'leases per second': `${Math.round((run.leased / run.wallMs) * 1000)}/s`,
      'pass (≤ 50 leases) median': ms(percentile(run.passMs, 50)),
      'pass p95': ms(percentile(run.passMs, 95)),
      'per lease p95': ms(percentile(run.passMs, 95) / BATCH),
    },
  };
}

const suite: BenchSuite = {
  title: 'Seat leases',
  method: `One running campaign of ${CONTACTS.toLocaleString('en-US')} contacts. Each leaser is a seat with its own store (PostgreSQL: its own pool of 2 connections) and the real Dialer, running passes (judge up to ${BATCH} due contacts with the policy, history and DNC reads, and lease the callable ones with their call rows, in one transaction; FOR UPDATE SKIP LOCKED and a per-number advisory lock on PostgreSQL) until every contact is leased; nothing is dialed. Leases per second over the wall time of all leasers; pass latency is one pass's transaction (median, p95; per lease: p95 / ${BATCH}). Reaper: a dead seat holding ${REAP.toLocaleString('en-US')} expired leases of dialing calls; the time one other seat's reap() takes to close them all as seat_lost and return their contacts (one run; after a death, add the lease expiry and up to one heartbeat).`,
  async run() {
    const rows: BenchRow[] = [];
    const dir = await mkdtemp(join(tmpdir(), 'outbound-bench-seats-'));
    const sqlite = await openSqliteStore({ dataDir: dir });
    try {
      const seeded = await seedCampaign(sqlite, {
        contacts: CONTACTS,
        maxConcurrentCalls: 1_000_000,
        trunkMax: 1_000_000,
      });
      rows.push(row('SQLite, 1 seat', await leaseAll([sqlite], seeded.campaign.id)));
    } finally {
      await sqlite.close();
      await rm(dir, { recursive: true, force: true });
    }

    const cluster = await startPostgres();
    const opened: PostgresStore[] = [];
    try {
      for (const seats of [1, 3, 10]) {
        const url = await cluster.createDatabase(`bench_seats_${seats}`);
        const stores = await Promise.all(
          Array.from({ length: seats }, () => openPostgresStore({ url, max: 2 })),
        );
        opened.push(...stores);
        const seeded = await seedCampaign(stores[0]!, {
          contacts: CONTACTS,
          maxConcurrentCalls: 1_000_000,
          trunkMax: 1_000_000,
        });
        const run = await leaseAll(stores, seeded.campaign.id);
        const twice = await stores[0]!.database.get<{ n: number }>(
          'SELECT count(*) AS n FROM (SELECT contact_id FROM calls GROUP BY contact_id HAVING count(*) > 1) AS t',
        );
        if (run.leased !== CONTACTS || (twice?.n ?? 0) > 0)
          throw new Error(
            `${seats} seats leased ${run.leased} of ${CONTACTS}, ${twice?.n ?? 0} contacts twice`,
          );
        rows.push(row(`PostgreSQL, ${seats} seat${seats > 1 ? 's' : ''}`, run));
        await Promise.all(stores.map((s) => s.close()));
      }

      // The reaper: a dead seat's expired leases, taken back by another seat.
      const url = await cluster.createDatabase('bench_reap');
      const [dead, alive] = await Promise.all([
        openPostgresStore({ url, max: 2 }),
        openPostgresStore({ url, max: 2 }),
      ]);
      opened.push(dead, alive);
      const seeded = await seedCampaign(dead, {
        contacts: REAP,
        maxConcurrentCalls: 1_000_000,
        trunkMax: 1_000_000,
      });
      await leaseAll([dead], seeded.campaign.id);
      await dead.database.exec(
        `UPDATE calls SET state = 'dialing' WHERE state = 'queued';
         UPDATE campaign_contacts SET lease_expires_at = 1 WHERE status = 'leased';`,
      );
      await dead.close();
      const reaper = seatDialer(alive, new ScriptedLine(alive, Date.now, null), {
        id: 'bench-reaper',
      });
      const t = performance.now();
      const reaped = await reaper.reap();
      const reapMs = performance.now() - t;
      if (reaped.closed !== REAP) throw new Error(`reaped ${reaped.closed} of ${REAP}`);
      rows.push({
        name: `PostgreSQL reaper, ${REAP} lost leases`,
        values: {
          'contacts leased': `${REAP} recovered`,
          'reap time': ms(reapMs),
          'reap time per lease': ms(reapMs / REAP),
        },
      });
    } finally {
      await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
      await cluster.stop();
    }
    return rows;
  },
};

export default suite;
