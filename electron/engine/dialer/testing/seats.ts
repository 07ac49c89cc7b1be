/**
 * Test helpers for seats sharing one campaign (issue 16): a campaign seeded with N contacts, a
 * line that places nothing and ends calls when told (or at once, with a scripted outcome), and a
 * Dialer per seat with a short lease expiry. Used by the unit tests, the store-level e2e with many
 * concurrent leasers, and the lease bench, against SQLite or PostgreSQL alike.
 */
import type { CallOutcome } from '../../api/contract.js';
import { silentLogger } from '../../log.js';
import type { DialingCampaignRecord, NewDialingCampaign, Store } from '../../store/types.js';
import { Dialer, type SeatLeaseOptions } from '../dialer.js';
import type { DialerLine, DialRequest } from '../ports.js';

const MIN = 60_000;
const allDay = [['00:00', '24:00']];
const everyDay = {
  sun: allDay,
  mon: allDay,
  tue: allDay,
  wed: allDay,
  thu: allDay,
  fri: allDay,
  sat: allDay,
};

export interface SeededCampaign {
  campaign: DialingCampaignRecord;
  trunkId: number;
  contactIds: number[];
  phones: string[];
}

/**
 * A running agentless campaign of `contacts` contacts (numbers +86139 and the index, or `phones`:
 * two campaigns over the same numbers exercise the per-number daily cap across campaigns).
 */
export async function seedCampaign(
  store: Store,
  options: {
    contacts: number;
    phones?: readonly string[];
    name?: string;
    maxConcurrentCalls?: number;
    trunkMax?: number;
    dailyCapPerNumber?: number;
    failedRetryMs?: number;
    maxAttempts?: number;
  },
): Promise<SeededCampaign> {
  const name = options.name ?? 'Shared';
  const list = await store.contacts.createList({ name: `${name} list`, defaultRegion: 'CN' });
  const phones =
    options.phones ??
    Array.from({ length: options.contacts }, (_, i) => `+86139${String(i).padStart(8, '0')}`);
  await store.contacts.upsertContacts(
    list.id,
    phones.map((phone, i) => ({ phone, name: `C${i}` })),
  );
  const contacts = await store.contacts.contacts(list.id);
  const trunk = await store.trunks.create({
    name: `${name} trunk`,
    uri: 'ws://127.0.0.1:1',
    domain: 'example.test',
    username: null,
    passwordCipher: null,
    register: false,
    callerId: null,
    maxConcurrentCalls: options.trunkMax ?? 10_000,
    role: 'primary',
  });
  const campaign = await store.campaignContacts.createCampaign({
    name,
    listId: list.id,
    flowId: null,
    flowVersion: null,
    dialingMode: 'agentless',
    linesPerAgent: 2,
    queue: 'default',
    maxConcurrentCalls: options.maxConcurrentCalls ?? 10_000,
    schedule: { timeZone: 'Asia/Shanghai', windows: everyDay, excludedDates: [] },
    retryPolicy: {
      maxAttempts: options.maxAttempts ?? 3,
      retryAfterMs: {
        busy: 10 * MIN,
        no_answer: 60 * MIN,
        failed: options.failedRetryMs ?? 5 * MIN,
      },
      dailyCapPerNumber: options.dailyCapPerNumber ?? 3,
    },
    trunkIds: [trunk.id],
  } as NewDialingCampaign);
  await store.campaigns.setStatus(campaign.id, 'running');
  return {
    campaign: (await store.campaignContacts.getCampaign(campaign.id))!,
    trunkId: trunk.id,
    contactIds: contacts.map((c) => c.id),
    phones: contacts.map((c) => c.phone),
  };
}

/**
 * A line that places nothing: each dial moves the queued row to 'dialing'; with `autoEnd` the
 * call then ends at once with that outcome (a seat that works through a campaign), else it stays
 * live until `end()`.
 */
export class ScriptedLine implements DialerLine {
  readonly dialed: DialRequest[] = [];
  readonly live = new Map<string, number>();
  private readonly listeners = new Set<(callId: string) => void>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    readonly autoEnd: CallOutcome | null = null,
  ) {}

  liveByTrunk(): Map<number, number> {
    const m = new Map<number, number>();
    for (const t of this.live.values()) m.set(t, (m.get(t) ?? 0) + 1);
    return m;
  }

  liveTotal(): number {
    return this.live.size;
  }

  async dial(request: DialRequest): Promise<void> {
    this.dialed.push(request);
    this.live.set(request.callId, request.trunk.id);
    await this.store.calls.update(request.callId, { state: 'dialing' });
    if (this.autoEnd) {
      const outcome = this.autoEnd;
      setImmediate(() => void this.end(request.callId, outcome).catch(() => undefined));
    }
  }

  async end(callId: string, outcome: CallOutcome): Promise<void> {
    const at = this.now();
    // One write per call end (answered and hung up at once): the store's cost per call stays the
    // lease's, which is what the seat tests and the lease bench look at.
    await this.store.calls.update(callId, {
      state: 'done',
      outcome,
      endedAt: at,
      ...(outcome === 'completed' ? { answeredAt: at } : {}),
    });
    this.live.delete(callId);
    for (const l of this.listeners) l(callId);
  }

  onCallEnded(listener: (callId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** A Dialer for one seat over `store` (its own store, or one shared in-process). */
export function seatDialer(
  store: Store,
  line: DialerLine,
  seat: SeatLeaseOptions,
  options: { now?: () => number; pollMs?: number; batchSize?: number; maxCalls?: number } = {},
): Dialer {
  return new Dialer({
    store,
    line,
    log: silentLogger,
    seat,
    ...(options.now ? { now: options.now } : {}),
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    maxDesktopCalls: async () => options.maxCalls ?? 100_000,
    trunkLimits: async () =>
      new Map(
        (await store.trunks.list()).map((t) => [
          t.id,
          { name: t.name, maxConcurrentCalls: t.maxConcurrentCalls },
        ]),
      ),
    onCampaignChanged: () => undefined,
  });
}
