import type { FlowRecord, FlowRepository, FlowVersionRecord, JsonObject } from '../types.js';
import { decodeJsonObject, encodeJson } from './codec.js';
import { notFound, type RepositoryContext, returned } from './context.js';

interface FlowRow {
  id: number;
  name: string;
  language: FlowRecord['language'];
  latest_version: number | null;
  created_at: number;
  updated_at: number;
}

interface FlowVersionRow {
  flow_id: number;
  version: number;
  definition: string;
  created_at: number;
}

const SELECT_FLOWS = `
  SELECT f.id, f.name, f.language, f.created_at, f.updated_at,
         (SELECT max(version) FROM flow_versions v WHERE v.flow_id = f.id) AS latest_version
  FROM flows f`;

function toFlow(row: FlowRow): FlowRecord {
  return {
    id: row.id,
    name: row.name,
    language: row.language,
    latestVersion: row.latest_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toFlowVersion(row: FlowVersionRow): FlowVersionRecord {
  return {
    flowId: row.flow_id,
    version: row.version,
    definition: decodeJsonObject(row.definition, `flow ${row.flow_id} version ${row.version}`),
    createdAt: row.created_at,
  };
}

export function createFlowRepository({ db, now }: RepositoryContext): FlowRepository {
  return {
    async create(input) {
      const row = await db.get<FlowRow>(
        `INSERT INTO flows (name, language, created_at, updated_at) VALUES ($name, $language, $now, $now)
         RETURNING id, name, language, NULL AS latest_version, created_at, updated_at`,
        { $name: input.name, $language: input.language, $now: now() },
      );
      return toFlow(returned(row));
    },

    async list() {
      return (await db.all<FlowRow>(`${SELECT_FLOWS} ORDER BY f.name`)).map(toFlow);
    },

    async getByName(name) {
      const row = await db.get<FlowRow>(`${SELECT_FLOWS} WHERE f.name = $name`, { $name: name });
      return row ? toFlow(row) : null;
    },

    addVersion(flowId: number, definition: JsonObject) {
      return db.transaction(async (tx) => {
        const at = now();
        const { changes } = await tx.run('UPDATE flows SET updated_at = $now WHERE id = $id', {
          $id: flowId,
          $now: at,
        });
        if (changes === 0) throw notFound(`Flow ${flowId} does not exist.`);
        const row = await tx.get<FlowVersionRow>(
          `INSERT INTO flow_versions (flow_id, version, definition, created_at)
           SELECT $flow_id, COALESCE(max(version), 0) + 1, $definition, $now FROM flow_versions WHERE flow_id = $flow_id
           RETURNING flow_id, version, definition, created_at`,
          { $flow_id: flowId, $definition: encodeJson(definition), $now: at },
        );
        return toFlowVersion(returned(row));
      });
    },

    async listVersions(flowId) {
      const rows = await db.all<{ version: number; created_at: number }>(
        'SELECT version, created_at FROM flow_versions WHERE flow_id = $flow_id ORDER BY version',
        { $flow_id: flowId },
      );
      return rows.map((row) => ({ version: row.version, createdAt: row.created_at }));
    },

    async setLanguage(flowId, language) {
      const { changes } = await db.run('UPDATE flows SET language = $language WHERE id = $id', {
        $id: flowId,
        $language: language,
      });
      if (changes === 0) throw notFound(`Flow ${flowId} does not exist.`);
    },

    async getVersion(flowId, version) {
      const row = await db.get<FlowVersionRow>(
        'SELECT flow_id, version, definition, created_at FROM flow_versions WHERE flow_id = $flow_id AND version = $version',
        { $flow_id: flowId, $version: version },
      );
      return row ? toFlowVersion(row) : null;
    },
  };
}
