/**
 * Wall-clock arithmetic in an IANA time zone using only Intl (no tz library): read the local
 * calendar fields of an instant, and turn local fields back into an instant (DST-aware).
 */

export interface LocalDateTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

export interface LocalParts extends LocalDateTime {
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS: Readonly<Record<string, number>> = {
  Sun: 0,
  Mon: 1,
  Tue: 2,
  Wed: 3,
  Thu: 4,
  Fri: 5,
  Sat: 6,
};

/** Throws a RangeError for an unknown time zone. */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}

/** The local calendar fields of an instant in a time zone. */
export function localParts(instant: Date, timeZone: string): LocalParts {
  const out: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) out[p.type] = p.value;
  return {
    year: Number(out.year),
    month: Number(out.month),
    day: Number(out.day),
    hour: Number(out.hour) % 24,
    minute: Number(out.minute),
    second: Number(out.second),
    weekday: WEEKDAYS[out.weekday ?? ''] ?? 0,
  };
}

/** Minutes the zone is ahead of UTC at that instant (Asia/Shanghai → 480). */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const whole = Math.floor(instant.getTime() / 1000) * 1000;
  return Math.round((asUtc - whole) / 60_000);
}

/**
 * The instant at which the wall clock in the zone shows these fields. Fields may overflow
 * (day 32, hour 25) and are normalised like Date.UTC does. In a DST gap the later offset is used.
 */
export function zonedToInstant(local: LocalDateTime, timeZone: string): Date {
  const naive = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  let guess = naive - offsetMinutes(new Date(naive), timeZone) * 60_000;
  const second = naive - offsetMinutes(new Date(guess), timeZone) * 60_000;
  if (second !== guess) guess = second;
  return new Date(guess);
}

/** Adds days to a local calendar date (pure calendar arithmetic, no zone involved). */
export function addLocalDays(
  d: { year: number; month: number; day: number },
  days: number,
): { year: number; month: number; day: number } {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** ISO 8601 local time with the zone's offset, e.g. 2026-11-28T15:00:00+08:00. */
export function toZonedIso(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  const off = offsetMinutes(instant, timeZone);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
