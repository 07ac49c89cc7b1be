import { describe, expect, it } from 'vitest';

import type { KpiFigures } from '../../api/contract.js';
import { zonedDate } from '../reports/ReportsPage.js';
import { formatKpi, kpiValue, targetStates } from './kpiFigures.js';

const format = {
  number: (v: number) => v.toLocaleString('en-US'),
  clock: (ms: number) => `${ms / 1000}s`,
};

const figures = {
  callSuccessRate: 0.99,
  intentAccuracy: 0.9,
  replyLatencyP95Ms: 799,
} as KpiFigures;

describe('wallboard figures', () => {
  it('writes counts, rates, durations, latency and scores, and a dash for nothing', () => {
    expect(formatKpi('placed', 12_345, format, '—')).toBe('12,345');
    expect(formatKpi('answerRate', 0.5, format, '—')).toBe('50.0 %');
    expect(formatKpi('avgHandleMs', 90_000, format, '—')).toBe('90s');
    expect(formatKpi('replyLatencyP95Ms', 412.6, format, '—')).toBe('413 ms');
    expect(formatKpi('avgConfidence', 0.7, format, '—')).toBe('0.70');
    expect(formatKpi('abandonRate', null, format, '—')).toBe('—');
    expect(
      kpiValue('occupancy', figures, {
        availableMs: 0,
        offeredMs: 0,
        onCallMs: 0,
        wrapUpMs: 0,
        awayMs: 0,
        occupancy: 0.25,
      }),
    ).toBe(0.25);
  });

  it('judges the targets strictly: > 98 %, > 90 %, < 800 ms', () => {
    expect(targetStates(figures)).toEqual({
      callSuccess: 'met',
      intentAccuracy: 'missed', // exactly 90 % is not above 90 %
      replyLatency: 'met',
    });
    expect(
      targetStates({
        callSuccessRate: null,
        intentAccuracy: null,
        replyLatencyP95Ms: 800,
      } as KpiFigures),
    ).toEqual({ callSuccess: 'none', intentAccuracy: 'none', replyLatency: 'missed' });
  });

  it('counts report days in the workspace’s time zone', () => {
    const at = new Date(Date.UTC(2026, 11, 6, 21, 50)); // 05:50 on 7 Dec in Shanghai
    expect(zonedDate(0, 'Asia/Shanghai', at)).toBe('2026-12-07');
    expect(zonedDate(6, 'Asia/Shanghai', at)).toBe('2026-12-01');
    expect(zonedDate(0, 'UTC', at)).toBe('2026-12-06');
    expect(zonedDate(6, 'UTC', new Date(Date.UTC(2026, 2, 3)))).toBe('2026-02-25');
  });
});
