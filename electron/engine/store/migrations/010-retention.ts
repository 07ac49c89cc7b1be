/**
 * Schema 10: retention and erasure (issue 15 §4).
 *
 * - `dnc_hashes`: the do-not-call entries of people whose data was erased on request. Only a keyed
 *   hash of the E.164 number is kept (HMAC-SHA-256 with the workspace's DNC key, hex), so the
 *   number itself is gone while the dialer, the import and the dnc commands still refuse it. A bare
 *   SHA-256 would not do: there are only ~10^10 Chinese mobile numbers, hashed in minutes.
 * - `privacy_state`: small JSON values the retention job keeps (the DNC key's cipher text, the last
 *   purge report).
 * - `audit_gate`: one row. The audit trail stays append-only for everyone, except the retention
 *   job and an erasure: they open the gate, delete or anonymise, and close it again, all inside one
 *   transaction, so no other writer ever sees it open. The triggers of schema 6 are replaced by
 *   ones that ask the gate.
 * - indexes for the purge's age queries.
 */
export const retention = {
  version: 10,
  name: 'retention and erasure',
  up: `
CREATE TABLE dnc_hashes (
  digest     TEXT PRIMARY KEY CHECK (length(digest) = 64 AND digest NOT GLOB '*[^0-9a-f]*'),
  reason     TEXT,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE privacy_state (
  key        TEXT PRIMARY KEY CHECK (length(key) > 0),
  value      TEXT NOT NULL CHECK (json_valid(value)),
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE audit_gate (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  open INTEGER NOT NULL CHECK (open IN (0, 1))
) STRICT;
INSERT INTO audit_gate (id, open) VALUES (1, 0);

DROP TRIGGER audit_log_no_update;
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN (SELECT open FROM audit_gate WHERE id = 1) IS NOT 1
BEGIN
  SELECT RAISE(ABORT, 'audit entries cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN (SELECT open FROM audit_gate WHERE id = 1) IS NOT 1
BEGIN
  SELECT RAISE(ABORT, 'audit entries cannot be deleted');
END;

CREATE INDEX recordings_by_created ON recordings (created_at);
CREATE INDEX contacts_by_updated ON contacts (updated_at);
`,
};
