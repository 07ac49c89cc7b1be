import type { DispositionRecord, DispositionRepository } from '../types.js';
import { decodeFlag, encodeFlag } from './codec.js';
import type { RepositoryContext } from './context.js';

interface DispositionRow {
  code: string;
  label_en: string;
  label_zh: string;
  kind: DispositionRecord['kind'];
  final: number;
}

function toDisposition(row: DispositionRow): DispositionRecord {
  return {
    code: row.code,
    labelEn: row.label_en,
    labelZh: row.label_zh,
    kind: row.kind,
    final: decodeFlag(row.final),
  };
}

export function createDispositionRepository({ db }: RepositoryContext): DispositionRepository {
  return {
    async list() {
      // System dispositions first, each group in the order it was created.
      const rows = await db.all<DispositionRow>(
        `SELECT code, label_en, label_zh, kind, final FROM dispositions ORDER BY kind = 'agent', ${db.dialect.insertionOrder}`,
      );
      return rows.map(toDisposition);
    },

    async upsert(record) {
      await db.run(
        `INSERT INTO dispositions (code, label_en, label_zh, kind, final) VALUES ($code, $label_en, $label_zh, $kind, $final)
         ON CONFLICT (code) DO UPDATE SET
           label_en = excluded.label_en, label_zh = excluded.label_zh, kind = excluded.kind, final = excluded.final`,
        {
          $code: record.code,
          $label_en: record.labelEn,
          $label_zh: record.labelZh,
          $kind: record.kind,
          $final: encodeFlag(record.final),
        },
      );
    },
  };
}
