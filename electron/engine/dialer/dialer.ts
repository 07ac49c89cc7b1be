/**
 * The dialer loop: for every running campaign, judge the due contacts with the compliance policy
 * and lease the callable ones, each lease written with its call row (state 'queued') in the same
 * SQLite transaction as the judgement, so a crash can never dial a contact twice or forget one;
 * then hand the calls to the line. When a call ends, its lease is settled (attempts, outcome,
 * retry time or callback, done) in one transaction. Everything reads the injected clock.
 *
 * Order: due callbacks first, then by next_at. A contact that is not callable now gets its next_at
 * moved to the policy's next eligible time (or is finished when a reason is permanent), so the
 * loop does not judge it again until then; `campaigns.explain` still gives the live reasons.
 *
 * A campaign whose pinned flow version is not ready (its phrase models still training) is not
 * judged or leased at all: `waiting(id)` says why, for the campaign's status, and it dials as soon
 * as the line reports the flow ready. No lease ever waits for training.
 *
 * Limits: the campaign's maxConcurrentCalls, each trunk's, the desktop's (settings), and the mode's
 * lines: agentless no more; progressive one per available agent of the campaign's queue; power
 * floor(available × linesPerAgent); predictive what pacing.ts decides from the campaign's live
 * estimates and its abandonment window. Calls not yet with an agent count against those lines.
 *
 * Every settled call a person answered is counted in campaign_abandonment (abandoned or not) in
 * the settlement's transaction, so a predictive campaign's window survives a restart.
 *
 * Seats (issue 16): several engines may share one store and one campaign. Each lease carries this
 * engine's seat id and an expiry; a heartbeat renews all of the seat's leases in one UPDATE well
 * inside the expiry. The pass locks the rows it judges (PostgreSQL: FOR UPDATE SKIP LOCKED) and
 * the numbers it may dial (an advisory lock per number) before it reads their history, so the
 * daily cap, DNC and windows are checked in the lease's own transaction on every seat. The reaper
 * (every seat, every heartbeat) closes another seat's expired leases: a call never dialed is
 * released uncounted, a call under way is closed as failed (`seat_lost`) and its contact comes
 * back after the failed retry delay, unless the call's final result was already stored (the bot
 * stores its disposition before it hangs up): that call is closed as completed with its
 * disposition, and its contact is done. A call that had ended is settled as it ended. A seat never
 * reaps its own leases: after a restart with the same seat id, `recover()` takes them at once.
 */
import { randomUUID } from 'node:crypto';

import {
  abandonWindowMs,
  type CampaignPacing,
  type CampaignWait,
  type PredictiveSettings,
} from '../api/campaigns.js';
import { ENGINE_ACTOR, writeAudit } from '../audit/index.js';
import { lastEventAt } from '../calls/index.js';
import type { Logger } from '../log.js';
import type {
  CampaignContactRecord,
  DialingCampaignRecord,
  LeaseWithCall,
  Repositories,
  Settlement,
  Store,
} from '../store/types.js';
import { predictiveOf } from './campaign-service.js';
import { campaignPolicy, DAILY_CAP_LOOKBACK_MS, PolicyConfigError } from './explain.js';
import { firstMinute, MINUTE_MS, Pacer, type PacingState } from './pacing.js';
import {
  callability,
  describeReason,
  type PolicyAttempt,
  type PolicyCampaign,
  type RetryPolicy,
} from './policy.js';
import {
  type AgentCapacity,
  type DialerLine,
  DialRefusedError,
  type DialRequest,
  NO_AGENTS,
  type PreviewPort,
} from './ports.js';

export interface DialerOptions {
  store: Store;
  line: DialerLine;
  log: Logger;
  /** The desktop's limit of concurrent calls (Settings). */
  maxDesktopCalls(): Promise<number>;
  /** Every trunk's concurrency limit by id. */
  trunkLimits(): Promise<Map<number, { name: string; maxConcurrentCalls: number }>>;
  /** A campaign's leases, status or counts changed (the campaign service throttles the event). */
  onCampaignChanged(campaignId: number): void;
  capacity?: AgentCapacity;
  now?: () => number;
  /** How often the loop looks again without being woken. Default 1000 ms. */
  pollMs?: number;
  /** Contacts judged per transaction. Default 200. */
  batchSize?: number;
  /** Longest time one tick spends judging before it lets other work run. Default 50 ms. */
  tickBudgetMs?: number;
  /** This engine's seat and its leases' timing (several engines sharing one store). */
  seat?: SeatLeaseOptions;
}

export interface SeatLeaseOptions {
  /** Stable per installation (dialer/seat.ts); leases and calls carry it. Default 'local'. */
  id: string;
  /** How long a lease lives without renewal. Default 60 s. */
  leaseExpiryMs?: number;
  /** How often the seat renews its leases and reaps others' expired ones. Default a quarter of the expiry. */
  heartbeatMs?: number;
  /**
   * Renews the leases beside the store's writer lane (PostgreSQL: a connection of its own,
   * store/postgres/lease-renewer.ts), so a long transaction cannot delay the heartbeat; the store
   * itself when it fails. Closed when the dialer stops.
   */
  renewer?: {
    renewLeases(owner: string, expiresAt: number): Promise<number>;
    close(): Promise<void>;
  };
}

