/**
 * The CSV export as the console runs it: calls.export page after page (each reply bounded by the
 * API's page size) until the filter's calls are all there or the console's cap is reached, then
 * one file. The cap keeps a browser tab from building a file of hundreds of MB; the page says
 * how many calls were left out and how to get them (narrow the dates).
 */
import type { CommandParams, CommandResult } from '../../api/contract.js';
import type { CallFilterParams } from './historyFilters.js';

/** Calls one export holds at most. */
export const EXPORT_MAX_CALLS = 10_000;
export const EXPORT_PAGE_SIZE = 500;

export type ExportPage = (
  params: CommandParams<'calls.export'>,
) => Promise<CommandResult<'calls.export'>>;

export interface ExportResult {
  csv: string;
  /** Calls in the file. */
  rows: number;
  /** Calls that match the filter. */
  total: number;
  /** True when the cap left calls out. */
  truncated: boolean;
}

export async function exportCalls(
  filter: CallFilterParams,
  page: ExportPage,
  options: {
    maxCalls?: number;
    pageSize?: number;
    onProgress?: (rows: number, total: number) => void;
  } = {},
): Promise<ExportResult> {
  const maxCalls = options.maxCalls ?? EXPORT_MAX_CALLS;
  const pageSize = options.pageSize ?? EXPORT_PAGE_SIZE;
  const parts: string[] = [];
  let offset: number | null = 0;
  let rows = 0;
  let total = 0;
  while (offset !== null && rows < maxCalls) {
    const reply: CommandResult<'calls.export'> = await page({
      ...filter,
      offset,
      limit: Math.min(pageSize, maxCalls - rows),
    });
    parts.push(reply.csv);
    rows += reply.rows;
    total = reply.total;
    offset = reply.rows === 0 ? null : reply.nextOffset;
    options.onProgress?.(rows, total);
  }
  // A byte-order mark so Excel opens the UTF-8 file (Chinese names, transcripts) as UTF-8.
  return { csv: `\uFEFF${parts.join('')}`, rows, total, truncated: rows < total };
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
