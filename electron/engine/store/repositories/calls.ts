import { assertTransition } from '../../calls/state-machine.js';
import type { SqlExecutor, SqlValue } from '../database.js';
import type {
  CallAttempt,
  CallEventRecord,
  CallListItem,
  CallRecord,
  CallRepository,
  JsonObject,
  NewCall,
  NewUtterance,
  RecordingRecord,
  UtteranceRecord,
} from '../types.js';
import { decodeJsonObject, encodeJson } from './codec.js';
import {
  explainMissing,
  likeContaining,
  notFound,
  type RepositoryContext,
  returned,
} from './context.js';

// ---------------------------------------------------------------------------------------------
// Rows and records

interface CallRow {
  id: string;
  campaign_id: number | null;
  contact_id: number | null;
  trunk_id: number | null;
  number: string;
  attempt: number;
  state: CallRecord['state'];
  outcome: CallRecord['outcome'];
  disposition_code: string | null;
  sip_code: number | null;
  sip_reason: string | null;
  agent_id: number | null;
  flow_id: number | null;
  flow_version: number | null;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  end_reason: string | null;
  queue_id: number | null;
  transfer_reason: string | null;
  notes: string | null;
  callback_at: number | null;
}

interface CallListRow extends CallRow {
  contact_name: string | null;
  campaign_name: string | null;
}

type UpdatableField = keyof Omit<CallRecord, 'id' | 'startedAt'>;

/** Column of every field `update` may change. */
const UPDATABLE_COLUMNS = {
  campaignId: 'campaign_id',
  contactId: 'contact_id',
  trunkId: 'trunk_id',
  number: 'number',
  attempt: 'attempt',
  state: 'state',
  outcome: 'outcome',
  dispositionCode: 'disposition_code',
  sipCode: 'sip_code',
  sipReason: 'sip_reason',
  agentId: 'agent_id',
  flowId: 'flow_id',
  flowVersion: 'flow_version',
  answeredAt: 'answered_at',
  endedAt: 'ended_at',
  endReason: 'end_reason',
  queueId: 'queue_id',
  transferReason: 'transfer_reason',
  notes: 'notes',
  callbackAt: 'callback_at',
} as const satisfies Record<UpdatableField, keyof CallRow>;

const CALL_COLUMNS = ['id', 'started_at', ...Object.values(UPDATABLE_COLUMNS)];
const SELECT_CALL = `SELECT ${CALL_COLUMNS.join(', ')} FROM calls`;

interface AttemptRow {
  campaign_id: number | null;
  contact_id: number | null;
  started_at: number;
  ended_at: number | null;
  outcome: CallAttempt['outcome'];
  disposition_code: string | null;
  final: number | null;
}

function toAttempt(row: AttemptRow): CallAttempt {
  return {
    campaignId: row.campaign_id,
    contactId: row.contact_id,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    outcome: row.outcome,
    disposition:
      row.disposition_code === null ? null : { code: row.disposition_code, final: row.final === 1 },
  };
}

function toCall(row: CallRow): CallRecord {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    contactId: row.contact_id,
    trunkId: row.trunk_id,
    number: row.number,
    attempt: row.attempt,
    state: row.state,
    outcome: row.outcome,
    dispositionCode: row.disposition_code,
    sipCode: row.sip_code,
    sipReason: row.sip_reason,
    agentId: row.agent_id,
    flowId: row.flow_id,
    flowVersion: row.flow_version,
    startedAt: row.started_at,
    answeredAt: row.answered_at,
    endedAt: row.ended_at,
    endReason: row.end_reason,
    queueId: row.queue_id,
    transferReason: row.transfer_reason,
    notes: row.notes,
    callbackAt: row.callback_at,
  };
}

interface EventRow {
  id: number;
  call_id: string;
  at: number;
  type: string;
  data: string;
}

function toEvent(row: EventRow): CallEventRecord {
  return {
    id: row.id,
    callId: row.call_id,
    at: row.at,
    type: row.type,
    data: decodeJsonObject(row.data, `call event ${row.id}`),
  };
}

interface UtteranceRow {
  id: number;
  call_id: string;
  speaker: UtteranceRecord['speaker'];
  text: string;
  intent: string | null;
  confidence: number | null;
  start_ms: number;
  end_ms: number;
  cut_at_ms: number | null;
  node_id: string | null;
}

const UTTERANCE_COLUMNS =
  'id, call_id, speaker, text, intent, confidence, start_ms, end_ms, cut_at_ms, node_id';

