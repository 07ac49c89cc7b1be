/**
 * Mute, hold and DTMF for a call another seat holds (issue 16 §3): an agent on seat B works a
 * call whose customer leg, mix and recording live on seat A. The command goes through the store,
 * never over SIP between the seats:
 *
 * - `send`, on the desk's seat: writes the command `pending` (schema 14, seat_commands; the
 *   change feed's `commands` topic wakes seat A, the notification carries nothing) and waits for
 *   the row to finish, woken by the same topic and re-reading the row every `pollMs` behind it.
 *   Done: its result; failed: a SeatLinkError with the code and reason seat A wrote.
 * - The executor, on the call's seat: on each wake-up (and every `executorPollMs`, since a
 *   notification can be lost and a row cannot) it claims its pending commands (pending →
 *   running, so a command is carried out once) and runs them on the live call, in order per call
 *   (a hold and its resume never swap), then finishes each `done` or `failed` with the reason.
 * - A seat that died never claims: after `claimTimeoutMs` the sender fails the row itself
 *   (pending → failed, so a late claim cannot run it any more) and reports the seat as
 *   unreachable. A claimed command that reports nothing within `resultTimeoutMs` fails too. A
 *   command never hangs.
 *
 * Mute is carried out on the call's seat as well: the agent's voice reaches the customer, the
 * supervisor and the recording through the call's mix there (the seat leg's audio takes the
 * local microphone's place), so the agent's gain on seat A is their microphone, with the same
 * `agent_muted` / `agent_unmuted` events as at a desk on that seat.
 */
import type { Logger } from '../log.js';
import type { ChangeTopic } from '../store/change-feed.js';
import type {
  JsonObject,
  SeatCommandErrorCode,
  SeatCommandKind,
  SeatCommandRecord,
  SeatCommandRepository,
} from '../store/types.js';
import { SeatLinkError } from './seat-link.js';

export type RelayedCommand =
  | { kind: 'mute'; muted: boolean }
  | { kind: 'hold'; hold: boolean }
  | { kind: 'dtmf'; digits: string; transport: 'rfc4733' | 'info' };

/** What the executor needs of a live call (telephony's CallSession). */
export interface RelayCall {
  readonly isUp: boolean;
  muteAgent(muted: boolean): Promise<void>;
  hold(hold: boolean): Promise<boolean>;
  sendDtmf(tones: string, transport: 'rfc4733' | 'info'): Promise<void>;
}

export interface CommandRelayOptions {
  store: {
    seatCommands: SeatCommandRepository;
    seats: { liveCallSeat(callId: string): Promise<string | null> };
    listen(topic: ChangeTopic, onWake: () => void): () => void;
  };
  seatId: string;
  /** A call this seat holds, or undefined (telephony.get). */
  call(callId: string): RelayCall | undefined;
  log: Logger;
  /** How long a pending command waits for the call's seat to take it (default 5 s). */
  claimTimeoutMs?: number;
  /** How long a taken command may run before the sender stops waiting (default 15 s). */
  resultTimeoutMs?: number;
  /** The sender re-reads its row this often without a wake-up (default 250 ms). */
  pollMs?: number;
  /** The executor looks for pending commands this often without a wake-up (default 1 s). */
  executorPollMs?: number;
  /** How long `stop` waits for commands under way (default 2 s). */
  stopWaitMs?: number;
  now?: () => number;
}

const CLAIM_TIMEOUT_MS = 5_000;
const RESULT_TIMEOUT_MS = 15_000;
/** Finished commands are kept this long (a trace for whoever looks), then deleted. */
const KEEP_FINISHED_MS = 60 * 60_000;
const PRUNE_EVERY_MS = 10 * 60_000;
/** How long `stop` waits for commands under way. */
const STOP_WAIT_MS = 2_000;

const ERROR_CODES: readonly SeatCommandErrorCode[] = ['NOT_FOUND', 'CONFLICT', 'UNAVAILABLE'];

export class SeatCommandRelay {
  private readonly now: () => number;
  private readonly stops: Array<() => void> = [];
  /** Senders waiting for a row to change: woken together by the `commands` topic. */
  private readonly waiters = new Set<() => void>();
  /** Per call, the tail of its commands' chain on this (the call's) seat. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Commands this seat took and runs now (a drain during a run does not take them again). */
  private readonly running = new Set<number>();
  private draining: Promise<void> = Promise.resolve();
  private drainPending = false;
  private closed = false;

