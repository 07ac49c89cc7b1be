/**
 * The dialer's tables: a campaign's dialing settings (campaigns + campaign_trunks) and its
 * contacts' leases (campaign_contacts, schema 2). A lease and its call row are written in one
 * transaction, and so are a settlement and its contact row: a crash leaves either both or neither.
 */
import type {
  CampaignContactRecord,
  CampaignContactRepository,
  CampaignCounts,
  DialingCampaignChanges,
  DialingCampaignRecord,
  LeaseClaim,
  LeaseWithCall,
} from '../campaign-dialing-types.js';
import type { SqlExecutor } from '../database.js';
import type { Dialect } from '../dialect.js';
import type { CallRecord } from '../types.js';
import { callsByIds, createCallRepository } from './calls.js';
import { type CampaignRow as BaseCampaignRow, toCampaign } from './campaigns.js';
import { decodeJsonObject, encodeJson } from './codec.js';
import {
  explainMissing,
  likeContaining,
  notFound,
  type RepositoryContext,
  returned,
} from './context.js';

// The campaigns table's row (campaigns.ts) with the dialer's columns and names joined in.
interface CampaignRow extends BaseCampaignRow {
  lines_per_agent: number;
  queue: string;
  trunk_ids: string;
  trunk_names: string;
  list_name: string | null;
  list_region: string | null;
  flow_name: string | null;
  predictive: string;
  amd: string;
  require_consent: number;
}

/** A JSON array text of `column` over `from` in `order` ('[]' when there are no rows). */
function jsonArrayOf(d: Dialect, column: string, from: string, order: string): string {
  return d.name === 'postgres'
    ? `(SELECT CAST(COALESCE(json_agg(${column} ORDER BY ${order}), '[]') AS TEXT) ${from})`
    : `(SELECT json_group_array(v) FROM (SELECT ${column} AS v ${from} ORDER BY ${order}))`;
}

/** SQLite's INDEXED BY hint (its planner picks the wrong index there); PostgreSQL plans alone. */
function indexedBy(d: Dialect, index: string): string {
  return d.name === 'postgres' ? '' : `INDEXED BY ${index}`;
}

