/**
 * A CSV export as the console runs it, for any command that answers in pages ({csv, rows, total,
 * nextOffset}: calls.export, audit.export): page after page until the filter's rows are all there
 * or the console's cap is reached, then one file. The cap keeps a browser tab from building a
 * file of hundreds of MB; the notice says how many rows were left out. The hook keeps the
 * export's state for the page, and `ExportNotice` shows it.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { ApiError } from '../api/contract.js';
import { toApiError } from '../api/errors.js';
import { useFormat } from '../i18n/format.js';
import { ErrorNotice } from './ErrorNotice.js';

export interface CsvPage {
  csv: string;
  rows: number;
  total: number;
  nextOffset: number | null;
}

export interface CsvExportResult {
  csv: string;
  /** Rows in the file. */
  rows: number;
  /** Rows that match the filter. */
  total: number;
  /** True when the cap left rows out. */
  truncated: boolean;
}

/** Asks `page` for one page after another (offset, limit) until done or `maxRows` are in. */
export async function exportCsvPages(
  page: (range: { offset: number; limit: number }) => Promise<CsvPage>,
  options: {
    maxRows: number;
    pageSize: number;
    onProgress?: (rows: number, total: number) => void;
  },
): Promise<CsvExportResult> {
  const parts: string[] = [];
  let offset: number | null = 0;
  let rows = 0;
  let total = 0;
  while (offset !== null && rows < options.maxRows) {
    const reply = await page({ offset, limit: Math.min(options.pageSize, options.maxRows - rows) });
    parts.push(reply.csv);
    rows += reply.rows;
    total = reply.total;
    offset = reply.rows === 0 ? null : reply.nextOffset;
    options.onProgress?.(rows, total);
  }
  // A byte-order mark so Excel opens the UTF-8 file (Chinese names, transcripts) as UTF-8.
  return { csv: `\uFEFF${parts.join('')}`, rows, total, truncated: rows < total };
}

export type ExportState =
  | { state: 'idle' }
  | { state: 'running'; rows: number; total: number }
  | { state: 'done'; rows: number; total: number; file: string; truncated: boolean }
  | { state: 'failed'; error: ApiError };

/**
 * Runs an export for a page: `run` gets a progress callback and returns the file's text and name;
 * the file is downloaded when it holds any row.
 */
export function useCsvExport(
  run: (
    onProgress: (rows: number, total: number) => void,
  ) => Promise<CsvExportResult & { file: string }>,
): { state: ExportState; start: () => Promise<void> } {
  const [state, setState] = useState<ExportState>({ state: 'idle' });
  const start = async () => {
    setState({ state: 'running', rows: 0, total: 0 });
    try {
      const result = await run((rows, total) => setState({ state: 'running', rows, total }));
      if (result.rows > 0) downloadText(result.csv, result.file);
      const { rows, total, file, truncated } = result;
      setState({ state: 'done', rows, total, file, truncated });
    } catch (error) {
      setState({ state: 'failed', error: toApiError(error) });
    }
  };
  return { state, start };
}

/**
 * What an export is doing or did. `messages` names the page's strings: `exporting`, `exportEmpty`,
 * `exportTruncated` and `exported` under that prefix.
 */
export function ExportNotice({
  state,
  messages,
  max,
  testId,
}: {
  state: ExportState;
  messages: 'historyFilters' | 'audit';
  max: number;
  testId: string;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  if (state.state === 'idle') return null;
  if (state.state === 'failed') return <ErrorNotice error={state.error} />;
  const n = format.number;
  const text =
    state.state === 'running'
      ? t(`${messages}.exporting`, { rows: n(state.rows), total: n(state.total) })
      : state.rows === 0
        ? t(`${messages}.exportEmpty`)
        : state.truncated
          ? t(`${messages}.exportTruncated`, {
              rows: n(state.rows),
              total: n(state.total),
              max: n(max),
            })
          : t(`${messages}.exported`, { rows: n(state.rows), file: state.file });
  return (
    <p
      className={`notice ${state.state === 'running' ? '' : state.truncated ? 'notice-warning' : 'notice-success'}`}
      role="status"
      data-testid={testId}
      data-state={state.state}
    >
      {text}
    </p>
  );
}

/** Saves text as a file through a temporary object URL and a download link. */
export function downloadText(
  text: string,
  fileName: string,
  type = 'text/csv;charset=utf-8',
): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Give the download a moment to start before the URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
