/**
 * RoutingService on a real SQLite store, with fake timers for the offer and wait windows: offers
 * go to the longest-idle agent with the queue's skills, move on when they expire or are declined,
 * the queue's fallback is stored when nobody takes the call, and the wrap-up closes the call.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { EventData, EventName } from '../api/contract.js';
import { silentLogger } from '../log.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { useTestStores } from '../store/testing/temp.js';
import type { JsonObject } from '../store/types.js';
import { AgentTransitionError } from './agent-states.js';
import { RoutingAgentCapacity } from './dialer-capacity.js';
import {
  RoutingError,
  RoutingService,
  type TransferCall,
  type TransferInfo,
  type TransferResult,
} from './routing-service.js';

const openStore = useTestStores();

interface Emitted {
  event: EventName;
  data: unknown;
}

let store: SqliteStore;
let emitted: Emitted[];
let routing: RoutingService;
let wrapUpMs: number;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(new Date('2026-11-27T10:00:00Z'));
  store = await openStore();
  emitted = [];
  wrapUpMs = 30_000;
  routing = new RoutingService({
    store,
    log: silentLogger,
    emit: <E extends EventName>(event: E, data: EventData<E>) => emitted.push({ event, data }),
    wrapUpMs: async () => wrapUpMs,
    fallbackCallbackDelayMs: 3_600_000,
  });
  await routing.start();
});

afterEach(() => {
  routing.close();
  vi.useRealTimers();
});

/** A call in `transferring`, as the bot leaves it; takeOver does what CallSession.agentTakeover stores. */
async function transferringCall(
  id: string,
  number = '+8613800138000',
): Promise<TransferCall & { ended: () => void; takenBy: number[] }> {
  await store.calls.create({ id, number, startedAt: Date.now(), state: 'dialing' });
  for (const state of ['answered', 'bot', 'transferring'] as const)
    await store.calls.update(id, {
      state,
      ...(state === 'answered' ? { answeredAt: Date.now() } : {}),
    });
  let up = true;
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const takenBy: number[] = [];
  return {
    callId: id,
    number,
    get isUp() {
      return up;
    },
    whenEnded: () => ended,
    note: (type: string, data: JsonObject) =>
      void store.calls.appendEvent(id, { at: Date.now(), type, data }),
    takeOver: async (agentId: number) => {
      takenBy.push(agentId);
      await store.calls.update(id, { state: 'agent', agentId });
    },
    ended: () => {
      up = false;
      end();
    },
    takenBy,
  };
}

const info = (fields: Record<string, unknown> = {}): TransferInfo => ({
  queue: 'default',
  reason: 'customer asked for a person',
  fields: { name: 'Ann', ...fields },
  lastIntent: 'agent',
  transcript: [{ speaker: 'customer', text: 'talk to a person', intent: 'agent', startMs: 1200 }],
});

async function agent(username: string, skills: string[] = []): Promise<number> {
  const user = await store.users.create({
    username,
    displayName: username.toUpperCase(),
    role: 'agent',
    skills,
  });
  return user.id;
}

/** Advances the fake clock, then lets the service's SQLite work finish (real time: the store's I/O is not faked). */
async function settle(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  const until = performance.now() + 150;
  while (performance.now() < until) await new Promise<void>((r) => setImmediate(r));
}

/**
 * Lets the store's work run (fake timers still) until `done` holds, then settles: on a loaded
 * machine the SQLite steps of two seats' transfers outlast settle's 150 ms (a full run at load 4
 * saw no offer yet).
 */
async function settleUntil(done: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = performance.now() + ms;
  while (!(await done())) {
    if (performance.now() > until) throw new Error(`settleUntil: not done within ${ms} ms`);
    await new Promise<void>((r) => setImmediate(r));
  }
  await settle();
}

const offers = () =>
  emitted.filter((e) => e.event === 'agent.offer').map((e) => e.data as EventData<'agent.offer'>);

