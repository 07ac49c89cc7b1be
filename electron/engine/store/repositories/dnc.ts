import type { SqlExecutor } from '../database.js';
import type { Dialect } from '../dialect.js';
import type { DncRecord, DncRepository } from '../types.js';
import { encodeJson } from './codec.js';
import { chunks, pageParams, type RepositoryContext } from './context.js';

interface DncRow {
  phone: string;
  reason: string | null;
  source: string;
  created_at: number;
}

function toDnc(row: DncRow): DncRecord {
  return { phone: row.phone, reason: row.reason, source: row.source, createdAt: row.created_at };
}

// Entries arrive as one JSON array per chunk (see contacts.ts); numbers already listed are kept
// as they are, with their original reason and date.
const add = (d: Dialect): string => `
  INSERT INTO dnc_entries (phone, reason, source, created_at)
  SELECT value ->> 'phone', value ->> 'reason', value ->> 'source', $now FROM ${d.jsonEach('$rows')} WHERE true
  ON CONFLICT (phone) DO NOTHING`;

const ADD_CHUNK_SIZE = 10_000;

export function createDncRepository({ db, now, dncDigest }: RepositoryContext): DncRepository {
  const erasedIn = async (executor: SqlExecutor, phones: readonly string[]) => {
    const digestOf = dncDigest?.fn;
    if (!digestOf || phones.length === 0) return new Set<string>();
    const byDigest = new Map(phones.map((phone) => [digestOf(phone), phone]));
    const rows = await executor.all<{ digest: string }>(
      `SELECT digest FROM dnc_hashes WHERE digest IN ${executor.dialect.jsonTexts('$d')}`,
      { $d: encodeJson([...byDigest.keys()]) },
    );
    return new Set(rows.map((r) => byDigest.get(r.digest) ?? ''));
  };
  const hashed = async (phone: string) => {
    const digest = dncDigest?.fn?.(phone);
    if (digest === undefined) return false;
    return (
      (await db.get('SELECT 1 AS found FROM dnc_hashes WHERE digest = $digest', {
        $digest: digest,
      })) !== undefined
    );
  };
  return {
    keyWith(digest) {
      if (dncDigest) dncDigest.fn = digest;
    },

    erasedAmong(phones) {
      return erasedIn(db, phones);
    },

    add(entries) {
      return db.transaction(async (tx) => {
        const at = now();
        let added = 0;
        for (const chunk of chunks(entries, ADD_CHUNK_SIZE)) {
          // A number erased on request is listed already, as a keyed hash: never stored again in the clear.
          const erased = await erasedIn(
            tx,
            chunk.map((entry) => entry.phone),
          );
          const rows = chunk
            .filter((entry) => !erased.has(entry.phone))
            .map((entry) => ({
              phone: entry.phone,
              reason: entry.reason ?? null,
              source: entry.source,
            }));
          added += (await tx.run(add(tx.dialect), { $rows: encodeJson(rows), $now: at })).changes;
        }
        return added;
      });
    },

    async has(phone) {
      return (
        (await db.get('SELECT 1 AS found FROM dnc_entries WHERE phone = $phone', {
          $phone: phone,
        })) !== undefined || (await hashed(phone))
      );
    },

    async list(page) {
      const rows = await db.all<DncRow>(
        'SELECT phone, reason, source, created_at FROM dnc_entries ORDER BY created_at DESC, phone LIMIT $limit OFFSET $offset',
        pageParams(page),
      );
      return rows.map(toDnc);
    },

    async remove(phone) {
      return db.transaction(async (tx) => {
        const listed = (
          await tx.run('DELETE FROM dnc_entries WHERE phone = $phone', { $phone: phone })
        ).changes;
        // An admin may call an erased person again only by removing the number on purpose.
        const digest = dncDigest?.fn?.(phone);
        const hashed =
          digest === undefined
            ? 0
            : (await tx.run('DELETE FROM dnc_hashes WHERE digest = $digest', { $digest: digest }))
                .changes;
        return listed + hashed > 0;
      });
    },
  };
}
