import { describe, expect, it } from 'vitest';

import { type ReasonFormat, reasonMessage, zoneFormatter } from './explainReason.js';

const format: ReasonFormat = {
  inZone: zoneFormatter('en-US', 'America/New_York'),
  number: (n) => String(n),
  outcome: (code) => `<${code}>`,
  disposition: (code) => `{${code}}`,
  weekday: (key) => `[${key}]`,
};

describe('why a contact is not called, in words', () => {
  it('fills each code’s sentence with its data, instants on the contact’s clock', () => {
    const next = Date.UTC(2026, 10, 30, 14, 0); // 09:00 in New York
    expect(
      reasonMessage(
        { code: 'final_disposition', text: '', data: { disposition: 'confirmed' } },
        format,
      ),
    ).toEqual({
      key: 'campaignPage.explain.reason.final_disposition',
      values: { disposition: '{confirmed}' },
    });
    expect(reasonMessage({ code: 'no_consent', text: '', data: {} }, format)).toEqual({
      key: 'campaignPage.explain.reason.no_consent',
      values: {},
    });
    expect(
      reasonMessage(
        {
          code: 'outside_window',
          text: '',
          data: {
            localTime: '21:14',
            weekday: 'fri',
            zone: 'America/New_York',
            nextWindowStart: next,
          },
        },
        format,
      ),
    ).toEqual({
      key: 'campaignPage.explain.reason.outside_window',
      values: {
        time: '21:14',
        weekday: '[fri]',
        zone: 'America/New_York',
        next: 'Nov 30, 2026, 9:00 AM',
      },
    });
    expect(
      reasonMessage(
        {
          code: 'outside_window',
          text: '',
          data: {
            localTime: '21:14',
            weekday: 'fri',
            zone: 'Asia/Shanghai',
            nextWindowStart: null,
          },
        },
        format,
      ).key,
    ).toBe('campaignPage.explain.reason.outside_windowNever');
    expect(
      reasonMessage(
        { code: 'retry_wait', text: '', data: { outcome: 'busy', until: next } },
        format,
      ),
    ).toEqual({
      key: 'campaignPage.explain.reason.retry_wait',
      values: { outcome: '<busy>', until: 'Nov 30, 2026, 9:00 AM' },
    });
    expect(
      reasonMessage(
        {
          code: 'daily_cap',
          text: '',
          data: { attemptsToday: 3, cap: 3, localDate: '2026-11-28', until: next },
        },
        format,
      ).values,
    ).toEqual({ attempts: '3', cap: '3', date: '2026-11-28', until: 'Nov 30, 2026, 9:00 AM' });
    expect(
      reasonMessage(
        { code: 'max_attempts', text: '', data: { attempts: 3, maxAttempts: 3 } },
        format,
      ).values,
    ).toEqual({ attempts: '3', maxAttempts: '3' });
    expect(reasonMessage({ code: 'dnc', text: '', data: {} }, format)).toEqual({
      key: 'campaignPage.explain.reason.dnc',
      values: {},
    });
    expect(
      reasonMessage(
        {
          code: 'excluded_date',
          text: '',
          data: { date: '2026-10-01', zone: 'Asia/Shanghai', nextWindowStart: null },
        },
        format,
      ).key,
    ).toBe('campaignPage.explain.reason.excluded_dateNever');
  });

  it('falls back to the local clock for a zone the browser does not know', () => {
    expect(() => zoneFormatter('en', 'Not/AZone')(0)).not.toThrow();
  });
});