describe('RoutingService', () => {
  it('previews contacts only to the agents signed on at this seat when seats share the store (their own seat previews for the others)', async () => {
    const seated = new RoutingService({
      store,
      log: silentLogger,
      emit: () => undefined,
      wrapUpMs: async () => 0,
      seat: {
        id: 'seat-a',
        expectAgentLeg: () => Promise.resolve(),
        releaseAgentLeg: () => Promise.resolve(),
      },
    });
    try {
      const here = await agent('here');
      const there = await agent('there');
      await seated.setOwnStatus(here, 'available');
      await seated.setOwnStatus(there, 'available');
      // She signed on at seat B: seat B's dialer leases and shows her contacts.
      await store.seats.setUserSeat(there, 'seat-b');
      expect(await seated.previewAgents('default')).toEqual([here]);
      // One seat (no seat option): everyone available.
      expect(await routing.previewAgents('default')).toEqual([here, there]);
    } finally {
      seated.close();
    }
  });

  it('two seats routing at once offer an available agent only one call: the reservation is one store step, and the losing seat keeps its call waiting for the next agent', async () => {
    const seat = (id: string, out: Emitted[]) =>
      new RoutingService({
        store,
        log: silentLogger,
        emit: <E extends EventName>(event: E, data: EventData<E>) => out.push({ event, data }),
        wrapUpMs: async () => 0,
        seat: {
          id,
          expectAgentLeg: () => Promise.resolve(),
          releaseAgentLeg: () => Promise.resolve(),
        },
      });
    const onA: Emitted[] = [];
    const onC: Emitted[] = [];
    const a = seat('seat-a', onA);
    const c = seat('seat-c', onC);
    try {
      await a.start();
      await c.start();
      const mei = await agent('mei');
      await store.seats.setUserSeat(mei, 'seat-b');
      await routing.setOwnStatus(mei, 'available');
      // Both seats' bots transfer in the same moment; each dispatch reads Mei as available.
      const onSeatA = await transferringCall('on-a');
      const onSeatC = await transferringCall('on-c', '+8613800138001');
      void a.transfer(onSeatA, info());
      void c.transfer(onSeatC, info());
      const offersNow = () => [...onA, ...onC].filter((e) => e.event === 'agent.offer');
      await settleUntil(() => a.waitingCount + c.waitingCount === 2 && offersNow().length > 0);
      const offered = offersNow();
      expect(offered).toHaveLength(1);
      expect(a.waitingCount + c.waitingCount).toBe(2);
      expect((await store.routing.agentStatuses()).find((s) => s.id === mei)?.status).toBe(
        'offered',
      );
      // A second agent frees up: the losing seat's call goes to her.
      const lin = await agent('lin');
      await store.seats.setUserSeat(lin, 'seat-b');
      await routing.setOwnStatus(lin, 'available');
      await Promise.all([a.syncSeats(), c.syncSeats()]); // the store's wake-up
      await settleUntil(() => offersNow().length >= 2);
      const offeredTo = [...onA, ...onC]
        .filter((e) => e.event === 'agent.offer')
        .map((e) => (e.data as EventData<'agent.offer'>).agentId)
        .sort();
      expect(offeredTo).toEqual([mei, lin].sort());
    } finally {
      a.close();
      c.close();
    }
  });

  it("routes by the stored default rules, then the flow's queue, then default", async () => {
    expect((await routing.route({ vip_level: '4' })).queue.name).toBe('priority');
    expect((await routing.route({ tags: 'complaint' })).queue.name).toBe('complaint');
    expect((await routing.route({}, 'complaint')).queue.name).toBe('complaint');
    expect((await routing.route({}, 'no-such-queue')).queue.name).toBe('default');
  });

  it('offers the call to the longest-idle agent first; an expired offer moves to the next; the accepted agent gets the call', async () => {
    const ann = await agent('ann');
    const bob = await agent('bob');
    await routing.setOwnStatus(bob, 'available');
    await settle(5000); // bob has been idle 5 s longer than ann
    await routing.setOwnStatus(ann, 'available');
    const call = await transferringCall('c1');
    let result: TransferResult | null = null;
    void routing.transfer(call, info()).then((r) => (result = r));
    await settle();
    expect(offers().map((o) => o.agentId)).toEqual([bob]);
    const first = offers()[0];
    expect(first?.expiresAt).toBe(Date.now() + 15_000);
    expect(first?.context).toMatchObject({
      contact: { name: 'Ann', phone: '+8613800138000' },
      reason: 'customer asked for a person',
      lastIntent: 'agent',
      queue: { name: 'default' },
    });
    expect((await routing.state(bob)).status).toBe('offered');

    await settle(15_000); // bob's offer expires
    expect(offers().map((o) => o.agentId)).toEqual([bob, ann]);
    expect((await routing.state(bob)).status).toBe('available');
    await expect(routing.accept('c1', bob)).rejects.toThrow(RoutingError);
    await routing.accept('c1', ann);
    await settle();
    expect(result).toEqual({ taken: true, agentId: ann, queue: 'default' });
    expect(call.takenBy).toEqual([ann]);
    expect(await routing.state(ann)).toMatchObject({ status: 'on_call', callId: 'c1' });
    const stored = await store.calls.get('c1');
    expect(stored).toMatchObject({
      state: 'agent',
      agentId: ann,
      queueId: (await store.routing.queueByName('default'))?.id,
      transferReason: 'customer asked for a person',
    });
    const types = (await store.calls.events('c1')).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'transfer_routed',
        'agent_offered',
        'offer_expired',
        'agent_accepted',
      ]),
    );
    // On a call, the agent cannot just walk away.
    await expect(routing.setOwnStatus(ann, 'away')).rejects.toThrow(AgentTransitionError);
  });

  it('auto-accepts a predictive call: the offered agent has it without a click', async () => {
    const ann = await agent('ann');
    await routing.setOwnStatus(ann, 'available');
    const call = await transferringCall('p1');
    let result: TransferResult | null = null;
    void routing.transfer(call, { ...info(), autoAccept: true }).then((r) => (result = r));
    await settle();
    expect(offers().map((o) => o.agentId)).toEqual([ann]);
    expect(result).toEqual({ taken: true, agentId: ann, queue: 'default' });
    expect(call.takenBy).toEqual([ann]);
    expect(await routing.state(ann)).toMatchObject({ status: 'on_call', callId: 'p1' });
  });

  it('a predictive transfer cancelled while routing still reads the store never enters the queue: no agent is offered it, even one available', async () => {
    const ann = await agent('ann');
    await routing.setOwnStatus(ann, 'available');
    const call = await transferringCall('p2');
    const cancel = new AbortController();
    let result: TransferResult | null = null;
    const transfer = routing
      .transfer(call, { ...info(), autoAccept: true, signal: cancel.signal })
      .then((r) => (result = r));
    // The 2 s ran out before routing had read the rules, the queue and the call.
    cancel.abort();
    await transfer;
    await settle();
    expect(result).toEqual({ taken: false, queue: 'default', fallback: null, callGone: true });
    expect(offers()).toEqual([]);
    expect(call.takenBy).toEqual([]);
    expect(routing.waitingCount).toBe(0);
    expect(await routing.state(ann)).toMatchObject({ status: 'available' });
  });

  it('a transfer cancelled while it waits in the queue leaves it at once and settles as not taken', async () => {
    const call = await transferringCall('p3');
    const cancel = new AbortController();
    let result: TransferResult | null = null;
    void routing.transfer(call, { ...info(), signal: cancel.signal }).then((r) => (result = r));
    await settle();
    expect(routing.waitingCount).toBe(1);
    expect(result).toBeNull();
    cancel.abort();
    await settle();
    expect(result).toEqual({ taken: false, queue: 'default', fallback: null, callGone: true });
    expect(routing.waitingCount).toBe(0);
    // Nobody is offered it later, and its queue's wait never gives a fallback.
    const ann = await agent('ann');
    await routing.setOwnStatus(ann, 'available');
    await settle(120_000);
    expect(offers()).toEqual([]);
  });

  it("a declined offer goes to the next agent; an agent without the queue's skills is never offered it; nobody in time → the queue's fallback, stored and counted", async () => {
    const ann = await agent('ann', ['vip']);
    const bob = await agent('bob');
    await routing.setOwnStatus(ann, 'available');
    await routing.setOwnStatus(bob, 'available');
    const call = await transferringCall('c2');
    let result: TransferResult | null = null;
    void routing.transfer(call, info({ vip_level: 5 })).then((r) => (result = r));
    await settle();
    expect(offers().map((o) => o.agentId)).toEqual([ann]); // priority queue needs "vip": bob has not
    await routing.decline('c2', ann);
    await settle();
    expect(offers()).toHaveLength(1); // nobody else has the skill
    expect((await routing.state(ann)).status).toBe('available');
    await settle(45_000); // the priority queue's wait
    expect(result).toMatchObject({
      taken: false,
      queue: 'priority',
      fallback: 'callback_offer',
      callbackAt: Date.now() + 3_600_000,
    });
    await settle();
    const fallback = (await store.calls.events('c2')).find((e) => e.type === 'transfer_fallback');
    expect(fallback?.data).toMatchObject({
      queue: 'priority',
      fallback: 'callback_offer',
      offeredTo: [ann],
    });
    expect((await store.calls.get('c2'))?.callbackAt).toBe(Date.now() + 3_600_000 - 0);
    expect(await store.routing.fallbackCounts(null)).toEqual({ callback_offer: 1 });
    expect(routing.waitingCount).toBe(0);
    void bob;
  });

  it('a voicemail queue falls back to voicemail; the call ending while it waits ends the offer', async () => {
    await store.routing.updateQueue('default', { fallback: 'voicemail', waitTimeoutMs: 2000 });
    const call = await transferringCall('c3');
    let result: TransferResult | null = null;
    void routing.transfer(call, info()).then((r) => (result = r));
    await settle();
    await settle(2000);
    expect(result).toMatchObject({ taken: false, fallback: 'voicemail', callbackAt: null });

    const ann = await agent('ann');
    await routing.setOwnStatus(ann, 'available');
    const gone = await transferringCall('c4');
    let second: TransferResult | null = null;
    void routing.transfer(gone, info()).then((r) => (second = r));
    await settle();
    expect((await routing.state(ann)).status).toBe('offered');
    gone.ended();
    await settle();
    expect(second).toMatchObject({ taken: false, callGone: true });
    expect((await routing.state(ann)).status).toBe('available');
    expect(
      emitted.some(
        (e) =>
          e.event === 'agent.offerEnded' && (e.data as { reason: string }).reason === 'call_ended',
      ),
    ).toBe(true);
  });

  it('after the call: wrap-up until the form (checked disposition, notes, callback, do-not-call), then done and available', async () => {
    const ann = await agent('ann');
    await routing.setOwnStatus(ann, 'available');
    const call = await transferringCall('c5');
    void routing.transfer(call, info());
    await settle();
    await routing.accept('c5', ann);
    await expect(
      routing.wrapUp({ callId: 'c5', disposition: 'resolved', notes: '', doNotCall: false }),
    ).rejects.toThrow(/still up/);
    // The call ends while the agent has it (what CallSession.finish stores), then routing starts the wrap-up.
    await store.calls.update('c5', {
      state: 'wrap_up',
      outcome: 'transferred',
      endedAt: Date.now(),
    });
    await routing.callEnded('c5');
    expect(await routing.state(ann)).toMatchObject({
      status: 'wrap_up',
      callId: 'c5',
      deadline: Date.now() + 30_000,
    });
    await expect(
      routing.wrapUp({ callId: 'c5', disposition: 'no_such_code', notes: '', doNotCall: false }),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMS', field: 'disposition' });
    const callbackAt = Date.now() + 86_400_000;
    // Submitted by ann's signed-in console: the audit trail names her principal.
    const annSignedIn = { userId: ann, name: 'ann', role: 'agent', source: 'ws' } as const;
    await routing.wrapUp(
      {
        callId: 'c5',
        disposition: 'follow_up',
        notes: 'Wants the new price list',
        callbackAt,
        doNotCall: true,
      },
      annSignedIn,
    );
    const stored = await store.calls.get('c5');
    expect(stored).toMatchObject({
      state: 'done',
      outcome: 'transferred',
      dispositionCode: 'follow_up',
      notes: 'Wants the new price list',
      callbackAt,
    });
    expect((await store.calls.transitions('c5')).map((t) => t.to)).toEqual([
      'dialing',
      'answered',
      'bot',
      'transferring',
      'agent',
      'wrap_up',
      'done',
    ]);
    expect(await store.dnc.has('+8613800138000')).toBe(true);
    expect((await store.dnc.list())[0]?.source).toBe('agent');
    // The wrap-up and the do-not-call it added are audited, by whoever sent the form.
    expect(
      (await store.audit.list({ actions: ['calls.wrapUp', 'dnc.add'] })).map((e) => [
        e.action,
        e.actor,
        e.actorId,
        e.subject,
      ]),
    ).toEqual([
      ['calls.wrapUp', 'ann', ann, 'c5'],
      ['dnc.add', 'ann', ann, '+8613800138000'],
    ]);
    expect(await routing.state(ann)).toMatchObject({
      status: 'available',
      callId: null,
      deadline: null,
    });
  });

  it('the wrap-up timer closes the call when the agent does not submit the form', async () => {
    wrapUpMs = 10_000;
    const ann = await agent('ann');
    await routing.setOwnStatus(ann, 'available');
    const call = await transferringCall('c6');
    void routing.transfer(call, info());
    await settle();
    await routing.accept('c6', ann);
    await store.calls.update('c6', {
      state: 'wrap_up',
      outcome: 'transferred',
      endedAt: Date.now(),
    });
    await routing.callEnded('c6');
    await settle(9_999);
    expect((await store.calls.get('c6'))?.state).toBe('wrap_up');
    await settle(1);
    expect((await store.calls.get('c6'))?.state).toBe('done');
    expect((await store.calls.events('c6')).find((e) => e.type === 'wrap_up')?.data).toMatchObject({
      reason: 'wrap-up time ran out',
    });
    // Nobody sent a form: the engine closed it, and the trail says so.
    expect((await store.audit.list({ actions: ['calls.wrapUp'] }))[0]).toMatchObject({
      actor: 'engine',
      source: 'engine',
      subject: 'c6',
      details: { agentId: ann, timedOut: true },
    });
    expect((await routing.state(ann)).status).toBe('available');
  });

  it('with no wrap-up time (0), the agent is available again as soon as the call ends', async () => {
    wrapUpMs = 0;
    const ann = await agent('ann');
    await routing.setOwnStatus(ann, 'available');
    const call = await transferringCall('c0');
    void routing.transfer(call, info());
    await settle();
    await routing.accept('c0', ann);
    expect((await routing.state(ann)).status).toBe('on_call');
    await store.calls.update('c0', {
      state: 'wrap_up',
      outcome: 'transferred',
      endedAt: Date.now(),
    });
    await routing.callEnded('c0');
    expect((await store.calls.get('c0'))?.state).toBe('done');
    expect((await routing.state(ann)).status).toBe('available');
  });

  it('gives the dialer free agents per queue (skills, minus transfers waiting) and wakes it when that changes', async () => {
    const ann = await agent('ann', ['vip']);
    const bob = await agent('bob');
    const capacity = new RoutingAgentCapacity(routing);
    let wakes = 0;
    capacity.onChange(() => wakes++);
    await capacity.refresh();
    expect([capacity.available('default'), capacity.available('priority')]).toEqual([0, 0]);
    await routing.setOwnStatus(ann, 'available');
    await routing.setOwnStatus(bob, 'available');
    await settle();
    await capacity.refresh();
    expect([
      capacity.available('default'),
      capacity.available('priority'),
      capacity.available('complaint'),
    ]).toEqual([2, 1, 0]);
    expect(wakes).toBeGreaterThan(0);
    // A transfer waiting in the default queue takes one agent off it (its offer makes that agent busy too).
    const call = await transferringCall('c7');
    void routing.transfer(call, info());
    await settle();
    await capacity.refresh();
    expect(capacity.available('default')).toBe(1);
    capacity.close();
  });
});
