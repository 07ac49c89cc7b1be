/**
 * The Audit page's filters as the toolbar holds them (strings from the inputs) and as the API
 * takes them (audit.list / audit.export params), the CSV export run page after page, and how an
 * entry's action and details read. Dates are whole days in the console's time zone, as History's.
 */
import {
  AUDIT_ACTION_NAMES,
  AUDIT_ACTIONS,
  type AuditAction,
  type AuditKind,
  type CommandParams,
  type CommandResult,
} from '../../api/contract.js';
import { type CsvExportResult, exportCsvPages } from '../../ui/csvExport.js';
import { endOfLocalDay, startOfLocalDay } from '../history/historyFilters.js';

export interface AuditFilters {
  /** A user name, '' for anyone. */
  actor: string;
  kind: AuditKind | null;
  action: AuditAction | null;
  subject: string;
  /** YYYY-MM-DD from <input type="date">, '' for open. */
  fromDate: string;
  toDate: string;
}

export const NO_AUDIT_FILTERS: AuditFilters = {
  actor: '',
  kind: null,
  action: null,
  subject: '',
  fromDate: '',
  toDate: '',
};

export type AuditFilterParams = Pick<
  CommandParams<'audit.list'>,
  'actor' | 'kind' | 'action' | 'subject' | 'from' | 'to'
>;

export function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTION_NAMES as readonly string[]).includes(value);
}

/** The actions the action filter offers: those of the chosen kind, or all. */
export function actionsFor(kind: AuditKind | null): AuditAction[] {
  return kind === null
    ? AUDIT_ACTION_NAMES
    : AUDIT_ACTION_NAMES.filter((a) => AUDIT_ACTIONS[a] === kind);
}

/** The API params (empty fields left out; a date range given backwards is swapped). */
export function auditFilterParams(filters: AuditFilters): AuditFilterParams {
  const params: AuditFilterParams = {};
  const actor = filters.actor.trim();
  if (actor) params.actor = actor;
  if (filters.kind) params.kind = filters.kind;
  // An action of another kind (the kind changed after it was chosen) would match nothing.
  if (filters.action && (!filters.kind || AUDIT_ACTIONS[filters.action] === filters.kind))
    params.action = filters.action;
  const subject = filters.subject.trim();
  if (subject) params.subject = subject;
  let [fromDate, toDate] = [filters.fromDate, filters.toDate];
  if (fromDate && toDate && fromDate > toDate) [fromDate, toDate] = [toDate, fromDate];
  const from = fromDate ? startOfLocalDay(fromDate) : null;
  const to = toDate ? endOfLocalDay(toDate) : null;
  if (from !== null) params.from = from;
  if (to !== null) params.to = to;
  return params;
}

export function hasAuditFilters(filters: AuditFilters): boolean {
  return Object.keys(auditFilterParams(filters)).length > 0;
}

/** One line of details for the table: `key: value` pairs, nested values as JSON. */
export function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}

/** `audit-2026-11-27.csv`, or with the range: `audit-2026-11-01_2026-11-27.csv`. */
export function auditFileName(filters: AuditFilters, now: Date): string {
  const day = (d: Date) =>
    `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  if (filters.fromDate || filters.toDate)
    return `audit-${filters.fromDate || 'start'}_${filters.toDate || day(now)}.csv`;
  return `audit-${day(now)}.csv`;
}

/** Entries one export file holds at most (a browser tab must not build a file of hundreds of MB). */
export const AUDIT_EXPORT_MAX = 50_000;
export const AUDIT_EXPORT_PAGE = 1_000;

export type AuditExportPage = (
  params: CommandParams<'audit.export'>,
) => Promise<CommandResult<'audit.export'>>;

/**
 * audit.export page after page. The range ends where the export starts (`to` is pinned to `now`
 * unless the filter ends earlier), so entries written meanwhile, the export's own among them, do
 * not shift the pages.
 */
export async function exportAudit(
  filter: AuditFilterParams,
  page: AuditExportPage,
  options: {
    now?: number;
    maxRows?: number;
    pageSize?: number;
    onProgress?: (rows: number, total: number) => void;
  } = {},
): Promise<CsvExportResult> {
  const now = options.now ?? Date.now();
  const pinned = { ...filter, to: Math.min(filter.to ?? now, now) };
  return exportCsvPages((range) => page({ ...pinned, ...range }), {
    maxRows: options.maxRows ?? AUDIT_EXPORT_MAX,
    pageSize: options.pageSize ?? AUDIT_EXPORT_PAGE,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}