export const DEFAULT_LEASE_EXPIRY_MS = 60_000;
/** Ended leases settled per transaction. */
const SETTLE_BATCH = 100;
/** Expired leases closed per reaper transaction. */
const REAP_BATCH = 200;

/** How long a contact with a call still open elsewhere waits before it is judged again. */
const IN_PROGRESS_RECHECK_MS = 60_000;

export interface PassResult {
  judged: number;
  leased: number;
  deferred: number;
  finished: number;
}

/** The end reason of a call the reaper closes: its seat stopped renewing the lease. */
export function seatLostReason(seat: string, expiredAt: number): string {
  return `seat_lost: seat ${seat} stopped renewing its lease (expired ${new Date(expiredAt).toISOString()}); closed by another seat`;
}

/**
 * The end reason of a lost call whose final result was already stored (the bot stores its
 * disposition when its flow ends, before it hangs up): it is closed as completed with that
 * disposition, not as failed, so its contact is not redialed and is not left done without a
 * completed call. Starts with `seat_lost` like the other.
 */
function seatLostAfterResultReason(seat: string, expiredAt: number, disposition: string): string {
  return `seat_lost after the result: seat ${seat} stopped renewing its lease (expired ${new Date(expiredAt).toISOString()}) after the call's final disposition ${disposition} was stored; closed as completed by another seat`;
}

/** Whether a call's final result (a final disposition, or an opt-out) is stored. */
function resultStored(lease: LeaseWithCall): string | null {
  const code = lease.call.dispositionCode;
  return code !== null && (lease.dispositionFinal || code === 'opted_out') ? code : null;
}

/** The reason a crash-closed call gets, the same words calls/recovery.ts uses. */
const CRASH_REASON =
  'the app stopped during the call (crash or power loss); closed when it started again';

export class Dialer {
  private readonly store: Store;
  private readonly log: Logger;
  private readonly now: () => number;
  private capacity: AgentCapacity;
  private capacityOff: () => void;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private ticking: Promise<void> | null = null;
  private again = false;
  private readonly enrolledUpTo = new Map<number, number>();
  /** Campaign id → no dialing before this instant (the line refused a call). */
  private readonly backoffUntil = new Map<number, number>();
  /** Calls leased and handed to the line that it has not confirmed yet, by trunk id. */
  private readonly inFlight = new Map<string, number>();
  private readonly offEnded: () => void;
  private readonly offReadiness: () => void;
  /** Running campaigns that are not dialed now, and why (see `waiting`). */
  private readonly waits = new Map<number, CampaignWait>();
  /** Predictive campaigns' pacing: estimates, window (loaded from the store once) and last decision. */
  private readonly pacers = new Map<number, PacerEntry>();
  private recovered = false;
  /** Preview campaigns' desk (dialer/preview.ts); without one they lease nothing. */
  private preview: PreviewPort | null = null;
  readonly seatId: string;
  readonly leaseExpiryMs: number;
  private readonly heartbeatMs: number;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  /** Stops listening to other seats' wake-ups (change-feed.ts). */
  private unlisten: Array<() => void> = [];
  private beating: Promise<void> | null = null;

  constructor(private readonly options: DialerOptions) {
    this.store = options.store;
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.capacity = options.capacity ?? NO_AGENTS;
    this.seatId = options.seat?.id ?? 'local';
    this.leaseExpiryMs = options.seat?.leaseExpiryMs ?? DEFAULT_LEASE_EXPIRY_MS;
    this.heartbeatMs = options.seat?.heartbeatMs ?? Math.max(1, Math.floor(this.leaseExpiryMs / 4));
    if (this.heartbeatMs >= this.leaseExpiryMs)
      throw new Error(
        `The lease heartbeat (${this.heartbeatMs} ms) must be shorter than the lease expiry (${this.leaseExpiryMs} ms)`,
      );
    this.capacityOff = this.capacity.onChange(() => this.wake());
    this.offEnded = options.line.onCallEnded(() => this.wake());
    this.offReadiness =
      options.line.onReadinessChange?.((campaignId) => {
        this.options.onCampaignChanged(campaignId);
        this.wake();
      }) ?? (() => undefined);
  }

  /** Why a running campaign is not dialed now (its flow's phrase models are training…), or null. */
  waiting(campaignId: number): CampaignWait | null {
    return this.waits.get(campaignId) ?? null;
  }

  /** A running predictive campaign's pacing as last decided, for its page; null before any decision. */
  pacing(campaignId: number): CampaignPacing | null {
    const entry = this.pacers.get(campaignId);
    const last = entry?.pacer.last;
    if (!entry || !last || !entry.state) return null;
    const now = this.now();
    const window = entry.pacer.window.counts(now);
    const busy = entry.state.agentsTalking + entry.state.agentsWrapping;
    const signedOn = busy + entry.state.agentsReady;
    return {
      dialLevel: Math.round(last.dialLevel * 100) / 100,
      lines: last.lines,
      fallback: last.fallback,
      reason: last.reason,
      abandonRate: window.answered === 0 ? 0 : window.abandoned / window.answered,
      answered: window.answered,
      abandoned: window.abandoned,
      windowMs: entry.pacer.window.windowMs,
      capPct: entry.settings.capPct,
      occupancy: signedOn === 0 ? 0 : busy / signedOn,
      agentsReady: entry.state.agentsReady,
      agentsBusy: busy,
      at: entry.decidedAt,
    };
  }

