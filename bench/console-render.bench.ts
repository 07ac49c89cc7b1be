/**
 * Console render with 100 live calls updating: the engine in this process with its headless
 * server, the BUILT console in Debian's Chromium on the Live page, and 100 calls published through
 * the engine's real live-call registry (engine.liveCalls → `call.updated` → WebSocket → the wall).
 * Measured inside the page: the time from the engine publishing an update to the row's text
 * changing in the DOM (a MutationObserver; both sides read the same wall clock), the interval
 * between animation frames, and long tasks (> 50 ms, PerformanceObserver).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Page } from 'playwright-core';

import type { LiveCall } from '../electron/engine/api/contract.js';
import { Engine } from '../electron/engine/index.js';
import { startHeadlessServer } from '../electron/headless/index.js';
import { launchChromium, SCREENSHOT_DIR } from '../test/support/chromium.js';
import { assertBuilt, ROOT } from '../test/support/serve.js';
import { type BenchRow, type BenchSuite, ms, percentile } from './harness.js';

const quiet = { info() {}, warn() {}, error() {} };
const CALLS = 100;
const WARMUP_MS = 2_000;
const MEASURE_MS = 10_000;
/** The publisher's tick: each tick updates a slice of the calls so each call gets `perCallHz` updates a second. */
const TICK_MS = 50;

const STATES = ['ringing', 'answered', 'bot', 'bot', 'bot', 'transferring', 'agent'] as const;

function liveCall(i: number, now: number): LiveCall {
  return {
    id: `bench-${String(i).padStart(3, '0')}`,
    number: `+86138${String(10_000_000 + i).slice(-8)}`,
    contactName: `Contact ${i}`,
    campaignId: 1,
    campaignName: i % 2 === 0 ? 'Renewals' : 'Survey',
    state: STATES[i % STATES.length]!,
    outcome: null,
    disposition: null,
    sipCode: null,
    startedAt: now - 60_000 + i * 100,
    answeredAt: now - 55_000 + i * 100,
    endedAt: null,
    durationMs: null,
    lastUtterance: 'Hello',
    botLatencyMs: 400 + (i % 5) * 300,
    agentName: i % STATES.length === 6 ? `Agent ${i % 7}` : null,
  };
}

/**
 * Installed in the page: updates carry "#<seq>@<sent ms>" in their last words; a MutationObserver
 * on the wall reads them back as the DOM changes; requestAnimationFrame records frame intervals;
 * a PerformanceObserver records long tasks. Only while `recording` is set.
 */
const PROBE_SCRIPT = `(() => {
  const stats = { eventToDomMs: [], frameMs: [], longTasks: [] };
  let recording = false;
  let running = true;
  const table = document.querySelector('[data-testid="live-table"]');
  const mutations = new MutationObserver((records) => {
    if (!recording) return;
    const now = Date.now();
    const seen = new Set();
    for (const record of records) {
      const target = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      const cell = target && target.closest('[data-testid="live-last-utterance"]');
      if (!cell || seen.has(cell)) continue;
      seen.add(cell);
      const match = /#\\d+@(\\d+)/.exec(cell.textContent || '');
      if (match) stats.eventToDomMs.push(now - Number(match[1]));
    }
  });
  mutations.observe(table, { subtree: true, childList: true, characterData: true });
  const longTasks = new PerformanceObserver((list) => {
    if (recording) for (const entry of list.getEntries()) stats.longTasks.push(entry.duration);
  });
  longTasks.observe({ type: 'longtask', buffered: false });
  let last = performance.now();
  const frame = (t) => {
    if (recording) stats.frameMs.push(t - last);
    last = t;
    if (running) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  window.__bench = {
    stats,
    get recording() { return recording; },
    set recording(value) { recording = value; },
    stop() { running = false; mutations.disconnect(); longTasks.disconnect(); },
  };
})()`;

/** Collected in the page. */
interface PageStats {
  eventToDomMs: number[];
  frameMs: number[];
  longTasks: number[];
}

