/** Utterance labels (schema 4): History's "what the customer really meant", one row per utterance. */
import type { UtteranceLabelRecord, UtteranceLabelRepository } from '../label-types.js';
import { type RepositoryContext, returned } from './context.js';

interface LabelRow {
  id: number;
  call_id: string;
  start_ms: number;
  end_ms: number;
  flow_id: number;
  flow_version: number;
  node_id: string;
  intent: string | null;
  clip_path: string;
  clip_ms: number;
  source: 'history';
  labelled_by: string;
  labelled_at: number;
}

const COLUMNS =
  'id, call_id, start_ms, end_ms, flow_id, flow_version, node_id, intent, clip_path, clip_ms, source, labelled_by, labelled_at';

function toLabel(row: LabelRow): UtteranceLabelRecord {
  return {
    id: row.id,
    callId: row.call_id,
    startMs: row.start_ms,
    endMs: row.end_ms,
    flowId: row.flow_id,
    flowVersion: row.flow_version,
    nodeId: row.node_id,
    intent: row.intent,
    clipPath: row.clip_path,
    clipMs: row.clip_ms,
    source: row.source,
    labelledBy: row.labelled_by,
    labelledAt: row.labelled_at,
  };
}

export function createLabelRepository({ db, now }: RepositoryContext): UtteranceLabelRepository {
  const get = async (callId: string, startMs: number): Promise<UtteranceLabelRecord | null> => {
    const row = await db.get<LabelRow>(
      `SELECT ${COLUMNS} FROM utterance_labels WHERE call_id = $call_id AND start_ms = $start_ms`,
      { $call_id: callId, $start_ms: startMs },
    );
    return row ? toLabel(row) : null;
  };
  return {
    put(label) {
      return db.transaction(async (tx) => {
        const before = await tx.get<LabelRow>(
          `SELECT ${COLUMNS} FROM utterance_labels WHERE call_id = $call_id AND start_ms = $start_ms`,
          { $call_id: label.callId, $start_ms: label.startMs },
        );
        const row = await tx.get<LabelRow>(
          `INSERT INTO utterance_labels (call_id, start_ms, end_ms, flow_id, flow_version, node_id, intent, clip_path, clip_ms, source, labelled_by, labelled_at)
           VALUES ($call_id, $start_ms, $end_ms, $flow_id, $flow_version, $node_id, $intent, $clip_path, $clip_ms, $source, $labelled_by, $labelled_at)
           ON CONFLICT (call_id, start_ms) DO UPDATE SET
             end_ms = excluded.end_ms, flow_id = excluded.flow_id, flow_version = excluded.flow_version,
             node_id = excluded.node_id, intent = excluded.intent, clip_path = excluded.clip_path,
             clip_ms = excluded.clip_ms, source = excluded.source, labelled_by = excluded.labelled_by,
             labelled_at = excluded.labelled_at
           RETURNING ${COLUMNS}`,
          {
            $call_id: label.callId,
            $start_ms: label.startMs,
            $end_ms: label.endMs,
            $flow_id: label.flowId,
            $flow_version: label.flowVersion,
            $node_id: label.nodeId,
            $intent: label.intent,
            $clip_path: label.clipPath,
            $clip_ms: label.clipMs,
            $source: label.source,
            $labelled_by: label.labelledBy,
            $labelled_at: now(),
          },
        );
        return { label: toLabel(returned(row)), replaced: before ? toLabel(before) : null };
      });
    },

    get,

    async forCall(callId) {
      const rows = await db.all<LabelRow>(
        `SELECT ${COLUMNS} FROM utterance_labels WHERE call_id = $call_id ORDER BY start_ms`,
        { $call_id: callId },
      );
      return rows.map(toLabel);
    },

    async forFlow(flowId) {
      const rows = await db.all<LabelRow>(
        `SELECT ${COLUMNS} FROM utterance_labels WHERE flow_id = $flow_id ORDER BY node_id, call_id, start_ms`,
        { $flow_id: flowId },
      );
      return rows.map(toLabel);
    },
  };
}
