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
}
