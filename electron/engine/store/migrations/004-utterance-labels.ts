/**
 * Schema 4: what an admin said a customer's utterance really meant (History's labelling).
 *
 * - utterance_labels: one row per labelled customer utterance (a call and the utterance's start),
 *   with the flow version and ask node it answered, the intent chosen (NULL: none of the node's
 *   intents), the clip cut from the call's recording (a path under the workspace's
 *   phrase-recordings folder), where it came from and who labelled it when. The clip joins the
 *   question's training recordings in the flow's next version (flows.applyLabels).
 *
 * The call id is kept as plain text, not a foreign key: the clip and its origin outlive the call
 * row if calls are ever purged.
 */
import { oneOf } from './sql.js';

export const LABEL_SOURCES = ['history'] as const;

export const utteranceLabels = {
  version: 4,
  name: 'utterance labels',
  up: `
CREATE TABLE utterance_labels (
  id           INTEGER PRIMARY KEY,
  call_id      TEXT NOT NULL,
  start_ms     INTEGER NOT NULL CHECK (start_ms >= 0),
  end_ms       INTEGER NOT NULL CHECK (end_ms >= start_ms),
  flow_id      INTEGER NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
  flow_version INTEGER NOT NULL CHECK (flow_version >= 1),
  node_id      TEXT NOT NULL,
  intent       TEXT,
  clip_path    TEXT NOT NULL UNIQUE,
  clip_ms      INTEGER NOT NULL CHECK (clip_ms > 0),
  source       TEXT NOT NULL CHECK (${oneOf('source', LABEL_SOURCES)}),
  labelled_by  TEXT NOT NULL,
  labelled_at  INTEGER NOT NULL,
  UNIQUE (call_id, start_ms)
) STRICT;
CREATE INDEX utterance_labels_by_flow ON utterance_labels (flow_id, node_id);
`,
};
