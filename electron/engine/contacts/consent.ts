/**
 * Consent records in contact files (issue 15 §5): the `consent_at` column's date or date and time,
 * read into epoch ms. Accepted: 2025-03-01, 2025/3/1, 2025年3月1日, each optionally with a time
 * (10:30, 10:30:15) and an offset (Z, +08:00); ISO 8601 as written by programs; an Excel date
 * serial (a date cell saved as a number). A time without an offset is read in the contact's time
 * zone (its row's time zone column, else the list's region's zone, else UTC). A consent given in
 * the future is refused: it is a typo, not a consent.
 */
import { regionTimeZone } from '../dialer/policy.js';
import { zonedToInstant } from '../nlu/zoned-time.js';

/** Longest consent source kept (the store's CHECK says the same). */
export const CONSENT_SOURCE_MAX_CHARS = 200;

/** Days between Excel's day 0 (1899-12-30, with its 1900 leap-year bug folded in) and 1970-01-01. */
const EXCEL_EPOCH_DAYS = 25_569;
const DAY_MS = 86_400_000;
/** A consent time may be this far ahead of the clock (clock skew, a zone mix-up of a few hours). */
const FUTURE_SLACK_MS = DAY_MS;

const DATE_TIME =
  /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:(?:\s+|T)(\d{1,2})[:：](\d{2})(?:[:：](\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const EXCEL_SERIAL = /^\d{5}(?:\.\d+)?$/;

/** The zone a consent time without an offset is read in. */
export function consentZone(contactZone: string | undefined, region: string): string {
  return contactZone ?? regionTimeZone(region) ?? 'UTC';
}

/**
 * `value` as epoch ms, or why it is not a usable consent time (said after the column's name by
 * the caller). `now` bounds it: no consent is given in the future.
 */
export function parseConsentTime(value: string, zone: string, now: number): number | string {
  const text = value.normalize('NFKC').trim();
  let at: number;
  if (EXCEL_SERIAL.test(text)) {
    // Excel's serial is a wall-clock date and time: read it in the zone, like a typed one.
    const serial = Number(text);
    const utc = Math.round((serial - EXCEL_EPOCH_DAYS) * DAY_MS);
    const d = new Date(utc);
    at = zonedToInstant(
      {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
      },
      zone,
    ).getTime();
    at += d.getUTCSeconds() * 1000;
  } else {
    const m = DATE_TIME.exec(text);
    if (!m)
      return `"${value}" is not a date (write 2025-03-01 or 2025-03-01 10:30, optionally with an offset such as +08:00)`;
    const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(
      (part) => Number(part ?? 0),
    ) as [number, number, number, number, number, number];
    const check = new Date(Date.UTC(year, month - 1, day));
    if (
      check.getUTCFullYear() !== year ||
      check.getUTCMonth() !== month - 1 ||
      check.getUTCDate() !== day ||
      hour > 23 ||
      minute > 59 ||
      second > 59
    )
      return `"${value}" is not a date: no such day or time`;
    const offset = m[7];
    if (offset !== undefined) {
      const minutes =
        offset.toUpperCase() === 'Z'
          ? 0
          : (offset.startsWith('-') ? -1 : 1) *
            (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(-2)));
      at = Date.UTC(year, month - 1, day, hour, minute, second) - minutes * 60_000;
    } else {
      at = zonedToInstant({ year, month, day, hour, minute }, zone).getTime() + second * 1000;
    }
  }
  if (!Number.isFinite(at) || at < 0) return `"${value}" is not a date after 1970`;
  if (at > now + FUTURE_SLACK_MS)
    return `"${value}" is in the future: a consent is given before the call`;
  return at;
}
