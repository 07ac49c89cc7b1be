/**
 * RoutingService: where a transferred call goes and who takes it.
 *
 * - route(fields): the routing rules in order over the contact's fields (first match wins), else
 *   the flow's queue when it exists, else "default".
 * - transfer(call, …): the call waits in its queue; one available agent with all the queue's
 *   skills (the longest idle first) gets an offer for offer_timeout_ms; declined or expired, it
 *   moves on to the next agent. Accepted: the call's audio switches to the agent (`call.takeOver`)
 *   and transfer() resolves `{ taken: true }`. Nobody within wait_timeout_ms: the queue's fallback
 *   (`callback_offer` with a callback time, or `voicemail`) is stored as a `transfer_fallback`
 *   call event and returned for the bot to carry out.
 * - After the call (it ends while the agent has it: the call is stored `wrap_up`), the agent is in
 *   wrap-up until they submit the form (`wrapUp`) or settings.wrapUpMs runs out; then the call is
 *   `done` and the agent available again.
 *
 * Waiting transfers are matched to agents in one place (`dispatch`, serialized), in queue priority
 * order then arrival, whenever a transfer arrives, an offer ends or an agent becomes available.
 * Agent statuses are stored with the time they changed; `agent.state` announces each change.
 *
 * Seats sharing one store (issue 16 §3, with `seat`): routing sees every seat's available agents.
 * An agent signed on at another seat gets the offer through the store (a seat leg, `offered`,
 * with the card); their seat announces it, and their accept marks it `accepted` (after telling its
 * media host to answer the leg). This seat then takes the call over as for a local agent, the
 * audio over a bridged SIP leg to that seat (`takeOver`), and the leg is `connected`. The call's
 * seat writes the agent's statuses and runs the wrap-up timer as for its own agents; the form
 * is submitted on the agent's seat, and whichever seat closes the wrap-up first wins (the other
 * drops its hold when it sees the call done). `syncSeats()` runs on every wake-up.
 */
import type { AgentStatus, EventData, EventName } from '../api/contract.js';
import {
  type AgentOffer,
  AgentOfferSchema,
  type AgentState,
  type OfferContext,
  type QueueFallback,
} from '../api/routing.js';
import { type Actor, ENGINE_ACTOR, writeAudit } from '../audit/index.js';
import type { Logger } from '../log.js';
import { urgently } from '../store/index.js';
import type { DispositionRecord, QueueRecord, Store, UserRecord } from '../store/types.js';
import type { CallEventData, CallEventType } from '../telephony/index.js';
import { AgentTransitionError, assertAgentTransition, BUSY_STATUSES } from './agent-states.js';
import { type ContactFields, firstMatch } from './rules.js';

/** A live call as routing needs it (the engine adapts its CallSession). */
export interface TransferCall {
  readonly callId: string;
  readonly number: string;
  readonly isUp: boolean;
  whenEnded(): Promise<unknown>;
  /** Stores and streams an event on the call (typed by its kind: telephony/call-events.ts). */
  note<K extends CallEventType>(type: K, data: CallEventData<K>): void;
  /** Switches the call's audio from the bot to this agent (same call) and stores transferring → agent. */
  takeOver(agentId: number): Promise<void>;
}

export interface TransferInfo {
  /** The queue the flow asked for (used when no routing rule matches). */
  queue: string;
  reason: string;
  fields: ContactFields;
  lastIntent: string | null;
  transcript: OfferContext['transcript'];
  /**
   * The offered agent takes the call at once, without a click (predictive campaigns: a person who
   * answered must have an agent within 2 s). The offer is still announced, so the desk shows it.
   */
  autoAccept?: boolean;
  /**
   * Cancels the transfer (predictive: the 2 s ran out). Before the call enters the queue (routing
   * still reading the rules, the queue and the call from the store: seconds on a loaded machine)
   * it never enters it; once waiting, it is withdrawn (as `withdraw`). Either way the transfer
   * settles as not taken, unless an agent's accept is already under way, which keeps the call.
   */
  signal?: AbortSignal;
}

export type TransferResult =
  | { taken: true; agentId: number; queue: string }
  | {
      taken: false;
      queue: string;
      fallback: QueueFallback;
      callbackAt: number | null;
      waitedMs: number;
    }
  | { taken: false; queue: string; fallback: null; callGone: true };

export interface RoutingServiceOptions {
  store: Store;
  log: Logger;
  emit<E extends EventName>(event: E, data: EventData<E>): void;
  /** settings.wrapUpMs, read when a wrap-up starts. */
  wrapUpMs(): Promise<number>;
  /** An agent took a call (the Live wall shows who). */
  onAccepted?(callId: string, agent: { id: number; displayName: string }): void;
  /**
   * Seats sharing the store: this engine's seat id, and how its media host is told to answer the
   * seat leg of a call offered from another seat that its agent accepted. Without it, one seat.
   */
  seat?: {
    id: string;
    expectAgentLeg(callId: string, agentId: number): Promise<void>;
    releaseAgentLeg(callId: string): Promise<void>;
  };
  /** How far ahead a `callback_offer` fallback books the callback. Default 1 h. */
  fallbackCallbackDelayMs?: number;
  now?: () => number;
}

