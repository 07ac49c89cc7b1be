/**
 * The audit trail's rows: append and read, nothing else. audit_log's triggers (schema 6) refuse
 * UPDATE and DELETE, so this file could not change an entry even by mistake. Reads stay on the
 * writer's connection, so code inside a transaction sees the entries it just wrote.
 */
import type { Dialect } from '../dialect.js';
import type { AuditQuery, AuditRecord, AuditRepository } from '../types.js';
import { decodeJsonObject, encodeJson } from './codec.js';
import { pageParams, type RepositoryContext } from './context.js';

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  actor_id: number | null;
  actor_role: AuditRecord['role'];
  source: AuditRecord['source'];
  address: string | null;
  action: string;
  subject: string | null;
  details: string;
}

const COLUMNS = 'id, at, actor, actor_id, actor_role, source, address, action, subject, details';

function toAudit(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    actorId: row.actor_id,
    role: row.actor_role,
    source: row.source,
    address: row.address,
    action: row.action,
    subject: row.subject,
    details: decodeJsonObject(row.details, `audit entry ${row.id}`),
  };
}

/** The WHERE clause and its parameters for a query; each condition can use one of the indexes. */
function where(
  query: AuditQuery,
  d: Dialect,
): { sql: string; params: Record<string, string | number> } {
  const conditions: string[] = [];
  const params: Record<string, string | number> = {};
  if (query.actor !== undefined) {
    conditions.push('actor = $actor');
    params.$actor = query.actor;
  }
  if (query.actions !== undefined) {
    // json_each keeps it one statement with one parameter, whatever the list's length.
    conditions.push(`action IN ${d.jsonTexts('$actions')}`);
    params.$actions = JSON.stringify(query.actions);
  }
  if (query.subject !== undefined) {
    conditions.push('subject = $subject');
    params.$subject = query.subject;
  }
  if (query.from !== undefined) {
    conditions.push('at >= $from');
    params.$from = query.from;
  }
  if (query.to !== undefined) {
    conditions.push('at < $to');
    params.$to = query.to;
  }
  return { sql: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

export function createAuditRepository({ db, now }: RepositoryContext): AuditRepository {
  return {
    async add(entry) {
      await db.run(
        `INSERT INTO audit_log (at, actor, actor_id, actor_role, source, address, action, subject, details)
         VALUES ($at, $actor, $actor_id, $actor_role, $source, $address, $action, $subject, $details)`,
        {
          $at: entry.at ?? now(),
          $actor: entry.actor,
          $actor_id: entry.actorId ?? null,
          $actor_role: entry.role ?? null,
          $source: entry.source ?? 'engine',
          $address: entry.address ?? null,
          $action: entry.action,
          $subject: entry.subject,
          $details: encodeJson(entry.details ?? {}),
        },
      );
    },

    async list(query = {}) {
      const { sql, params } = where(query, db.dialect);
      const page =
        query.limit === undefined
          ? pageParams(undefined)
          : { $limit: query.limit, $offset: query.offset ?? 0 };
      const rows = await db.all<AuditRow>(
        `SELECT ${COLUMNS} FROM audit_log ${sql} ORDER BY id DESC LIMIT $limit OFFSET $offset`,
        { ...params, ...page },
      );
      return rows.map(toAudit);
    },

    async count(query = {}) {
      const { sql, params } = where(query, db.dialect);
      const row = await db.get<{ n: number }>(`SELECT count(*) AS n FROM audit_log ${sql}`, params);
      return row?.n ?? 0;
    },
  };
}