  constructor(private readonly options: CommandRelayOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    const { store } = this.options;
    this.stops.push(
      store.listen('commands', () => {
        for (const wake of [...this.waiters]) wake();
        this.drain();
      }),
    );
    const poll = setInterval(() => this.drain(), this.options.executorPollMs ?? 1000);
    const prune = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.stops.push(
      () => clearInterval(poll),
      () => clearInterval(prune),
    );
    void this.prune();
    this.drain();
  }

  async stop(): Promise<void> {
    this.closed = true;
    for (const stop of this.stops.splice(0)) stop();
    for (const wake of [...this.waiters]) wake();
    await this.draining.catch(() => undefined);
    // Commands under way finish (their senders get the result), but a stuck one never holds
    // the engine's stop: the sender's own deadline fails it.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled([...this.chains.values()]),
      new Promise(
        (resolve) => (timer = setTimeout(resolve, this.options.stopWaitMs ?? STOP_WAIT_MS)),
      ),
    ]);
    clearTimeout(timer);
  }

  /**
   * On the desk's seat: has the seat holding `callId` carry out `command`; resolves with its
   * result, or throws a SeatLinkError (NOT_FOUND: no such live call; CONFLICT: refused there, as
   * on that seat's own desk; UNAVAILABLE: that seat did not take it or failed to carry it out).
   */
  async send(callId: string, command: RelayedCommand, userId: number | null): Promise<JsonObject> {
    const { store, seatId } = this.options;
    if (this.closed) throw new SeatLinkError('UNAVAILABLE', 'This seat is stopping');
    const callSeat = await store.seats.liveCallSeat(callId);
    if (!callSeat || callSeat === seatId)
      throw new SeatLinkError('NOT_FOUND', `No live call ${callId} on this seat or another`);
    const { kind, ...args } = command;
    const sent = await store.seatCommands.add({
      callId,
      callSeat,
      fromSeat: seatId,
      userId,
      kind,
      args,
    });
    return this.await(sent, callSeat);
  }

  // -------------------------------------------------------------------------------------------

  private async await(sent: SeatCommandRecord, callSeat: string): Promise<JsonObject> {
    const { store } = this.options;
    const claimTimeoutMs = this.options.claimTimeoutMs ?? CLAIM_TIMEOUT_MS;
    const resultTimeoutMs = this.options.resultTimeoutMs ?? RESULT_TIMEOUT_MS;
    const what = `${describe(sent.kind, sent.args)} for call ${sent.callId}`;
    const sentAt = this.now();
    let runningSince: number | null = null;
    for (;;) {
      const row = await store.seatCommands.get(sent.id);
      if (!row) throw new SeatLinkError('NOT_FOUND', `The ${what} is gone (the call was erased)`);
      if (row.state === 'done') return row.result ?? {};
      if (row.state === 'failed')
        throw new SeatLinkError(
          row.errorCode ?? 'UNAVAILABLE',
          row.error ?? `Seat "${callSeat}" could not carry out the ${what}`,
        );
      const at = this.now();
      if (row.state === 'pending' && at - sentAt >= claimTimeoutMs) {
        const reason = `Seat "${callSeat}", which holds call ${sent.callId}, did not take the ${what} within ${claimTimeoutMs / 1000} s: that seat may have stopped (its calls are closed when its leases expire)`;
        if (
          await store.seatCommands.finish(sent.id, ['pending'], {
            state: 'failed',
            errorCode: 'UNAVAILABLE',
            error: reason,
          })
        )
          throw new SeatLinkError('UNAVAILABLE', reason);
        continue; // Taken just now: wait for its result.
      }
      if (row.state === 'running') {
        runningSince ??= at;
        if (at - runningSince >= resultTimeoutMs) {
          const reason = `Seat "${callSeat}" took the ${what} but reported no result within ${resultTimeoutMs / 1000} s; it may or may not have been carried out`;
          if (
            await store.seatCommands.finish(sent.id, ['running'], {
              state: 'failed',
              errorCode: 'UNAVAILABLE',
              error: reason,
            })
          )
            throw new SeatLinkError('UNAVAILABLE', reason);
          continue;
        }
      }
      if (this.closed) throw new SeatLinkError('UNAVAILABLE', 'This seat is stopping');
      await this.nap(this.options.pollMs ?? 250);
    }
  }

  /** Sleeps until a wake-up on the `commands` topic or `ms`, whichever comes first. */
  private nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /** On the call's seat: takes this seat's pending commands (serialized; wake-ups fold). */
  private drain(): void {
    if (this.closed || this.drainPending) return;
    this.drainPending = true;
    this.draining = this.draining
      .then(async () => {
        this.drainPending = false;
        const pending = await this.options.store.seatCommands.pendingFor(this.options.seatId);
        for (const command of pending) {
          if (this.closed) return;
          if (this.running.has(command.id)) continue;
          this.running.add(command.id);
          const previous = this.chains.get(command.callId) ?? Promise.resolve();
          const next = previous
            .then(() => this.carryOut(command))
            .finally(() => {
              this.running.delete(command.id);
              if (this.chains.get(command.callId) === next) this.chains.delete(command.callId);
            });
          this.chains.set(command.callId, next);
        }
      })
      .catch((error: unknown) => {
        this.drainPending = false;
        this.options.log.error('Reading commands from other seats failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      });
  }

  /** Claims one command and runs it on the live call; the row says how it went. */
  private async carryOut(command: SeatCommandRecord): Promise<void> {
    const { store, log } = this.options;
    try {
      if (!(await store.seatCommands.claim(command.id))) return; // The sender gave up on it.
      let outcome:
        | { state: 'done'; result: JsonObject }
        | { state: 'failed'; errorCode: SeatCommandErrorCode; error: string };
      try {
        outcome = { state: 'done', result: await this.run(command) };
      } catch (error) {
        outcome = {
          state: 'failed',
          errorCode: errorCodeOf(error),
          error: error instanceof Error ? error.message : String(error),
        };
      }
      await store.seatCommands.finish(command.id, ['running'], outcome);
    } catch (error) {
      log.error('A command from another seat could not be carried out', {
        callId: command.callId,
        kind: command.kind,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private async run(command: SeatCommandRecord): Promise<JsonObject> {
    const call = this.options.call(command.callId);
    if (!call)
      throw new SeatLinkError(
        'NOT_FOUND',
        `Call ${command.callId} is not live on seat "${this.options.seatId}" any more`,
      );
    if (!call.isUp)
      throw new SeatLinkError(
        'CONFLICT',
        `Call ${command.callId} is not up (not answered yet, or already ended)`,
      );
    const args = command.args ?? {};
    switch (command.kind) {
      case 'mute': {
        const muted = args.muted === true;
        await call.muteAgent(muted);
        return { muted };
      }
      case 'hold':
        return { done: await call.hold(args.hold === true) };
      case 'dtmf': {
        const digits = typeof args.digits === 'string' ? args.digits : '';
        if (!/^[0-9A-D*#]{1,32}$/.test(digits))
          throw new SeatLinkError('CONFLICT', `The DTMF digits "${digits}" are not 0-9, *, #, A-D`);
        await call.sendDtmf(digits, args.transport === 'info' ? 'info' : 'rfc4733');
        return {};
      }
    }
  }

  private async prune(): Promise<void> {
    try {
      await this.options.store.seatCommands.prune(this.now() - KEEP_FINISHED_MS);
    } catch (error) {
      this.options.log.warn('Deleting old commands between seats failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

function describe(kind: SeatCommandKind, args: JsonObject | null): string {
  switch (kind) {
    case 'mute':
      return args?.muted === false ? 'unmute' : 'mute';
    case 'hold':
      return args?.hold === false ? 'resume (unhold)' : 'hold';
    case 'dtmf':
      return 'DTMF';
  }
}

/**
 * The API code a failure becomes: a code the error carries (SeatLinkError, telephony's errors,
 * the media host's NO_SUCH_CALL), "has no agent" / "not up" refusals as CONFLICT, else UNAVAILABLE.
 */
function errorCodeOf(error: unknown): SeatCommandErrorCode {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code))
    return code as SeatCommandErrorCode;
  if (code === 'NO_SUCH_CALL') return 'NOT_FOUND';
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'CallNotUpError') return 'CONFLICT';
  if (error instanceof Error && /has no agent on it/.test(error.message)) return 'CONFLICT';
  return 'UNAVAILABLE';
}
