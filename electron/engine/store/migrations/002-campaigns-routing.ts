/**
 * Schema 2: what campaigns, the dialer, the call state machine and routing need.
 *
 * - campaign_contacts: the dialer's per-campaign record of each contact. A dial happens only
 *   through a lease (status 'leased' + lease_call_id), taken in the same transaction that creates
 *   the call row, so a crash can neither dial a contact twice nor forget it.
 * - call_transitions: every state change of a call, validated by calls/ and timestamped.
 * - queues and routing_rules: where a transfer goes (rules in order over contact fields), with the
 *   offer window and the no-agent fallback per queue. Seeded with the defaults a call center
 *   expects: vip_level > 3 → priority, tag complaint → complaint specialist, else default.
 * - calls gain the queue, why the bot transferred, the agent's notes and the callback time;
 *   utterances gain the flow node they belong to; users gain when their status last changed.
 */
import { ENUMS } from '../enums.js';
import { oneOf } from './sql.js';

export const ROUTING_OPERATORS = ['>', '>=', '<', '<=', '=', '!=', 'has_tag', 'contains'] as const;
export const QUEUE_FALLBACKS = ['callback_offer', 'voicemail'] as const;
export const LEASE_STATUSES = ['pending', 'leased', 'done'] as const;

const SCHEMA = `
CREATE TABLE campaign_contacts (
  campaign_id     INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  contact_id      INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (${oneOf('status', LEASE_STATUSES)}),
  attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- Earliest instant of the next attempt (the retry time after the last outcome); 0: now.
  next_at         INTEGER NOT NULL DEFAULT 0,
  -- A time promised to the customer (by the flow or an agent): due callbacks are dialed first.
  callback_at     INTEGER,
  callback_source TEXT CHECK (callback_source IS NULL OR callback_source IN ('flow', 'agent')),
  lease_call_id   TEXT,
  leased_at       INTEGER,
  last_call_id    TEXT,
  last_outcome    TEXT,
  last_disposition TEXT,
  last_attempt_at INTEGER,
  -- Why the contact needs no more calls ('done'): completed, final disposition, max attempts, DNC…
  done_reason     TEXT,
  PRIMARY KEY (campaign_id, contact_id),
  CHECK ((status = 'leased') = (lease_call_id IS NOT NULL))
) STRICT;
CREATE INDEX campaign_contacts_due ON campaign_contacts (campaign_id, status, next_at, contact_id);
CREATE INDEX campaign_contacts_callbacks ON campaign_contacts (campaign_id, callback_at) WHERE callback_at IS NOT NULL AND status = 'pending';
CREATE UNIQUE INDEX campaign_contacts_by_lease ON campaign_contacts (lease_call_id) WHERE lease_call_id IS NOT NULL;
CREATE INDEX campaign_contacts_by_contact ON campaign_contacts (contact_id);

CREATE TABLE call_transitions (
  id         INTEGER PRIMARY KEY,
  call_id    TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  from_state TEXT CHECK (from_state IS NULL OR ${oneOf('from_state', ENUMS.callStates)}),
  to_state   TEXT NOT NULL CHECK (${oneOf('to_state', ENUMS.callStates)}),
  at         INTEGER NOT NULL,
  reason     TEXT
) STRICT;
CREATE INDEX call_transitions_by_call ON call_transitions (call_id, id);

CREATE TABLE queues (
  id                  INTEGER PRIMARY KEY,
  name                TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
  label_en            TEXT NOT NULL,
  label_zh            TEXT NOT NULL,
  -- An agent serves the queue when they have every one of these skills.
  skills              TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(skills) AND json_type(skills) = 'array'),
  -- How long one agent has to accept an offer before it moves on to the next.
  offer_timeout_ms    INTEGER NOT NULL CHECK (offer_timeout_ms BETWEEN 1000 AND 300000),
  -- How long a transfer waits in the queue for any agent before the bot's fallback.
  wait_timeout_ms     INTEGER NOT NULL CHECK (wait_timeout_ms BETWEEN 1000 AND 600000),
  fallback            TEXT NOT NULL CHECK (${oneOf('fallback', QUEUE_FALLBACKS)}),
  -- Agents serving several queues take the highest first.
  priority            INTEGER NOT NULL DEFAULT 0,
  system              INTEGER NOT NULL DEFAULT 0 CHECK (system IN (0, 1)),
  created_at          INTEGER NOT NULL
) STRICT;

CREATE TABLE routing_rules (
  id         INTEGER PRIMARY KEY,
  position   INTEGER NOT NULL UNIQUE CHECK (position >= 1),
  field      TEXT NOT NULL CHECK (length(field) > 0),
  operator   TEXT NOT NULL CHECK (${oneOf('operator', ROUTING_OPERATORS)}),
  value      TEXT NOT NULL,
  queue_id   INTEGER NOT NULL REFERENCES queues (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL
) STRICT;

INSERT INTO queues (name, label_en, label_zh, skills, offer_timeout_ms, wait_timeout_ms, fallback, priority, system, created_at) VALUES
  ('default', 'Default', '默认队列', '[]', 15000, 30000, 'callback_offer', 0, 1, 0),
  ('priority', 'Priority (VIP)', 'VIP 优先', '["vip"]', 15000, 45000, 'callback_offer', 20, 1, 0),
  ('complaint', 'Complaint specialists', '投诉专席', '["complaint"]', 15000, 45000, 'callback_offer', 10, 1, 0);
INSERT INTO routing_rules (position, field, operator, value, queue_id, created_at) VALUES
  (1, 'vip_level', '>', '3', (SELECT id FROM queues WHERE name = 'priority'), 0),
  (2, 'tags', 'has_tag', 'complaint', (SELECT id FROM queues WHERE name = 'complaint'), 0);

ALTER TABLE calls ADD COLUMN queue_id INTEGER REFERENCES queues (id) ON DELETE SET NULL;
ALTER TABLE calls ADD COLUMN transfer_reason TEXT;
ALTER TABLE calls ADD COLUMN notes TEXT;
ALTER TABLE calls ADD COLUMN callback_at INTEGER;
CREATE INDEX calls_by_disposition ON calls (disposition_code, started_at, id);
ALTER TABLE utterances ADD COLUMN node_id TEXT;
ALTER TABLE users ADD COLUMN status_changed_at INTEGER;
`;

export const campaignsAndRouting = {
  version: 2,
  name: 'campaign leases, call transitions, queues and routing rules',
  up: SCHEMA,
};
