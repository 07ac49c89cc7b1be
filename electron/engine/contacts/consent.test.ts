/** parseConsentTime: the consent_at column's dates and times, their zone, and the refusals. */
import { describe, expect, it } from 'vitest';

import { consentZone, parseConsentTime } from './consent.js';

const NOW = Date.parse('2026-12-07T04:00:00Z');

describe('parseConsentTime', () => {
  it('reads dates and times in the given zone, or at their own offset', () => {
    const at = (value: string, zone = 'Asia/Shanghai') => parseConsentTime(value, zone, NOW);
    expect(at('2025-03-01')).toBe(Date.parse('2025-02-28T16:00:00Z'));
    expect(at('2025/3/1 10:30')).toBe(Date.parse('2025-03-01T02:30:00Z'));
    expect(at('2025年3月1日 10:30:15')).toBe(Date.parse('2025-03-01T02:30:15Z'));
    expect(at('2025-03-01T10:30:00+08:00', 'UTC')).toBe(Date.parse('2025-03-01T02:30:00Z'));
    expect(at('2025-03-01T02:30:00Z')).toBe(Date.parse('2025-03-01T02:30:00Z'));
    expect(at('2025-03-01 10:30', 'America/New_York')).toBe(Date.parse('2025-03-01T15:30:00Z'));
    // A date cell Excel saved as its serial: 45717 is 2025-03-01, 0.5 is noon.
    expect(at('45717.5')).toBe(Date.parse('2025-03-01T04:00:00Z'));
  });

  it('refuses what is not a date, no such day, and a consent in the future', () => {
    const at = (value: string) => parseConsentTime(value, 'UTC', NOW);
    expect(at('yesterday')).toBe(
      '"yesterday" is not a date (write 2025-03-01 or 2025-03-01 10:30, optionally with an offset such as +08:00)',
    );
    expect(at('2025-02-30')).toBe('"2025-02-30" is not a date: no such day or time');
    expect(at('2025-03-01 25:00')).toBe('"2025-03-01 25:00" is not a date: no such day or time');
    expect(at('2030-01-01')).toBe(
      '"2030-01-01" is in the future: a consent is given before the call',
    );
  });

  it("reads a time without an offset in the contact's zone, else the region's, else UTC", () => {
    expect(consentZone('Europe/Berlin', 'CN')).toBe('Europe/Berlin');
    expect(consentZone(undefined, 'CN')).toBe('Asia/Shanghai');
    expect(consentZone(undefined, 'US')).toBe('UTC');
  });
});
