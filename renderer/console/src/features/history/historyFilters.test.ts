import { describe, expect, it } from 'vitest';

import { exportCalls, type ExportPage } from './exportCalls.js';
import {
  endOfLocalDay,
  exportFileName,
  filterParams,
  hasFilters,
  NO_FILTERS,
  startOfLocalDay,
} from './historyFilters.js';
import { currentLineIndex } from './transcriptSync.js';

describe('History filters → API params', () => {
  it('leaves empty filters out', () => {
    expect(filterParams(NO_FILTERS)).toEqual({});
    expect(hasFilters(NO_FILTERS)).toBe(false);
    expect(filterParams({ ...NO_FILTERS, search: '   ', disposition: ' ' })).toEqual({});
  });

  it('passes outcome, campaign, disposition and trimmed text', () => {
    expect(
      filterParams({
        ...NO_FILTERS,
        search: ' stop calling ',
        outcome: 'completed',
        campaignId: 3,
        disposition: 'opted_out',
      }),
    ).toEqual({
      search: 'stop calling',
      outcome: 'completed',
      campaignId: 3,
      disposition: 'opted_out',
    });
  });

  it('turns a day range into [start of the first day, start of the day after the last) in local time', () => {
    const params = filterParams({ ...NO_FILTERS, fromDate: '2026-11-01', toDate: '2026-11-27' });
    expect(params.from).toBe(new Date(2026, 10, 1).getTime());
    expect(params.to).toBe(new Date(2026, 10, 28).getTime());
    // One day: from = to.
    const day = filterParams({ ...NO_FILTERS, fromDate: '2026-03-08', toDate: '2026-03-08' });
    expect(day.to! - day.from!).toBe(
      new Date(2026, 2, 9).getTime() - new Date(2026, 2, 8).getTime(),
    );
    // Backwards ranges are swapped rather than matching nothing.
    expect(filterParams({ ...NO_FILTERS, fromDate: '2026-11-27', toDate: '2026-11-01' })).toEqual(
      params,
    );
    // Open ends.
    expect(filterParams({ ...NO_FILTERS, toDate: '2026-11-27' })).toEqual({
      to: new Date(2026, 10, 28).getTime(),
    });
  });

  it('rejects malformed and impossible dates', () => {
    expect(startOfLocalDay('2026-02-30')).toBeNull();
    expect(startOfLocalDay('27/11/2026')).toBeNull();
    expect(endOfLocalDay('')).toBeNull();
    expect(filterParams({ ...NO_FILTERS, fromDate: 'nonsense' })).toEqual({});
  });

  it('names the export file after the range', () => {
    const now = new Date(2026, 10, 27, 15);
    expect(exportFileName(NO_FILTERS, now)).toBe('calls-2026-11-27.csv');
    expect(exportFileName({ ...NO_FILTERS, fromDate: '2026-11-01' }, now)).toBe(
      'calls-2026-11-01_2026-11-27.csv',
    );
  });
});

describe('exportCalls', () => {
  const pageOf =
    (total: number): ExportPage =>
    async ({ offset = 0, limit = 500 }) => {
      const rows = Math.max(0, Math.min(limit, total - offset));
      const lines = Array.from({ length: rows }, (_, i) => `c${offset + i}\r\n`).join('');
      const next = offset + rows;
      return {
        csv: `${offset === 0 ? 'call_id\r\n' : ''}${lines}`,
        rows,
        total,
        nextOffset: rows > 0 && next < total ? next : null,
      };
    };

  it('joins pages into one file with a BOM and one header', async () => {
    const progress: number[] = [];
    const result = await exportCalls({}, pageOf(5), {
      pageSize: 2,
      onProgress: (rows) => progress.push(rows),
    });
    expect(result).toEqual({
      csv: '\uFEFFcall_id\r\nc0\r\nc1\r\nc2\r\nc3\r\nc4\r\n',
      rows: 5,
      total: 5,
      truncated: false,
    });
    expect(progress).toEqual([2, 4, 5]);
  });

  it('stops at the cap and says so', async () => {
    const result = await exportCalls({}, pageOf(25), { pageSize: 10, maxCalls: 15 });
    expect(result.rows).toBe(15);
    expect(result.truncated).toBe(true);
    expect(result.csv.trimEnd().split('\r\n').at(-1)).toBe('c14');
  });

  it('passes the filter with each page', async () => {
    const seen: unknown[] = [];
    await exportCalls({ outcome: 'busy' }, async (params) => {
      seen.push(params);
      return { csv: 'call_id\r\n', rows: 0, total: 0, nextOffset: null };
    });
    expect(seen).toEqual([{ outcome: 'busy', offset: 0, limit: 500 }]);
  });
});

describe('currentLineIndex', () => {
  const lines = [
    { startMs: 500, endMs: 3_000, cutAtMs: 2_000 }, // bot prompt, cut by barge-in at 2 s
    { startMs: 1_800, endMs: 2_600 }, // customer, over the prompt's end
    { startMs: 4_000, endMs: 6_000 }, // bot
    { startMs: 9_000, endMs: 9_500 }, // customer
  ];

  it('is -1 before the first line', () => {
    expect(currentLineIndex(lines, 0)).toBe(-1);
    expect(currentLineIndex([], 1_000)).toBe(-1);
  });

  it('is the line being said, the later one when two overlap', () => {
    expect(currentLineIndex(lines, 500)).toBe(0);
    expect(currentLineIndex(lines, 1_900)).toBe(1);
    expect(currentLineIndex(lines, 4_500)).toBe(2);
    expect(currentLineIndex(lines, 9_000)).toBe(3);
  });

  it('keeps the last line started through a pause, and after the end', () => {
    expect(currentLineIndex(lines, 3_500)).toBe(1);
    expect(currentLineIndex(lines, 7_000)).toBe(2);
    expect(currentLineIndex(lines, 60_000)).toBe(3);
  });

  it("uses the cut point as a prompt's end", () => {
    const cut = [
      { startMs: 0, endMs: 5_000, cutAtMs: 1_000 },
      { startMs: 3_000, endMs: 3_500 },
    ];
    expect(currentLineIndex(cut, 2_000)).toBe(0); // pause after the cut: still the last started
    expect(currentLineIndex(cut, 3_100)).toBe(1);
  });
});
