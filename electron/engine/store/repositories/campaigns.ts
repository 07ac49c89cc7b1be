import { DEFAULT_SETTINGS } from '../../api/contract.js';
import type { CampaignRecord, CampaignRepository, NewCampaign } from '../types.js';
import { decodeJsonObject, encodeJson } from './codec.js';
import { explainMissing, notFound, type RepositoryContext, returned } from './context.js';

export interface CampaignRow {
  id: number;
  name: string;
  status: CampaignRecord['status'];
  dialing_mode: CampaignRecord['dialingMode'];
  list_id: number | null;
  flow_id: number | null;
  flow_version: number | null;
  max_concurrent_calls: number;
  schedule: string;
  retry_policy: string;
  created_at: number;
  updated_at: number;
}

interface CampaignListRow extends CampaignRow {
  list_name: string | null;
  flow_name: string | null;
}

const COLUMNS =
  'id, name, status, dialing_mode, list_id, flow_id, flow_version, max_concurrent_calls, schedule, retry_policy, created_at, updated_at';
const QUALIFIED_COLUMNS = COLUMNS.split(', ')
  .map((column) => `c.${column}`)
  .join(', ');

export function toCampaign(row: CampaignRow): CampaignRecord {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    dialingMode: row.dialing_mode,
    listId: row.list_id,
    flowId: row.flow_id,
    flowVersion: row.flow_version,
    maxConcurrentCalls: row.max_concurrent_calls,
    schedule: decodeJsonObject(row.schedule, `campaign "${row.name}" schedule`),
    retryPolicy: decodeJsonObject(row.retry_policy, `campaign "${row.name}" retry policy`),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const INSERT = `
  INSERT INTO campaigns (name, dialing_mode, list_id, flow_id, max_concurrent_calls, schedule, retry_policy, created_at, updated_at)
  VALUES ($name, $dialing_mode, $list_id, $flow_id, $max_concurrent_calls, $schedule, $retry_policy, $now, $now)
  RETURNING ${COLUMNS}`;

// Starting a campaign pins the flow version it runs, so editing the flow later does not change
// calls already under way.
const SET_STATUS = `
  UPDATE campaigns SET
    status = $status,
    updated_at = $now,
    flow_version = CASE
      WHEN $status = 'running' AND flow_version IS NULL
      THEN (SELECT max(version) FROM flow_versions v WHERE v.flow_id = campaigns.flow_id)
      ELSE flow_version END
  WHERE id = $id`;

export function createCampaignRepository({ db, now }: RepositoryContext): CampaignRepository {
  const getWhere = async (where: string, params: Record<string, string | number>) => {
    const row = await db.get<CampaignRow>(
      `SELECT ${COLUMNS} FROM campaigns WHERE ${where}`,
      params,
    );
    return row ? toCampaign(row) : null;
  };

  return {
    async create(input: NewCampaign) {
      const insert = db.get<CampaignRow>(INSERT, {
        $name: input.name,
        $dialing_mode: input.dialingMode ?? 'agentless',
        $list_id: input.listId ?? null,
        $flow_id: input.flowId ?? null,
        $max_concurrent_calls: input.maxConcurrentCalls ?? DEFAULT_SETTINGS.maxConcurrentCalls,
        $schedule: encodeJson(input.schedule ?? {}),
        $retry_policy: encodeJson(input.retryPolicy ?? {}),
        $now: now(),
      });
      const row = await explainMissing(
        insert,
        'The contact list or flow given for the campaign does not exist.',
      );
      return toCampaign(returned(row));
    },

    get: (id) => getWhere('id = $id', { $id: id }),

    getByName: (name) => getWhere('name = $name', { $name: name }),

    async list() {
      const rows = await db.all<CampaignListRow>(`
        SELECT ${QUALIFIED_COLUMNS}, l.name AS list_name, f.name AS flow_name
        FROM campaigns c
        LEFT JOIN contact_lists l ON l.id = c.list_id
        LEFT JOIN flows f ON f.id = c.flow_id
        ORDER BY c.created_at DESC, c.id DESC`);
      return rows.map((row) => ({
        ...toCampaign(row),
        listName: row.list_name,
        flowName: row.flow_name,
      }));
    },

    async setStatus(id, status) {
      const { changes } = await db.run(SET_STATUS, { $id: id, $status: status, $now: now() });
      if (changes === 0) throw notFound(`Campaign ${id} does not exist.`);
    },
  };
}
