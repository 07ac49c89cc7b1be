/**
 * Records and the repository for commands on a call another seat holds (schema 14): an agent's
 * mute, hold and DTMF written by their seat, carried out by the seat that holds the call, the
 * result read back (seats/command-relay.ts). Kept apart from types.ts like seat-types.ts.
 */
import type { JsonObject } from './types.js';

export type SeatCommandKind = 'mute' | 'hold' | 'dtmf';
/** pending: written, nobody took it yet; running: the call's seat took it; done / failed: over. */
export type SeatCommandState = 'pending' | 'running' | 'done' | 'failed';
/** The API error a failed command becomes on the seat that sent it. */
export type SeatCommandErrorCode = 'NOT_FOUND' | 'CONFLICT' | 'UNAVAILABLE';

export interface SeatCommandRecord {
  id: number;
  callId: string;
  /** The seat that holds the call and carries the command out. */
  callSeat: string;
  /** The seat the command came from (the agent's desk). */
  fromSeat: string;
  userId: number | null;
  kind: SeatCommandKind;
  /** What to do (mute: {muted}; hold: {hold}; dtmf: {digits, transport}); null once finished. */
  args: JsonObject | null;
  state: SeatCommandState;
  /** A done command's result (hold: {done}; mute: {muted}). */
  result: JsonObject | null;
  errorCode: SeatCommandErrorCode | null;
  error: string | null;
  createdAt: number;
  changedAt: number;
}

export interface NewSeatCommand {
  callId: string;
  callSeat: string;
  fromSeat: string;
  userId: number | null;
  kind: SeatCommandKind;
  args: JsonObject;
}

export interface SeatCommandRepository {
  /** Writes a pending command and wakes the call's seat (the `commands` topic). */
  add(command: NewSeatCommand): Promise<SeatCommandRecord>;
  get(id: number): Promise<SeatCommandRecord | null>;
  /** Pending commands for a seat's calls, oldest first. */
  pendingFor(callSeat: string): Promise<SeatCommandRecord[]>;
  /** pending → running, only when still pending (so a command the sender gave up on never runs). */
  claim(id: number): Promise<boolean>;
  /**
   * Finishes a command from one of `from` (running for its executor, pending for a sender that
   * gives up): done with a result, or failed with a code and reason. Drops its args. True when
   * it moved.
   */
  finish(
    id: number,
    from: readonly SeatCommandState[],
    outcome:
      | { state: 'done'; result: JsonObject }
      | { state: 'failed'; errorCode: SeatCommandErrorCode; error: string },
  ): Promise<boolean>;
  /** Deletes finished commands last changed before `beforeMs`; returns how many. */
  prune(beforeMs: number): Promise<number>;
}
