/**
 * Records and the repository for agents and supervisors on other seats (schema 13): where each
 * seat's line is, which seat an agent signed on at, and the seat legs (an agent's offer and
 * take-over, a supervisor's listen, whisper or barge) that two seats work on together. Kept apart
 * from types.ts like routing-types.ts; types.ts re-exports it.
 */
import type { JsonObject } from './types.js';

export type SeatLegRole = 'agent' | 'supervisor';
/**
 * offered: the call's seat offers the call to an agent on another seat (supervisor legs skip it);
 * accepted: the person's seat is ready to answer the leg; connected: the call's seat bridged it;
 * ended: over (declined, expired, left, hung up, or the call ended), `detail` says why.
 */
export type SeatLegState = 'offered' | 'accepted' | 'connected' | 'ended';
export type SeatLegMode = 'listen' | 'whisper' | 'barge';

export interface SeatLegRecord {
  callId: string;
  role: SeatLegRole;
  /** The seat that holds the call (its media host makes the mix). */
  callSeat: string;
  /** The seat the agent or supervisor sits at (its media host answers the leg). */
  userSeat: string;
  userId: number;
  state: SeatLegState;
  /** A supervisor's mode; null for an agent. */
  mode: SeatLegMode | null;
  /** The offer card (an agent's offer), dropped when the leg ends. */
  context: JsonObject | null;
  expiresAt: number | null;
  detail: string | null;
  changedAt: number;
}

export type NewSeatLeg = Omit<SeatLegRecord, 'changedAt'>;

/**
 * A later part of a call's recording (schema 15): after a REFER moved the call to another seat,
 * that seat records the rest. Part 1 is the call's row in `recordings`; parts here are 2, 3, …
 */
export interface RecordingPartRecord {
  callId: string;
  part: number;
  /** The seat that made it (its recordings folder holds `path`). */
  seatId: string | null;
  /** Path relative to the data directory of the seat that made it. */
  path: string;
  channels: number;
  sampleRate: number;
  durationMs: number;
  bytes: number;
  /** When the part's audio starts (epoch ms). */
  startedAt: number;
  createdAt: number;
}

export interface SeatRepository {
  /** This seat's line on the PBX (a SIP URI), written when its media host registers it. */
  setLine(seatId: string, uri: string): Promise<void>;
  line(seatId: string): Promise<string | null>;
  /** The seat an agent signs on at (null when they sign off). NOT_FOUND without such a user. */
  setUserSeat(userId: number, seatId: string | null): Promise<void>;
  userSeats(): Promise<Array<{ id: number; seatId: string | null }>>;
  /** Writes the leg of (callId, role), replacing one there was (a new offer of the same call). */
  putLeg(leg: NewSeatLeg): Promise<void>;
  /**
   * Moves a leg to `to` only when it is in one of `from` (so two seats never both win a race);
   * true when it moved. Ending a leg drops its context.
   */
  moveLeg(
    callId: string,
    role: SeatLegRole,
    to: SeatLegState,
    options: { from: readonly SeatLegState[]; mode?: SeatLegMode; detail?: string },
  ): Promise<boolean>;
  leg(callId: string, role: SeatLegRole): Promise<SeatLegRecord | null>;
  /** The seat that holds a live call (not ended), or null (no such live call, or no seat). */
  liveCallSeat(callId: string): Promise<string | null>;
  /** Legs this seat takes part in (either end): every open one, and those ended since `sinceMs`. */
  legsOf(seatId: string, sinceMs: number): Promise<SeatLegRecord[]>;
  /**
   * A REFER moved a live call from seat `from` to seat `to` (schema 15): the call's seat and its
   * campaign lease (owner) follow, in one transaction, so `to`'s heartbeat renews the lease and
   * `to`'s dialer settles it. False when the call is not live on `from`.
   */
  moveCall(callId: string, from: string, to: string): Promise<boolean>;
  /** Stores a later part of a call's recording (2, 3, …: the next free number). */
  addRecordingPart(
    part: Omit<RecordingPartRecord, 'part' | 'createdAt'>,
  ): Promise<RecordingPartRecord>;
  /** A call's later recording parts, in order (none for a call that stayed on one seat). */
  recordingParts(callId: string): Promise<RecordingPartRecord[]>;
}
