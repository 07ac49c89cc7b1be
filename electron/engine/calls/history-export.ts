/**
 * History's CSV export: one row per call, newest first, with the call's transcript in one cell
 * ("[m:ss.s] Speaker: text", one line each). Columns are English and stable (a spreadsheet or a
 * script reads them); times are ISO 8601 in UTC so the file means the same everywhere. csv-stringify
 * quotes commas, quotes and line breaks (transcripts have all three); every cell goes through the
 * CSV injection guard (`csvSafeCell`) on its way out, so no column can be missed. Personal data
 * is masked (privacy/: the number, the contact's name, numbers and e-mails said in the transcript)
 * unless the export is asked for unmasked (an admin's explicit, audited choice).
 */
import { stringify } from 'csv-stringify/sync';

import { csvSafeCell } from '../csv-safe.js';
import { Masker } from '../privacy/index.js';
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

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

/** How an export masks: the masking settings' name and amount rules. */
export interface ExportMasking {
  names: boolean;
  amounts: boolean;
}

/** One call's row; masked with `masking`, raw without it (an admin's unmasked export). */
export function exportRow(
  call: CallListItem,
  lines: readonly TranscriptLine[],
  masking?: ExportMasking,
): string[] {
  const m = masking ? new Masker(masking) : null;
  const durationMs =
    call.endedAt === null ? null : Math.max(0, call.endedAt - (call.answeredAt ?? call.startedAt));
  return [
    call.id,
    iso(call.startedAt),
    iso(call.answeredAt),
    iso(call.endedAt),
    durationMs === null ? '' : (durationMs / 1000).toFixed(1),
    m ? m.phone(call.number) : call.number,
    (m ? m.nullableName(call.contactName) : call.contactName) ?? '',
    call.campaignName ?? '',
    call.state,
    call.outcome ?? '',
    call.dispositionCode ?? '',
    call.sipCode === null ? '' : String(call.sipCode),
    call.endReason ?? '',
    transcriptCell(m ? lines.map((line) => ({ ...line, text: m.text(line.text) })) : lines),
  ];
}

/**
 * CSV text for the rows, with the header row when `header` is set. CRLF line ends (RFC 4180, Excel).
 * Every cell is guarded against CSV injection, numbers included (see csv-safe.ts).
 */
export function exportCsv(rows: ReadonlyArray<readonly string[]>, header: boolean): string {
  const guarded = rows.map((r) => r.map(csvSafeCell));
  const records = header ? [[...EXPORT_COLUMNS], ...guarded] : guarded;
  return stringify(records, { record_delimiter: 'windows' });
}
