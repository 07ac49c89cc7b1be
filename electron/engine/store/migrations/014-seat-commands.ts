/**
 * Schema 14: commands for a call another seat holds (issue 16 §3): an agent on seat B mutes,
 * holds or sends DTMF on a call seat A holds. Written once for both backends (portable.ts).
 *
 * - seat_commands: one row per command. The agent's seat writes it `pending` (and wakes the
 *   call's seat on the change feed's `commands` topic; the notification carries nothing), the
 *   call's seat claims it (`running`) and finishes it `done` with its result or `failed` with a
 *   reason; the agent's seat reads the row back. A command nobody claims in time is failed by
 *   the seat that sent it (pending → failed, so a late claim cannot run it). `args` (DTMF digits)
 *   is dropped when the command finishes; the row goes with its call (ON DELETE CASCADE).
 */
import { portable } from './portable.js';

export const seatCommands = {
  version: 14,
  name: 'seat commands: mute, hold and DTMF for a call another seat holds',
  ...portable(
    (d) => `
CREATE TABLE seat_commands (
  id          ${d.id},
  call_id     TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  call_seat   TEXT NOT NULL CHECK (length(call_seat) BETWEEN 1 AND 100),
  from_seat   TEXT NOT NULL CHECK (length(from_seat) BETWEEN 1 AND 100),
  user_id     ${d.integer} REFERENCES users (id) ON DELETE SET NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('mute', 'hold', 'dtmf')),
  args        TEXT CHECK (args IS NULL OR (${d.jsonObject('args')})),
  state       TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
  result      TEXT CHECK (result IS NULL OR (${d.jsonObject('result')})),
  error_code  TEXT CHECK (error_code IS NULL OR error_code IN ('NOT_FOUND', 'CONFLICT', 'UNAVAILABLE')),
  error       TEXT CHECK (error IS NULL OR length(error) <= 1000),
  created_at  ${d.integer} NOT NULL,
  changed_at  ${d.integer} NOT NULL
)${d.strict};
CREATE INDEX seat_commands_pending ON seat_commands (call_seat, id) WHERE state IN ('pending', 'running');
CREATE INDEX seat_commands_by_call ON seat_commands (call_id);
`,
  ),
};
