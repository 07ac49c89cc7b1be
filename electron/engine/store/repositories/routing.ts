import type {
  AgentStatusRecord,
  QueueRecord,
  RoutingRepository,
  RoutingRuleRecord,
} from '../routing-types.js';
import { decodeFlag, decodeJsonArray, encodeJson } from './codec.js';
import { explainMissing, notFound, type RepositoryContext, returned } from './context.js';

interface QueueRow {
  id: number;
  name: string;
  label_en: string;
  label_zh: string;
  skills: string;
  offer_timeout_ms: number;
  wait_timeout_ms: number;
  fallback: QueueRecord['fallback'];
  priority: number;
  system: number;
  created_at: number;
}

const QUEUE_COLUMNS =
  'id, name, label_en, label_zh, skills, offer_timeout_ms, wait_timeout_ms, fallback, priority, system, created_at';

function toQueue(row: QueueRow): QueueRecord {
  return {
    id: row.id,
    name: row.name,
    labelEn: row.label_en,
    labelZh: row.label_zh,
    skills: decodeJsonArray(row.skills, `queue "${row.name}" skills`).map(String),
    offerTimeoutMs: row.offer_timeout_ms,
    waitTimeoutMs: row.wait_timeout_ms,
    fallback: row.fallback,
    priority: row.priority,
    system: decodeFlag(row.system),
    createdAt: row.created_at,
  };
}

interface RuleRow {
  id: number;
  position: number;
  field: string;
  operator: RoutingRuleRecord['operator'];
  value: string;
  queue_id: number;
  queue_name: string;
}

const SELECT_RULES = `SELECT r.id, r.position, r.field, r.operator, r.value, r.queue_id, q.name AS queue_name
  FROM routing_rules r JOIN queues q ON q.id = r.queue_id ORDER BY r.position`;

function toRule(row: RuleRow): RoutingRuleRecord {
  return {
    id: row.id,
    position: row.position,
    field: row.field,
    operator: row.operator,
    value: row.value,
    queueId: row.queue_id,
    queueName: row.queue_name,
  };
}

const QUEUE_CHANGE_COLUMNS = {
  labelEn: 'label_en',
  labelZh: 'label_zh',
  skills: 'skills',
  offerTimeoutMs: 'offer_timeout_ms',
  waitTimeoutMs: 'wait_timeout_ms',
  fallback: 'fallback',
  priority: 'priority',
} as const;