  /** Swaps the agent capacity (tests; the engine passes routing's at construction). Without one, no agents: progressive and power dial nothing. */
  setAgentCapacity(capacity: AgentCapacity): void {
    this.capacityOff();
    this.capacity = capacity;
    this.capacityOff = capacity.onChange(() => this.wake());
    this.wake();
  }

  /** Preview campaigns hand their leases to agents through this (the engine's PreviewDesk). */
  setPreviewPort(port: PreviewPort | null): void {
    this.preview = port;
    this.wake();
  }

  /** Starts the loop (the long-running shells only; one-shot commands never dial). */
  start(): void {
    if (this.running) return;
    this.running = true;
    // A beat at once: leases taken before the start (recover, a pass) are renewed now.
    void this.beat();
    this.heartbeat = setInterval(() => void this.beat(), this.heartbeatMs);
    // Another seat started, paused or stopped a campaign, or changed the DNC list: look again now
    // (the pass re-reads both; a wake-up carries no data).
    this.unlisten = [
      this.store.listen('campaigns', () => this.wake()),
      this.store.listen('dnc', () => this.wake()),
    ];
    this.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const off of this.unlisten.splice(0)) off();
    await this.beating;
    this.offEnded();
    this.offReadiness();
    this.capacityOff();
    await this.ticking;
    await this.options.seat?.renewer?.close();
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Look now (a campaign started, a call ended, an agent became free). */
  wake(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), 0);
  }

  /** One round: settle ended calls, then dial what each running campaign may. */
  tick(): Promise<void> {
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    this.timer = null;
    this.ticking = (async () => {
      try {
        await this.settleEnded();
        if (this.running && (this.options.line.ready?.() ?? true)) await this.dialRunning();
      } catch (error) {
        this.log.error('The dialer round failed', {
          error: error instanceof Error ? error.stack : String(error),
        });
      } finally {
        this.ticking = null;
        if (this.running) {
          const delay = this.again ? 0 : (this.options.pollMs ?? 1000);
          this.again = false;
          this.timer = setTimeout(() => void this.tick(), delay);
        }
      }
    })();
    return this.ticking;
  }

  // -------------------------------------------------------------------------------------------
  // Crash recovery (engine start, before calls/recovery.ts closes the other open calls)

  /**
   * Leases the last run left behind: a call that never left 'queued' was never dialed, so it is
   * removed and its contact is pending again, uncounted; a call that was dialing or talking is
   * closed as failed (an attempt: it may have rung the customer) and settled with the failed retry
   * delay, so the contact is never re-dialed at once.
   */
  async recover(): Promise<{ released: number; closed: number; settled: number }> {
    // Only the engine that holds the workspace runs this, once, before it dials (engine.ts): run
    // beside a live dialer it would release that dialer's leases under it.
    if (this.recovered || this.running)
      throw new Error('Dialer.recover runs once, at the engine start, before the dialer starts');
    this.recovered = true;
    let released = 0;
    let closed = 0;
    const at = this.now();
    // This seat's leases only (and those from before seats existed): another seat sharing the store
    // is alive or not, and its leases are the reaper's once they expire, never taken here.
    for (const lease of await this.store.campaignContacts.leases({
      includeOpen: true,
      owner: this.seatId,
    })) {
      if (lease.call.state === 'queued') {
        if (await this.store.campaignContacts.discard(lease.call.id)) released++;
      } else if (lease.call.state === 'wrap_up') {
        // The call had ended (its outcome and end time are stored); only the agent's form was
        // missing. It keeps both, as calls/recovery.ts and the reaper keep them: closing it as
        // failed turned a soak's transferred call into a failure to retry, ended at the restart.
        await this.store.calls.update(
          lease.call.id,
          {
            state: 'done',
            endReason: `${lease.call.endReason ?? 'ended'}; the app stopped before the agent's wrap-up was submitted`,
          },
          {
            at,
            type: 'closed_after_crash',
            data: { previousState: lease.call.state, campaignId: lease.campaignId },
          },
        );
        closed++;
      } else if (lease.call.state !== 'done') {
        // Ended when last seen alive, not at this restart: the downtime is no part of the call.
        // (calls/recovery.ts moves the end later when the call's recording shows it lived longer.)
        const endedAt = Math.min(await lastEventAt(this.store, lease.call), at);
        await this.store.calls.update(
          lease.call.id,
          {
            state: 'done',
            // Its final result was stored before the stop: a completed call, the contact done.
            outcome: resultStored(lease) === null ? 'failed' : 'completed',
            endedAt,
            endReason: CRASH_REASON,
          },
          {
            at,
            type: 'closed_after_crash',
            data: { previousState: lease.call.state, campaignId: lease.campaignId },
          },
        );
        closed++;
      }
    }
    const settled = await this.settleEnded();
    if (released || closed || settled)
      this.log.warn('Dialer leases recovered after a stop', {
        seat: this.seatId,
        released,
        closed,
        settled,
      });
    return { released, closed, settled };
  }

  // -------------------------------------------------------------------------------------------
  // Seats: the heartbeat and the reaper

  /** One heartbeat: renew this seat's leases (one UPDATE), then reap other seats' expired ones. */
  private beat(): Promise<void> {
    if (this.beating) return this.beating;
    this.beating = (async () => {
      try {
        await this.renew();
        const reaped = await this.reap();
        if (reaped.released + reaped.closed + reaped.settled > 0) this.wake();
      } catch (error) {
        this.log.error('Renewing or reaping campaign leases failed', {
          seat: this.seatId,
          error: error instanceof Error ? error.message : String(error),
        });
      } finally {
        this.beating = null;
      }
    })();
    return this.beating;
  }

  /** Extends every lease this seat holds by the lease expiry from now; returns how many. */
  async renew(): Promise<number> {
    const renewer = this.options.seat?.renewer;
    if (renewer) {
      try {
        return await renewer.renewLeases(this.seatId, this.now() + this.leaseExpiryMs);
      } catch (error) {
        this.log.warn(
          'Renewing the leases on their own connection failed; renewing through the store',
          {
            error: error instanceof Error ? error.message : String(error),
          },
        );
      }
    }
    return this.store.campaignContacts.renewLeases(this.seatId, this.now() + this.leaseExpiryMs);
  }

  /**
   * Closes the leases other seats stopped renewing (idempotent: two seats reaping at once never
   * take the same lease; PostgreSQL skips rows the other holds). A call never dialed is released
   * uncounted; one under way is closed as failed (`seat_lost`, with the seat) and settled with the
   * failed retry delay, or as completed when its final disposition was already stored (the contact
   * is then done); one that had ended is settled as it ended.
   */
  async reap(): Promise<{ released: number; closed: number; settled: number }> {
    const totals = { released: 0, closed: 0, settled: 0 };
    const campaigns = new Map<number, DialingCampaignRecord | null>();
    for (;;) {
      const at = this.now();
      const settledNow: Array<{
        lease: LeaseWithCall;
        person: ReturnType<typeof answeredByPerson>;
      }> = [];
      const batch = await this.store.transaction(async (tx) => {
        const expired = await tx.campaignContacts.expiredLeases(this.seatId, at, REAP_BATCH);
        const reasonOf = (lease: LeaseWithCall) => {
          const result = resultStored(lease);
          const seat = lease.owner ?? 'unknown';
          const expiredAt = lease.expiresAt ?? at;
          return result === null
            ? seatLostReason(seat, expiredAt)
            : seatLostAfterResultReason(seat, expiredAt, result);
        };
        const outcomeOf = (lease: LeaseWithCall) =>
          resultStored(lease) === null ? ('failed' as const) : ('completed' as const);
        const eventOf = (lease: LeaseWithCall) => {
          const result = resultStored(lease);
          return {
            seat: lease.owner ?? 'unknown',
            previousState: lease.call.state,
            campaignId: lease.campaignId,
            ...(result === null ? {} : { disposition: result }),
          };
        };
        // Calls under way, closed in three statements for the whole batch (a dead seat may hold
        // hundreds); a call in wrap-up keeps its outcome, one never dialed is released.
        const underWay = expired.filter(
          (l) => !['queued', 'wrap_up', 'done'].includes(l.call.state),
        );
        const closedIds = await tx.campaignContacts.closeLostCalls(
          underWay.map((l) => ({
            callId: l.call.id,
            state: l.call.state,
            outcome: outcomeOf(l),
            reason: reasonOf(l),
            data: eventOf(l),
          })),
          at,
          'closed_seat_lost',
        );
        totals.closed += closedIds.size;
        for (const lease of expired) {
          if (lease.call.state === 'queued') {
            if (await tx.campaignContacts.discard(lease.call.id)) totals.released++;
            continue;
          }
          let ended = lease.call;
          if (lease.call.state === 'wrap_up') {
            ended = await tx.calls.update(
              lease.call.id,
              {
                state: 'done',
                endReason: `${lease.call.endReason ?? 'ended'}; ${reasonOf(lease)}`,
              },
              { at, type: 'closed_seat_lost', data: eventOf(lease) },
            );
            totals.closed++;
          } else if (lease.call.state !== 'done') {
            // Moved on since it was read: the lease row is locked, so this is another writer's.
            if (!closedIds.has(lease.call.id)) continue;
            ended = {
              ...lease.call,
              state: 'done',
              outcome: outcomeOf(lease),
              endedAt: at,
              endReason: reasonOf(lease),
            };
          }
          if (!campaigns.has(lease.campaignId))
            campaigns.set(
              lease.campaignId,
              await tx.campaignContacts.getCampaign(lease.campaignId),
            );
          const settledLease: LeaseWithCall = { ...lease, call: ended };
          const person = await this.settleIn(tx, settledLease, campaigns.get(lease.campaignId), at);
          if (person !== false) {
            totals.settled++;
            settledNow.push({ lease: settledLease, person });
          }
        }
        return expired.length;
      });
      for (const { lease, person } of settledNow) {
        this.observe(lease, person);
        this.options.onCampaignChanged(lease.campaignId);
      }
      if (batch < REAP_BATCH) break;
    }
    if (totals.released + totals.closed + totals.settled > 0)
      this.log.warn('Reaped the expired leases of a lost seat', { seat: this.seatId, ...totals });
    return totals;
  }

  // -------------------------------------------------------------------------------------------
  // Settling

  /** Settles every lease whose call is done; returns how many. */
  async settleEnded(): Promise<number> {
    const leases = await this.store.campaignContacts.leases({ owner: this.seatId });
    const campaigns = new Map<number, DialingCampaignRecord | null>();
    for (const lease of leases)
      if (!campaigns.has(lease.campaignId))
        campaigns.set(
          lease.campaignId,
          await this.store.campaignContacts.getCampaign(lease.campaignId),
        );
    let settled = 0;
    // A batch per transaction (a busy seat ends hundreds of calls between two ticks); a batch that
    // fails is settled lease by lease, so one bad lease never holds up the others.
    for (let i = 0; i < leases.length; i += SETTLE_BATCH) {
      const batch = leases.slice(i, i + SETTLE_BATCH);
      const settleOne = (tx: Repositories, lease: LeaseWithCall) =>
        this.settleIn(tx, lease, campaigns.get(lease.campaignId), this.now());
      let results: Array<{ at: number; abandoned: boolean } | null | false>;
      try {
        results = await this.store.transaction(async (tx) => {
          const out: Array<{ at: number; abandoned: boolean } | null | false> = [];
          for (const lease of batch) out.push(await settleOne(tx, lease));
          return out;
        });
      } catch {
        results = [];
        for (const lease of batch)
          results.push(
            await this.store
              .transaction((tx) => settleOne(tx, lease))
              .catch((error: unknown) => {
                this.log.error('Settling a campaign lease failed; it is tried again next round', {
                  callId: lease.call.id,
                  error: error instanceof Error ? error.message : String(error),
                });
                return false as const;
              }),
          );
      }
      batch.forEach((lease, k) => {
        const person = results[k];
        // Another seat's reaper settled it first (this seat had stopped renewing): nothing to learn.
        if (person === false || person === undefined) return;
        settled++;
        this.observe(lease, person);
        this.options.onCampaignChanged(lease.campaignId);
      });
    }
    return settled;
  }

  /**
   * Settles one ended lease inside `tx`: the contact's next step, the abandonment minute, an
   * opt-out onto the DNC list. false when the lease was already settled (by another seat).
   */
  private async settleIn(
    tx: Repositories,
    lease: LeaseWithCall,
    campaign: DialingCampaignRecord | null | undefined,
    at: number,
  ): Promise<{ at: number; abandoned: boolean } | null | false> {
    const retry = campaign ? retryOf(campaign) : null;
    const person = answeredByPerson(lease);
    if (!(await tx.campaignContacts.settle(lease, settlementFor(lease, retry, at)))) return false;
    if (person)
      await tx.campaignContacts.countAnswered(
        lease.campaignId,
        Math.floor(person.at / MINUTE_MS),
        person.abandoned,
      );
    if (lease.call.dispositionCode === 'opted_out') {
      // The customer said "do not call me again" to the flow: every campaign stops calling.
      const added = await tx.dnc.add([
        {
          phone: lease.call.number,
          reason: `opted out on call ${lease.call.id}`,
          source: 'flow',
        },
      ]);
      if (added > 0) {
        await tx.changes.notify('dnc');
        await writeAudit(tx, ENGINE_ACTOR, {
          action: 'dnc.add',
          subject: lease.call.number,
          details: { source: 'flow', callId: lease.call.id },
        });
      }
    }
    return person;
  }

  /** A settled call teaches its predictive campaign's pacing: answer rate, ring, talk and wrap-up. */
  private observe(lease: LeaseWithCall, person: { at: number; abandoned: boolean } | null): void {
    const entry = this.pacers.get(lease.campaignId);
    if (!entry) return;
    const { call } = lease;
    entry.pacer.estimator.observeDial({
      person: person !== null,
      ringMs: call.answeredAt !== null ? call.answeredAt - call.startedAt : null,
    });
    if (person) entry.pacer.answered(person.at, person.abandoned);
    if (call.outcome === 'transferred' && call.answeredAt !== null && call.endedAt !== null)
      // Settled when the wrap-up ends (the call is done then): the time since the hang-up is the wrap-up.
      entry.pacer.estimator.observeHandle(
        call.endedAt - call.answeredAt,
        Math.max(0, this.now() - call.endedAt),
      );
  }

  /** The campaign's pacer, its window loaded from the store the first time (and when its settings change). */
  private async pacerOf(campaign: DialingCampaignRecord): Promise<PacerEntry> {
    const key = JSON.stringify(campaign.predictive);
    const known = this.pacers.get(campaign.id);
    if (known && known.key === key) return known;
    const settings = predictiveOf(campaign);
    const windowMs = abandonWindowMs(settings);
    const pacer = new Pacer({ settings: pacingSettings(settings), windowMs });
    if (known) {
      // Same calls, other settings: keep what was learned.
      Object.assign(pacer, { estimator: known.pacer.estimator, adaptive: known.pacer.adaptive });
    }
    pacer.window.load(
      await this.store.campaignContacts.abandonmentMinutes(
        campaign.id,
        firstMinute(this.now(), windowMs),
      ),
    );
    const entry: PacerEntry = { key, pacer, settings, state: null, decidedAt: 0 };
    this.pacers.set(campaign.id, entry);
    return entry;
  }

  // -------------------------------------------------------------------------------------------
  // Dialing

  private async dialRunning(): Promise<void> {
    const campaigns = await this.store.campaignContacts.campaignsWithStatus('running');
    const started = performance.now();
    // A campaign no longer running waits for nothing.
    for (const id of [...this.waits.keys()])
      if (!campaigns.some((c) => c.id === id)) this.setWait(id, null);
    for (const campaign of campaigns) {
      const wait = this.options.line.readiness?.(campaign) ?? null;
      this.setWait(campaign.id, wait);
      if (wait) continue;
      if ((this.backoffUntil.get(campaign.id) ?? 0) > this.now()) continue;
      // Several passes while there are free lines and contacts to judge, within the tick's budget.
      for (;;) {
        const result = await this.pass(campaign);
        if (
          result === null ||
          result.judged === 0 ||
          result.leased > 0 ||
          performance.now() - started > (this.options.tickBudgetMs ?? 50)
        )
          break;
      }
      if (performance.now() - started > (this.options.tickBudgetMs ?? 50)) {
        this.again = true;
        break;
      }
    }
  }

  private setWait(campaignId: number, wait: CampaignWait | null): void {
    const before = this.waits.get(campaignId) ?? null;
    if (wait) this.waits.set(campaignId, wait);
    else this.waits.delete(campaignId);
    if (before?.message !== wait?.message) {
      if (wait && before?.reason !== wait.reason)
        this.log.info('A campaign waits before dialing', { campaignId, why: wait.message });
      this.options.onCampaignChanged(campaignId);
    }
  }

  /** Free lines for a campaign now, and the trunks with free capacity in the campaign's order. */
  async lines(
    campaign: DialingCampaignRecord,
  ): Promise<{ free: number; trunks: Array<{ id: number; name: string; free: number }> }> {
    // The campaign's limit counts every seat's calls; the mode's lines, this seat's agents and calls.
    const all = await this.store.campaignContacts.leaseStates(campaign.id);
    const states = await this.store.campaignContacts.leaseStates(campaign.id, this.seatId);
    const total = (s: typeof all) => Object.values(s).reduce((sum, n) => sum + (n ?? 0), 0);
    const leased = total(states);
    const withAgent = (states.agent ?? 0) + (states.wrap_up ?? 0);
    let free = campaign.maxConcurrentCalls - total(all);
    const inFlight = [...this.inFlight.values()];
    free = Math.min(
      free,
      (await this.options.maxDesktopCalls()) - this.options.line.liveTotal() - inFlight.length,
    );
    if (campaign.dialingMode === 'predictive') {
      const entry = await this.pacerOf(campaign);
      // Routing's capacity already nets the transfers waiting in the queue out of `available`.
      const state: PacingState = {
        agentsReady: this.capacity.available(campaign.queue),
        agentsTalking: states.agent ?? 0,
        agentsWrapping: states.wrap_up ?? 0,
        callsDialing: (states.queued ?? 0) + (states.dialing ?? 0) + (states.ringing ?? 0),
        callsWaiting: states.answered ?? 0,
      };
      const before = entry.pacer.last;
      const decision = entry.pacer.decide(
        state,
        this.now(),
        state.callsDialing + Math.max(0, free),
      );
      entry.state = state;
      entry.decidedAt = this.now();
      free = Math.min(free, decision.toDial);
      if (
        !before ||
        before.fallback !== decision.fallback ||
        Math.abs(before.dialLevel - decision.dialLevel) >= 0.1
      )
        this.options.onCampaignChanged(campaign.id);
    } else if (campaign.dialingMode !== 'agentless' && campaign.dialingMode !== 'preview') {
      const available = this.capacity.available(campaign.queue);
      const lines =
        campaign.dialingMode === 'progressive'
          ? available
          : Math.floor(available * campaign.linesPerAgent);
      free = Math.min(free, lines - (leased - withAgent));
    }
    // Preview: one lease per agent free to see a contact (each gets their own); nothing is dialed yet.
    if (campaign.dialingMode === 'preview')
      free = Math.min(free, this.preview ? (await this.preview.agents(campaign.queue)).length : 0);
    const limits = await this.options.trunkLimits();
    const live = this.options.line.liveByTrunk();
    const trunks = campaign.trunkIds.flatMap((id) => {
      const limit = limits.get(id);
      if (!limit) return [];
      const used = (live.get(id) ?? 0) + inFlight.filter((t) => t === id).length;
      return [{ id, name: limit.name, free: Math.max(0, limit.maxConcurrentCalls - used) }];
    });
    free = Math.min(
      free,
      trunks.reduce((sum, t) => sum + t.free, 0),
    );
    return { free: Math.max(0, free), trunks };
  }

  /**
   * One pass over one campaign: judge up to a batch of due contacts and lease as many callable
   * ones as there are free lines, in one transaction; then dial the leases. null when the
   * campaign has no free line (or cannot be judged).
   */
  async pass(
    campaign: DialingCampaignRecord,
    options: { dial?: boolean } = {},
  ): Promise<PassResult | null> {
    if (campaign.listId === null) return null;
    const { free, trunks } = await this.lines(campaign);
    if (free <= 0) return null;
    let policy: PolicyCampaign;
    try {
      policy = campaignPolicy(campaign, campaign.listDefaultRegion);
    } catch (error) {
      if (error instanceof PolicyConfigError) {
        this.log.error('A running campaign cannot be judged', {
          campaign: campaign.name,
          error: error.message,
        });
        return null;
      }
      throw error;
    }
    const enrolled = await this.store.campaignContacts.enroll(
      campaign.id,
      campaign.listId,
      this.enrolledUpTo.get(campaign.id) ?? 0,
    );
    this.enrolledUpTo.set(campaign.id, enrolled.maxContactId);

    const result: PassResult = { judged: 0, leased: 0, deferred: 0, finished: 0 };
    const requests: DialRequest[] = [];
    await this.store.transaction(async (tx) => {
      const at = this.now();
      // Locked for this transaction on PostgreSQL: rows another seat's pass holds are skipped.
      const candidates = await tx.campaignContacts.due(
        campaign.id,
        at,
        this.options.batchSize ?? 200,
        { lock: true },
      );
      if (candidates.length === 0) {
        await this.completeIfDone(tx, campaign, at);
        return;
      }
      // Numbers another seat is judging now are left to it (they come back in a later pass): the
      // history read below then sees every call any seat made to the numbers judged here.
      const numbers = await tx.campaignContacts.lockNumbers([
        ...new Set(candidates.map((c) => c.phone)),
      ]);
      const due = candidates.filter((c) => numbers.has(c.phone));
      const [history, dnc] = await Promise.all([
        tx.campaignContacts.histories(
          due.map((c) => ({ contactId: c.contactId, phone: c.phone })),
          at - DAILY_CAP_LOOKBACK_MS,
        ),
        tx.campaignContacts.dncAmong([...new Set(due.map((c) => c.phone))]),
      ]);
      const since = at - DAILY_CAP_LOOKBACK_MS;
      const leasedNumbers = new Set<string>();
      const toLease: Array<{
        contact: CampaignContactRecord;
        trunk: { id: number; name: string };
        zone: string;
      }> = [];
      const deferred: Array<{ contactId: number; nextAt: number }> = [];
      const finished: Array<{ contactId: number; reason: string }> = [];
      for (const contact of due) {
        result.judged++;
        const attempts: PolicyAttempt[] = history.filter(
          (h) =>
            h.contactId === contact.contactId ||
            (h.number === contact.phone && h.startedAt >= since),
        );
        const verdict = callability(
          {
            id: contact.contactId,
            phone: contact.phone,
            timeZone: contact.timeZone,
            consentAt: contact.consentAt,
          },
          policy,
          { onDnc: dnc.has(contact.phone), attempts, callbackAt: contact.callbackAt },
          new Date(at),
        );
        if (verdict.callable) {
          // Two contacts sharing a number in one pass: the second waits for the first's call.
          if (toLease.length >= free || leasedNumbers.has(contact.phone)) continue;
          const trunk = trunks.find((t) => t.free > 0);
          if (!trunk) continue;
          trunk.free--;
          leasedNumbers.add(contact.phone);
          toLease.push({ contact, trunk: { id: trunk.id, name: trunk.name }, zone: verdict.zone });
        } else if (verdict.reasons.some((r) => r.code === 'in_progress')) {
          deferred.push({ contactId: contact.contactId, nextAt: at + IN_PROGRESS_RECHECK_MS });
        } else if (verdict.nextEligibleAt) {
          deferred.push({ contactId: contact.contactId, nextAt: verdict.nextEligibleAt.getTime() });
        } else {
          finished.push({
            contactId: contact.contactId,
            reason: verdict.reasons.map(describeReason).join('; '),
          });
        }
      }
      // Written together with the judgement above: one transaction, a few statements.
      await tx.campaignContacts.deferMany(campaign.id, deferred);
      await tx.campaignContacts.finishMany(campaign.id, finished, at);
      // Call ids: one fresh UUID per pass plus the contact id (unique, and one UPDATE sets them all).
      const won = await tx.campaignContacts.leaseMany(
        campaign.id,
        `${randomUUID()}-`,
        toLease.map(({ contact, trunk }) => ({
          number: contact.phone,
          startedAt: at,
          campaignId: campaign.id,
          contactId: contact.contactId,
          attempt: contact.attempts + 1,
          trunkId: trunk.id,
          flowId: campaign.flowId,
          flowVersion: campaign.flowVersion,
        })),
        { owner: this.seatId, expiresAt: at + this.leaseExpiryMs },
      );
      for (const { contact, trunk, zone } of toLease) {
        const callId = won.get(contact.contactId);
        if (callId === undefined) continue;
        requests.push({
          callId,
          campaign,
          contact,
          attempt: contact.attempts + 1,
          number: contact.phone,
          trunk,
          timeZone: zone,
        });
      }
      result.leased = requests.length;
      result.deferred = deferred.length;
      result.finished = finished.length;
    });
    if (result.leased > 0 || result.finished > 0) this.options.onCampaignChanged(campaign.id);
    if (options.dial === false) return result;
    if (campaign.dialingMode === 'preview' && this.preview)
      // Shown to agents; each is dialed (placeCall) when its agent clicks Dial.
      await this.preview.hold(requests, (request) => this.placeCall(request));
    else for (const request of requests) this.placeCall(request);
    return result;
  }

  /** Hands a leased call to the line; a refusal releases the lease uncounted and backs the campaign off. */
  private placeCall(request: DialRequest): void {
    this.inFlight.set(request.callId, request.trunk.id);
    void this.options.line
      .dial(request)
      .catch(async (error: unknown) => {
        const backoffMs = error instanceof DialRefusedError ? error.backoffMs : 5_000;
        this.backoffUntil.set(request.campaign.id, this.now() + backoffMs);
        this.log.error(
          'A campaign call could not be placed; the contact stays pending and is not counted',
          {
            campaign: request.campaign.name,
            number: request.number,
            error: error instanceof Error ? error.message : String(error),
          },
        );
        await this.store.campaignContacts
          .discard(request.callId)
          .catch((e: unknown) =>
            this.log.error('Releasing a refused lease failed', { error: String(e) }),
          );
        this.options.onCampaignChanged(request.campaign.id);
      })
      .finally(() => {
        this.inFlight.delete(request.callId);
        this.options.onCampaignChanged(request.campaign.id);
      });
  }

  private async completeIfDone(
    tx: Store | Parameters<Parameters<Store['transaction']>[0]>[0],
    campaign: DialingCampaignRecord,
    at: number,
  ): Promise<void> {
    if (await tx.campaignContacts.hasOpen(campaign.id)) return;
    const counts = await tx.campaignContacts.counts(campaign.id, at);
    await tx.campaigns.setStatus(campaign.id, 'completed');
    await tx.changes.notify('campaigns');
    await writeAudit(tx, ENGINE_ACTOR, {
      action: 'campaigns.completed',
      subject: campaign.name,
      details: { contacts: counts.contacts, calls: counts.calls },
    });
    this.options.onCampaignChanged(campaign.id);
  }
}

