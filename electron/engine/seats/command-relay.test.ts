/**
 * The command relay between seats (command-relay.ts) with an in-memory store: two relays (the
 * agent's seat B, the call's seat A) share the fake seat_commands table and change feed. The real
 * repository runs on both backends in store/repositories/seat-commands.test.ts, and the whole
 * path over the bed in test/e2e/seats-transfer.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';

import type { Logger } from '../log.js';
import type { ChangeTopic } from '../store/change-feed.js';
import type {
  NewSeatCommand,
  SeatCommandRecord,
  SeatCommandRepository,
  SeatCommandState,
} from '../store/types.js';
import { type RelayCall, SeatCommandRelay } from './command-relay.js';
import { SeatLinkError } from './seat-link.js';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** seat_commands and the change feed in memory, with the repository's state rules. */
class FakeStore {
  readonly rows = new Map<number, SeatCommandRecord>();
  readonly liveCalls = new Map<string, string>();
  private readonly handlers = new Set<() => void>();
  private nextId = 1;
  /** False: notifications are lost (the polls must carry everything). */
  notifications = true;

  readonly seats = {
    liveCallSeat: (callId: string): Promise<string | null> =>
      Promise.resolve(this.liveCalls.get(callId) ?? null),
  };

  readonly seatCommands: SeatCommandRepository = {
    add: (command: NewSeatCommand) => {
      const row: SeatCommandRecord = {
        ...command,
        id: this.nextId++,
        state: 'pending',
        result: null,
        errorCode: null,
        error: null,
        createdAt: Date.now(),
        changedAt: Date.now(),
      };
      this.rows.set(row.id, row);
      this.notify();
      return Promise.resolve({ ...row });
    },
    get: (id) => {
      const row = this.rows.get(id);
      return Promise.resolve(row ? { ...row } : null);
    },
    pendingFor: (seat) =>
      Promise.resolve(
        [...this.rows.values()]
          .filter((r) => r.callSeat === seat && r.state === 'pending')
          .map((r) => ({ ...r })),
      ),
    claim: (id) => Promise.resolve(this.move(id, ['pending'], { state: 'running' })),
    finish: (id, from, outcome) => {
      const moved = this.move(id, from, {
        state: outcome.state,
        args: null,
        result: outcome.state === 'done' ? outcome.result : null,
        errorCode: outcome.state === 'failed' ? outcome.errorCode : null,
        error: outcome.state === 'failed' ? outcome.error : null,
      });
      if (moved) this.notify();
      return Promise.resolve(moved);
    },
    prune: () => Promise.resolve(0),
  };

  listen = (topic: ChangeTopic, onWake: () => void): (() => void) => {
    if (topic !== 'commands') return () => undefined;
    this.handlers.add(onWake);
    return () => this.handlers.delete(onWake);
  };

  private move(
    id: number,
    from: readonly SeatCommandState[],
    changes: Partial<SeatCommandRecord>,
  ): boolean {
    const row = this.rows.get(id);
    if (!row || !from.includes(row.state)) return false;
    Object.assign(row, changes, { changedAt: Date.now() });
    return true;
  }

  private notify(): void {
    if (!this.notifications) return;
    // After the "commit", like NOTIFY: never inside the writer's call.
    setTimeout(() => {
      for (const handler of [...this.handlers]) handler();
    }, 1);
  }
}

/** A live call on seat A that records what it was asked. */
class FakeCall implements RelayCall {
  isUp = true;
  readonly did: string[] = [];
  failWith: Error | null = null;
  /** Set: hold() waits for it (a media host that never answers). */
  stall: Promise<void> | null = null;

  async muteAgent(muted: boolean): Promise<void> {
    await this.step(muted ? 'mute' : 'unmute');
  }
  async hold(hold: boolean): Promise<boolean> {
    if (this.stall) await this.stall;
    await this.step(hold ? 'hold' : 'unhold');
    return true;
  }
  async sendDtmf(tones: string, transport: 'rfc4733' | 'info'): Promise<void> {
    await this.step(`dtmf ${tones} ${transport}`);
  }
  private async step(what: string): Promise<void> {
    await new Promise((r) => setTimeout(r, 5));
    if (this.failWith) throw this.failWith;
    this.did.push(what);
  }
}

const relays: SeatCommandRelay[] = [];
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.stop()));
});

function relay(
  store: FakeStore,
  seatId: string,
  calls: Map<string, FakeCall> = new Map(),
  options: Partial<ConstructorParameters<typeof SeatCommandRelay>[0]> = {},
): SeatCommandRelay {
  const made = new SeatCommandRelay({
    store,
    seatId,
    call: (callId) => calls.get(callId),
    log: quiet,
    ...options,
  });
  made.start();
  relays.push(made);
  return made;
}

async function refusal(work: Promise<unknown>): Promise<SeatLinkError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SeatLinkError);
  return error as SeatLinkError;
}

