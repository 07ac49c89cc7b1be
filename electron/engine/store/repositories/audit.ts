import type { AuditRecord, AuditRepository } from '../types.js';
import { decodeJsonObject, encodeJson } from './codec.js';
import { pageParams, type RepositoryContext } from './context.js';

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  details: string;
}

function toAudit(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    details: decodeJsonObject(row.details, `audit entry ${row.id}`),
  };
}

export function createAuditRepository({ db, now }: RepositoryContext): AuditRepository {
  return {
    async add(entry) {
      await db.run(
        'INSERT INTO audit_log (at, actor, action, subject, details) VALUES ($at, $actor, $action, $subject, $details)',
        {
          $at: entry.at ?? now(),
          $actor: entry.actor,
          $action: entry.action,
          $subject: entry.subject,
          $details: encodeJson(entry.details ?? {}),
        },
      );
    },

    async list(page) {
      const rows = await db.all<AuditRow>(
        'SELECT id, at, actor, action, subject, details FROM audit_log ORDER BY id DESC LIMIT $limit OFFSET $offset',
        pageParams(page),
      );
      return rows.map(toAudit);
    },
  };
}
