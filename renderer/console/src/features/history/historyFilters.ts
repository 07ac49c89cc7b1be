/**
 * History's filters as the toolbar holds them (strings from the inputs) and as the API takes them
 * (calls.list / calls.export params). Dates are whole days in the console's time zone: "from" is
 * the start of its day, "to" the start of the day after (the API's `to` is exclusive), so
 * from = to = one day shows that day's calls.
 */
import type { CallOutcome, CommandParams } from '../../api/contract.js';

export interface HistoryFilters {
  /** Text in the number, the contact's name or the transcript. */
  search: string;
  outcome: CallOutcome | null;
  campaignId: number | null;
  /** A disposition code, '' for any. */
  disposition: string;
  /** YYYY-MM-DD from <input type="date">, '' for open. */
  fromDate: string;
  toDate: string;
}

export const NO_FILTERS: HistoryFilters = {
  search: '',
  outcome: null,
  campaignId: null,
  disposition: '',
  fromDate: '',
  toDate: '',
};

export type CallFilterParams = Pick<
  CommandParams<'calls.list'>,
  'search' | 'outcome' | 'campaignId' | 'disposition' | 'from' | 'to'
>;

/** Midnight that starts the day `yyyy-mm-dd` in the local time zone (DST-safe), or null for a malformed date. */
export function startOfLocalDay(date: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const at = new Date(year, month, day, 0, 0, 0, 0);
  if (at.getFullYear() !== year || at.getMonth() !== month || at.getDate() !== day) return null;
  return at.getTime();
}

/** Midnight that ends the day (the next day's start). */
export function endOfLocalDay(date: string): number | null {
  const start = startOfLocalDay(date);
  if (start === null) return null;
  const next = new Date(start);
  next.setDate(next.getDate() + 1);
  return next.getTime();
}

/** The API params for the filters (empty ones left out; a date range given backwards is swapped). */
export function filterParams(filters: HistoryFilters): CallFilterParams {
  const params: CallFilterParams = {};
  const search = filters.search.trim();
  if (search) params.search = search;
  if (filters.outcome) params.outcome = filters.outcome;
  if (filters.campaignId !== null) params.campaignId = filters.campaignId;
  const disposition = filters.disposition.trim();
  if (disposition) params.disposition = disposition;
  let [fromDate, toDate] = [filters.fromDate, filters.toDate];
  if (fromDate && toDate && fromDate > toDate) [fromDate, toDate] = [toDate, fromDate];
  const from = fromDate ? startOfLocalDay(fromDate) : null;
  const to = toDate ? endOfLocalDay(toDate) : null;
  if (from !== null) params.from = from;
  if (to !== null) params.to = to;
  return params;
}

export function hasFilters(filters: HistoryFilters): boolean {
  return Object.keys(filterParams(filters)).length > 0;
}

/** `calls-2026-11-27.csv`, or with the range when one is set: `calls-2026-11-01_2026-11-27.csv`. */
export function exportFileName(filters: HistoryFilters, now: Date): string {
  const day = (d: Date) =>
    `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  if (filters.fromDate || filters.toDate)
    return `calls-${filters.fromDate || 'start'}_${filters.toDate || day(now)}.csv`;
  return `calls-${day(now)}.csv`;
}
