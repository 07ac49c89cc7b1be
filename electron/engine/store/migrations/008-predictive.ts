/**
 * Schema 8: predictive dialing.
 *
 * - campaigns is rebuilt so its dialing_mode CHECK admits 'predictive' (SQLite cannot change a
 *   CHECK in place; schema 1 is pinned to the old list). 'preview' is admitted too, for the preview
 *   mode that follows (migration 11), so that one need not rebuild the table again. SQLite's
 *   12-step rebuild with foreign keys off (`rebuildsTables`): the children (campaign_trunks,
 *   campaign_contacts, calls) keep naming "campaigns", nothing cascades, and the foreign key check
 *   must pass before the migration commits.
 * - campaigns gain `predictive`: the campaign's predictive settings (abandonment cap, window, max
 *   dial level, the abandoned call's information message), JSON checked by the API's schema.
 * - campaign_abandonment: per campaign and minute, the calls answered by a person and those of
 *   them abandoned (no agent within 2 s), written with the lease's settlement. The pacing's rolling
 *   window (24 h, 30 days or custom) is a sum over these rows, so a restart does not reset it.
 */
import { oneOf } from './sql.js';

const DIALING_MODES = ['agentless', 'progressive', 'power', 'predictive', 'preview'] as const;
const jsonObject = (column: string): string =>
  `json_valid(${column}) AND json_type(${column}) = 'object'`;

export const predictiveDialing = {
  version: 8,
  name: 'predictive dialing: mode, settings, abandonment window',
  rebuildsTables: true,
  up: `
CREATE TABLE campaigns_8 (
  id                   INTEGER PRIMARY KEY,
  name                 TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
  status               TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'running', 'paused', 'stopped', 'completed')),
  dialing_mode         TEXT NOT NULL CHECK (${oneOf('dialing_mode', DIALING_MODES)}),
  list_id              INTEGER REFERENCES contact_lists (id),
  flow_id              INTEGER REFERENCES flows (id),
  flow_version         INTEGER,
  max_concurrent_calls INTEGER NOT NULL CHECK (max_concurrent_calls >= 1),
  schedule             TEXT NOT NULL DEFAULT '{}' CHECK (${jsonObject('schedule')}),
  retry_policy         TEXT NOT NULL DEFAULT '{}' CHECK (${jsonObject('retry_policy')}),
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  lines_per_agent      REAL NOT NULL DEFAULT 2 CHECK (lines_per_agent >= 1 AND lines_per_agent <= 5),
  queue                TEXT NOT NULL DEFAULT 'default' CHECK (length(queue) > 0),
  predictive           TEXT NOT NULL DEFAULT '{}' CHECK (${jsonObject('predictive')}),
  FOREIGN KEY (flow_id, flow_version) REFERENCES flow_versions (flow_id, version)
) STRICT;
INSERT INTO campaigns_8 (id, name, status, dialing_mode, list_id, flow_id, flow_version, max_concurrent_calls,
                       schedule, retry_policy, created_at, updated_at, lines_per_agent, queue)
  SELECT id, name, status, dialing_mode, list_id, flow_id, flow_version, max_concurrent_calls,
         schedule, retry_policy, created_at, updated_at, lines_per_agent, queue
  FROM campaigns;
DROP TABLE campaigns;
ALTER TABLE campaigns_8 RENAME TO campaigns;

CREATE TABLE campaign_abandonment (
  campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  minute      INTEGER NOT NULL CHECK (minute >= 0),
  answered    INTEGER NOT NULL DEFAULT 0 CHECK (answered >= 0),
  abandoned   INTEGER NOT NULL DEFAULT 0 CHECK (abandoned >= 0 AND abandoned <= answered),
  PRIMARY KEY (campaign_id, minute)
) STRICT, WITHOUT ROWID;
`,
};