const suite: BenchSuite = {
  title: 'Console render: 100 live calls updating',
  method: `The built console in Debian's Chromium (headless, 1280×800) on the Live page of an engine in the same process; ${CALLS} calls published through \`engine.liveCalls\` (the registry the telephony feeds), each updated (state, last words with a send timestamp, latency) at the given rate for ${MEASURE_MS / 1000} s after ${WARMUP_MS / 1000} s of warm-up. Event → DOM: engine publish to the row's text changing (MutationObserver; same wall clock). Frames: intervals between requestAnimationFrame callbacks (16.7 ms is 60 fps). Long tasks: main-thread tasks over 50 ms.`,
  async run() {
    assertBuilt();
    const dataDir = await mkdtemp(join(tmpdir(), 'outbound-bench-console-'));
    const engine = await Engine.start({
      dataDir,
      transport: 'websocket',
      version: 'bench',
      log: quiet,
    });
    const server = await startHeadlessServer({
      api: engine,
      rendererDir: join(ROOT, 'out', 'renderer'),
      log: quiet,
    });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(server.url);
      await page.getByTestId('lang-en').click();
      await page.getByTestId('nav-live').click();
      const start = Date.now();
      const calls = Array.from({ length: CALLS }, (_, i) => liveCall(i, start));
      for (const call of calls) engine.liveCalls.upsert(call);
      await page.waitForFunction(
        `document.querySelectorAll('[data-testid="live-row"]').length === ${CALLS}`,
      );
      // What the wall looks like with 100 calls (a look, not a measurement).
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'live-wall-100-calls.png') });

      const rows: BenchRow[] = [];
      for (const perCallHz of [0, 3, 10]) {
        const stats = await measure(page, engine, calls, perCallHz);
        const e2d = [...stats.eventToDomMs].sort((a, b) => a - b);
        const frames = [...stats.frameMs].sort((a, b) => a - b);
        rows.push({
          name:
            perCallHz === 0
              ? `${CALLS} calls, idle (durations ticking)`
              : `${CALLS} calls × ${perCallHz} updates/s (${CALLS * perCallHz}/s)`,
          values: {
            'event → DOM median': e2d.length ? ms(percentile(e2d, 50)) : '—',
            'event → DOM p95': e2d.length ? ms(percentile(e2d, 95)) : '—',
            'updates seen': e2d.length ? String(e2d.length) : '—',
            'frame median': ms(percentile(frames, 50)),
            'frame p95': ms(percentile(frames, 95)),
            'long tasks (total)': `${stats.longTasks.length} (${ms(stats.longTasks.reduce((a, b) => a + b, 0))})`,
          },
        });
      }
      return rows;
    } finally {
      await browser.close();
      await server.close();
      await engine.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
export default suite;

async function measure(
  page: Page,
  engine: Engine,
  calls: LiveCall[],
  perCallHz: number,
): Promise<PageStats> {
  // The page's probes, as plain JavaScript: this file is type-checked without the DOM library,
  // and a string also keeps tsx's helpers (esbuild's __name) out of the page.
  await page.evaluate(PROBE_SCRIPT);

  let seq = 0;
  let next = 0;
  // Each tick updates CALLS × perCallHz × TICK_MS / 1000 calls, round-robin.
  const perTick = (CALLS * perCallHz * TICK_MS) / 1000;
  let carry = 0;
  const timer = setInterval(() => {
    carry += perTick;
    const count = Math.floor(carry);
    carry -= count;
    for (let k = 0; k < count; k++) {
      const i = next++ % calls.length;
      const previous = calls[i]!;
      const call: LiveCall = {
        ...previous,
        state: STATES[(seq + i) % STATES.length]!,
        lastUtterance: `Customer says something #${++seq}@${Date.now()}`,
        botLatencyMs: 300 + ((seq * 37) % 1_700),
      };
      calls[i] = call;
      engine.liveCalls.upsert(call);
    }
  }, TICK_MS);
  try {
    await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
    await page.evaluate('window.__bench.recording = true');
    await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
    await page.evaluate('window.__bench.recording = false');
  } finally {
    clearInterval(timer);
  }
  return (await page.evaluate(
    '(() => { window.__bench.stop(); return window.__bench.stats; })()',
  )) as PageStats;
}
