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
const ADD = `
  INSERT INTO dnc_entries (phone, reason, source, created_at)
  SELECT value ->> 'phone', value ->> 'reason', value ->> 'source', $now FROM json_each($rows) WHERE true
  ON CONFLICT (phone) DO NOTHING`;

const ADD_CHUNK_SIZE = 10_000;

export function createDncRepository({ db, now }: RepositoryContext): DncRepository {
  return {
    add(entries) {
      return db.transaction(async (tx) => {
        const at = now();
        let added = 0;
        for (const chunk of chunks(entries, ADD_CHUNK_SIZE)) {
          const rows = chunk.map((entry) => ({
            phone: entry.phone,
            reason: entry.reason ?? null,
            source: entry.source,
          }));
          added += (await tx.run(ADD, { $rows: encodeJson(rows), $now: at })).changes;
        }
        return added;
      });
    },

    async has(phone) {
      return (
        (await db.get('SELECT 1 AS found FROM dnc_entries WHERE phone = $phone', {
          $phone: phone,
        })) !== undefined
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
      return (
        (await db.run('DELETE FROM dnc_entries WHERE phone = $phone', { $phone: phone })).changes >
        0
      );
    },
  };
}