describe('the command relay between seats', () => {
  it('carries out hold, resume, DTMF and mute from seat B on the call seat A holds, and returns each result', async () => {
    const store = new FakeStore();
    store.liveCalls.set('c1', 'seat-a');
    const call = new FakeCall();
    relay(store, 'seat-a', new Map([['c1', call]]));
    const b = relay(store, 'seat-b');
    const started = Date.now();
    expect(await b.send('c1', { kind: 'hold', hold: true }, 7)).toEqual({ done: true });
    expect(await b.send('c1', { kind: 'hold', hold: false }, 7)).toEqual({ done: true });
    expect(await b.send('c1', { kind: 'dtmf', digits: '1#', transport: 'rfc4733' }, 7)).toEqual({});
    expect(await b.send('c1', { kind: 'mute', muted: true }, 7)).toEqual({ muted: true });
    expect(call.did).toEqual(['hold', 'unhold', 'dtmf 1# rfc4733', 'mute']);
    // Woken by the change feed, not by the polls (1 s on the call's seat).
    expect(Date.now() - started).toBeLessThan(800);
    const rows = [...store.rows.values()];
    expect(rows.map((r) => [r.state, r.userId, r.fromSeat, r.args])).toEqual([
      ['done', 7, 'seat-b', null],
      ['done', 7, 'seat-b', null],
      ['done', 7, 'seat-b', null],
      ['done', 7, 'seat-b', null],
    ]);
  });

  it('runs one call’s commands in the order they were sent', async () => {
    const store = new FakeStore();
    store.liveCalls.set('c1', 'seat-a');
    const call = new FakeCall();
    relay(store, 'seat-a', new Map([['c1', call]]));
    const b = relay(store, 'seat-b');
    await Promise.all([
      b.send('c1', { kind: 'hold', hold: true }, null),
      b.send('c1', { kind: 'hold', hold: false }, null),
      b.send('c1', { kind: 'dtmf', digits: '5', transport: 'info' }, null),
    ]);
    expect(call.did).toEqual(['hold', 'unhold', 'dtmf 5 info']);
  });

  it('still works when every notification is lost (the rows are re-read)', async () => {
    const store = new FakeStore();
    store.notifications = false;
    store.liveCalls.set('c1', 'seat-a');
    const call = new FakeCall();
    relay(store, 'seat-a', new Map([['c1', call]]), { executorPollMs: 50 });
    const b = relay(store, 'seat-b', new Map(), { pollMs: 20 });
    expect(await b.send('c1', { kind: 'hold', hold: true }, null)).toEqual({ done: true });
    expect(call.did).toEqual(['hold']);
  });

  it('fails cleanly when the seat holding the call is dead: UNAVAILABLE naming the seat, and the command can never run later', async () => {
    const store = new FakeStore();
    store.liveCalls.set('c1', 'seat-a');
    const b = relay(store, 'seat-b', new Map(), { claimTimeoutMs: 300, pollMs: 20 });
    const started = Date.now();
    const error = await refusal(b.send('c1', { kind: 'hold', hold: true }, 7));
    const tookMs = Date.now() - started;
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toMatch(/Seat "seat-a", which holds call c1, did not take the hold/);
    expect(error.message).toMatch(/may have stopped/);
    expect(tookMs).toBeGreaterThanOrEqual(290);
    expect(tookMs).toBeLessThan(2000);
    expect([...store.rows.values()][0]).toMatchObject({
      state: 'failed',
      errorCode: 'UNAVAILABLE',
    });
    // Seat A comes back (or was only slow): the failed command is not carried out.
    const call = new FakeCall();
    relay(store, 'seat-a', new Map([['c1', call]]), { executorPollMs: 20 });
    await new Promise((r) => setTimeout(r, 150));
    expect(call.did).toEqual([]);
  });

  it('stops waiting for a command the call seat took but never finished (its media host hangs)', async () => {
    const store = new FakeStore();
    store.liveCalls.set('c1', 'seat-a');
    const call = new FakeCall();
    call.stall = new Promise(() => undefined);
    relay(store, 'seat-a', new Map([['c1', call]]), { stopWaitMs: 50 });
    const b = relay(store, 'seat-b', new Map(), { resultTimeoutMs: 300, pollMs: 20 });
    const error = await refusal(b.send('c1', { kind: 'hold', hold: true }, null));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toMatch(/took the hold for call c1 but reported no result/);
  });

  it('reports the call seat’s refusals with their reason: not live there, not up, no agent, a media host failure', async () => {
    const store = new FakeStore();
    for (const id of ['gone', 'ringing', 'bot', 'broken']) store.liveCalls.set(id, 'seat-a');
    const ringing = new FakeCall();
    ringing.isUp = false;
    const bot = new FakeCall();
    bot.failWith = new Error('Call bot has no agent on it');
    const broken = new FakeCall();
    broken.failWith = Object.assign(new Error('the media host is not connected'), {
      name: 'MediaHostUnavailableError',
    });
    relay(
      store,
      'seat-a',
      new Map([
        ['ringing', ringing],
        ['bot', bot],
        ['broken', broken],
      ]),
    );
    const b = relay(store, 'seat-b');
    const gone = await refusal(b.send('gone', { kind: 'mute', muted: true }, null));
    expect([gone.code, gone.message]).toEqual([
      'NOT_FOUND',
      'Call gone is not live on seat "seat-a" any more',
    ]);
    const notUp = await refusal(b.send('ringing', { kind: 'hold', hold: true }, null));
    expect(notUp.code).toBe('CONFLICT');
    expect(notUp.message).toMatch(/not up/);
    const noAgent = await refusal(b.send('bot', { kind: 'mute', muted: true }, null));
    expect([noAgent.code, noAgent.message]).toEqual(['CONFLICT', 'Call bot has no agent on it']);
    const failed = await refusal(
      b.send('broken', { kind: 'dtmf', digits: '1', transport: 'rfc4733' }, null),
    );
    expect([failed.code, failed.message]).toEqual([
      'UNAVAILABLE',
      'the media host is not connected',
    ]);
  });

  it('refuses at once a call that is live on no seat, or on its own seat (which runs it itself)', async () => {
    const store = new FakeStore();
    store.liveCalls.set('mine', 'seat-b');
    const b = relay(store, 'seat-b');
    for (const id of ['nowhere', 'mine']) {
      const error = await refusal(b.send(id, { kind: 'hold', hold: true }, null));
      expect(error.code).toBe('NOT_FOUND');
    }
    expect(store.rows.size).toBe(0);
  });
});
