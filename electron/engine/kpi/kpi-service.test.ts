/**
 * The KPI service over a real SQLite store: "today" starts at midnight in the workspace's time
 * zone, figures from the store's sums (hand-computed), a report's days and its CSV, and live
 * pushes that follow engine events at most once per interval and only while someone watches.
 */
import { describe, expect, it, vi } from 'vitest';

import { kpiCommands, type Wallboard } from '../api/kpi.js';
import { silentLogger } from '../log.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { useTestStores } from '../store/testing/temp.js';
import { localDays, today } from './days.js';
import { toAgentTime, toFigures } from './figures.js';
import { KpiService } from './kpi-service.js';

const testStore = useTestStores();

// 2026-12-06 09:30 in Shanghai (UTC+8) = 01:30 UTC; Shanghai's midnight = 2026-12-05 16:00 UTC.
const NOW = Date.UTC(2026, 11, 6, 1, 30);
const SHANGHAI_MIDNIGHT = Date.UTC(2026, 11, 5, 16, 0);

async function addCall(
  store: SqliteStore,
  id: string,
  at: number,
  outcome: string,
  answered: boolean,
): Promise<void> {
  await store.database.run(
    `INSERT INTO calls (id, number, state, outcome, started_at, answered_at, ended_at)
     VALUES ($id, '+8613800138000', 'done', $outcome, $at, $answered, $ended)`,
    {
      $id: id,
      $outcome: outcome,
      $at: at,
      $answered: answered ? at + 1_000 : null,
      $ended: at + 20_000,
    },
  );
}

function service(
  store: SqliteStore,
  options: Partial<ConstructorParameters<typeof KpiService>[0]> = {},
) {
  const pushed: Wallboard[] = [];
  let now = NOW;
  const kpi = new KpiService({
    store,
    log: silentLogger,
    timeZone: () => Promise.resolve('Asia/Shanghai'),
    push: (w) => pushed.push(w),
    now: () => now,
    ...options,
  });
  return { kpi, pushed, advance: (ms: number) => (now += ms) };
}

describe('local days', () => {
  it('starts today at midnight in the zone, and a DST day is 23 hours long', () => {
    expect(today(NOW, 'Asia/Shanghai')).toEqual({
      date: '2026-12-06',
      from: SHANGHAI_MIDNIGHT,
      to: SHANGHAI_MIDNIGHT + 24 * 3_600_000,
    });
    // 01:30 UTC on 6 Dec is still 5 Dec in New York.
    expect(today(NOW, 'America/New_York').date).toBe('2026-12-05');
    const days = localDays('2026-03-07', '2026-03-09', 'America/New_York');
    expect(days.map((d) => d.date)).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
    expect(days.map((d) => (d.to - d.from) / 3_600_000)).toEqual([24, 23, 24]);
    expect(localDays('2026-12-31', '2027-01-01', 'UTC').map((d) => d.date)).toEqual([
      '2026-12-31',
      '2027-01-01',
    ]);
  });
});

describe('kpi.report params', () => {
  it('refuses a reversed range, a date that is not one, and more than 366 days, naming the field', () => {
    const parse = (params: unknown) => kpiCommands['kpi.report'].params.safeParse(params);
    expect(parse({ from: '2026-12-01', to: '2026-12-07' }).success).toBe(true);
    const reversed = parse({ from: '2026-12-08', to: '2026-12-01' });
    expect(reversed.error?.issues[0]).toMatchObject({
      path: ['from'],
      message: 'must not be after "to"',
    });
    expect(parse({ from: '2026-02-30', to: '2026-03-01' }).error?.issues[0]?.path).toEqual([
      'from',
    ]);
    expect(parse({ from: '2025-01-01', to: '2026-01-02' }).error?.issues[0]).toMatchObject({
      path: ['to'],
      message: 'a report covers at most 366 days',
    });
    expect(parse({ from: '2026-12-01', to: '2026-12-01', extra: 1 }).success).toBe(false);
  });
});

describe('figures', () => {
  it('turns sums into rates and averages, null where nothing stands behind them', () => {
    const figures = toFigures({
      counts: {
        placed: 8,
        answered: 6,
        ended: 8,
        failed: 1,
        botCompleted: 2,
        transferred: 2,
        abandoned: 1,
        talkCalls: 2,
        talkMs: 100_000,
        wrapUps: 1,
        wrapUpMs: 30_000,
        handleMs: 90_000,
        answers: 3,
        understood: 2,
        confidenceSum: 2.1,
        labelled: 2,
        labelledCorrect: 1,
      },
      latency: { replies: 5, p50Ms: 500, p95Ms: 900 },
    });
    expect(figures).toEqual({
      placed: 8,
      answered: 6,
      answerRate: 0.75,
      ended: 8,
      failed: 1,
      callSuccessRate: 0.875,
      botCompleted: 2,
      containmentRate: 2 / 6,
      transferred: 2,
      abandoned: 1,
      abandonRate: 1 / 3,
      avgTalkMs: 50_000,
      avgWrapUpMs: 30_000,
      avgHandleMs: 90_000,
      replies: 5,
      replyLatencyP50Ms: 500,
      replyLatencyP95Ms: 900,
      answers: 3,
      understood: 2,
      understoodRate: 2 / 3,
      avgConfidence: 0.7,
      labelled: 2,
      labelledCorrect: 1,
      intentAccuracy: 0.5,
    });
    expect(
      toAgentTime({ available: 60, offered: 0, on_call: 30, wrap_up: 10, away: 50, offline: 9 }),
    ).toEqual({
      availableMs: 60,
      offeredMs: 0,
      onCallMs: 30,
      wrapUpMs: 10,
      awayMs: 50,
      occupancy: 0.4,
    });
    expect(
      toAgentTime({ available: 0, offered: 0, on_call: 0, wrap_up: 0, away: 5, offline: 0 })
        .occupancy,
    ).toBeNull();
  });
});

