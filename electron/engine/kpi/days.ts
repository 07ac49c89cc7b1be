/**
 * Local days in the workspace's time zone (Settings → time zone, Asia/Shanghai by default): the
 * instant "today" starts, and a report's days as [midnight, next midnight) ranges. DST-aware
 * through Intl (nlu/zoned-time.ts), so a 23- or 25-hour day is what the wall clock says.
 */
import { addLocalDays, localParts, zonedToInstant } from '../nlu/zoned-time.js';
import type { KpiRange } from '../store/kpi-types.js';

export interface LocalDay extends KpiRange {
  /** YYYY-MM-DD */
  date: string;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function dateText(d: { year: number; month: number; day: number }): string {
  return `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
}

function midnight(d: { year: number; month: number; day: number }, timeZone: string): number {
  return zonedToInstant({ ...d, hour: 0, minute: 0 }, timeZone).getTime();
}

/** The local day containing `now`, from its midnight to the next. */
export function today(now: number, timeZone: string): LocalDay {
  const parts = localParts(new Date(now), timeZone);
  const day = { year: parts.year, month: parts.month, day: parts.day };
  return {
    date: dateText(day),
    from: midnight(day, timeZone),
    to: midnight(addLocalDays(day, 1), timeZone),
  };
}

/** Every local day from `from` to `to` (YYYY-MM-DD, inclusive). */
export function localDays(from: string, to: string, timeZone: string): LocalDay[] {
  const parse = (text: string) => {
    const [year, month, day] = text.split('-').map(Number) as [number, number, number];
    return { year, month, day };
  };
  const last = dateText(parse(to));
  const days: LocalDay[] = [];
  for (let d = parse(from); ; d = addLocalDays(d, 1)) {
    const next = addLocalDays(d, 1);
    days.push({ date: dateText(d), from: midnight(d, timeZone), to: midnight(next, timeZone) });
    if (dateText(d) >= last || days.length > 400) break;
  }
  return days;
}
