/**
 * Schema 12: leases that several seats (engines sharing one store) can hold and lose (issue 16 §2).
 * Written once for both backends (portable.ts).
 *
 * - campaign_contacts gain `lease_owner` (the seat id of the engine that leased the contact) and
 *   `lease_expires_at` (epoch ms). The owner renews every lease it holds in one UPDATE per
 *   heartbeat; a lease past its expiry whose owner is another seat is that seat's lost call, and
 *   any seat's reaper closes it as failed and returns the contact to the queue. Both NULL on
 *   leases made before (they are this workspace's own, recovered at start as before).
 * - calls gain `seat_id`: the seat that placed the call, so a seat's start-up recovery closes only
 *   its own interrupted calls, never a live call of another seat. NULL for calls stored before.
 * - Partial indexes: a seat's leases (the heartbeat's UPDATE), leases by expiry (the reaper), and
 *   a seat's unfinished calls (start-up recovery).
 */
import { portable } from './portable.js';

export const seatLeases = {
  version: 12,
  name: 'seat leases: lease owner and expiry, the seat of each call',
  ...portable(
    (d) => `
ALTER TABLE campaign_contacts ADD COLUMN lease_owner TEXT CHECK (lease_owner IS NULL OR length(lease_owner) BETWEEN 1 AND 100);
ALTER TABLE campaign_contacts ADD COLUMN lease_expires_at ${d.integer};
ALTER TABLE calls ADD COLUMN seat_id TEXT CHECK (seat_id IS NULL OR length(seat_id) BETWEEN 1 AND 100);
CREATE INDEX campaign_contacts_lease_owner ON campaign_contacts (lease_owner) WHERE status = 'leased';
CREATE INDEX campaign_contacts_lease_expiry ON campaign_contacts (lease_expires_at) WHERE status = 'leased';
CREATE INDEX calls_unfinished_by_seat ON calls (seat_id) WHERE state <> 'done';
`,
  ),
};
