/**
 * Schema 6: the audit trail (issue 13). audit_log gains who and from where, indexes for the Audit
 * page's filters, and triggers that make it append-only.
 *
 * - actor_id, actor_role: the signed-in user's id and role at the time (NULL: the engine itself,
 *   and entries from before sign-in existed). No foreign key: an entry outlives its user.
 * - source: ipc, ws, cli or engine; address: a WebSocket client's remote address. Older entries
 *   get the source their actor named (the shells wrote "desktop", "console" or "cli" as the
 *   actor: IPC, the WebSocket, the CLI), else "engine".
 * - Indexes on (at), (actor, at) and (action, at): audit.list filters by time range, actor and
 *   action (a kind is a list of actions) without reading the table.
 * - BEFORE UPDATE and BEFORE DELETE triggers abort: not even a bug in the engine can change or
 *   remove an entry through SQL. (Retention of old entries is a later issue's, with its own
 *   migration.)
 */
import { AUDIT_SOURCES } from '../../api/audit.js';
import { ENUMS } from '../enums.js';
import { oneOf } from './sql.js';

export const auditTrail = {
  version: 6,
  name: 'audit trail: who, from where, indexes, append-only',
  up: `
ALTER TABLE audit_log ADD COLUMN actor_id INTEGER;
ALTER TABLE audit_log ADD COLUMN actor_role TEXT CHECK (actor_role IS NULL OR ${oneOf('actor_role', ENUMS.agentRoles)});
ALTER TABLE audit_log ADD COLUMN source TEXT NOT NULL DEFAULT 'engine' CHECK (${oneOf('source', AUDIT_SOURCES)});
ALTER TABLE audit_log ADD COLUMN address TEXT;
UPDATE audit_log SET source = CASE actor WHEN 'desktop' THEN 'ipc' WHEN 'console' THEN 'ws' WHEN 'cli' THEN 'cli' ELSE 'engine' END;
CREATE INDEX audit_log_by_at ON audit_log (at);
CREATE INDEX audit_log_by_actor ON audit_log (actor, at);
CREATE INDEX audit_log_by_action ON audit_log (action, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit entries cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit entries cannot be deleted');
END;
`,
};