export class RoutingError extends Error {
  override readonly name = 'RoutingError';
  constructor(
    readonly code: 'NOT_FOUND' | 'CONFLICT' | 'INVALID_PARAMS',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

interface Waiting {
  call: TransferCall;
  queue: QueueRecord;
  info: TransferInfo;
  context: OfferContext;
  enqueuedAt: number;
  tried: Set<number>;
  offer: {
    agentId: number;
    offeredAt: number;
    expiresAt: number;
    timer: ReturnType<typeof setTimeout>;
  } | null;
  waitTimer: ReturnType<typeof setTimeout>;
  settle(result: TransferResult): void;
}

/** What routing holds about an agent beyond the stored status. */
interface AgentHold {
  callId: string;
  deadline: number | null;
  timer?: ReturnType<typeof setTimeout>;
}

export const DEFAULT_FALLBACK_CALLBACK_DELAY_MS = 60 * 60 * 1000;

/** Agent dispositions a new database starts with (the wrap-up form's choices). */
export const AGENT_DISPOSITIONS = [
  { code: 'resolved', labelEn: 'Resolved', labelZh: '已解决', kind: 'agent', final: true },
  { code: 'interested', labelEn: 'Interested', labelZh: '有意向', kind: 'agent', final: true },
  {
    code: 'not_interested',
    labelEn: 'Not interested',
    labelZh: '无意向',
    kind: 'agent',
    final: true,
  },
  { code: 'follow_up', labelEn: 'Follow up later', labelZh: '需跟进', kind: 'agent', final: false },
] as const satisfies readonly DispositionRecord[];

export class RoutingService {
  private readonly waiting = new Map<string, Waiting>();
  private readonly holds = new Map<number, AgentHold>();
  /** Calls an agent took, by call id → agent id (until the wrap-up is over). */
  private readonly agentCalls = new Map<string, number>();
  private dispatching: Promise<void> = Promise.resolve();
  private readonly changeListeners = new Set<() => void>();
  private readonly now: () => number;
  private closed = false;
  /** Seats: offers from other seats announced to this seat's agents, by call id. */
  private readonly remoteOffers = new Map<string, AgentOffer>();
  /** Seats: accepted legs this seat is taking over now (not twice). */
  private readonly takingOver = new Set<string>();
  /** Seats: when the status last announced per agent of this seat changed (epoch ms). */
  private readonly announced = new Map<number, number>();

  constructor(private readonly options: RoutingServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * After a restart nobody holds a call any more: agents left offered, on a call or in wrap-up
   * are signed off (they sign on again from the Agent page).
   */
  async start(): Promise<void> {
    // The wrap-up form needs agent dispositions; a database without any gets these (never overwritten).
    const known = await this.options.store.dispositions.list();
    if (!known.some((d) => d.kind === 'agent'))
      for (const d of AGENT_DISPOSITIONS) await this.options.store.dispositions.upsert(d);
    const at = this.now();
    // Seats: only this seat's agents (or those seen at no seat); another seat's are its own.
    const seats = this.options.seat
      ? new Map((await this.options.store.seats.userSeats()).map((u) => [u.id, u.seatId]))
      : null;
    for (const status of await this.options.store.routing.agentStatuses()) {
      const seat = seats?.get(status.id) ?? null;
      if (seat !== null && seat !== this.options.seat?.id) continue;
      if (BUSY_STATUSES.has(status.status))
        await this.options.store.routing.setAgentStatus(status.id, 'offline', at);
    }
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiting.values()) {
      clearTimeout(w.waitTimer);
      if (w.offer) clearTimeout(w.offer.timer);
    }
    for (const hold of this.holds.values()) if (hold.timer) clearTimeout(hold.timer);
  }

  /** The queue for these contact fields: the first matching rule's, else the flow's (when it exists), else "default". */
  async route(
    fields: ContactFields,
    flowQueue?: string,
  ): Promise<{ queue: QueueRecord; rule: number | null }> {
    const { routing } = this.options.store;
    // Queued together: on a busy store each await is a trip to the back of its queue.
    const [stored, named, fallback] = await Promise.all([
      routing.rules(),
      flowQueue ? routing.queueByName(flowQueue) : null,
      routing.queueByName('default'),
    ]);
    const rules = stored.map((r) => ({
      field: r.field,
      operator: r.operator,
      value: r.value,
      queue: r.queueName,
    }));
    const match = firstMatch(rules, fields);
    const byRule = match ? await routing.queueByName(match.queue) : null;
    if (byRule) return { queue: byRule, rule: match?.rule ?? null };
    if (named) return { queue: named, rule: null };
    if (!fallback)
      throw new RoutingError('NOT_FOUND', 'The "default" queue is missing from the database');
    return { queue: fallback, rule: null };
  }

  /** Offers the call to agents until one takes it, the queue's wait runs out, or the call ends. */
  async transfer(call: TransferCall, info: TransferInfo): Promise<TransferResult> {
    const { signal } = info;
    const cancelled = (queue: string): TransferResult => ({
      taken: false,
      queue,
      fallback: null,
      callGone: true,
    });
    if (signal?.aborted) return cancelled(info.queue);
    // Urgent, as the call's own writes are (store.urgently): a person on the line waits for
    // this, and predictive gives them 2 s from their hello to an agent.
    const [{ queue, rule }, stored] = await urgently(() =>
      Promise.all([this.route(info.fields, info.queue), this.options.store.calls.get(call.callId)]),
    );
    if (signal?.aborted) return cancelled(queue.name);
    await urgently(() =>
      this.options.store.calls.update(call.callId, {
        queueId: queue.id,
        transferReason: info.reason,
      }),
    );
    if (signal?.aborted) return cancelled(queue.name);
    call.note('transfer_routed', {
      queue: queue.name,
      rule,
      flowQueue: info.queue,
      reason: info.reason,
    });
    const name =
      typeof info.fields.name === 'string' ? info.fields.name : (stored?.contactName ?? null);
    const context: OfferContext = {
      contact: { name, phone: call.number, fields: plainFields(info.fields) },
      campaign: stored?.campaignName ?? null,
      queue: { name: queue.name, labelEn: queue.labelEn, labelZh: queue.labelZh },
      reason: info.reason,
      lastIntent: info.lastIntent,
      transcript: info.transcript,
    };
    const enqueuedAt = this.now();
    return new Promise<TransferResult>((resolve) => {
      let settled = false;
      const waiting: Waiting = {
        call,
        queue,
        info,
        context,
        enqueuedAt,
        tried: new Set(),
        offer: null,
        waitTimer: setTimeout(() => void this.giveUp(call.callId), queue.waitTimeoutMs),
        settle: (result) => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          resolve(result);
        },
      };
      // Cancelled while waiting: out of the queue. An accept under way has already taken it out,
      // and settles the transfer itself.
      const onAbort = (): void => {
        if (this.waiting.get(call.callId) !== waiting) return;
        this.leave(waiting, 'cancelled');
        waiting.settle(cancelled(queue.name));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(call.callId, waiting);
      this.changed();
      void call.whenEnded().then(() => {
        const current = this.waiting.get(call.callId);
        if (current !== waiting) return;
        this.leave(waiting, 'call_ended');
        waiting.settle({ taken: false, queue: queue.name, fallback: null, callGone: true });
      });
      this.dispatch();
    });
  }

  /** The agent takes the call offered to them. */
  async accept(callId: string, agentId: number): Promise<void> {
    const waiting = this.waiting.get(callId);
    if (!waiting && this.remoteOffers.get(callId)?.agentId === agentId) {
      await this.acceptRemote(callId, agentId);
      return;
    }
    if (!waiting?.offer || waiting.offer.agentId !== agentId) {
      throw new RoutingError(
        'CONFLICT',
        `Call ${callId} is not offered to agent ${agentId} (the offer expired, went to another agent, or the call ended)`,
      );
    }
    clearTimeout(waiting.offer.timer);
    clearTimeout(waiting.waitTimer);
    this.waiting.delete(callId);
    this.changed();
    try {
      await waiting.call.takeOver(agentId);
    } catch (error) {
      await this.setStatus(agentId, 'available', null);
      this.options.emit('agent.offerEnded', { callId, agentId, reason: 'call_ended' });
      waiting.settle({ taken: false, queue: waiting.queue.name, fallback: null, callGone: true });
      throw new RoutingError(
        'CONFLICT',
        `Call ${callId} could not be taken over: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    this.agentCalls.set(callId, agentId);
    await this.setStatus(agentId, 'on_call', { callId, deadline: null });
    this.options.emit('agent.offerEnded', { callId, agentId, reason: 'accepted' });
    const agent = await this.options.store.users.get(agentId);
    waiting.call.note('agent_accepted', {
      agentId,
      agentName: agent?.displayName ?? null,
      queue: waiting.queue.name,
      waitedMs: this.now() - waiting.enqueuedAt,
    });
    if (agent) this.options.onAccepted?.(callId, { id: agent.id, displayName: agent.displayName });
    waiting.settle({ taken: true, agentId, queue: waiting.queue.name });
    this.dispatch();
  }

  /**
   * Preview dialing (dialer/preview.ts): agents free to be shown a contact of `queue` now (signed
   * on, holding nothing, with the queue's skills), longest idle first. Seats sharing a store:
   * only the agents signed on at this seat. Each seat's dialer runs the campaign too and leases
   * for its own agents (under its own lease, so no contact is shown or dialed twice), and the
   * call it dials is local to the agent: no seat leg, and mute, hold, DTMF and hang-up work as at
   * any desk. Another seat's agent reserved here would never see the contact (their desk hears
   * their own seat's events).
   */
  async previewAgents(queue: string): Promise<number[]> {
    const seat = this.options.seat;
    const [users, statuses, queues, seats] = await Promise.all([
      this.options.store.users.list(),
      this.options.store.routing.agentStatuses(),
      this.options.store.routing.queues(),
      seat ? this.options.store.seats.userSeats() : Promise.resolve(null),
    ]);
    const here = seats && new Set(seats.filter((u) => u.seatId === seat?.id).map((u) => u.id));
    const skills =
      (queues.find((q) => q.name === queue) ?? queues.find((q) => q.name === 'default'))?.skills ??
      [];
    const since = new Map(statuses.map((s) => [s.id, s]));
    return users
      .filter(
        (u) =>
          since.get(u.id)?.status === 'available' &&
          (here === null || here.has(u.id)) &&
          !this.holds.has(u.id) &&
          skills.every((s) => u.skills.includes(s)),
      )
      .sort(
        (a, b) =>
          (since.get(a.id)?.changedAt ?? 0) - (since.get(b.id)?.changedAt ?? 0) || a.id - b.id,
      )
      .map((u) => u.id);
  }

  /**
   * Holds an available agent for a previewed contact (status offered, with its call id and
   * deadline), so no other call is offered to them meanwhile; false when they are not free now.
   */
  reservePreview(agentId: number, callId: string, deadline: number): Promise<boolean> {
    return this.reserve(agentId, { callId, deadline });
  }

  /** The preview is over without a call for the agent: they are available again. */
  async releasePreview(agentId: number, callId: string): Promise<void> {
    if (this.holds.get(agentId)?.callId !== callId || this.agentCalls.has(callId)) return;
    await this.setStatus(agentId, 'available', null);
  }

  /** The call an agent holds now (offered, previewing, on it or wrapping it up), or null. */
  heldCall(agentId: number): string | null {
    return this.holds.get(agentId)?.callId ?? null;
  }

  /**
   * Preview: the call the agent dialed was answered; it is theirs at once (no queue, no offer),
   * with the same take-over, call events and wrap-up as an accepted transfer.
   */
  async connectAgent(call: TransferCall, agentId: number): Promise<void> {
    try {
      await call.takeOver(agentId);
    } catch (error) {
      await this.setStatus(agentId, 'available', null);
      throw error;
    }
    this.agentCalls.set(call.callId, agentId);
    await this.setStatus(agentId, 'on_call', { callId: call.callId, deadline: null });
    const agent = await this.options.store.users.get(agentId);
    call.note('agent_accepted', {
      agentId,
      agentName: agent?.displayName ?? null,
      queue: 'preview',
      waitedMs: 0,
    });
    if (agent)
      this.options.onAccepted?.(call.callId, { id: agent.id, displayName: agent.displayName });
    this.changed();
  }

  /**
   * Someone else took the waiting call (a supervisor's barge): its offer ends and the transfer
   * settles as gone, so no agent is offered it any more. A call not waiting is left alone.
   */
  withdraw(callId: string): void {
    const waiting = this.waiting.get(callId);
    if (!waiting) return;
    this.leave(waiting, 'cancelled');
    waiting.settle({ taken: false, queue: waiting.queue.name, fallback: null, callGone: true });
  }

  async decline(callId: string, agentId: number): Promise<void> {
    const waiting = this.waiting.get(callId);
    if (!waiting && this.remoteOffers.get(callId)?.agentId === agentId) {
      // The call's seat sees the leg end and offers the next agent.
      await this.options.store.seats.moveLeg(callId, 'agent', 'ended', {
        from: ['offered'],
        detail: 'declined',
      });
      this.remoteOffers.delete(callId);
      this.options.emit('agent.offerEnded', { callId, agentId, reason: 'declined' });
      return;
    }
    if (!waiting?.offer || waiting.offer.agentId !== agentId)
      throw new RoutingError('CONFLICT', `Call ${callId} is not offered to agent ${agentId}`);
    await this.endOffer(waiting, 'declined');
    this.dispatch();
  }

  /** The offer waiting for this agent, if any. */
  offerFor(agentId: number): AgentOffer | null {
    for (const w of this.waiting.values())
      if (w.offer?.agentId === agentId) return this.offerView(w);
    for (const offer of this.remoteOffers.values()) if (offer.agentId === agentId) return offer;
    return null;
  }

  /** Which agent has this call (until its wrap-up is over). */
  agentOf(callId: string): number | null {
    return this.agentCalls.get(callId) ?? null;
  }

  /** An agent sets their own status (available, away, offline); refused while they hold a call. */
  async setOwnStatus(
    agentId: number,
    status: 'available' | 'away' | 'offline',
  ): Promise<AgentState> {
    const user = await this.user(agentId);
    const current = (await this.options.store.routing.agentStatuses()).find(
      (s) => s.id === agentId,
    );
    // Offered, on a call or in wrap-up: the offer, the call and the form move the agent on.
    if (current && BUSY_STATUSES.has(current.status))
      throw new AgentTransitionError(agentId, current.status, status);
    // Seats: routing on every seat learns where this agent sits (their offers come here).
    if (this.options.seat)
      await this.options.store.seats.setUserSeat(
        user.id,
        status === 'offline' ? null : this.options.seat.id,
      );
    await this.setStatus(user.id, status, null);
    return this.state(agentId);
  }

  /** A call ended: with an agent on it, the agent's wrap-up starts (the call is stored wrap_up). */
  async callEnded(callId: string): Promise<void> {
    const agentId = this.agentCalls.get(callId);
    if (agentId === undefined) return;
    // An agent on another seat: their leg is over with the call (their seat keeps the wrap-up).
    if (this.options.seat) {
      await this.options.store.seats.moveLeg(callId, 'agent', 'ended', {
        from: ['offered', 'accepted', 'connected'],
        detail: 'the call ended',
      });
      // Their seat already closed the wrap-up (the form came before this): nothing to hold.
      if ((await this.options.store.calls.get(callId))?.state === 'done') {
        this.agentCalls.delete(callId);
        if (this.holds.get(agentId)?.callId === callId) this.holds.delete(agentId);
        return;
      }
    }
    const wrapUpMs = await this.options.wrapUpMs();
    if (wrapUpMs <= 0) {
      // No wrap-up time: through wrap_up at once (on_call → available is not a transition).
      await this.setStatus(agentId, 'wrap_up', { callId, deadline: this.now() });
      await this.finishWrapUp(callId, agentId, null);
      return;
    }
    const deadline = this.now() + wrapUpMs;
    const hold: AgentHold = { callId, deadline };
    hold.timer = setTimeout(() => {
      void this.finishWrapUp(callId, agentId, null).catch((error: unknown) =>
        this.options.log.error('Closing a wrap-up on its timer failed', {
          callId,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    }, wrapUpMs);
    await this.setStatus(agentId, 'wrap_up', hold);
  }

  /**
   * The wrap-up form: disposition (must exist), notes, a callback time, do-not-call. `actor`: who
   * submitted it, for the audit trail (default: the agent, by id).
   */
  async wrapUp(
    form: {
      callId: string;
      disposition: string;
      notes: string;
      callbackAt?: number;
      doNotCall: boolean;
    },
    actor?: Actor,
  ): Promise<void> {
    const agentId = this.agentCalls.get(form.callId);
    const call = await this.options.store.calls.get(form.callId);
    if (!call) throw new RoutingError('NOT_FOUND', `No call with id "${form.callId}"`);
    if (call.state !== 'wrap_up' || agentId === undefined) {
      throw new RoutingError(
        'CONFLICT',
        call.state === 'agent'
          ? `Call ${form.callId} is still up: hang up before the wrap-up`
          : `Call ${form.callId} is not in wrap-up (it is "${call.state}")`,
      );
    }
    const dispositions = await this.options.store.dispositions.list();
    if (!dispositions.some((d) => d.code === form.disposition)) {
      throw new RoutingError(
        'INVALID_PARAMS',
        `disposition: "${form.disposition}" is not a stored disposition (${dispositions.map((d) => d.code).join(', ')})`,
        'disposition',
      );
    }
    if (form.callbackAt !== undefined && form.callbackAt <= this.now())
      throw new RoutingError('INVALID_PARAMS', 'callbackAt: must be in the future', 'callbackAt');
    await this.finishWrapUp(form.callId, agentId, form, actor);
  }

  /** Every agent with status, since when, and the call they hold. */
  async states(): Promise<AgentState[]> {
    const [users, statuses] = await Promise.all([
      this.options.store.users.list(),
      this.options.store.routing.agentStatuses(),
    ]);
    const changed = new Map(statuses.map((s) => [s.id, s.changedAt]));
    return users.map((u) => this.view(u, changed.get(u.id) ?? null));
  }

  async state(agentId: number): Promise<AgentState> {
    const found = (await this.states()).find((a) => a.id === agentId);
    if (!found) throw new RoutingError('NOT_FOUND', `No agent with id ${agentId}`, 'agentId');
    return found;
  }

  /** Fires when an agent's status changed or a transfer started or stopped waiting (the dialer's pacing listens). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /**
   * Per queue: agents available now with all its skills, minus the transfers waiting in it for an
   * agent (never below 0). The dialer's progressive and power pacing read this through RoutingAgentCapacity.
   */
  async freeAgentsByQueue(): Promise<Map<string, number>> {
    const [users, statuses, queues] = await Promise.all([
      this.options.store.users.list(),
      this.options.store.routing.agentStatuses(),
      this.options.store.routing.queues(),
    ]);
    const status = new Map(statuses.map((s) => [s.id, s.status]));
    const free = users.filter((u) => status.get(u.id) === 'available' && !this.holds.has(u.id));
    const result = new Map<string, number>();
    for (const queue of queues) {
      const able = free.filter((u) =>
        queue.skills.every((skill) => u.skills.includes(skill)),
      ).length;
      // A transfer with an offer out already holds its agent (not in `free`); the others will each take one.
      const waiting = [...this.waiting.values()].filter(
        (w) => w.queue.id === queue.id && w.offer === null,
      ).length;
      result.set(queue.name, Math.max(0, able - waiting));
    }
    return result;
  }

  private changed(): void {
    for (const listener of this.changeListeners) {
      try {
        listener();
      } catch (error) {
        this.options.log.error('A routing change listener failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  /** Transfers waiting now (for the dialer's pacing and the supervisor). */
  get waitingCount(): number {
    return this.waiting.size;
  }

  // -------------------------------------------------------------------------------------------

  /** Matches waiting transfers to available agents; runs one at a time. */
  private dispatch(): void {
    if (this.closed) return;
    this.dispatching = this.dispatching
      .then(() => this.dispatchOnce())
      .catch((error: unknown) =>
        this.options.log.error('Routing a transfer failed', {
          error: error instanceof Error ? error.stack : String(error),
        }),
      );
  }

  private async dispatchOnce(): Promise<void> {
    const pending = [...this.waiting.values()]
      .filter((w) => w.offer === null)
      .sort((a, b) => b.queue.priority - a.queue.priority || a.enqueuedAt - b.enqueuedAt);
    if (pending.length === 0) return;
    const [users, statuses] = await Promise.all([
      this.options.store.users.list(),
      this.options.store.routing.agentStatuses(),
    ]);
    const since = new Map(statuses.map((s) => [s.id, s]));
    const free = users
      .filter((u) => since.get(u.id)?.status === 'available' && !this.holds.has(u.id))
      // Longest idle first: the earliest change to available.
      .sort(
        (a, b) =>
          (since.get(a.id)?.changedAt ?? 0) - (since.get(b.id)?.changedAt ?? 0) || a.id - b.id,
      );
    const taken = new Set<number>();
    for (const w of pending) {
      // Until an offer is out: when another seat reserved the agent first, the next one.
      while (this.waiting.get(w.call.callId) === w && w.call.isUp) {
        const agent = free.find(
          (u) =>
            !taken.has(u.id) &&
            !w.tried.has(u.id) &&
            w.queue.skills.every((s) => u.skills.includes(s)),
        );
        if (!agent) break;
        taken.add(agent.id);
        if (await this.offer(w, agent.id)) break;
      }
    }
  }

  /** Offers the call to the agent; false when she could not be reserved or the call left the queue. */
  private async offer(w: Waiting, agentId: number): Promise<boolean> {
    const offeredAt = this.now();
    const expiresAt = offeredAt + w.queue.offerTimeoutMs;
    if (!(await this.reserve(agentId, { callId: w.call.callId, deadline: expiresAt })))
      return false;
    if (this.waiting.get(w.call.callId) !== w || !w.call.isUp || w.offer !== null) {
      // The call ended or left the queue while she was being reserved.
      await this.setStatus(agentId, 'available', null);
      return false;
    }
    w.offer = {
      agentId,
      offeredAt,
      expiresAt,
      timer: setTimeout(
        () =>
          void this.remoteLegMoved(w.call.callId, 'expired').then((moved) => {
            if (this.waiting.get(w.call.callId) !== w || w.offer?.agentId !== agentId) return;
            // The agent's seat accepted it just now: the take-over goes ahead (syncSeats).
            if (!moved) return;
            w.call.note('offer_expired', { agentId, afterMs: w.queue.offerTimeoutMs });
            this.endOfferThenDispatch(w, 'expired');
          }),
        w.queue.offerTimeoutMs,
      ),
    };
    w.call.note('agent_offered', { agentId, queue: w.queue.name, expiresAt });
    const view = this.offerView(w);
    if (view) this.options.emit('agent.offer', view);
    const remote = await this.remoteSeatOf(agentId);
    if (view && remote !== null && this.options.seat)
      await this.options.store.seats.putLeg({
        callId: w.call.callId,
        role: 'agent',
        callSeat: this.options.seat.id,
        userSeat: remote,
        userId: agentId,
        state: 'offered',
        mode: null,
        context: { offeredAt: view.offeredAt, card: view.context },
        expiresAt,
        detail: null,
      });
    if (w.info.autoAccept)
      void this.accept(w.call.callId, agentId).catch((error: unknown) =>
        this.options.log.error('Taking an auto-accepted call failed', {
          callId: w.call.callId,
          agentId,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    return true;
  }

  /** The current offer is over without a take: the agent is free again and not offered this call again. */
  private async endOffer(
    w: Waiting,
    reason: 'declined' | 'expired' | 'call_ended' | 'cancelled',
  ): Promise<void> {
    const offer = w.offer;
    if (!offer) return;
    clearTimeout(offer.timer);
    w.offer = null;
    w.tried.add(offer.agentId);
    if (this.options.seat)
      await this.options.store.seats.moveLeg(w.call.callId, 'agent', 'ended', {
        from: ['offered', 'accepted'],
        detail: reason,
      });
    if (reason === 'declined') w.call.note('offer_declined', { agentId: offer.agentId });
    await this.setStatus(offer.agentId, 'available', null);
    this.options.emit('agent.offerEnded', {
      callId: w.call.callId,
      agentId: offer.agentId,
      reason,
    });
  }

  private leave(w: Waiting, reason: 'call_ended' | 'cancelled'): void {
    clearTimeout(w.waitTimer);
    this.waiting.delete(w.call.callId);
    this.changed();
    this.endOfferThenDispatch(w, reason);
  }

  /**
   * Ends the call's offer, then offers the waiting calls again. A failed end (the agent's status
   * could not be stored) is logged and the dispatch still runs, so the call is not left unoffered.
   */
  private endOfferThenDispatch(w: Waiting, reason: 'expired' | 'call_ended' | 'cancelled'): void {
    const agentId = w.offer?.agentId ?? null;
    void this.endOffer(w, reason)
      .catch((error: unknown) =>
        this.options.log.error('Ending an agent offer failed', {
          callId: w.call.callId,
          agentId,
          reason,
          error: error instanceof Error ? error.stack : String(error),
        }),
      )
      .then(() => this.dispatch());
  }

  /** Nobody took the call within the queue's wait: the bot's fallback. */
  private async giveUp(callId: string): Promise<void> {
    const w = this.waiting.get(callId);
    if (!w) return;
    this.leave(w, 'cancelled');
    const waitedMs = this.now() - w.enqueuedAt;
    const callbackAt =
      w.queue.fallback === 'callback_offer'
        ? this.now() + (this.options.fallbackCallbackDelayMs ?? DEFAULT_FALLBACK_CALLBACK_DELAY_MS)
        : null;
    w.call.note('transfer_fallback', {
      queue: w.queue.name,
      fallback: w.queue.fallback,
      waitedMs,
      offeredTo: [...w.tried],
      ...(callbackAt === null ? {} : { callbackAt }),
    });
    if (callbackAt !== null) {
      await this.options.store.calls.update(callId, { callbackAt }).catch((error: unknown) =>
        this.options.log.error('Storing the fallback callback time failed', {
          callId,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    }
    w.settle({
      taken: false,
      queue: w.queue.name,
      fallback: w.queue.fallback,
      callbackAt,
      waitedMs,
    });
  }

  private async finishWrapUp(
    callId: string,
    agentId: number,
    form: { disposition: string; notes: string; callbackAt?: number; doNotCall: boolean } | null,
    submittedBy?: Actor,
  ): Promise<void> {
    if (this.agentCalls.get(callId) !== agentId) return; // already wrapped up
    // The form's sender; a wrap-up time running out is the engine's doing.
    const actor = submittedBy ?? (form ? `agent:${agentId}` : ENGINE_ACTOR);
    this.agentCalls.delete(callId);
    const hold = this.holds.get(agentId);
    if (hold?.timer) clearTimeout(hold.timer);
    const at = this.now();
    const call = await this.options.store.calls.get(callId);
    await this.options.store.transaction(async (tx) => {
      if (form?.doNotCall && call) {
        const added = await tx.dnc.add([
          { phone: call.number, reason: `agent wrap-up of call ${callId}`, source: 'agent' },
        ]);
        if (added > 0)
          await writeAudit(tx, actor, {
            action: 'dnc.add',
            subject: call.number,
            details: { source: 'agent', callId },
          });
      }
      await tx.calls.update(
        callId,
        {
          state: 'done',
          ...(form
            ? { dispositionCode: form.disposition, notes: form.notes === '' ? null : form.notes }
            : {}),
          ...(form?.callbackAt !== undefined ? { callbackAt: form.callbackAt } : {}),
        },
        {
          at,
          type: 'wrap_up',
          data: form
            ? {
                agentId,
                disposition: form.disposition,
                notes: form.notes,
                doNotCall: form.doNotCall,
                ...(form.callbackAt !== undefined ? { callbackAt: form.callbackAt } : {}),
                reason: 'wrap-up form submitted',
              }
            : { agentId, reason: 'wrap-up time ran out' },
        },
      );
      await writeAudit(tx, actor, {
        action: 'calls.wrapUp',
        subject: callId,
        details: form
          ? { agentId, disposition: form.disposition, doNotCall: form.doNotCall }
          : { agentId, timedOut: true },
      });
    });
    // Seats: the form on the agent's seat can beat the call's seat moving them to wrap-up.
    const stored = (await this.options.store.routing.agentStatuses()).find((s) => s.id === agentId);
    if (stored?.status === 'on_call') await this.setStatus(agentId, 'wrap_up', null);
    await this.setStatus(agentId, 'available', null);
    this.dispatch();
  }

  /**
   * Reserves an available agent for a call (status offered, with its hold) in one store statement:
   * false when she is held here or not available any more, which includes another seat sharing the
   * store reserving her a moment before (both read her as available; only one write matches).
   */
  private async reserve(agentId: number, hold: AgentHold): Promise<boolean> {
    if (this.holds.has(agentId)) return false;
    const at = this.now();
    const announcedBefore = this.announced.get(agentId);
    // Before the write: a wake-up reading the new row must not announce it a second time.
    this.announced.set(agentId, at);
    const store = this.options.store;
    if (!(await store.routing.setAgentStatus(agentId, 'offered', at, 'available'))) {
      if (announcedBefore === undefined) this.announced.delete(agentId);
      else this.announced.set(agentId, announcedBefore);
      return false;
    }
    this.holds.set(agentId, hold);
    if (this.options.seat) await store.changes.notify('agents');
    this.options.emit('agent.state', await this.state(agentId));
    this.changed();
    return true;
  }

  private async setStatus(
    agentId: number,
    status: AgentStatus,
    hold: AgentHold | null,
  ): Promise<void> {
    const current = (await this.options.store.routing.agentStatuses()).find(
      (s) => s.id === agentId,
    );
    if (!current) throw new RoutingError('NOT_FOUND', `No agent with id ${agentId}`, 'agentId');
    assertAgentTransition(agentId, current.status, status);
    const previous = this.holds.get(agentId);
    if (previous?.timer && previous !== hold) clearTimeout(previous.timer);
    if (hold) this.holds.set(agentId, hold);
    else this.holds.delete(agentId);
    if (current.status !== status) {
      const at = this.now();
      // Before the write: a wake-up reading the new row must not announce it a second time.
      this.announced.set(agentId, at);
      await this.options.store.routing.setAgentStatus(agentId, status, at);
      if (this.options.seat) await this.options.store.changes.notify('agents');
    }
    this.options.emit('agent.state', await this.state(agentId));
    this.changed();
    if (status === 'available') this.dispatch();
  }

  // ------------------------------------------------------------------------------------------
  // Seats sharing the store

  /** The seat an agent signed on at when it is another seat than this one; else null. */
  private async remoteSeatOf(agentId: number): Promise<string | null> {
    const seat = this.options.seat;
    if (!seat) return null;
    const found = (await this.options.store.seats.userSeats()).find((u) => u.id === agentId);
    return found?.seatId && found.seatId !== seat.id ? found.seatId : null;
  }

  /**
   * An offer of this seat ran out: its remote leg (if any) is ended unless the agent's seat
   * accepted it first. True when the offer may be expired here.
   */
  private async remoteLegMoved(callId: string, detail: string): Promise<boolean> {
    if (!this.options.seat) return true;
    const leg = await this.options.store.seats.leg(callId, 'agent');
    if (!leg || leg.callSeat !== this.options.seat.id || leg.state === 'ended') return true;
    return this.options.store.seats.moveLeg(callId, 'agent', 'ended', {
      from: ['offered'],
      detail,
    });
  }

  /** On the agent's seat: the offer from another seat is taken; that seat bridges the call here. */
  private async acceptRemote(callId: string, agentId: number): Promise<void> {
    const seat = this.options.seat;
    if (!seat) throw new RoutingError('CONFLICT', `Call ${callId} is not offered here`);
    await seat.expectAgentLeg(callId, agentId);
    const moved = await this.options.store.seats.moveLeg(callId, 'agent', 'accepted', {
      from: ['offered'],
    });
    this.remoteOffers.delete(callId);
    if (!moved) {
      await seat.releaseAgentLeg(callId).catch(() => undefined);
      this.options.emit('agent.offerEnded', { callId, agentId, reason: 'expired' });
      throw new RoutingError(
        'CONFLICT',
        `Call ${callId} is not offered to agent ${agentId} any more (the offer expired or the call ended)`,
      );
    }
    // The call's seat writes the statuses; this seat holds the call for the desk and the wrap-up.
    this.agentCalls.set(callId, agentId);
    this.holds.set(agentId, { callId, deadline: null });
    this.options.emit('agent.offerEnded', { callId, agentId, reason: 'accepted' });
  }

  /**
   * A wake-up from another seat (or the backstop poll): re-reads the seat legs and statuses.
   * - Offers to this seat's agents from other seats are announced (and their end).
   * - Legs this seat offered that the agent's seat accepted are taken over (then `connected`).
   * - A hold on a call that is done (wrapped up on the other seat) is dropped.
   * - This seat's agents' statuses changed by another seat are announced.
   */
  async syncSeats(): Promise<void> {
    const seat = this.options.seat;
    if (!seat || this.closed) return;
    const store = this.options.store;
    const legs = await store.seats.legsOf(seat.id, this.now() - 60_000);
    const open = new Set<string>();
    for (const leg of legs) {
      if (leg.role !== 'agent') continue;
      if (leg.userSeat === seat.id && leg.state === 'offered' && leg.callSeat !== seat.id) {
        open.add(leg.callId);
        if (this.remoteOffers.has(leg.callId)) continue;
        const parsed = AgentOfferSchema.safeParse({
          callId: leg.callId,
          agentId: leg.userId,
          offeredAt: leg.context?.offeredAt,
          expiresAt: leg.expiresAt,
          context: leg.context?.card,
        });
        if (!parsed.success) {
          this.options.log.error('A seat leg offer cannot be read', {
            callId: leg.callId,
            error: parsed.error.message,
          });
          continue;
        }
        this.remoteOffers.set(leg.callId, parsed.data);
        this.options.emit('agent.offer', parsed.data);
      }
      if (leg.callSeat === seat.id && leg.state === 'accepted' && !this.takingOver.has(leg.callId))
        void this.takeOverAccepted(leg.callId, leg.userId);
    }
    for (const [callId, offer] of this.remoteOffers) {
      if (open.has(callId)) continue;
      this.remoteOffers.delete(callId);
      this.options.emit('agent.offerEnded', {
        callId,
        agentId: offer.agentId,
        reason: 'cancelled',
      });
    }
    const [statuses, seats] = await Promise.all([
      store.routing.agentStatuses(),
      store.seats.userSeats(),
    ]);
    const seatOf = new Map(seats.map((u) => [u.id, u.seatId]));
    for (const s of statuses) {
      const hold = this.holds.get(s.id);
      if (hold && !BUSY_STATUSES.has(s.status) && this.agentCalls.get(hold.callId) === s.id) {
        const call = await store.calls.get(hold.callId);
        if (call?.state === 'done') {
          if (hold.timer) clearTimeout(hold.timer);
          this.holds.delete(s.id);
          this.agentCalls.delete(hold.callId);
          this.dispatch();
        }
      }
      if (seatOf.get(s.id) !== seat.id) continue;
      // Only a change newer than the last announced (a stale read is older, never newer).
      const changedAt = s.changedAt ?? 0;
      const before = this.announced.get(s.id);
      if (before !== undefined && changedAt <= before) continue;
      this.announced.set(s.id, changedAt);
      // Seen for the first time: nothing changed since anyone looked.
      if (before !== undefined) this.options.emit('agent.state', await this.state(s.id));
    }
    this.changed();
    // An agent on another seat may have become free for a transfer waiting here.
    if ([...this.waiting.values()].some((w) => w.offer === null)) this.dispatch();
  }

  /** On the call's seat: the agent's seat accepted; the call is bridged to it as an accept here. */
  private async takeOverAccepted(callId: string, agentId: number): Promise<void> {
    this.takingOver.add(callId);
    try {
      await this.accept(callId, agentId);
      await this.options.store.seats.moveLeg(callId, 'agent', 'connected', { from: ['accepted'] });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.options.log.error('Taking a call over to an agent on another seat failed', {
        callId,
        agentId,
        error: detail,
      });
      await this.options.store.seats
        .moveLeg(callId, 'agent', 'ended', { from: ['accepted'], detail: detail.slice(0, 500) })
        .catch(() => undefined);
    } finally {
      this.takingOver.delete(callId);
    }
  }

  private async user(agentId: number): Promise<UserRecord> {
    const user = await this.options.store.users.get(agentId);
    if (!user) throw new RoutingError('NOT_FOUND', `No agent with id ${agentId}`, 'agentId');
    return user;
  }

  private view(u: UserRecord, changedAt: number | null): AgentState {
    const hold = this.holds.get(u.id);
    return {
      id: u.id,
      username: u.username,
      displayName: u.displayName,
      role: u.role,
      skills: u.skills,
      status: u.status,
      statusChangedAt: changedAt,
      callId: hold?.callId ?? null,
      deadline: hold?.deadline ?? null,
    };
  }

  private offerView(w: Waiting): AgentOffer | null {
    if (!w.offer) return null;
    return {
      callId: w.call.callId,
      agentId: w.offer.agentId,
      offeredAt: w.offer.offeredAt,
      expiresAt: w.offer.expiresAt,
      context: w.context,
    };
  }
}

function plainFields(fields: ContactFields): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[key] = value;
    else if (Array.isArray(value)) out[key] = value.join(', ');
  }
  return out;
}
