/**
 * The dialer's compliance policy: may this contact be called now, and if not, why and when.
 *
 * Pure: no store, no clock of its own (the caller passes `now`), no machine time zone. Every
 * wall-clock question is asked in the CONTACT's zone (its own, else the list's default region's,
 * else the campaign's), because calling hours are the customer's hours, not the call center's.
 *
 * Time rules, decided once here:
 * - Windows are wall-clock times. `["09:00","20:00"]` means 09:00 to 20:00 on the contact's clock
 *   every matching weekday, whatever the day's length (DST days have 23 or 25 hours). A start that
 *   falls in a spring-forward gap (02:30 on a day the clock jumps 02:00 → 03:00) opens the window
 *   when the clock jumps (03:00). A start in the repeated fall-back hour opens at its first
 *   occurrence.
 * - A window whose end is not after its start crosses midnight: `fri: [["20:00","02:00"]]` runs
 *   Friday 20:00 to Saturday 02:00 and belongs to Friday (it is Friday's window, not Saturday's).
 *   "24:00" may end a window at midnight.
 * - An excluded date is a whole calendar day on the contact's clock: no calls at all on it,
 *   including the after-midnight part of the previous evening's window.
 */
import {
  type CallingSchedule,
  isIanaTimeZone,
  type RetryPolicy,
  WEEKDAY_KEYS,
  type WeekdayKey,
} from '../api/campaigns.js';
import type { CallOutcome } from '../api/contract.js';
import { addLocalDays, type LocalParts, localParts, zonedToInstant } from '../nlu/zoned-time.js';
import { ABANDONED_REST_MS } from './abandon.js';

// The campaign's `schedule` and `retry_policy` schemas are part of the API (the console edits
// them); the policy reads them from there.
export {
  type CallingSchedule,
  CallingScheduleSchema,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  RetryPolicySchema,
  type WeekdayKey,
} from '../api/campaigns.js';

// ---------------------------------------------------------------------------------------------
// Inputs and the verdict

export interface PolicyContact {
  id: number;
  phone: string;
  /** The contact's own IANA zone, if the import found one. */
  timeZone: string | null;
  /** When the contact consented to be called (epoch ms); null or absent: no consent on record. */
  consentAt?: number | null;
}

export interface PolicyCampaign {
  id: number;
  schedule: CallingSchedule;
  retry: RetryPolicy;
  /** The contact list's default region (e.g. CN): its zone is the fallback before the campaign's. */
  listDefaultRegion?: string | null;
  /**
   * The campaign dials only with an agent reserved for the call (progressive): a number whose
   * last call was abandoned may be called again within 72 h. Otherwise it rests (abandon.ts).
   */
  agentReserved?: boolean;
  /** Only contacts with a consent record are called (PIPL: a campaign may demand one). */
  requireConsent?: boolean;
}

export interface PolicyAttempt {
  campaignId: number | null;
  contactId: number | null;
  startedAt: number;
  endedAt: number | null;
  /** null while the call is still going. */
  outcome: CallOutcome | null;
  disposition?: { code: string; final: boolean } | null;
}

export interface PolicyHistory {
  onDnc: boolean;
  /** Every call to this contact's number, any campaign (order does not matter). */
  attempts: readonly PolicyAttempt[];
  /**
   * A callback promised to the customer (by a flow or an agent) after the last call: it replaces
   * the retry rules (it is kept even when the outcome is not retried or the attempts are used up);
   * DNC, a final disposition, the daily cap and the calling window still apply.
   */
  callbackAt?: number | null;
}

export type NotCallableReason =
  | { code: 'dnc' }
  | { code: 'no_consent' }
  | { code: 'final_disposition'; disposition: string }
  | { code: 'max_attempts'; attempts: number; maxAttempts: number }
  | { code: 'no_retry'; outcome: CallOutcome }
  | { code: 'in_progress'; since: Date }
  | { code: 'retry_wait'; outcome: CallOutcome; until: Date }
  | { code: 'callback_wait'; until: Date }
  | { code: 'abandoned_rest'; abandonedAt: Date; until: Date }
  | { code: 'daily_cap'; attemptsToday: number; cap: number; localDate: string; until: Date }
  | { code: 'excluded_date'; date: string; zone: string; nextWindowStart: Date | null }
  | {
      code: 'outside_window';
      localTime: string;
      weekday: WeekdayKey;
      zone: string;
      nextWindowStart: Date | null;
    };

export type Callability =
  | { callable: true; zone: string }
  | { callable: false; zone: string; reasons: NotCallableReason[]; nextEligibleAt?: Date };

