import type { Json, SettingsRepository } from '../types.js';
import { decodeJson, encodeJson } from './codec.js';
import type { RepositoryContext } from './context.js';

interface SettingRow {
  key: string;
  value: string;
}

const UPSERT = `
  INSERT INTO settings (key, value, updated_at) VALUES ($key, $value, $updated_at)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`;

export function createSettingsRepository({ db, now }: RepositoryContext): SettingsRepository {
  return {
    async getAll() {
      const rows = await db.all<SettingRow>('SELECT key, value FROM settings ORDER BY key');
      return Object.fromEntries(
        rows.map((row) => [row.key, decodeJson(row.value, `setting "${row.key}"`)]),
      );
    },

    setMany(values: Record<string, Json>) {
      return db.transaction(async (tx) => {
        const at = now();
        for (const [key, value] of Object.entries(values)) {
          await tx.run(UPSERT, { $key: key, $value: encodeJson(value), $updated_at: at });
        }
      });
    },
  };
}
