/**
 * Schema 7: what the wallboard and the reports need to compute their KPIs in the store with
 * indexed queries (store/repositories/kpi.ts), never by loading every call.
 *
 * - calls_kpi: a covering index of the columns the call figures read, in start order, so a window
 *   (15 min, an hour, a day) is one range scan of the index with no table lookups.
 * - call_transitions_kpi: the agent's takeover and the wrap-up's end of a call, for handle time.
 * - utterances gain reply_latency_ms: on a bot line that answered the customer, the time from the
 *   end of their speech to the answer going out (the bot_prompt event's sinceSpeechEndMs, which
 *   sits in a JSON column no index can reach cheaply). A partial index holds only those lines;
 *   another holds the customer answers' confidence and intent.
 * - agent_status_log: every agent status change (users.status keeps only the last), written by
 *   triggers on users so no code path that sets a status can forget it; occupancy and time in
 *   state over any window come from it. Seeded with each user's status as it stands.
 */
import { ENUMS } from '../enums.js';
import { oneOf } from './sql.js';

// Epoch ms now, for a status change that did not say when (users.setStatus leaves status_changed_at).
const NOW_MS = `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`;

export const kpiIndexes = {
  version: 7,
  name: 'KPI indexes, reply latency, agent status log',
  up: `
CREATE INDEX calls_kpi ON calls (started_at, campaign_id, state, outcome, answered_at, ended_at, disposition_code, transfer_reason, flow_id, id);
CREATE INDEX call_transitions_kpi ON call_transitions (call_id, to_state, at);

ALTER TABLE utterances ADD COLUMN reply_latency_ms INTEGER CHECK (reply_latency_ms IS NULL OR reply_latency_ms >= 0);
CREATE INDEX utterances_reply_latency ON utterances (call_id, reply_latency_ms) WHERE reply_latency_ms IS NOT NULL;
CREATE INDEX utterances_answers ON utterances (call_id, confidence, intent) WHERE speaker = 'customer' AND confidence IS NOT NULL;

CREATE TABLE agent_status_log (
  id      INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status  TEXT NOT NULL CHECK (${oneOf('status', ENUMS.agentStatuses)}),
  at      INTEGER NOT NULL
) STRICT;
CREATE INDEX agent_status_log_by_at ON agent_status_log (at);
CREATE INDEX agent_status_log_by_user ON agent_status_log (user_id, at, id);
INSERT INTO agent_status_log (user_id, status, at)
  SELECT id, status, coalesce(status_changed_at, created_at) FROM users;

CREATE TRIGGER agent_status_log_insert AFTER INSERT ON users
BEGIN
  INSERT INTO agent_status_log (user_id, status, at)
  VALUES (NEW.id, NEW.status, coalesce(NEW.status_changed_at, NEW.created_at));
END;
CREATE TRIGGER agent_status_log_update AFTER UPDATE OF status ON users
WHEN NEW.status IS NOT OLD.status
BEGIN
  INSERT INTO agent_status_log (user_id, status, at)
  VALUES (NEW.id, NEW.status,
    CASE WHEN NEW.status_changed_at IS NOT OLD.status_changed_at AND NEW.status_changed_at IS NOT NULL
         THEN NEW.status_changed_at ELSE ${NOW_MS} END);
END;
`,
};