/** How far ahead a next window is looked for (a schedule may exclude many dates in a row). */
const SEARCH_DAYS = 400;

// ---------------------------------------------------------------------------------------------
// Time zones

/**
 * The zone of a region when it has one zone that covers nearly everyone; null when the region
 * spans several (US), so the campaign's zone is used instead of a guess.
 */
const REGION_ZONE_OVERRIDES: Readonly<Record<string, string>> = {
  // Intl lists Asia/Urumqi too, but mainland China keeps Beijing time officially.
  CN: 'Asia/Shanghai',
};

const regionZones = new Map<string, string | null>();

export function regionTimeZone(region: string): string | null {
  const key = region.toUpperCase();
  let zone = regionZones.get(key);
  if (zone === undefined) {
    zone = lookUpRegionTimeZone(key);
    if (regionZones.size < 1_000) regionZones.set(key, zone);
  }
  return zone;
}

function lookUpRegionTimeZone(region: string): string | null {
  const override = REGION_ZONE_OVERRIDES[region.toUpperCase()];
  if (override) return override;
  try {
    // Intl.Locale#timeZones (V8 getter; newer engines call it getTimeZones()).
    const locale = new Intl.Locale(`und-${region.toUpperCase()}`) as Intl.Locale & {
      timeZones?: string[];
      getTimeZones?: () => string[];
    };
    const zones = locale.getTimeZones?.() ?? locale.timeZones;
    return zones?.length === 1 ? (zones[0] ?? null) : null;
  } catch {
    return null;
  }
}

/** The zone a contact's calling hours are read in: its own, the list region's, the campaign's. */
export function contactTimeZone(contact: PolicyContact, campaign: PolicyCampaign): string {
  if (contact.timeZone && isIanaTimeZone(contact.timeZone)) return contact.timeZone;
  const regionZone = campaign.listDefaultRegion ? regionTimeZone(campaign.listDefaultRegion) : null;
  return regionZone ?? campaign.schedule.timeZone;
}

// ---------------------------------------------------------------------------------------------
// Windows

type LocalDay = { year: number; month: number; day: number };

const pad = (n: number): string => String(n).padStart(2, '0');
const dateKey = (d: LocalDay): string =>
  `${String(d.year).padStart(4, '0')}-${pad(d.month)}-${pad(d.day)}`;
const minutesOf = (hhmm: string): number =>
  Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const weekdayOf = (d: LocalDay): number =>
  new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();

/**
 * The instant the contact's wall clock first reads `minute` on `day`. In a spring-forward gap
 * the wall clock never reads it; the window then opens at the jump, the first instant after it.
 */
function wallClockStart(day: LocalDay, minute: number, zone: string): Date {
  const wanted = { ...day, hour: Math.floor(minute / 60), minute: minute % 60 };
  const instant = zonedToInstant(wanted, zone);
  const seen = localParts(instant, zone);
  const seenMinute =
    dateKey(seen) === dateKey(day)
      ? seen.hour * 60 + seen.minute
      : seen.hour * 60 + seen.minute + 24 * 60;
  if (seenMinute === minute) return instant;
  // In the gap (once or twice a year): walk minute by minute from before the jump (gaps are at
  // most 2 h) to the first instant the clock shows at least the wanted time, i.e. the jump itself.
  let t = instant.getTime() - (instant.getTime() % 60_000) - 2 * 3_600_000;
  for (let i = 0; i < 5 * 60; i++, t += 60_000) {
    const p = localParts(new Date(t), zone);
    const m =
      dateKey(p) === dateKey(day)
        ? p.hour * 60 + p.minute
        : dateKey(p) > dateKey(day)
          ? 48 * 60
          : -1;
    if (m >= minute) return new Date(t);
  }
  return instant;
}

interface WindowState {
  inWindow: boolean;
  excluded: boolean;
  local: LocalParts;
}

function windowsOf(
  schedule: CallingSchedule,
  weekday: number,
): ReadonlyArray<readonly [string, string]> {
  return schedule.windows[WEEKDAY_KEYS[weekday] as WeekdayKey] ?? [];
}

function stateAt(instant: Date, schedule: CallingSchedule, zone: string): WindowState {
  const local = localParts(instant, zone);
  const today: LocalDay = { year: local.year, month: local.month, day: local.day };
  const excluded = schedule.excludedDates.includes(dateKey(today));
  const minute = local.hour * 60 + local.minute;
  let inWindow = false;
  for (const [s, e] of windowsOf(schedule, local.weekday)) {
    const start = minutesOf(s);
    const end = minutesOf(e);
    if (end > start ? minute >= start && minute < end : minute >= start) inWindow = true;
  }
  // Yesterday's windows that cross midnight, when yesterday was not itself excluded.
  const yesterday = addLocalDays(today, -1);
  if (!schedule.excludedDates.includes(dateKey(yesterday))) {
    for (const [s, e] of windowsOf(schedule, weekdayOf(yesterday))) {
      const end = minutesOf(e);
      if (end <= minutesOf(s) && minute < end) inWindow = true;
    }
  }
  return { inWindow: inWindow && !excluded, excluded, local };
}

