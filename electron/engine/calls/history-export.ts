/**
 * History's CSV export: one row per call, newest first, with the call's transcript in one cell
 * ("[m:ss.s] Speaker: text", one line each). Columns are English and stable (a spreadsheet or a
 * script reads them); times are ISO 8601 in UTC so the file means the same everywhere. csv-stringify
 * quotes commas, quotes and line breaks (transcripts have all three).
 */
import { stringify } from 'csv-stringify/sync';

import type { CallListItem, UtteranceRecord } from '../store/types.js';

export const EXPORT_COLUMNS = [
  'call_id',
  'started_at',
  'answered_at',
  'ended_at',
  'duration_s',
  'number',
  'contact',
  'campaign',
  'state',
  'outcome',
  'disposition',
  'sip_code',
  'end_reason',
  'transcript',
] as const;

type TranscriptLine = Pick<UtteranceRecord, 'speaker' | 'text' | 'startMs' | 'intent'>;

const SPEAKER_NAMES: Record<UtteranceRecord['speaker'], string> = {
  bot: 'Bot',
  customer: 'Customer',
  agent: 'Agent',
  supervisor: 'Supervisor',
};

/** `75_300` → `1:15.3`. */
export function transcriptTime(ms: number): string {
  const tenths = Math.max(0, Math.round(ms / 100));
  const minutes = Math.floor(tenths / 600);
  const seconds = (tenths % 600) / 10;
  return `${minutes}:${seconds < 10 ? '0' : ''}${seconds.toFixed(1)}`;
}

/** One line per utterance; a customer line nothing matched reads "(not understood)". */
export function transcriptCell(lines: readonly TranscriptLine[]): string {
  return lines
    .map((line) => {
      const text = line.text === '' && line.speaker === 'customer' ? '(not understood)' : line.text;
      return `[${transcriptTime(line.startMs)}] ${SPEAKER_NAMES[line.speaker]}: ${text}${line.intent ? ` {${line.intent}}` : ''}`;
    })
    .join('\n');
}

/**
 * Free text a person typed (contact and campaign names come from imported files) is kept from
 * being read as a formula by a spreadsheet (CSV injection): a leading =, +, -, @, tab or CR gets a
 * quote mark. The number column is left alone: E.164 starts with + and is not free text.
 */
export function safeText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

export function exportRow(call: CallListItem, lines: readonly TranscriptLine[]): string[] {
  const durationMs =
    call.endedAt === null ? null : Math.max(0, call.endedAt - (call.answeredAt ?? call.startedAt));
  return [
    call.id,
    iso(call.startedAt),
    iso(call.answeredAt),
    iso(call.endedAt),
    durationMs === null ? '' : (durationMs / 1000).toFixed(1),
    call.number,
    safeText(call.contactName ?? ''),
    safeText(call.campaignName ?? ''),
    call.state,
    call.outcome ?? '',
    call.dispositionCode ?? '',
    call.sipCode === null ? '' : String(call.sipCode),
    safeText(call.endReason ?? ''),
    transcriptCell(lines),
  ];
}

/** CSV text for the rows, with the header row when `header` is set. CRLF line ends (RFC 4180, Excel). */
export function exportCsv(rows: ReadonlyArray<readonly string[]>, header: boolean): string {
  const records = header
    ? [[...EXPORT_COLUMNS], ...rows.map((r) => [...r])]
    : rows.map((r) => [...r]);
  return stringify(records, { record_delimiter: 'windows' });
}
