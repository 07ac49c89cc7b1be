/**
 * The campaign and dialer the dialer benchmarks run: an agentless campaign over one list on a trunk that is
 * never dialed (the benches time the dialer's judgement and writes, not calls), calling Monday to
 * Friday 09:00–20:00 Shanghai time, busy retried after 10 min, 3 attempts, 3 calls a number a day.
 */
import { Dialer } from '../electron/engine/dialer/index.js';
import { silentLogger } from '../electron/engine/log.js';
import type { SqliteStore } from '../electron/engine/store/sqlite-store.js';

export async function createBenchCampaign(
  store: SqliteStore,
  listId: number,
): Promise<{ campaignId: number; trunkId: number }> {
  const trunk = await store.trunks.create({
    name: 'bench',
    uri: 'ws://127.0.0.1:1',
    domain: 'bench.test',
    username: null,
    passwordCipher: null,
    register: false,
    callerId: null,
    maxConcurrentCalls: 500,
    role: 'primary',
  });
  const weekdays = [['09:00', '20:00']];
  const campaign = await store.campaignContacts.createCampaign({
    name: 'bench',
    listId,
    flowId: null,
    flowVersion: null,
    dialingMode: 'agentless',
    linesPerAgent: 2,
    queue: 'default',
    maxConcurrentCalls: 200,
    schedule: {
      timeZone: 'Asia/Shanghai',
      windows: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays },
      excludedDates: [],
    },
    retryPolicy: { maxAttempts: 3, retryAfterMs: { busy: 600_000 }, dailyCapPerNumber: 3 },
    trunkIds: [trunk.id],
  });
  return { campaignId: campaign.id, trunkId: trunk.id };
}

/**
 * A dialer over `store` at the frozen clock `now` whose line places no call (its leases stay
 * queued until the bench ends them): 200 desktop lines, the bench trunk's 500.
 */
export function createBenchDialer(store: SqliteStore, trunkId: number, now: number): Dialer {
  return new Dialer({
    store,
    line: {
      liveByTrunk: () => new Map(),
      liveTotal: () => 0,
      dial: async () => undefined,
      onCallEnded: () => () => undefined,
    },
    log: silentLogger,
    now: () => now,
    maxDesktopCalls: async () => 200,
    trunkLimits: async () => new Map([[trunkId, { name: 'bench', maxConcurrentCalls: 500 }]]),
    onCampaignChanged: () => undefined,
  });
}
