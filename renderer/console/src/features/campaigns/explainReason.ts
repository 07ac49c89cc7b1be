/**
 * campaigns.explain's reasons in the console's language: each reason's stable code picks a
 * sentence (campaignPage.explain.reason.<code>) and its data fills it, with instants shown on the
 * CONTACT's clock (the zone the engine read the calling hours in), since "not before 09:00" only
 * makes sense in the contact's time. The engine's English sentence is kept as a tooltip.
 */
import type { ExplainedReason } from '../../api/contract.js';

export interface ReasonMessage {
  /** null: a code this console does not know (a newer engine); show the engine's own sentence, in `values.text`. */
  key:
    | `campaignPage.explain.reason.${ExplainedReason['code']}`
    | 'campaignPage.explain.reason.outside_windowNever'
    | 'campaignPage.explain.reason.excluded_dateNever'
    | null;
  values: Record<string, string>;
}

export interface ReasonFormat {
  /** An instant (epoch ms) on the contact's clock, with the zone's abbreviation. */
  inZone(ms: number): string;
  number(n: number): string;
  /** An outcome code in words. */
  outcome(code: string): string;
  /** A disposition code in words (its label). */
  disposition(code: string): string;
  /** A weekday key (mon…) in words. */
  weekday(key: string): string;
}

function text(value: ExplainedReason['data'][string] | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

export function reasonMessage(reason: ExplainedReason, format: ReasonFormat): ReasonMessage {
  const d = reason.data;
  const num = (key: string) => (typeof d[key] === 'number' ? format.number(d[key]) : text(d[key]));
  const at = (key: string) => (typeof d[key] === 'number' ? format.inZone(d[key]) : '');
  switch (reason.code) {
    case 'dnc':
      return { key: 'campaignPage.explain.reason.dnc', values: {} };
    case 'no_consent':
      return { key: 'campaignPage.explain.reason.no_consent', values: {} };
    case 'final_disposition':
      return {
        key: 'campaignPage.explain.reason.final_disposition',
        values: { disposition: format.disposition(text(d.disposition)) },
      };
    case 'max_attempts':
      return {
        key: 'campaignPage.explain.reason.max_attempts',
        values: { attempts: num('attempts'), maxAttempts: num('maxAttempts') },
      };
    case 'no_retry':
      return {
        key: 'campaignPage.explain.reason.no_retry',
        values: { outcome: format.outcome(text(d.outcome)) },
      };
    case 'in_progress':
      return { key: 'campaignPage.explain.reason.in_progress', values: { since: at('since') } };
    case 'retry_wait':
      return {
        key: 'campaignPage.explain.reason.retry_wait',
        values: { outcome: format.outcome(text(d.outcome)), until: at('until') },
      };
    case 'daily_cap':
      return {
        key: 'campaignPage.explain.reason.daily_cap',
        values: {
          attempts: num('attemptsToday'),
          cap: num('cap'),
          date: text(d.localDate),
          until: at('until'),
        },
      };
    case 'excluded_date':
      return typeof d.nextWindowStart === 'number'
        ? {
            key: 'campaignPage.explain.reason.excluded_date',
            values: { date: text(d.date), zone: text(d.zone), next: at('nextWindowStart') },
          }
        : {
            key: 'campaignPage.explain.reason.excluded_dateNever',
            values: { date: text(d.date), zone: text(d.zone) },
          };
    case 'outside_window':
      return typeof d.nextWindowStart === 'number'
        ? {
            key: 'campaignPage.explain.reason.outside_window',
            values: {
              time: text(d.localTime),
              weekday: format.weekday(text(d.weekday)),
              zone: text(d.zone),
              next: at('nextWindowStart'),
            },
          }
        : {
            key: 'campaignPage.explain.reason.outside_windowNever',
            values: {
              time: text(d.localTime),
              weekday: format.weekday(text(d.weekday)),
              zone: text(d.zone),
            },
          };
    default:
      return { key: null, values: { text: reason.text } };
  }
}

/** A formatter for instants on a zone's clock ("Nov 28, 2026, 09:00 GMT+8"). */
export function zoneFormatter(locale: string, zone: string): (ms: number) => string {
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat(locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: zone,
    });
  } catch {
    formatter = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  }
  return (ms) => formatter.format(ms);
}