function toUtterance(row: UtteranceRow): UtteranceRecord {
  return {
    id: row.id,
    callId: row.call_id,
    speaker: row.speaker,
    text: row.text,
    intent: row.intent,
    confidence: row.confidence,
    startMs: row.start_ms,
    endMs: row.end_ms,
    cutAtMs: row.cut_at_ms,
    nodeId: row.node_id,
  };
}

interface RecordingRow {
  id: number;
  call_id: string;
  path: string;
  channels: number;
  sample_rate: number;
  duration_ms: number;
  bytes: number;
  created_at: number;
  /** Only where the read joins the call (recording()). */
  seat_id?: string | null;
}

const RECORDING_COLUMNS =
  'id, call_id, path, channels, sample_rate, duration_ms, bytes, created_at';

function toRecording(row: RecordingRow): RecordingRecord {
  return {
    id: row.id,
    callId: row.call_id,
    path: row.path,
    channels: row.channels,
    sampleRate: row.sample_rate,
    durationMs: row.duration_ms,
    bytes: row.bytes,
    createdAt: row.created_at,
    ...(row.seat_id !== undefined ? { seatId: row.seat_id } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Statements

type NewEvent = { at: number; type: string; data?: JsonObject };
type ListFilter = Parameters<CallRepository['list']>[0];

const missingCall = (id: string): string => `Call "${id}" does not exist.`;

const LIST_FROM = `
  FROM calls c
  LEFT JOIN contacts ct ON ct.id = c.contact_id
  LEFT JOIN campaigns cp ON cp.id = c.campaign_id`;

const SELECT_ITEMS = `SELECT ${CALL_COLUMNS.map((column) => `c.${column}`).join(', ')}, ct.name AS contact_name, cp.name AS campaign_name
  ${LIST_FROM}`;

function toListItem(row: CallListRow): CallListItem {
  return { ...toCall(row), contactName: row.contact_name, campaignName: row.campaign_name };
}

async function getCall(db: SqlExecutor, id: string): Promise<CallListItem | null> {
  const row = await db.get<CallListRow>(`${SELECT_ITEMS} WHERE c.id = $id`, { $id: id });
  return row ? toListItem(row) : null;
}

/** Many calls by id in one statement (the dialer's leases), as stored. */
export async function callsByIds(
  db: SqlExecutor,
  ids: readonly string[],
): Promise<Map<string, CallRecord>> {
  if (ids.length === 0) return new Map();
  const rows = await db.all<CallRow>(`${SELECT_CALL} WHERE id IN ${db.dialect.jsonTexts('$ids')}`, {
    $ids: JSON.stringify(ids),
  });
  return new Map(rows.map((row) => [row.id, toCall(row)]));
}

function insertTransition(
  db: SqlExecutor,
  callId: string,
  from: CallRecord['state'] | null,
  to: CallRecord['state'],
  at: number,
  reason: string | null,
): Promise<unknown> {
  return db.run(
    'INSERT INTO call_transitions (call_id, from_state, to_state, at, reason) VALUES ($call_id, $from, $to, $at, $reason)',
    {
      $call_id: callId,
      $from: from,
      $to: to,
      $at: at,
      $reason: reason,
    },
  );
}

function insertEvent(db: SqlExecutor, callId: string, event: NewEvent): Promise<unknown> {
  const insert = db.run(
    'INSERT INTO call_events (call_id, at, type, data) VALUES ($call_id, $at, $type, $data)',
    {
      $call_id: callId,
      $at: event.at,
      $type: event.type,
      $data: encodeJson(event.data ?? {}),
    },
  );
  return explainMissing(insert, missingCall(callId));
}

/** `SET a = $a, …` for the fields given (undefined means "leave as is"). */
function assignments(changes: Partial<Record<UpdatableField, unknown>>): {
  sql: string;
  params: Record<string, SqlValue>;
} {
  const columns: string[] = [];
  const params: Record<string, SqlValue> = {};
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (!Object.hasOwn(UPDATABLE_COLUMNS, field))
      throw new TypeError(`calls.update cannot change "${field}".`);
    const column = UPDATABLE_COLUMNS[field as UpdatableField];
    columns.push(`${column} = $${column}`);
    params[`$${column}`] = value as SqlValue; // every updatable field is a string, number or null
  }
  return { sql: columns.join(', '), params };
}

function listConditions(
  filter: ListFilter,
  like: string,
): { where: string; params: Record<string, SqlValue> } {
  const conditions: string[] = [];
  const params: Record<string, SqlValue> = {};
  if (filter.outcome !== undefined) {
    conditions.push('c.outcome = $outcome');
    params.$outcome = filter.outcome;
  }
  if (filter.campaignId !== undefined) {
    conditions.push('c.campaign_id = $campaign_id');
    params.$campaign_id = filter.campaignId;
  }
  if (filter.disposition !== undefined) {
    conditions.push('c.disposition_code = $disposition'); // calls_by_disposition
    params.$disposition = filter.disposition;
  }
  if (filter.from !== undefined) {
    conditions.push('c.started_at >= $from');
    params.$from = filter.from;
  }
  if (filter.to !== undefined) {
    conditions.push('c.started_at < $to');
    params.$to = filter.to;
  }
  const search = filter.search?.trim();
  if (search) {
    conditions.push(`(c.number ${like} $pattern ESCAPE '\\' OR ct.name ${like} $pattern ESCAPE '\\'
      OR EXISTS (SELECT 1 FROM utterances u WHERE u.call_id = c.id AND u.text ${like} $pattern ESCAPE '\\'))`);
    params.$pattern = likeContaining(search);
  }
  return { where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

// ---------------------------------------------------------------------------------------------

export function createCallRepository({ db, read, now }: RepositoryContext): CallRepository {
  return {
    create(input: NewCall) {
      return db.transaction(async (tx) => {
        const row = await tx.get<CallRow>(
          `INSERT INTO calls (id, campaign_id, contact_id, trunk_id, number, attempt, state, flow_id, flow_version, started_at, seat_id)
           VALUES ($id, $campaign_id, $contact_id, $trunk_id, $number, $attempt, $state, $flow_id, $flow_version, $started_at, $seat_id)
           RETURNING ${CALL_COLUMNS.join(', ')}`,
          {
            $id: input.id,
            $campaign_id: input.campaignId ?? null,
            $contact_id: input.contactId ?? null,
            $trunk_id: input.trunkId ?? null,
            $number: input.number,
            $attempt: input.attempt ?? 1,
            $state: input.state ?? 'queued',
            $flow_id: input.flowId ?? null,
            $flow_version: input.flowVersion ?? null,
            $started_at: input.startedAt,
            $seat_id: input.seatId ?? null,
          },
        );
        const call = toCall(returned(row));
        await insertEvent(tx, call.id, {
          at: call.startedAt,
          type: 'created',
          data: { state: call.state },
        });
        await insertTransition(tx, call.id, null, call.state, call.startedAt, null);
        return call;
      });
    },

    get: (id) => getCall(db, id),

    update(id, changes, event) {
      return db.transaction(async (tx) => {
        if (changes.state !== undefined) {
          const current = await tx.get<{
            state: CallRecord['state'];
            outcome: CallRecord['outcome'];
          }>('SELECT state, outcome FROM calls WHERE id = $id', { $id: id });
          if (!current) throw notFound(missingCall(id));
          if (current.state !== changes.state || changes.state === 'done') {
            assertTransition(id, current.state, changes.state, changes.outcome ?? current.outcome);
            await insertTransition(
              tx,
              id,
              current.state,
              changes.state,
              event?.at ?? now(),
              changes.endReason ??
                (typeof event?.data?.reason === 'string' ? event.data.reason : null),
            );
          }
        }
        const { sql, params } = assignments(changes);
        if (sql) {
          const { changes: updated } = await tx.run(`UPDATE calls SET ${sql} WHERE id = $id`, {
            ...params,
            $id: id,
          });
          if (updated === 0) throw notFound(missingCall(id));
        }
        if (event) await insertEvent(tx, id, event);
        const call = await getCall(tx, id);
        if (!call) throw notFound(missingCall(id));
        return call;
      });
    },

    async transitions(callId) {
      const rows = await db.all<{
        from_state: CallRecord['state'] | null;
        to_state: CallRecord['state'];
        at: number;
        reason: string | null;
      }>(
        'SELECT from_state, to_state, at, reason FROM call_transitions WHERE call_id = $call_id ORDER BY id',
        { $call_id: callId },
      );
      return rows.map((row) => ({
        from: row.from_state,
        to: row.to_state,
        at: row.at,
        reason: row.reason,
      }));
    },

    async appendEvent(callId, event) {
      await insertEvent(db, callId, event);
    },

    async events(callId) {
      const rows = await db.all<EventRow>(
        'SELECT id, call_id, at, type, data FROM call_events WHERE call_id = $call_id ORDER BY id',
        {
          $call_id: callId,
        },
      );
      return rows.map(toEvent);
    },

    async addUtterance(callId, utterance: NewUtterance) {
      const insert = db.get<UtteranceRow>(
        `INSERT INTO utterances (call_id, speaker, text, intent, confidence, start_ms, end_ms, cut_at_ms, node_id, reply_latency_ms)
         VALUES ($call_id, $speaker, $text, $intent, $confidence, $start_ms, $end_ms, $cut_at_ms, $node_id, $reply_latency_ms)
         RETURNING ${UTTERANCE_COLUMNS}`,
        {
          $call_id: callId,
          $speaker: utterance.speaker,
          $text: utterance.text,
          $intent: utterance.intent ?? null,
          $confidence: utterance.confidence ?? null,
          $start_ms: utterance.startMs,
          $end_ms: utterance.endMs,
          $cut_at_ms: utterance.cutAtMs ?? null,
          $node_id: utterance.nodeId ?? null,
          $reply_latency_ms:
            utterance.replyLatencyMs === undefined || utterance.replyLatencyMs === null
              ? null
              : Math.round(utterance.replyLatencyMs),
        },
      );
      return toUtterance(returned(await explainMissing(insert, missingCall(callId))));
    },

    async utterances(callId) {
      const rows = await db.all<UtteranceRow>(
        `SELECT ${UTTERANCE_COLUMNS} FROM utterances WHERE call_id = $call_id ORDER BY start_ms, id`,
        { $call_id: callId },
      );
      return rows.map(toUtterance);
    },

    async addRecording(input) {
      const insert = db.get<RecordingRow>(
        `INSERT INTO recordings (call_id, path, channels, sample_rate, duration_ms, bytes, created_at, seat_id)
         VALUES ($call_id, $path, $channels, $sample_rate, $duration_ms, $bytes, $created_at, $seat_id)
         RETURNING ${RECORDING_COLUMNS}`,
        {
          $call_id: input.callId,
          $path: input.path,
          $channels: input.channels,
          $sample_rate: input.sampleRate,
          $duration_ms: input.durationMs,
          $bytes: input.bytes,
          $created_at: now(),
          $seat_id: input.seatId ?? null,
        },
      );
      return toRecording(returned(await explainMissing(insert, missingCall(input.callId))));
    },

    async recording(callId) {
      const row = await db.get<RecordingRow>(
        // With the seat that made it (its call's): another seat reads it through the share.
        `SELECT ${RECORDING_COLUMNS},
                COALESCE(seat_id, (SELECT seat_id FROM calls WHERE calls.id = recordings.call_id)) AS seat_id
           FROM recordings WHERE call_id = $call_id`,
        { $call_id: callId },
      );
      return row ? toRecording(row) : null;
    },

    list(filter) {
      const { where, params } = listConditions(filter, db.dialect.like);
      // One read transaction, so the page and the total describe the same moment; on the read
      // connection, so History answers while an import or a dialer pass holds the writer.
      return (read ?? db).transaction(
        async (tx) => {
          const rows = await tx.all<CallListRow>(
            `${SELECT_ITEMS} ${where} ORDER BY c.started_at DESC, c.id DESC LIMIT $limit OFFSET $offset`,
            { ...params, $limit: filter.limit, $offset: filter.offset },
          );
          const total =
            (await tx.get<{ n: number }>(`SELECT count(*) AS n ${LIST_FROM} ${where}`, params))
              ?.n ?? 0;
          return { calls: rows.map(toListItem), total };
        },
        { behavior: 'deferred' },
      );
    },

    async unfinished(options = {}) {
      const rows =
        options.seatId === undefined
          ? await db.all<CallRow>(`${SELECT_CALL} WHERE state <> 'done' ORDER BY started_at, id`)
          : await db.all<CallRow>(
              `${SELECT_CALL} WHERE state <> 'done' AND (seat_id = $seat OR seat_id IS NULL) ORDER BY started_at, id`,
              { $seat: options.seatId },
            );
      return rows.map(toCall);
    },

    async attemptHistory({ contactId, number, since }) {
      // Two indexed lookups (calls_by_contact, calls_by_number) joined by UNION, which also drops
      // a call found by both.
      const rows = await db.all<AttemptRow>(
        `SELECT c.campaign_id, c.contact_id, c.started_at, c.ended_at, c.outcome, c.disposition_code, d.final
           FROM (SELECT id FROM calls WHERE contact_id = $contact
                 UNION SELECT id FROM calls WHERE number = $number AND started_at >= $since) AS hit
           JOIN calls AS c ON c.id = hit.id
           LEFT JOIN dispositions AS d ON d.code = c.disposition_code
          ORDER BY c.started_at, c.id`,
        { $contact: contactId, $number: number, $since: since },
      );
      return rows.map(toAttempt);
    },
  };
}
