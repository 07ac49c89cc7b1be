/**
 * Dates, times, durations and numbers, formatted with Intl for the current UI language.
 * `useFormat()` gives components a set of formatters that changes when the language does.
 */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';

interface DurationParts {
  hours?: number;
  minutes?: number;
  seconds?: number;
}
interface DurationFormatLike {
  format(duration: DurationParts): string;
}
type DurationFormatConstructor = new (
  locale: string,
  options: { style: 'short' | 'narrow' | 'long' },
) => DurationFormatLike;
/** Intl.DurationFormat (Chromium 129+) is not in TypeScript's ES2023 lib yet. */
const DurationFormat = (Intl as unknown as { DurationFormat?: DurationFormatConstructor })
  .DurationFormat;

export interface Formatters {
  /** Date and time to the second, e.g. "Nov 24, 2025, 11:24:05 AM" / "2025年11月24日 11:24:05". */
  dateTime(ms: number): string;
  /** Compact date and time for table cells, e.g. "11/24/25, 11:24 AM" / "2025/11/24 11:24". */
  dateTimeShort(ms: number): string;
  /** Date only. */
  date(ms: number): string;
  /** Time of day to the second. */
  time(ms: number): string;
  /** A running clock, "4:07" or "1:02:09": what a call-center wallboard shows. */
  clock(ms: number): string;
  /** A spoken-style duration, e.g. "2 min, 5 sec" / "2分钟5秒". */
  duration(ms: number): string;
  number(value: number): string;
  percent(fraction: number): string;
}

function splitDuration(ms: number): Required<DurationParts> {
  const total = Math.max(0, Math.floor(ms / 1000));
  return {
    hours: Math.floor(total / 3600),
    minutes: Math.floor((total % 3600) / 60),
    seconds: total % 60,
  };
}

export function createFormatters(locale: string): Formatters {
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' });
  const dateTimeShort = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'medium' });
  const number = new Intl.NumberFormat(locale);
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const twoDigits = new Intl.NumberFormat(locale, { minimumIntegerDigits: 2, useGrouping: false });
  const plain = new Intl.NumberFormat(locale, { useGrouping: false });
  const durationFormat = DurationFormat ? new DurationFormat(locale, { style: 'short' }) : null;
  const unitFormats = (['hour', 'minute', 'second'] as const).map(
    (unit) => new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short' }),
  );

  return {
    dateTime: (ms) => dateTime.format(ms),
    dateTimeShort: (ms) => dateTimeShort.format(ms),
    date: (ms) => date.format(ms),
    time: (ms) => time.format(ms),
    clock(ms) {
      const { hours, minutes, seconds } = splitDuration(ms);
      return hours > 0
        ? `${plain.format(hours)}:${twoDigits.format(minutes)}:${twoDigits.format(seconds)}`
        : `${plain.format(minutes)}:${twoDigits.format(seconds)}`;
    },
    duration(ms) {
      const parts = splitDuration(ms);
      const shown: DurationParts = {};
      if (parts.hours > 0) shown.hours = parts.hours;
      if (parts.minutes > 0) shown.minutes = parts.minutes;
      if (parts.seconds > 0 || (parts.hours === 0 && parts.minutes === 0))
        shown.seconds = parts.seconds;
      if (durationFormat) return durationFormat.format(shown);
      const values = [shown.hours, shown.minutes, shown.seconds];
      return values
        .map((value, i) =>
          value === undefined ? null : (unitFormats[i] as Intl.NumberFormat).format(value),
        )
        .filter((text): text is string => text !== null)
        .join(' ');
    },
    number: (value) => number.format(value),
    percent: (fraction) => percent.format(fraction),
  };
}

export function useFormat(): Formatters {
  const { i18n } = useTranslation();
  const locale = i18n.language;
  return useMemo(() => createFormatters(locale), [locale]);
}
