/**
 * History's CSV export: calls.export page after page (ui/csvExport.ts) until the filter's calls
 * are all there or the console's cap is reached, then one file; the page says how many calls were
 * left out and how to get them (narrow the dates).
 */
import type { CommandParams, CommandResult } from '../../api/contract.js';
import { type CsvExportResult, exportCsvPages } from '../../ui/csvExport.js';
import type { CallFilterParams } from './historyFilters.js';

/** Calls one export holds at most. */
export const EXPORT_MAX_CALLS = 10_000;
export const EXPORT_PAGE_SIZE = 500;

export type ExportPage = (
  params: CommandParams<'calls.export'>,
) => Promise<CommandResult<'calls.export'>>;

export type ExportResult = CsvExportResult;

export async function exportCalls(
  filter: CallFilterParams,
  page: ExportPage,
  options: {
    maxCalls?: number;
    pageSize?: number;
    onProgress?: (rows: number, total: number) => void;
  } = {},
): Promise<ExportResult> {
  return exportCsvPages((range) => page({ ...filter, ...range }), {
    maxRows: options.maxCalls ?? EXPORT_MAX_CALLS,
    pageSize: options.pageSize ?? EXPORT_PAGE_SIZE,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}
