import { describe, expect, it } from 'vitest';

import { parseDuration, parseWindows } from './campaign.js';
import { UsageError } from './usage.js';

describe('campaign CLI options', () => {
  it('reads weekday windows: ranges, lists, wrapping ranges and several times a day', () => {
    expect(parseWindows(['mon-fri=09:00-12:00,14:00-20:00', 'sat=10:00-16:00'])).toEqual({
      mon: [
        ['09:00', '12:00'],
        ['14:00', '20:00'],
      ],
      tue: [
        ['09:00', '12:00'],
        ['14:00', '20:00'],
      ],
      wed: [
        ['09:00', '12:00'],
        ['14:00', '20:00'],
      ],
      thu: [
        ['09:00', '12:00'],
        ['14:00', '20:00'],
      ],
      fri: [
        ['09:00', '12:00'],
        ['14:00', '20:00'],
      ],
      sat: [['10:00', '16:00']],
    });
    expect(Object.keys(parseWindows(['fri-mon=10:00-11:00']))).toEqual([
      'fri',
      'sat',
      'sun',
      'mon',
    ]);
    expect(parseWindows(['mon,wed=08:00-09:00'])).toEqual({
      mon: [['08:00', '09:00']],
      wed: [['08:00', '09:00']],
    });
  });

  it('names the flag of a bad window or duration', () => {
    expect(() => parseWindows(['weekdays=09:00-20:00'])).toThrow(UsageError);
    expect(() => parseWindows(['mon-fri=9-20'])).toThrow(
      /--window "mon-fri=9-20": "9-20" is not a time range/,
    );
    expect(() => parseDuration('--retry busy', 'soon')).toThrow(
      /--retry busy: "soon" is not a duration/,
    );
    expect(parseDuration('--retry busy', '10m')).toBe(600_000);
    expect(parseDuration('--retry busy', '1.5h')).toBe(5_400_000);
    expect(parseDuration('--retry busy', '30s')).toBe(30_000);
  });
});