/** A boolean condition counted as 0/1 (PostgreSQL cannot sum booleans). */
const countIf = (condition: string): string => `sum(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;

const selectCampaign = (d: Dialect): string => `
  SELECT c.id, c.name, c.status, c.dialing_mode, c.list_id, c.flow_id, c.flow_version, c.max_concurrent_calls,
         c.schedule, c.retry_policy, c.created_at, c.updated_at, c.lines_per_agent, c.queue, c.predictive, c.amd,
         c.require_consent,
         ${jsonArrayOf(d, 't.trunk_id', 'FROM campaign_trunks t WHERE t.campaign_id = c.id', 't.priority, t.trunk_id')} AS trunk_ids,
         ${jsonArrayOf(d, 'tr.name', 'FROM campaign_trunks t JOIN trunks tr ON tr.id = t.trunk_id WHERE t.campaign_id = c.id', 't.priority, t.trunk_id')} AS trunk_names,
         l.name AS list_name, l.default_region AS list_region, f.name AS flow_name
  FROM campaigns c
  LEFT JOIN contact_lists l ON l.id = c.list_id
  LEFT JOIN flows f ON f.id = c.flow_id`;

function toDialingCampaign(row: CampaignRow): DialingCampaignRecord {
  return {
    ...toCampaign(row),
    linesPerAgent: row.lines_per_agent,
    queue: row.queue,
    trunkIds: JSON.parse(row.trunk_ids) as number[], // json_group_array of integers
    trunkNames: JSON.parse(row.trunk_names) as string[], // json_group_array of names
    listName: row.list_name,
    listDefaultRegion: row.list_region,
    flowName: row.flow_name,
    predictive: decodeJsonObject(row.predictive, `campaign ${row.id} predictive`),
    amd: decodeJsonObject(row.amd, `campaign ${row.id} amd`),
    requireConsent: row.require_consent === 1,
  };
}

interface ContactRow {
  campaign_id: number;
  contact_id: number;
  phone: string;
  name: string | null;
  time_zone: string | null;
  fields: string;
  consent_source: string | null;
  consent_at: number | null;
  status: CampaignContactRecord['status'];
  attempts: number;
  next_at: number;
  callback_at: number | null;
  callback_source: CampaignContactRecord['callbackSource'];
  lease_call_id: string | null;
  leased_at: number | null;
  last_call_id: string | null;
  last_outcome: CampaignContactRecord['lastOutcome'];
  last_disposition: string | null;
  last_attempt_at: number | null;
  done_reason: string | null;
}

const CONTACT_COLUMNS = `cc.campaign_id, cc.contact_id, ct.phone, ct.name, ct.time_zone, ct.fields, ct.consent_source, ct.consent_at, cc.status, cc.attempts, cc.next_at,
  cc.callback_at, cc.callback_source, cc.lease_call_id, cc.leased_at, cc.last_call_id, cc.last_outcome, cc.last_disposition,
  cc.last_attempt_at, cc.done_reason`;

function toContact(row: ContactRow): CampaignContactRecord {
  return {
    campaignId: row.campaign_id,
    contactId: row.contact_id,
    phone: row.phone,
    name: row.name,
    timeZone: row.time_zone,
    fields: decodeJsonObject(row.fields, `contact ${row.contact_id} fields`),
    consentSource: row.consent_source,
    consentAt: row.consent_at,
    status: row.status,
    attempts: row.attempts,
    nextAt: row.next_at,
    callbackAt: row.callback_at,
    callbackSource: row.callback_source,
    leaseCallId: row.lease_call_id,
    leasedAt: row.leased_at,
    lastCallId: row.last_call_id,
    lastOutcome: row.last_outcome,
    lastDisposition: row.last_disposition,
    lastAttemptAt: row.last_attempt_at,
    doneReason: row.done_reason,
  };
}

/**
 * The one place the dialect shows in this file: PostgreSQL's row locks for seats that lease from
 * one campaign at once. SQLite's IMMEDIATE transaction already serialises every writer.
 */
function isPostgres(db: SqlExecutor): boolean {
  return db.dialect.name === 'postgres';
}

/** Appended to a SELECT of campaign_contacts `cc` that a seat is about to lease or reap. */
function skipLocked(db: SqlExecutor): string {
  return isPostgres(db) ? ' FOR UPDATE OF cc SKIP LOCKED' : '';
}

interface LeaseRow {
  campaign_id: number;
  contact_id: number;
  attempts: number;
  call_id: string;
  final: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
}

async function getCampaignWhere(
  db: SqlExecutor,
  where: string,
  params: Record<string, string | number>,
): Promise<DialingCampaignRecord | null> {
  const row = await db.get<CampaignRow>(`${selectCampaign(db.dialect)} WHERE ${where}`, params);
  return row ? toDialingCampaign(row) : null;
}

async function setTrunks(
  db: SqlExecutor,
  campaignId: number,
  trunkIds: readonly number[],
): Promise<void> {
  await db.run('DELETE FROM campaign_trunks WHERE campaign_id = $id', { $id: campaignId });
  let priority = 0;
  for (const trunkId of trunkIds) {
    await explainMissing(
      db.run(
        'INSERT INTO campaign_trunks (campaign_id, trunk_id, priority) VALUES ($campaign, $trunk, $priority)',
        { $campaign: campaignId, $trunk: trunkId, $priority: priority++ },
      ),
      `Trunk ${trunkId} does not exist.`,
    );
  }
}

const CAMPAIGN_COLUMNS = {
  name: 'name',
  listId: 'list_id',
  flowId: 'flow_id',
  flowVersion: 'flow_version',
  dialingMode: 'dialing_mode',
  linesPerAgent: 'lines_per_agent',
  queue: 'queue',
  maxConcurrentCalls: 'max_concurrent_calls',
  schedule: 'schedule',
  retryPolicy: 'retry_policy',
  predictive: 'predictive',
  amd: 'amd',
  requireConsent: 'require_consent',
} as const;

export function createCampaignContactRepository({
  db,
  now,
  dncDigest,
}: RepositoryContext): CampaignContactRepository {
  const calls = (executor: SqlExecutor) => createCallRepository({ db: executor, now });

  const requireCampaign = async (
    executor: SqlExecutor,
    id: number,
  ): Promise<DialingCampaignRecord> => {
    const campaign = await getCampaignWhere(executor, 'c.id = $id', { $id: id });
    if (!campaign) throw notFound(`Campaign ${id} does not exist.`);
    return campaign;
  };

  return {
    createCampaign(input) {
      return db.transaction(async (tx) => {
        const insert = tx.get<{ id: number }>(
          `INSERT INTO campaigns (name, dialing_mode, list_id, flow_id, flow_version, max_concurrent_calls, schedule, retry_policy, lines_per_agent, queue, predictive, amd, require_consent, created_at, updated_at)
           VALUES ($name, $mode, $list, $flow, $version, $max, $schedule, $retry, $lines, $queue, $predictive, $amd, $consent, $now, $now) RETURNING id`,
          {
            $name: input.name,
            $mode: input.dialingMode,
            $list: input.listId,
            $flow: input.flowId,
            $version: input.flowVersion,
            $max: input.maxConcurrentCalls,
            $schedule: encodeJson(input.schedule),
            $retry: encodeJson(input.retryPolicy),
            $lines: input.linesPerAgent,
            $queue: input.queue,
            $predictive: encodeJson(input.predictive ?? {}),
            $amd: encodeJson(input.amd ?? {}),
            $consent: input.requireConsent ? 1 : 0,
            $now: now(),
          },
        );
        const { id } = returned(
          await explainMissing(
            insert,
            'The contact list or flow version given for the campaign does not exist.',
          ),
        );
        await setTrunks(tx, id, input.trunkIds);
        return requireCampaign(tx, id);
      });
    },

    updateCampaign(id, changes: DialingCampaignChanges) {
      return db.transaction(async (tx) => {
        const sets: string[] = [];
        const params: Record<string, string | number | null> = { $id: id, $now: now() };
        for (const [field, column] of Object.entries(CAMPAIGN_COLUMNS) as Array<
          [keyof typeof CAMPAIGN_COLUMNS, string]
        >) {
          const value = changes[field];
          if (value === undefined) continue;
          sets.push(`${column} = $${column}`);
          params[`$${column}`] =
            typeof value === 'boolean'
              ? Number(value)
              : typeof value === 'object' && value !== null
                ? encodeJson(value)
                : value;
        }
        const { changes: updated } = await explainMissing(
          tx.run(
            `UPDATE campaigns SET ${[...sets, 'updated_at = $now'].join(', ')} WHERE id = $id`,
            params,
          ),
          'The contact list or flow version given for the campaign does not exist.',
        );
        if (updated === 0) throw notFound(`Campaign ${id} does not exist.`);
        if (changes.trunkIds) await setTrunks(tx, id, changes.trunkIds);
        return requireCampaign(tx, id);
      });
    },

    getCampaign: (id) => getCampaignWhere(db, 'c.id = $id', { $id: id }),
    getCampaignByName: (name) => getCampaignWhere(db, 'c.name = $name', { $name: name }),

    async campaignsWithStatus(status) {
      const rows = await db.all<CampaignRow>(
        `${selectCampaign(db.dialect)} WHERE c.status = $status ORDER BY c.id`,
        { $status: status },
      );
      return rows.map(toDialingCampaign);
    },

    enroll(campaignId, listId, afterContactId) {
      return db.transaction(async (tx) => {
        // contacts.id is the rowid: "id > after" is a range scan of only the newer contacts.
        const { changes } = await tx.run(
          `INSERT INTO campaign_contacts (campaign_id, contact_id, next_at)
           SELECT $campaign, id, 0 FROM contacts WHERE list_id = $list AND id > $after
           ON CONFLICT DO NOTHING`,
          { $campaign: campaignId, $list: listId, $after: afterContactId ?? 0 },
        );
        const max = await tx.get<{ m: number | null }>(
          'SELECT max(id) AS m FROM contacts WHERE list_id = $list',
          { $list: listId },
        );
        return { added: changes, maxContactId: max?.m ?? 0 };
      });
    },

    async due(campaignId, at, limit, options = {}) {
      // With `lock` on PostgreSQL, rows another seat's pass holds are skipped, not waited for.
      const lock = options.lock ? skipLocked(db) : '';
      // Due callbacks first (a promise made to the customer), then everything else by next_at.
      const callbacks = await db.all<ContactRow>(
        `SELECT ${CONTACT_COLUMNS} FROM campaign_contacts cc JOIN contacts ct ON ct.id = cc.contact_id
         WHERE cc.campaign_id = $campaign AND cc.status = 'pending' AND cc.callback_at IS NOT NULL AND cc.callback_at <= $now AND cc.next_at <= $now
         ORDER BY cc.callback_at, cc.contact_id LIMIT $limit${lock}`,
        { $campaign: campaignId, $now: at, $limit: limit },
      );
      const rest =
        callbacks.length >= limit
          ? []
          : await db.all<ContactRow>(
              `SELECT ${CONTACT_COLUMNS} FROM campaign_contacts cc ${indexedBy(db.dialect, 'campaign_contacts_pending')} JOIN contacts ct ON ct.id = cc.contact_id
               WHERE cc.campaign_id = $campaign AND cc.status = 'pending' AND cc.next_at <= $now
               ORDER BY cc.next_at, cc.contact_id LIMIT $limit${lock}`,
              { $campaign: campaignId, $now: at, $limit: limit },
            );
      const seen = new Set(callbacks.map((r) => r.contact_id));
      return [...callbacks, ...rest.filter((r) => !seen.has(r.contact_id))]
        .slice(0, limit)
        .map(toContact);
    },

    async lockNumbers(phones) {
      if (!isPostgres(db) || phones.length === 0) return new Set(phones);
      // Transaction-scoped: released at COMMIT, when this pass's call rows become visible to the
      // next seat that locks the number and reads its history. 'outbound:' keeps the key apart
      // from any other advisory lock user of the database.
      const rows = await db.all<{ phone: string }>(
        `SELECT p.value AS phone FROM ${db.dialect.jsonTexts('$phones')} AS p
         WHERE pg_try_advisory_xact_lock(hashtext('outbound:' || p.value))`,
        { $phones: encodeJson([...new Set(phones)]) },
      );
      return new Set(rows.map((r) => r.phone));
    },

    async defer(campaignId, contactId, nextAt) {
      await db.run(
        `UPDATE campaign_contacts SET next_at = $next WHERE campaign_id = $campaign AND contact_id = $contact AND status = 'pending'`,
        {
          $campaign: campaignId,
          $contact: contactId,
          $next: nextAt,
        },
      );
    },

    async finish(campaignId, contactId, reason, at) {
      await db.run(
        `UPDATE campaign_contacts ${pk(db)} SET status = 'done', done_reason = $reason, next_at = $at, callback_at = NULL, callback_source = NULL
         WHERE campaign_id = $campaign AND contact_id = $contact AND status = 'pending'`,
        { $campaign: campaignId, $contact: contactId, $reason: reason, $at: at },
      );
    },

    lease(campaignId, contactId, call, claim?: LeaseClaim) {
      return db.transaction(async (tx) => {
        const { changes } = await tx.run(
          `UPDATE campaign_contacts SET status = 'leased', lease_call_id = $call, leased_at = $now, lease_owner = $owner, lease_expires_at = $expires
           WHERE campaign_id = $campaign AND contact_id = $contact AND status = 'pending'`,
          {
            $campaign: campaignId,
            $contact: contactId,
            $call: call.id,
            $now: call.startedAt,
            $owner: claim?.owner ?? null,
            $expires: claim?.expiresAt ?? null,
          },
        );
        if (changes === 0) return null;
        return calls(tx).create({ ...call, state: 'queued', seatId: claim?.owner ?? null });
      });
    },

    leaseMany(campaignId, callIdPrefix, newCalls, claim) {
      if (newCalls.length === 0) return Promise.resolve(new Map());
      // node-sqlite3 costs a thread hop per statement: a pass's leases go in four statements, not
      // five each. "contact_id IN (json_each)" walks the primary key, and each call id is the
      // prefix plus the contact id, so one UPDATE gives every row its own lease id.
      return db.transaction(async (tx) => {
        const items = newCalls.map((c) => ({
          id: `${callIdPrefix}${c.contactId}`,
          contactId: c.contactId,
          trunkId: c.trunkId ?? null,
          number: c.number,
          attempt: c.attempt,
          flowId: c.flowId ?? null,
          flowVersion: c.flowVersion ?? null,
          startedAt: c.startedAt,
        }));
        const won = await tx.all<{ contact_id: number }>(
          `UPDATE campaign_contacts ${pk(db)} SET status = 'leased', leased_at = $now, lease_call_id = CAST($prefix AS TEXT) || CAST(contact_id AS TEXT),
             lease_owner = $owner, lease_expires_at = $expires
           WHERE campaign_id = $campaign AND contact_id IN ${db.dialect.jsonIntegers('$ids')} AND status = 'pending'
           RETURNING contact_id`,
          {
            $campaign: campaignId,
            $prefix: callIdPrefix,
            $ids: encodeJson(items.map((i) => i.contactId)),
            $now: items[0]?.startedAt ?? now(),
            $owner: claim?.owner ?? null,
            $expires: claim?.expiresAt ?? null,
          },
        );
        const wonIds = new Set(won.map((w) => w.contact_id));
        const leased = items.filter((i) => wonIds.has(i.contactId));
        if (leased.length === 0) return new Map();
        const rows = encodeJson(leased);
        // The same rows calls.create writes: the call, its 'created' event, its first transition.
        await tx.run(
          `INSERT INTO calls (id, campaign_id, contact_id, trunk_id, number, attempt, state, flow_id, flow_version, started_at, seat_id)
           SELECT value ->> 'id', $campaign, CAST(value ->> 'contactId' AS BIGINT), CAST(value ->> 'trunkId' AS BIGINT), value ->> 'number',
                  CAST(value ->> 'attempt' AS BIGINT), 'queued', CAST(value ->> 'flowId' AS BIGINT), CAST(value ->> 'flowVersion' AS BIGINT),
                  CAST(value ->> 'startedAt' AS BIGINT), $seat FROM ${db.dialect.jsonEach('$rows')}`,
          { $campaign: campaignId, $rows: rows, $seat: claim?.owner ?? null },
        );
        await tx.run(
          `INSERT INTO call_events (call_id, at, type, data) SELECT value ->> 'id', CAST(value ->> 'startedAt' AS BIGINT), 'created', '{"state":"queued"}' FROM ${db.dialect.jsonEach('$rows')}`,
          { $rows: rows },
        );
        await tx.run(
          `INSERT INTO call_transitions (call_id, from_state, to_state, at, reason) SELECT value ->> 'id', NULL, 'queued', CAST(value ->> 'startedAt' AS BIGINT), NULL FROM ${db.dialect.jsonEach('$rows')}`,
          { $rows: rows },
        );
        return new Map(leased.map((i) => [i.contactId, i.id]));
      });
    },

    async deferMany(campaignId, items) {
      // One statement per distinct time (a pass's contacts share a few: their zones' next windows).
      // INDEXED BY the primary key: on its own SQLite picks campaign_contacts_due (campaign_id) and scans the campaign.
      for (const [nextAt, group] of groupBy(items, (i) => i.nextAt)) {
        await db.run(
          `UPDATE campaign_contacts ${pk(db)} SET next_at = $next
           WHERE campaign_id = $campaign AND contact_id IN ${db.dialect.jsonIntegers('$ids')} AND status = 'pending'`,
          { $campaign: campaignId, $next: nextAt, $ids: encodeJson(group.map((i) => i.contactId)) },
        );
      }
    },

    async finishMany(campaignId, items, at) {
      for (const [reason, group] of groupBy(items, (i) => i.reason)) {
        await db.run(
          `UPDATE campaign_contacts ${pk(db)} SET status = 'done', done_reason = $reason, next_at = $at, callback_at = NULL, callback_source = NULL
           WHERE campaign_id = $campaign AND contact_id IN ${db.dialect.jsonIntegers('$ids')} AND status = 'pending'`,
          {
            $campaign: campaignId,
            $reason: reason,
            $at: at,
            $ids: encodeJson(group.map((i) => i.contactId)),
          },
        );
      }
    },

    async leases(options = {}) {
      const rows = await db.all<LeaseRow>(
        `SELECT ${LEASE_COLUMNS}
         FROM campaign_contacts cc
         JOIN calls c ON c.id = cc.lease_call_id
         LEFT JOIN dispositions d ON d.code = c.disposition_code
         WHERE cc.status = 'leased' ${options.includeOpen ? '' : "AND c.state = 'done'"}
           ${options.owner === undefined ? '' : 'AND (cc.lease_owner = $owner OR cc.lease_owner IS NULL)'}`,
        options.owner === undefined ? {} : { $owner: options.owner },
      );
      return withCalls(db, rows);
    },

    async renewLeases(owner, expiresAt) {
      const { changes } = await db.run(
        `UPDATE campaign_contacts SET lease_expires_at = $expires WHERE status = 'leased' AND lease_owner = $owner`,
        { $owner: owner, $expires: expiresAt },
      );
      return changes;
    },

    async expiredLeases(exceptOwner, at, limit) {
      const rows = await db.all<LeaseRow>(
        `SELECT ${LEASE_COLUMNS}
         FROM campaign_contacts cc
         JOIN calls c ON c.id = cc.lease_call_id
         LEFT JOIN dispositions d ON d.code = c.disposition_code
         WHERE cc.status = 'leased' AND cc.lease_expires_at < $at AND cc.lease_owner <> $owner
         ORDER BY cc.lease_expires_at, cc.campaign_id, cc.contact_id LIMIT $limit${skipLocked(db)}`,
        { $at: at, $owner: exceptOwner, $limit: limit },
      );
      return withCalls(db, rows);
    },

    async closeLostCalls(items, at, type) {
      if (items.length === 0) return new Set();
      const d = db.dialect;
      const rows = encodeJson(
        items.map((i) => ({
          id: i.callId,
          state: i.state,
          outcome: i.outcome,
          reason: i.reason,
          data: encodeJson(i.data),
        })),
      );
      const closed = await db.all<{ call_id: string }>(
        `UPDATE calls SET state = 'done', outcome = json_each.value ->> 'outcome', ended_at = $at, end_reason = json_each.value ->> 'reason'
         FROM ${d.jsonEach('$rows')}
         WHERE calls.id = json_each.value ->> 'id' AND calls.state = json_each.value ->> 'state'
         RETURNING calls.id AS call_id`,
        { $at: at, $rows: rows },
      );
      const ids = new Set(closed.map((c) => c.call_id));
      const done = encodeJson(
        items
          .filter((i) => ids.has(i.callId))
          .map((i) => ({
            id: i.callId,
            state: i.state,
            reason: i.reason,
            data: encodeJson(i.data),
          })),
      );
      await db.run(
        `INSERT INTO call_transitions (call_id, from_state, to_state, at, reason)
         SELECT value ->> 'id', value ->> 'state', 'done', CAST($at AS BIGINT), value ->> 'reason' FROM ${d.jsonEach('$rows')}`,
        { $at: at, $rows: done },
      );
      await db.run(
        `INSERT INTO call_events (call_id, at, type, data)
         SELECT value ->> 'id', CAST($at AS BIGINT), CAST($type AS TEXT), value ->> 'data' FROM ${d.jsonEach('$rows')}`,
        { $at: at, $type: type, $rows: done },
      );
      return ids;
    },

    async settle(lease, s) {
      const { changes } = await db.run(
        `UPDATE campaign_contacts SET status = $status, attempts = attempts + 1, next_at = $next, callback_at = $callback,
           callback_source = $source, lease_call_id = NULL, leased_at = NULL, lease_owner = NULL, lease_expires_at = NULL, last_call_id = $call, last_outcome = $outcome,
           last_disposition = $disposition, last_attempt_at = $started, done_reason = $reason
         WHERE campaign_id = $campaign AND contact_id = $contact AND lease_call_id = $call`,
        {
          $status: s.status,
          $next: s.nextAt,
          $callback: s.callbackAt,
          $source: s.callbackSource,
          $call: lease.call.id,
          $outcome: lease.call.outcome,
          $disposition: lease.call.dispositionCode,
          $started: lease.call.startedAt,
          $reason: s.doneReason,
          $campaign: lease.campaignId,
          $contact: lease.contactId,
        },
      );
      return changes > 0;
    },

    discard(callId) {
      return db.transaction(async (tx) => {
        const call = await tx.get<{ state: string }>('SELECT state FROM calls WHERE id = $id', {
          $id: callId,
        });
        if (!call || call.state !== 'queued') return false;
        await tx.run(
          `UPDATE campaign_contacts SET status = 'pending', lease_call_id = NULL, leased_at = NULL, lease_owner = NULL, lease_expires_at = NULL WHERE lease_call_id = $id`,
          { $id: callId },
        );
        // Never dialed: no SIP message left the machine, so it is no attempt (call events and transitions go with it).
        await tx.run('DELETE FROM calls WHERE id = $id', { $id: callId });
        return true;
      });
    },

    async leasedCount(campaignId) {
      const row = await db.get<{ n: number }>(
        `SELECT count(*) AS n FROM campaign_contacts WHERE campaign_id = $id AND status = 'leased'`,
        { $id: campaignId },
      );
      return row?.n ?? 0;
    },

    counts(campaignId, at) {
      return db.transaction(
        async (tx) => {
          const p = { $id: campaignId };
          const byStatus = await tx.all<{ status: string; n: number; dialed: number }>(
            // A leased contact is being dialed now: it counts as dialed before its first attempt settles.
            `SELECT status, count(*) AS n, ${countIf("attempts > 0 OR status = 'leased'")} AS dialed FROM campaign_contacts WHERE campaign_id = $id GROUP BY status`,
            p,
          );
          const n = (status: string) => byStatus.find((r) => r.status === status)?.n ?? 0;
          const callRow = await tx.get<{ calls: number; answered: number; completed: number }>(
            `SELECT count(*) AS calls, count(answered_at) AS answered, ${countIf("outcome = 'completed'")} AS completed FROM calls WHERE campaign_id = $id`,
            p,
          );
          const transfers = await tx.get<{ transferred: number; fallbacks: number }>(
            `SELECT count(DISTINCT CASE WHEN t.to_state = 'transferring' THEN t.call_id END) AS transferred,
                    count(DISTINCT CASE WHEN t.from_state = 'transferring' AND t.to_state = 'bot' THEN t.call_id END) AS fallbacks
             FROM call_transitions t JOIN calls c ON c.id = t.call_id WHERE c.campaign_id = $id AND t.to_state IN ('transferring', 'bot')`,
            p,
          );
          const unanswered = await tx.get<{ n: number }>(
            `SELECT count(DISTINCT e.call_id) AS n FROM call_events e JOIN calls c ON c.id = e.call_id WHERE c.campaign_id = $id AND e.type = 'transfer_unanswered'`,
            p,
          );
          const outcomes = await tx.all<{ outcome: string; n: number }>(
            'SELECT outcome, count(*) AS n FROM calls WHERE campaign_id = $id AND outcome IS NOT NULL GROUP BY outcome',
            p,
          );
          const dispositions = await tx.all<{ code: string; n: number }>(
            'SELECT disposition_code AS code, count(*) AS n FROM calls WHERE campaign_id = $id AND disposition_code IS NOT NULL GROUP BY disposition_code',
            p,
          );
          const waiting = await tx.get<{ due: number; next: number | null }>(
            `SELECT ${countIf('callback_at IS NOT NULL AND callback_at <= $now')} AS due, min(CASE WHEN next_at > $now THEN next_at END) AS next
             FROM campaign_contacts WHERE campaign_id = $id AND status = 'pending'`,
            { ...p, $now: at },
          );
          const counts: CampaignCounts = {
            contacts: byStatus.reduce((sum, r) => sum + r.n, 0),
            pending: n('pending'),
            leased: n('leased'),
            done: n('done'),
            dialed: byStatus.reduce((sum, r) => sum + (r.dialed ?? 0), 0),
            calls: callRow?.calls ?? 0,
            answered: callRow?.answered ?? 0,
            completed: callRow?.completed ?? 0,
            transferred: transfers?.transferred ?? 0,
            transferFallbacks: Math.max(transfers?.fallbacks ?? 0, unanswered?.n ?? 0),
            byOutcome: Object.fromEntries(outcomes.map((r) => [r.outcome, r.n])),
            byDisposition: Object.fromEntries(dispositions.map((r) => [r.code, r.n])),
            callbacksDue: waiting?.due ?? 0,
            nextAttemptAt: waiting?.next ?? null,
          };
          return counts;
        },
        { behavior: 'deferred' },
      );
    },

    contacts(campaignId, filter) {
      const conditions = ['cc.campaign_id = $campaign'];
      const params: Record<string, string | number> = { $campaign: campaignId };
      if (filter.status) {
        conditions.push('cc.status = $status');
        params.$status = filter.status;
      }
      const search = filter.search?.trim();
      if (search) {
        conditions.push(
          `(ct.phone ${db.dialect.like} $pattern ESCAPE '\\' OR ct.name ${db.dialect.like} $pattern ESCAPE '\\')`,
        );
        params.$pattern = likeContaining(search);
      }
      const where = conditions.join(' AND ');
      return db.transaction(
        async (tx) => {
          const rows = await tx.all<ContactRow>(
            `SELECT ${CONTACT_COLUMNS} FROM campaign_contacts cc JOIN contacts ct ON ct.id = cc.contact_id WHERE ${where}
             ORDER BY cc.contact_id LIMIT $limit OFFSET $offset`,
            { ...params, $limit: filter.limit, $offset: filter.offset },
          );
          const total = await tx.get<{ n: number }>(
            `SELECT count(*) AS n FROM campaign_contacts cc JOIN contacts ct ON ct.id = cc.contact_id WHERE ${where}`,
            params,
          );
          return { contacts: rows.map(toContact), total: total?.n ?? 0 };
        },
        { behavior: 'deferred' },
      );
    },

    async histories(items, since) {
      if (items.length === 0) return [];
      const rows = await db.all<{
        id: string;
        campaign_id: number | null;
        contact_id: number | null;
        number: string;
        started_at: number;
        ended_at: number | null;
        outcome: CallRecord['outcome'];
        disposition_code: string | null;
        final: number | null;
      }>(
        `WITH q AS (SELECT CAST(value ->> 'c' AS BIGINT) AS contact_id, value ->> 'n' AS number FROM ${db.dialect.jsonEach('$items')})
         SELECT c.id, c.campaign_id, c.contact_id, c.number, c.started_at, c.ended_at, c.outcome, c.disposition_code, d.final
           FROM (SELECT id FROM calls WHERE contact_id IN (SELECT contact_id FROM q)
                 UNION SELECT id FROM calls WHERE number IN (SELECT number FROM q) AND started_at >= $since) AS hit
           JOIN calls AS c ON c.id = hit.id
           LEFT JOIN dispositions AS d ON d.code = c.disposition_code
          ORDER BY c.started_at, c.id`,
        { $items: encodeJson(items.map((i) => ({ c: i.contactId, n: i.phone }))), $since: since },
      );
      return rows.map((row) => ({
        id: row.id,
        number: row.number,
        campaignId: row.campaign_id,
        contactId: row.contact_id,
        startedAt: row.started_at,
        endedAt: row.ended_at,
        outcome: row.outcome,
        disposition:
          row.disposition_code === null
            ? null
            : { code: row.disposition_code, final: row.final === 1 },
      }));
    },

    async hasOpen(campaignId) {
      const row = await db.get<{ one: number }>(
        `SELECT 1 AS one FROM campaign_contacts WHERE campaign_id = $id AND status IN ('pending', 'leased') LIMIT 1`,
        { $id: campaignId },
      );
      return row !== undefined;
    },

    async dncAmong(phones) {
      if (phones.length === 0) return new Set();
      const rows = await db.all<{ phone: string }>(
        `SELECT phone FROM dnc_entries WHERE phone IN ${db.dialect.jsonTexts('$phones')}`,
        { $phones: encodeJson(phones) },
      );
      const listed = new Set(rows.map((r) => r.phone));
      // Numbers erased on request are kept only as a keyed hash (schema 10).
      const digestOf = dncDigest?.fn;
      if (digestOf) {
        const byDigest = new Map(phones.map((phone) => [digestOf(phone), phone]));
        const hashes = await db.all<{ digest: string }>(
          `SELECT digest FROM dnc_hashes WHERE digest IN ${db.dialect.jsonTexts('$d')}`,
          { $d: encodeJson([...byDigest.keys()]) },
        );
        for (const { digest } of hashes) listed.add(byDigest.get(digest) ?? '');
      }
      return listed;
    },

    async leaseStates(campaignId, owner) {
      const rows = await db.all<{ state: CallRecord['state']; n: number }>(
        `SELECT c.state, count(*) AS n FROM campaign_contacts cc JOIN calls c ON c.id = cc.lease_call_id
         WHERE cc.campaign_id = $id AND cc.status = 'leased' ${owner === undefined ? '' : 'AND (cc.lease_owner = $owner OR cc.lease_owner IS NULL)'} GROUP BY c.state`,
        owner === undefined ? { $id: campaignId } : { $id: campaignId, $owner: owner },
      );
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    },

    abandonmentMinutes(campaignId, fromMinute) {
      return db.all<{ minute: number; answered: number; abandoned: number }>(
        `SELECT minute, answered, abandoned FROM campaign_abandonment
         WHERE campaign_id = $id AND minute >= $from ORDER BY minute`,
        { $id: campaignId, $from: fromMinute },
      );
    },

    async countAnswered(campaignId, minute, abandoned) {
      await db.run(
        `INSERT INTO campaign_abandonment (campaign_id, minute, answered, abandoned) VALUES ($id, $minute, 1, $abandoned)
         ON CONFLICT (campaign_id, minute) DO UPDATE SET answered = campaign_abandonment.answered + 1,
           abandoned = campaign_abandonment.abandoned + excluded.abandoned`,
        { $id: campaignId, $minute: minute, $abandoned: abandoned ? 1 : 0 },
      );
    },

    async contact(campaignId, contactId) {
      const row = await db.get<ContactRow>(
        `SELECT ${CONTACT_COLUMNS} FROM campaign_contacts cc JOIN contacts ct ON ct.id = cc.contact_id WHERE cc.campaign_id = $campaign AND cc.contact_id = $contact`,
        { $campaign: campaignId, $contact: contactId },
      );
      return row ? toContact(row) : null;
    },
  };
}

const LEASE_COLUMNS = `cc.campaign_id, cc.contact_id, cc.attempts, c.id AS call_id, d.final, cc.lease_owner, cc.lease_expires_at`;

/** Lease rows with their calls as stored (one statement for the calls). */
async function withCalls(db: SqlExecutor, rows: readonly LeaseRow[]): Promise<LeaseWithCall[]> {
  const calls = await callsByIds(
    db,
    rows.map((r) => r.call_id),
  );
  return rows.flatMap((row) => {
    const call = calls.get(row.call_id);
    if (!call) return [];
    return [
      {
        campaignId: row.campaign_id,
        contactId: row.contact_id,
        attempts: row.attempts,
        call,
        dispositionFinal: row.final === 1,
        owner: row.lease_owner,
        expiresAt: row.lease_expires_at,
      },
    ];
  });
}

/** The primary key's INDEXED BY on SQLite (see deferMany); nothing on PostgreSQL. */
function pk(db: SqlExecutor): string {
  return indexedBy(db.dialect, 'sqlite_autoindex_campaign_contacts_1');
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