/**
 * Answers per schedule, zone and instant. A dialer pass judges many contacts at the same `now`,
 * and most share a handful of zones: without this, each decision repeats the same Intl
 * conversions (about 5 µs each, some 20 per contact outside its window). Bounded, and keyed by
 * the schedule object so a changed schedule never reads an old answer.
 */
const MEMO_LIMIT = 10_000;
const memos = new WeakMap<CallingSchedule, Map<string, unknown>>();

function memo<T>(schedule: CallingSchedule, key: string, compute: () => T): T {
  let cache = memos.get(schedule);
  if (!cache) memos.set(schedule, (cache = new Map()));
  if (cache.has(key)) return cache.get(key) as T;
  const value = compute();
  if (cache.size >= MEMO_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

function stateAtMemo(instant: Date, schedule: CallingSchedule, zone: string): WindowState {
  return memo(schedule, `s|${zone}|${instant.getTime()}`, () => stateAt(instant, schedule, zone));
}

/** The first instant at or after `from` inside a window (from itself if it already is), or null. */
export function nextWindowStart(from: Date, schedule: CallingSchedule, zone: string): Date | null {
  const next = memo(schedule, `n|${zone}|${from.getTime()}`, () =>
    findNextWindowStart(from, schedule, zone),
  );
  // A copy: callers may keep or change the Date they get.
  return next === null ? null : new Date(next.getTime());
}

function findNextWindowStart(from: Date, schedule: CallingSchedule, zone: string): Date | null {
  if (stateAtMemo(from, schedule, zone).inWindow) return from;
  const local = localParts(from, zone);
  const today: LocalDay = { year: local.year, month: local.month, day: local.day };
  for (let offset = 0; offset <= SEARCH_DAYS; offset++) {
    const day = addLocalDays(today, offset);
    if (schedule.excludedDates.includes(dateKey(day))) continue;
    const starts = windowsOf(schedule, weekdayOf(day))
      .map(([s]) => wallClockStart(day, minutesOf(s), zone))
      .filter((t) => t.getTime() > from.getTime())
      .sort((a, b) => a.getTime() - b.getTime());
    // Only starts matter: a window crossing midnight is entered at its start, never at 00:00.
    if (starts[0]) return starts[0];
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// The verdict

/**
 * May `contact` be dialed for `campaign` at `now`? Every reason that applies is listed (a
 * supervisor sees all of them, not only the first), and `nextEligibleAt` is the first instant
 * every time-bound reason has passed and a window is open; it is absent when a reason is
 * permanent (DNC, final disposition, attempts used up, outcome not retried).
 */
export function callability(
  contact: PolicyContact,
  campaign: PolicyCampaign,
  history: PolicyHistory,
  now: Date,
): Callability {
  const zone = contactTimeZone(contact, campaign);
  const { schedule, retry } = campaign;
  const reasons: NotCallableReason[] = [];
  let permanent = false;
  let notBefore = now.getTime();

  if (history.onDnc) {
    reasons.push({ code: 'dnc' });
    permanent = true;
  }
  // Like DNC, for good in this campaign: the contact is skipped (done), not retried later.
  if (campaign.requireConsent && contact.consentAt == null) {
    reasons.push({ code: 'no_consent' });
    permanent = true;
  }

  const mine = history.attempts
    .filter((a) => a.campaignId === campaign.id && a.contactId === contact.id)
    .sort((a, b) => a.startedAt - b.startedAt);
  const final = mine.find((a) => a.disposition?.final);
  if (final?.disposition) {
    reasons.push({ code: 'final_disposition', disposition: final.disposition.code });
    permanent = true;
  }
  const last = mine.at(-1);
  if (last && last.outcome === null) {
    // A call still open (or one a crash left open, until start-up closes it) blocks a second dial.
    reasons.push({ code: 'in_progress', since: new Date(last.startedAt) });
    permanent = true;
  } else if (history.callbackAt != null && !final) {
    if (history.callbackAt > now.getTime()) {
      reasons.push({ code: 'callback_wait', until: new Date(history.callbackAt) });
      notBefore = Math.max(notBefore, history.callbackAt);
    }
  } else if (last && last.outcome !== null && !final) {
    const wait = retry.retryAfterMs[last.outcome];
    if (wait === undefined) {
      reasons.push({ code: 'no_retry', outcome: last.outcome });
      permanent = true;
    } else if (mine.length >= retry.maxAttempts) {
      reasons.push({ code: 'max_attempts', attempts: mine.length, maxAttempts: retry.maxAttempts });
      permanent = true;
    } else {
      const until = (last.endedAt ?? last.startedAt) + wait;
      if (until > now.getTime()) {
        reasons.push({ code: 'retry_wait', outcome: last.outcome, until: new Date(until) });
        notBefore = Math.max(notBefore, until);
      }
    }
  }

  // A call to this number was abandoned (any campaign): it rests 72 h unless an agent is reserved.
  if (!campaign.agentReserved) {
    const abandonedAt = history.attempts
      .filter((a) => a.outcome === 'abandoned')
      .reduce((latest, a) => Math.max(latest, a.endedAt ?? a.startedAt), -Infinity);
    const until = abandonedAt + ABANDONED_REST_MS;
    if (until > now.getTime()) {
      reasons.push({
        code: 'abandoned_rest',
        abandonedAt: new Date(abandonedAt),
        until: new Date(until),
      });
      notBefore = Math.max(notBefore, until);
    }
  }

  // The cap is per number and per contact-local day, whichever campaign dialed.
  const local = stateAtMemo(now, schedule, zone).local;
  const today: LocalDay = { year: local.year, month: local.month, day: local.day };
  const todayKey = dateKey(today);
  const attemptsToday = history.attempts.filter(
    (a) => dateKey(localParts(new Date(a.startedAt), zone)) === todayKey,
  ).length;
  if (attemptsToday >= retry.dailyCapPerNumber) {
    const tomorrow = wallClockStart(addLocalDays(today, 1), 0, zone);
    reasons.push({
      code: 'daily_cap',
      attemptsToday,
      cap: retry.dailyCapPerNumber,
      localDate: todayKey,
      until: tomorrow,
    });
    notBefore = Math.max(notBefore, tomorrow.getTime());
  }

  const state = stateAtMemo(now, schedule, zone);
  if (!state.inWindow) {
    const next = nextWindowStart(now, schedule, zone);
    if (state.excluded)
      reasons.push({ code: 'excluded_date', date: todayKey, zone, nextWindowStart: next });
    else {
      reasons.push({
        code: 'outside_window',
        localTime: `${pad(local.hour)}:${pad(local.minute)}`,
        weekday: WEEKDAY_KEYS[local.weekday] as WeekdayKey,
        zone,
        nextWindowStart: next,
      });
    }
    if (!next) permanent = true;
  }

  if (reasons.length === 0) return { callable: true, zone };
  if (permanent) return { callable: false, zone, reasons };
  const eligible = nextWindowStart(new Date(notBefore), schedule, zone);
  return eligible
    ? { callable: false, zone, reasons, nextEligibleAt: eligible }
    : { callable: false, zone, reasons };
}

/** One line a supervisor reads, e.g. "outside calling hours (21:14 Asia/Shanghai, Tuesday)". */
export function describeReason(reason: NotCallableReason): string {
  switch (reason.code) {
    case 'dnc':
      return 'number is on the do-not-call list';
    case 'no_consent':
      return 'the campaign requires consent and the contact has no consent record';
    case 'final_disposition':
      return `contact already has a final disposition (${reason.disposition})`;
    case 'max_attempts':
      return `all ${reason.maxAttempts} attempts used`;
    case 'no_retry':
      return `last call ended "${reason.outcome}", which is not retried`;
    case 'in_progress':
      return `a call to this contact is in progress since ${reason.since.toISOString()}`;
    case 'retry_wait':
      return `last call ended "${reason.outcome}"; retry after ${reason.until.toISOString()}`;
    case 'callback_wait':
      return `a callback is scheduled for ${reason.until.toISOString()}`;
    case 'abandoned_rest':
      return `a call to this number was abandoned at ${reason.abandonedAt.toISOString()} (no agent was free); not called again before ${reason.until.toISOString()} unless an agent is reserved`;
    case 'daily_cap':
      return `${reason.attemptsToday} calls to this number on ${reason.localDate} (cap ${reason.cap})`;
    case 'excluded_date':
      return `${reason.date} is an excluded date in ${reason.zone}`;
    case 'outside_window':
      return `outside calling hours (${reason.localTime} ${reason.weekday} in ${reason.zone})`;
  }
}