describe('KpiService', () => {
  it('counts the last 15 minutes, the last hour and today from Shanghai’s midnight', async () => {
    const store = await testStore();
    await addCall(store, 'yesterday', SHANGHAI_MIDNIGHT - 1, 'completed', true);
    await addCall(store, 'early', SHANGHAI_MIDNIGHT, 'failed', false);
    await addCall(store, 'hour', NOW - 50 * 60_000, 'completed', true);
    await addCall(store, 'recent', NOW - 5 * 60_000, 'busy', false);
    const { kpi } = service(store);
    const board = await kpi.wallboard();
    expect(board.timeZone).toBe('Asia/Shanghai');
    expect(board.windows.today.from).toBe(SHANGHAI_MIDNIGHT);
    expect(board.windows.today.total.placed).toBe(3);
    expect(board.windows.today.total.callSuccessRate).toBeCloseTo(2 / 3, 9);
    expect(board.windows.lastHour.total.placed).toBe(2);
    expect(board.windows.last15m.total).toMatchObject({ placed: 1, answered: 0, answerRate: 0 });
    expect(board.windows.today.campaigns).toEqual([
      expect.objectContaining({ campaignId: null, name: null }),
    ]);
    kpi.stop();
  });

  it('reports per day with a total, and writes it as CSV-safe CSV', async () => {
    const store = await testStore();
    await addCall(store, 'd1', SHANGHAI_MIDNIGHT - 3_600_000, 'completed', true); // 5 Dec
    await addCall(store, 'd2', SHANGHAI_MIDNIGHT + 1, 'failed', false); // 6 Dec
    await addCall(store, 'd3', SHANGHAI_MIDNIGHT + 2, 'completed', true); // 6 Dec
    await store.database.run(
      `INSERT INTO campaigns (name, dialing_mode, max_concurrent_calls, created_at, updated_at) VALUES ('=HYPERLINK("x")', 'agentless', 1, 0, 0)`,
    );
    const { kpi } = service(store);
    const report = await kpi.report({ from: '2026-12-05', to: '2026-12-07' });
    expect(report.days.map((d) => [d.date, d.figures.placed, d.figures.answered])).toEqual([
      ['2026-12-05', 1, 1],
      ['2026-12-06', 2, 1],
      ['2026-12-07', 0, 0],
    ]);
    expect(report.total).toMatchObject({ placed: 3, answered: 2, failed: 1 });
    const { csv, fileName, rows } = await kpi.reportCsv({ from: '2026-12-05', to: '2026-12-07' });
    expect(fileName).toBe('outbound-report-2026-12-05-to-2026-12-07.csv');
    expect(rows).toBe(4);
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toMatch(/^date,campaign,placed,answered,answer_rate_pct,/);
    expect(lines[2]).toMatch(/^2026-12-06,all,2,1,50\.0,2,1,50\.0,/);
    expect(lines[4]).toMatch(/^total,all,3,2,66\.7,/);
    // A campaign's name that a spreadsheet would run is written as text.
    const one = await kpi.reportCsv({ from: '2026-12-06', to: '2026-12-06', campaignId: 1 });
    expect(one.csv).toContain(`"'=HYPERLINK(""x"")"`);
    kpi.stop();
  });

  it('pushes at most once per interval after events, only while watched', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const store = await testStore();
      const { kpi, pushed, advance } = service(store, { pushIntervalMs: 1_000, watchMs: 10_000 });
      kpi.noteEvent('call.updated');
      await vi.advanceTimersByTimeAsync(2_000);
      expect(pushed).toHaveLength(0); // nobody asked for the wallboard yet
      await kpi.wallboard();
      for (let i = 0; i < 5; i++) kpi.noteEvent('call.updated');
      kpi.noteEvent('flow.training'); // moves no figure
      await vi.waitFor(async () => {
        await vi.advanceTimersByTimeAsync(50);
        expect(pushed).toHaveLength(1);
      });
      kpi.noteEvent('agent.state');
      await vi.advanceTimersByTimeAsync(200);
      expect(pushed).toHaveLength(1); // within the interval of the last push: waits
      advance(1_000);
      await vi.waitFor(async () => {
        await vi.advanceTimersByTimeAsync(100);
        expect(pushed).toHaveLength(2);
      });
      // A push within 5 s of today's last computation reuses it, then one more push brings it up to date.
      await addCall(store, 'late', NOW - 60_000, 'completed', true);
      advance(1_000);
      kpi.noteEvent('call.updated');
      await vi.waitFor(async () => {
        await vi.advanceTimersByTimeAsync(100);
        expect(pushed).toHaveLength(3);
      });
      expect(pushed[2]?.windows.lastHour.total.placed).toBe(1);
      expect(pushed[2]?.windows.today.total.placed).toBe(0);
      advance(5_000);
      await vi.waitFor(async () => {
        await vi.advanceTimersByTimeAsync(500);
        expect(pushed).toHaveLength(4);
      });
      expect(pushed[3]?.windows.today.total.placed).toBe(1);
      advance(20_000); // the watch ran out
      kpi.noteEvent('call.updated');
      await vi.advanceTimersByTimeAsync(5_000);
      expect(pushed).toHaveLength(4);
      kpi.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
