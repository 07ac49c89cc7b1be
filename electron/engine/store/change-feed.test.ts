import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { freshPostgresUrl, sharedPostgres } from '../../../test/support/postgres.js';
import type { Dialer } from '../dialer/dialer.js';
import { ScriptedLine, seatDialer, seedCampaign } from '../dialer/testing/seats.js';
import { openPostgresStore, type PostgresStore } from './postgres/store.js';
import { useTestStores } from './testing/temp.js';

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 5_000) => {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('the change feed on SQLite (one seat)', () => {
  const testStore = useTestStores();
  it('notifies nobody and listens to nothing, without error', async () => {
    const store = await testStore();
    let woken = 0;
    const off = store.listen('campaigns', () => woken++);
    await store.transaction((tx) => tx.changes.notify('campaigns'));
    await store.changes.notify('dnc');
    off();
    expect(woken).toBe(0);
  });
});

describe('the change feed on PostgreSQL (LISTEN/NOTIFY between seats)', () => {
  const opened: PostgresStore[] = [];
  const dialers: Dialer[] = [];
  afterEach(async () => {
    await Promise.all(dialers.splice(0).map((d) => d.stop()));
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  afterAll(async () => (await sharedPostgres()).stop());

  const twoSeats = async () => {
    const url = await freshPostgresUrl();
    const seats = await Promise.all([
      openPostgresStore({ url, max: 2 }),
      openPostgresStore({ url, max: 2 }),
    ]);
    opened.push(...seats);
    return seats;
  };

  it('wakes another seat on commit only, per topic; a rolled-back change wakes nobody', async () => {
    const [a, b] = await twoSeats();
    const woken: string[] = [];
    b.listen('campaigns', () => woken.push('campaigns'));
    b.listen('dnc', () => woken.push('dnc'));
    // The listener connects in the background: a first notification proves it is listening.
    await until(async () => {
      await a.changes.notify('agents');
      await a.changes.notify('dnc');
      return woken.includes('dnc');
    });
    // Let the warm-up's last notifications arrive before counting.
    await new Promise((r) => setTimeout(r, 300));
    woken.length = 0;

    await a.transaction(async (tx) => {
      await tx.changes.notify('campaigns');
      await new Promise((r) => setTimeout(r, 200));
      expect(woken).toEqual([]); // not before the commit
    });
    await until(() => woken.includes('campaigns'));
    await expect(
      a.transaction(async (tx) => {
        await tx.changes.notify('dnc');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await new Promise((r) => setTimeout(r, 300));
    expect(woken).toEqual(['campaigns']);
  });

  it('a seat whose dialer polls rarely dials at once when another seat starts a campaign', async () => {
    const [a, b] = await twoSeats();
    const seeded = await seedCampaign(a, { contacts: 5 });
    await a.campaigns.setStatus(seeded.campaign.id, 'paused');
    const line = new ScriptedLine(b, Date.now, null);
    const dialer = seatDialer(b, line, { id: 'seat-b', leaseExpiryMs: 10_000 }, { pollMs: 60_000 });
    dialers.push(dialer);
    dialer.start();
    // Wait for its first (empty) round and its listener.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(line.dialed).toHaveLength(0);
    const at = Date.now();
    await a.transaction(async (tx) => {
      await tx.campaigns.setStatus(seeded.campaign.id, 'running');
      await tx.changes.notify('campaigns');
    });
    await until(() => line.dialed.length === 5, 10_000);
    expect(Date.now() - at).toBeLessThan(10_000);
  });
});