interface PacerEntry {
  /** The stored settings it was built from. */
  key: string;
  pacer: Pacer;
  settings: PredictiveSettings;
  /** The agents and calls of the last decision. */
  state: PacingState | null;
  decidedAt: number;
}

function pacingSettings(settings: PredictiveSettings) {
  return {
    target: settings.targetPct / 100,
    cap: settings.capPct / 100,
    maxDialLevel: settings.maxDialLevel,
  };
}

/**
 * Answered by a person (a machine is not, nor a call never answered): when, and whether it was
 * abandoned (no agent within 2 s). null otherwise.
 */
function answeredByPerson(lease: LeaseWithCall): { at: number; abandoned: boolean } | null {
  const { call } = lease;
  if (call.answeredAt === null || call.outcome === 'machine' || call.outcome === null) return null;
  return { at: call.answeredAt, abandoned: call.outcome === 'abandoned' };
}

function retryOf(campaign: DialingCampaignRecord): RetryPolicy | null {
  try {
    return campaignPolicy(campaign, campaign.listDefaultRegion).retry;
  } catch {
    return null;
  }
}

/**
 * What a finished call means for its contact: a final disposition (opt-out included) or a
 * conversation ends it; a promised callback schedules it; otherwise the retry policy decides.
 */
export function settlementFor(
  lease: LeaseWithCall,
  retry: RetryPolicy | null,
  now: number,
): Settlement {
  const { call } = lease;
  const attempts = lease.attempts + 1;
  const done = (doneReason: string): Settlement => ({
    status: 'done',
    nextAt: now,
    callbackAt: null,
    callbackSource: null,
    doneReason,
  });
  if (call.dispositionCode === 'opted_out')
    return done('opted out (number added to the do-not-call list)');
  if (lease.dispositionFinal && call.dispositionCode)
    return done(`final disposition ${call.dispositionCode}`);
  if (call.callbackAt !== null) {
    return {
      status: 'pending',
      nextAt: call.callbackAt,
      callbackAt: call.callbackAt,
      callbackSource: call.agentId !== null ? 'agent' : 'flow',
      doneReason: null,
    };
  }
  const outcome = call.outcome ?? 'failed';
  if (outcome === 'completed' || outcome === 'transferred') return done(outcome);
  const wait = retry?.retryAfterMs[outcome];
  if (wait === undefined) return done(`last call ended "${outcome}", which is not retried`);
  if (attempts >= (retry?.maxAttempts ?? 1))
    return done(`all ${retry?.maxAttempts ?? 1} attempts used`);
  return {
    status: 'pending',
    nextAt: (call.endedAt ?? now) + wait,
    callbackAt: null,
    callbackSource: null,
    doneReason: null,
  };
}
