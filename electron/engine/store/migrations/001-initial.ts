/**
 * Schema 1: everything the first features need. Tables are STRICT, so a wrong type is refused at
 * the door. JSON columns hold text checked with json_valid(). Times are epoch ms.
 *
 * Enumerated columns take their CHECK lists from the API contract (enums.ts). A migration must
 * never change once released, so when a list in the contract changes, enums.test.ts fails: then
 * pin this file to the old list and add a migration that rebuilds the affected table.
 */
import { ENUMS } from '../enums.js';
import type { DispositionRecord } from '../types.js';
import { oneOf, sqlString } from './sql.js';

/** "OBCS" — lets us tell our database from another program's SQLite file. */
export const APPLICATION_ID = 0x4f424353;

export const SYSTEM_DISPOSITIONS: readonly DispositionRecord[] = [
  { code: 'completed', labelEn: 'Completed', labelZh: '已完成', kind: 'system', final: true },
  {
    code: 'transferred',
    labelEn: 'Transferred to an agent',
    labelZh: '已转人工',
    kind: 'system',
    final: true,
  },
  { code: 'busy', labelEn: 'Busy', labelZh: '占线', kind: 'system', final: false },
  { code: 'no_answer', labelEn: 'No answer', labelZh: '无人接听', kind: 'system', final: false },
  { code: 'failed', labelEn: 'Call failed', labelZh: '呼叫失败', kind: 'system', final: false },
  {
    code: 'invalid_number',
    labelEn: 'Invalid number',
    labelZh: '空号',
    kind: 'system',
    final: true,
  },
  { code: 'opted_out', labelEn: 'Opted out', labelZh: '拒绝再联系', kind: 'system', final: true },
  {
    code: 'callback_scheduled',
    labelEn: 'Callback scheduled',
    labelZh: '已约回拨',
    kind: 'system',
    final: false,
  },
  { code: 'voicemail', labelEn: 'Voicemail', labelZh: '语音信箱', kind: 'system', final: false },
  {
    code: 'abandoned',
    labelEn: 'Abandoned (no agent free)',
    labelZh: '呼损（无空闲坐席）',
    kind: 'system',
    final: false,
  },
];

/** Pinned: the list schema 1 was released with (schema 8 rebuilt campaigns with predictive and preview). */
const RELEASED_DIALING_MODES = ['agentless', 'progressive', 'power'] as const;

const jsonObject = (column: string): string =>
  `json_valid(${column}) AND json_type(${column}) = 'object'`;
const jsonArray = (column: string): string =>
  `json_valid(${column}) AND json_type(${column}) = 'array'`;
const flag = (column: string): string => `${column} IN (0, 1)`;

