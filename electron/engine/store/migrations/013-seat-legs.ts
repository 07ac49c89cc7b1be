/**
 * Schema 13: agents and supervisors on other seats (issue 16 §3). Written once for both backends
 * (portable.ts).
 *
 * - users gain `seat_id`: the seat (engine) an agent signed on at, so routing on any seat knows
 *   where an offered agent sits. NULL when signed off or never seen since.
 * - seat_lines: each seat's line on the PBX, the SIP address other seats call to reach its agents
 *   and supervisors (one row per seat, rewritten when its media host registers).
 * - seat_legs: a person on another seat joining a call: an agent's offer and take-over, or a
 *   supervisor listening, whispering or barging. One row per call and role, written by either end
 *   (the call's seat offers and connects, the person's seat accepts, changes the mode, leaves);
 *   seats are woken through the change feed and re-read the rows. `context` is the offer card
 *   (personal data: dropped when the leg ends; the row goes with its call on erasure).
 */
import { portable } from './portable.js';

export const seatLegs = {
  version: 13,
  name: 'seat legs: agents and supervisors on other seats, each seat line',
  ...portable(
    (d) => `
ALTER TABLE users ADD COLUMN seat_id TEXT CHECK (seat_id IS NULL OR length(seat_id) BETWEEN 1 AND 100);
CREATE TABLE seat_lines (
  seat_id    TEXT PRIMARY KEY CHECK (length(seat_id) BETWEEN 1 AND 100),
  uri        TEXT NOT NULL CHECK (length(uri) BETWEEN 5 AND 300),
  updated_at ${d.integer} NOT NULL
)${d.strict};
CREATE TABLE seat_legs (
  call_id    TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  role       TEXT NOT NULL CHECK (role IN ('agent', 'supervisor')),
  call_seat  TEXT NOT NULL CHECK (length(call_seat) BETWEEN 1 AND 100),
  user_seat  TEXT NOT NULL CHECK (length(user_seat) BETWEEN 1 AND 100),
  user_id    ${d.integer} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  state      TEXT NOT NULL CHECK (state IN ('offered', 'accepted', 'connected', 'ended')),
  mode       TEXT CHECK (mode IS NULL OR mode IN ('listen', 'whisper', 'barge')),
  context    TEXT CHECK (context IS NULL OR (${d.jsonObject('context')})),
  expires_at ${d.integer},
  detail     TEXT,
  changed_at ${d.integer} NOT NULL,
  PRIMARY KEY (call_id, role)
)${d.strict};
CREATE INDEX seat_legs_by_user_seat ON seat_legs (user_seat) WHERE state <> 'ended';
CREATE INDEX seat_legs_by_call_seat ON seat_legs (call_seat) WHERE state <> 'ended';
`,
  ),
};
