/**
 * Schema 15: transfers by SIP REFER between seats (issue 16 §3). Written once for both backends
 * (portable.ts).
 *
 * - trunks gain `transfer_mode`: how a transfer to an agent on another seat goes on this trunk,
 *   `bridge` (the call's seat keeps the media and bridges a second leg to the agent's seat; the
 *   default, as before) or `refer` (the call's seat sends the customer's leg a REFER to the agent's
 *   seat line, and the agent's seat then holds the call; a refused or failed REFER falls back to
 *   the bridge for that call).
 * - recording_parts: after a REFER the agent's seat records the rest of the call. The first part
 *   stays the call's row in `recordings` (made by the call's first seat); each later part is a
 *   row here with the seat that made it and where it starts in the call, and History plays the
 *   parts as one recording. A part goes with its call.
 * - recordings gain `seat_id`: the seat that made the first part, once the call's own seat (which
 *   the recording was read from until now) may have moved on. NULL: the call's seat, as before.
 */
import { portable } from './portable.js';

export const referTransfers = {
  version: 15,
  name: 'refer transfers: a transfer mode per trunk, recording parts made by other seats',
  ...portable(
    (d) => `
ALTER TABLE recordings ADD COLUMN seat_id TEXT CHECK (seat_id IS NULL OR length(seat_id) BETWEEN 1 AND 100);
ALTER TABLE trunks ADD COLUMN transfer_mode TEXT NOT NULL DEFAULT 'bridge' CHECK (transfer_mode IN ('bridge', 'refer'));
CREATE TABLE recording_parts (
  call_id     TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  part        ${d.integer} NOT NULL CHECK (part >= 2),
  seat_id     TEXT CHECK (seat_id IS NULL OR length(seat_id) BETWEEN 1 AND 100),
  path        TEXT NOT NULL,
  channels    ${d.integer} NOT NULL CHECK (channels >= 1),
  sample_rate ${d.integer} NOT NULL CHECK (sample_rate > 0),
  duration_ms ${d.integer} NOT NULL CHECK (duration_ms >= 0),
  bytes       ${d.integer} NOT NULL CHECK (bytes >= 0),
  started_at  ${d.integer} NOT NULL,
  created_at  ${d.integer} NOT NULL,
  PRIMARY KEY (call_id, part)
)${d.strict};
`,
  ),
};