const SCHEMA = `
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL CHECK (json_valid(value)),
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE contact_lists (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
  description    TEXT NOT NULL DEFAULT '',
  default_region TEXT NOT NULL,
  fields         TEXT NOT NULL DEFAULT '[]' CHECK (${jsonArray('fields')}),
  created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE contacts (
  id         INTEGER PRIMARY KEY,
  list_id    INTEGER NOT NULL REFERENCES contact_lists (id) ON DELETE CASCADE,
  phone      TEXT NOT NULL CONSTRAINT phone_is_e164
               CHECK (phone GLOB '+[1-9]*' AND length(phone) BETWEEN 3 AND 16 AND substr(phone, 2) NOT GLOB '*[^0-9]*'),
  name       TEXT,
  time_zone  TEXT,
  fields     TEXT NOT NULL DEFAULT '{}' CHECK (${jsonObject('fields')}),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (list_id, phone)
) STRICT;
CREATE INDEX contacts_by_list ON contacts (list_id);

CREATE TABLE flows (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
  language   TEXT NOT NULL CHECK (${oneOf('language', ENUMS.languages)}),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE flow_versions (
  flow_id    INTEGER NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
  version    INTEGER NOT NULL CHECK (version >= 1),
  definition TEXT NOT NULL CHECK (${jsonObject('definition')}),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (flow_id, version)
) STRICT;

CREATE TABLE campaigns (
  id                   INTEGER PRIMARY KEY,
  name                 TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
  status               TEXT NOT NULL DEFAULT 'draft' CHECK (${oneOf('status', ENUMS.campaignStatuses)}),
  dialing_mode         TEXT NOT NULL CHECK (${oneOf('dialing_mode', RELEASED_DIALING_MODES)}),
  list_id              INTEGER REFERENCES contact_lists (id),
  flow_id              INTEGER REFERENCES flows (id),
  flow_version         INTEGER,
  max_concurrent_calls INTEGER NOT NULL CHECK (max_concurrent_calls >= 1),
  schedule             TEXT NOT NULL DEFAULT '{}' CHECK (${jsonObject('schedule')}),
  retry_policy         TEXT NOT NULL DEFAULT '{}' CHECK (${jsonObject('retry_policy')}),
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  FOREIGN KEY (flow_id, flow_version) REFERENCES flow_versions (flow_id, version)
) STRICT;

CREATE TABLE trunks (
  id                   INTEGER PRIMARY KEY,
  name                 TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
  uri                  TEXT NOT NULL CHECK (uri LIKE 'ws://%' OR uri LIKE 'wss://%'),
  domain               TEXT NOT NULL,
  username             TEXT,
  password_cipher      TEXT,
  register             INTEGER NOT NULL CHECK (${flag('register')}),
  caller_id            TEXT,
  max_concurrent_calls INTEGER NOT NULL CHECK (max_concurrent_calls >= 1),
  role                 TEXT NOT NULL CHECK (${oneOf('role', ENUMS.trunkRoles)}),
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL
) STRICT;

CREATE TABLE campaign_trunks (
  campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  trunk_id    INTEGER NOT NULL REFERENCES trunks (id) ON DELETE CASCADE,
  priority    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, trunk_id)
) STRICT;
CREATE INDEX campaign_trunks_by_trunk ON campaign_trunks (trunk_id);

CREATE TABLE users (
  id           INTEGER PRIMARY KEY,
  username     TEXT NOT NULL UNIQUE CHECK (length(username) > 0),
  display_name TEXT NOT NULL,
  role         TEXT NOT NULL CHECK (${oneOf('role', ENUMS.agentRoles)}),
  skills       TEXT NOT NULL DEFAULT '[]' CHECK (${jsonArray('skills')}),
  status       TEXT NOT NULL DEFAULT 'offline' CHECK (${oneOf('status', ENUMS.agentStatuses)}),
  created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE dispositions (
  code     TEXT PRIMARY KEY CHECK (length(code) > 0),
  label_en TEXT NOT NULL,
  label_zh TEXT NOT NULL,
  kind     TEXT NOT NULL CHECK (${oneOf('kind', ENUMS.dispositionKinds)}),
  final    INTEGER NOT NULL CHECK (${flag('final')})
) STRICT;

-- History keeps calls whose campaign, contact, trunk, agent or flow was deleted later.
CREATE TABLE calls (
  id               TEXT PRIMARY KEY CHECK (length(id) > 0),
  campaign_id      INTEGER REFERENCES campaigns (id) ON DELETE SET NULL,
  contact_id       INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
  trunk_id         INTEGER REFERENCES trunks (id) ON DELETE SET NULL,
  number           TEXT NOT NULL,
  attempt          INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
  state            TEXT NOT NULL DEFAULT 'queued' CHECK (${oneOf('state', ENUMS.callStates)}),
  outcome          TEXT CHECK (outcome IS NULL OR ${oneOf('outcome', ENUMS.callOutcomes)}),
  disposition_code TEXT REFERENCES dispositions (code) ON UPDATE CASCADE,
  sip_code         INTEGER CHECK (sip_code IS NULL OR sip_code BETWEEN 100 AND 699),
  sip_reason       TEXT,
  agent_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
  flow_id          INTEGER REFERENCES flows (id) ON DELETE SET NULL,
  flow_version     INTEGER,
  started_at       INTEGER NOT NULL,
  answered_at      INTEGER,
  ended_at         INTEGER,
  end_reason       TEXT
) STRICT;
-- History: newest first, optionally by campaign or outcome (the id breaks ties in the same ms).
CREATE INDEX calls_by_start ON calls (started_at, id);
CREATE INDEX calls_by_campaign ON calls (campaign_id, started_at, id);
CREATE INDEX calls_by_outcome ON calls (outcome, started_at, id);
-- Dialer: attempts per contact, calls per number per day, calls still open after a crash.
CREATE INDEX calls_by_contact ON calls (contact_id, started_at);
CREATE INDEX calls_by_number ON calls (number, started_at);
CREATE INDEX calls_unfinished ON calls (started_at) WHERE state <> 'done';
CREATE INDEX calls_by_agent ON calls (agent_id) WHERE agent_id IS NOT NULL;

CREATE TABLE call_events (
  id      INTEGER PRIMARY KEY,
  call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  at      INTEGER NOT NULL,
  type    TEXT NOT NULL CHECK (length(type) > 0),
  data    TEXT NOT NULL DEFAULT '{}' CHECK (${jsonObject('data')})
) STRICT;
CREATE INDEX call_events_by_call ON call_events (call_id, id);

CREATE TABLE utterances (
  id         INTEGER PRIMARY KEY,
  call_id    TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  speaker    TEXT NOT NULL CHECK (${oneOf('speaker', ENUMS.speakers)}),
  text       TEXT NOT NULL,
  intent     TEXT,
  confidence REAL CHECK (confidence IS NULL OR confidence BETWEEN 0 AND 1),
  start_ms   INTEGER NOT NULL CHECK (start_ms >= 0),
  end_ms     INTEGER NOT NULL CHECK (end_ms >= start_ms),
  cut_at_ms  INTEGER CHECK (cut_at_ms IS NULL OR cut_at_ms >= 0)
) STRICT;
CREATE INDEX utterances_by_call ON utterances (call_id, start_ms);

CREATE TABLE recordings (
  id          INTEGER PRIMARY KEY,
  call_id     TEXT NOT NULL UNIQUE REFERENCES calls (id) ON DELETE CASCADE,
  path        TEXT NOT NULL,
  channels    INTEGER NOT NULL CHECK (channels >= 1),
  sample_rate INTEGER NOT NULL CHECK (sample_rate > 0),
  duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
  bytes       INTEGER NOT NULL CHECK (bytes >= 0),
  created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE dnc_entries (
  phone      TEXT PRIMARY KEY CHECK (length(phone) > 0),
  reason     TEXT,
  source     TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX dnc_by_created ON dnc_entries (created_at);

CREATE TABLE audit_log (
  id      INTEGER PRIMARY KEY,
  at      INTEGER NOT NULL,
  actor   TEXT NOT NULL,
  action  TEXT NOT NULL,
  subject TEXT,
  details TEXT NOT NULL DEFAULT '{}' CHECK (${jsonObject('details')})
) STRICT;
`;

function seedDispositions(): string {
  const rows = SYSTEM_DISPOSITIONS.map(
    (d) =>
      `(${[d.code, d.labelEn, d.labelZh, d.kind].map(sqlString).join(', ')}, ${d.final ? 1 : 0})`,
  );
  return `INSERT INTO dispositions (code, label_en, label_zh, kind, final) VALUES\n  ${rows.join(',\n  ')};`;
}

export const initialSchema = {
  version: 1,
  name: 'initial schema',
  up: `PRAGMA application_id = ${APPLICATION_ID};\n${SCHEMA}\n${seedDispositions()}`,
};