export function createRoutingRepository({ db, now }: RepositoryContext): RoutingRepository {
  const byName = async (name: string): Promise<QueueRecord | null> => {
    const row = await db.get<QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM queues WHERE name = $name`, {
      $name: name,
    });
    return row ? toQueue(row) : null;
  };
  return {
    async queues() {
      return (
        await db.all<QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM queues ORDER BY priority DESC, id`)
      ).map(toQueue);
    },

    queueByName: byName,

    async queue(id) {
      const row = await db.get<QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM queues WHERE id = $id`, {
        $id: id,
      });
      return row ? toQueue(row) : null;
    },

    async createQueue(input) {
      const row = await db.get<QueueRow>(
        `INSERT INTO queues (name, label_en, label_zh, skills, offer_timeout_ms, wait_timeout_ms, fallback, priority, system, created_at)
         VALUES ($name, $label_en, $label_zh, $skills, $offer, $wait, $fallback, $priority, 0, $created_at)
         RETURNING ${QUEUE_COLUMNS}`,
        {
          $name: input.name,
          $label_en: input.labelEn,
          $label_zh: input.labelZh,
          $skills: encodeJson(input.skills),
          $offer: input.offerTimeoutMs,
          $wait: input.waitTimeoutMs,
          $fallback: input.fallback,
          $priority: input.priority ?? 0,
          $created_at: now(),
        },
      );
      return toQueue(returned(row));
    },

    async updateQueue(name, changes) {
      const sets: string[] = [];
      const params: Record<string, string | number> = { $name: name };
      for (const [field, column] of Object.entries(QUEUE_CHANGE_COLUMNS) as Array<
        [keyof typeof QUEUE_CHANGE_COLUMNS, string]
      >) {
        const value = changes[field];
        if (value === undefined) continue;
        sets.push(`${column} = $${column}`);
        params[`$${column}`] = Array.isArray(value) ? encodeJson(value) : value;
      }
      if (sets.length > 0) {
        const { changes: updated } = await db.run(
          `UPDATE queues SET ${sets.join(', ')} WHERE name = $name`,
          params,
        );
        if (updated === 0) throw notFound(`Queue "${name}" does not exist.`);
      }
      const queue = await byName(name);
      if (!queue) throw notFound(`Queue "${name}" does not exist.`);
      return queue;
    },

    async rules() {
      return (await db.all<RuleRow>(SELECT_RULES)).map(toRule);
    },

    async replaceRules(rules) {
      return db.transaction(async (tx) => {
        await tx.run('DELETE FROM routing_rules');
        const at = now();
        for (const [i, rule] of rules.entries()) {
          await explainMissing(
            tx.run(
              'INSERT INTO routing_rules (position, field, operator, value, queue_id, created_at) VALUES ($position, $field, $operator, $value, $queue_id, $at)',
              {
                $position: i + 1,
                $field: rule.field,
                $operator: rule.operator,
                $value: rule.value,
                $queue_id: rule.queueId,
                $at: at,
              },
            ),
            `Rule ${i + 1}: queue ${rule.queueId} does not exist.`,
          );
        }
        return (await tx.all<RuleRow>(SELECT_RULES)).map(toRule);
      });
    },

    async setAgentStatus(id, status, at, onlyFrom) {
      const { changes } =
        onlyFrom === undefined
          ? await db.run(
              'UPDATE users SET status = $status, status_changed_at = $at WHERE id = $id',
              { $id: id, $status: status, $at: at },
            )
          : await db.run(
              'UPDATE users SET status = $status, status_changed_at = $at WHERE id = $id AND status = $from',
              { $id: id, $status: status, $at: at, $from: onlyFrom },
            );
      if (changes > 0) return true;
      if (onlyFrom === undefined) throw notFound(`User ${id} does not exist.`);
      return false;
    },

    async agentStatuses() {
      const rows = await db.all<{
        id: number;
        status: AgentStatusRecord['status'];
        status_changed_at: number | null;
      }>('SELECT id, status, status_changed_at FROM users ORDER BY id');
      return rows.map((row) => ({
        id: row.id,
        status: row.status,
        changedAt: row.status_changed_at,
      }));
    },

    async updateAgent(id, changes) {
      const sets: string[] = [];
      const params: Record<string, string | number> = { $id: id };
      if (changes.displayName !== undefined) {
        sets.push('display_name = $display_name');
        params.$display_name = changes.displayName;
      }
      if (changes.skills !== undefined) {
        sets.push('skills = $skills');
        params.$skills = encodeJson(changes.skills);
      }
      if (sets.length === 0) return;
      const { changes: updated } = await db.run(
        `UPDATE users SET ${sets.join(', ')} WHERE id = $id`,
        params,
      );
      if (updated === 0) throw notFound(`User ${id} does not exist.`);
    },

    async fallbackCounts(campaignId) {
      // The JSON field over the few transfer_fallback events of one campaign's calls (indexed by campaign).
      const rows = await db.all<{ fallback: string | null; n: number }>(
        `SELECT ${db.dialect.jsonText('e.data', 'fallback')} AS fallback, COUNT(*) AS n
         FROM calls c JOIN call_events e ON e.call_id = c.id AND e.type = 'transfer_fallback'
         WHERE c.campaign_id IS NOT DISTINCT FROM $campaign_id GROUP BY 1`,
        { $campaign_id: campaignId },
      );
      return Object.fromEntries(rows.map((row) => [row.fallback ?? 'unknown', row.n]));
    },
  };
}
