/**
 * The Wallboard in the built console, in Debian's Chromium, against `outbound serve` running a
 * real agentless campaign over the SIP test bed: three sipp far ends answer (the bot says its
 * piece and hangs up), two are busy, one rings out. The page is open before the campaign starts,
 * and its figures move from nothing to the campaign's totals by themselves (kpi.wallboard pushes,
 * no reload); then each figure shown matches a count made directly in the SQLite file, and the
 * Reports page shows the same day and exports its CSV.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import sqlite3 from 'sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { createApiClient, type OutboundApi } from '../../electron/engine/api/client.js';
import { WEEKDAY_KEYS } from '../../electron/engine/api/index.js';
import type { WebSocketTransport } from '../../electron/engine/api/ws-client.js';
import { launchChromium, SCREENSHOT_DIR } from '../support/chromium.js';
import { assertBuilt, serve, type Served } from '../support/serve.js';
import { until } from '../support/until.js';
import { nodeWebSocketTransport } from '../support/ws-node.js';
import { type Bed, type Sipp, startBed } from '../telephony/index.js';

/** +86 199 <sipp port, 5 digits> <nnn>: a valid mobile number the bed routes to that sipp (kamailio.cfg.ts). */
const numberFor = (far: Sipp, n: number): string =>
  `+86199${String(far.port).padStart(5, '0')}${String(n).padStart(3, '0')}`;

const flow = {
  id: 'wallboard-e2e',
  name: 'Wallboard e2e',
  language: 'en',
  start: 'hello',
  nodes: {
    hello: {
      kind: 'hangup',
      say: 'Hello {name}. Your order is ready. Goodbye.',
      disposition: 'reminded',
    },
  },
};

const PASSWORD = 'wallboard-e2e';

let scratch: string;
let bed: Bed;
let server: Served;
let transport: WebSocketTransport;
let api: OutboundApi;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  assertBuilt();
  scratch = await mkdtemp(join(tmpdir(), 'outbound-console-wallboard-'));
  bed = await startBed();
  server = await serve(join(scratch, 'data'));
  transport = nodeWebSocketTransport(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
  await transport.ready();
  api = createApiClient(transport);
  // A fresh workspace asks for its first admin; that signs this connection in (supervisors and admins see the wallboard).
  await api.request('auth.setupFirstAdmin', { username: 'admin', password: PASSWORD });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  transport?.close();
  await server?.stop();
  await bed?.stop();
  await rm(scratch, { recursive: true, force: true });
});

async function importContacts(numbers: string[]): Promise<void> {
  const csv = Buffer.from(
    ['phone,name,timezone', ...numbers.map((n, i) => `${n},Customer ${i},UTC`), ''].join('\n'),
  );
  const { id } = await api.request('imports.begin', { fileName: 'wall.csv', bytes: csv.length });
  await api.request('imports.chunk', { id, offset: 0, data: csv.toString('base64') });
  const preview = await api.request('imports.preview', { id });
  const finished = new Promise<void>((resolve) => {
    const off = api.on('import.finished', (status) => {
      if (status.id !== id) return;
      off();
      resolve();
    });
  });
  await api.request('imports.commit', {
    id,
    list: 'wall',
    createList: true,
    mapping: preview.columns.map((c) => ({ header: c.header, field: c.suggested })),
    defaultRegion: 'CN',
  });
  await finished;
}

interface StoreCounts {
  placed: number;
  answered: number;
  failed: number;
  ended: number;
}

/** Counted straight from the SQLite file (read-only, beside the running server). */
async function countInStore(since: number): Promise<StoreCounts> {
  const db = new sqlite3.Database(join(scratch, 'data', 'outbound.db'), sqlite3.OPEN_READONLY);
  try {
    return await new Promise<StoreCounts>((resolve, reject) =>
      db.get(
        `SELECT sum(state <> 'queued') AS placed, count(answered_at) AS answered,
                sum(outcome = 'failed') AS failed, count(outcome) AS ended
         FROM calls WHERE started_at >= ?`,
        [since],
        (error: Error | null, row: StoreCounts) => (error ? reject(error) : resolve(row)),
      ),
    );
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}

/** Today's figures may trail a push by up to 5 s (kpi/'s TODAY_REFRESH_MS). */
const POLL = { timeout: 10_000, interval: 250 };

/** The console's sign-in form, as the admin made above (a supervisor would do as well). */
async function signIn(): Promise<void> {
  await page.getByTestId('auth-username').fill('admin');
  await page.getByTestId('auth-password').fill(PASSWORD);
  await page.getByTestId('auth-submit').click();
  await page.getByTestId('page-wallboard').waitFor();
}

const figure = (window: string, row: string) => page.getByTestId(`kpi-${window}-${row}`);

it('shows a running campaign’s figures live, and they match the store', async () => {
  const answer = await bed.sipp({ scenario: 'answer', rtpEcho: true });
  const busy = await bed.sipp({ scenario: 'busy' });
  const ring = await bed.sipp({ scenario: 'ring' });
  const numbers = [
    numberFor(answer, 1),
    numberFor(answer, 2),
    numberFor(answer, 3),
    numberFor(busy, 4),
    numberFor(busy, 5),
    numberFor(ring, 6),
  ];
  await api.request('trunks.create', {
    name: 'bed',
    uri: bed.wsUri.open,
    domain: bed.sipDomain,
    register: false,
    maxConcurrentCalls: 10,
    role: 'primary',
  });
  await api.request('settings.update', { changes: { ringTimeoutMs: 5_000 } });
  await api.request('flows.save', { definition: flow });
  await importContacts(numbers);
  await api.request('campaigns.create', {
    name: 'Wallboard run',
    list: 'wall',
    flow: { name: 'wallboard-e2e' },
    trunks: ['bed'],
    // Three lines: the six calls go in two rounds, so the figures climb in steps the page must follow.
    maxConcurrentCalls: 3,
    schedule: {
      timeZone: 'UTC',
      windows: Object.fromEntries(WEEKDAY_KEYS.map((d) => [d, [['00:00', '24:00']]])),
    },
    // One attempt each: the figures then settle at six calls.
    retryPolicy: { maxAttempts: 1, retryAfterMs: {}, dailyCapPerNumber: 3 },
  });

  // The wallboard is open before any call: every figure of today is zero or a dash.
  await page.goto(`${server.url}#/wallboard`);
  await signIn();
  await page.getByTestId('lang-en').click();
  await expect.poll(() => figure('today', 'placed').textContent(), POLL).toBe('0');
  const since = (await api.request('kpi.wallboard', {})).windows.today.from;
  const navigations: string[] = [];
  page.on('framenavigated', (frame) => navigations.push(frame.url()));

  await api.request('campaigns.start', { name: 'Wallboard run' });
  // Pushed figures, no reload: placed climbs to 6 while the page stays where it is.
  const seen = new Set<string>();
  let last: unknown = null;
  await until(
    'the wallboard to show six placed calls and the campaign to finish',
    async () => {
      const text = (await figure('today', 'placed').textContent()) ?? '';
      // The last 15 minutes follow every push; today is recomputed at most every 5 s while
      // pushes run (kpi-service.ts), so on a slow machine it may go from 0 to 6 in one step.
      seen.add((await figure('last15m', 'placed').textContent()) ?? '');
      const detail = await api.request('campaigns.get', { name: 'Wallboard run' });
      last = { status: detail.status, waiting: detail.waiting, progress: detail.progress };
      return text === '6' && detail.progress.liveCalls === 0 && detail.progress.finished === 6;
    },
    40_000,
    () =>
      `the page showed ${[...seen].join(', ')}; the campaign: ${JSON.stringify(last)}\n${server.stderr().slice(-3000)}`,
  );
  expect(navigations.filter((url) => !url.endsWith('#/wallboard'))).toEqual([]);
  // Pushed in steps (3 as the first round starts): an intermediate value was on the page.
  expect([...seen].some((t) => t !== '0' && t !== '6')).toBe(true);

  // The last push may trail the final call's end by up to a second.
  const store = await countInStore(since);
  expect(store).toEqual({ placed: 6, answered: 3, failed: 0, ended: 6 });
  await expect
    .poll(() => figure('today', 'answered').textContent(), POLL)
    .toBe(String(store.answered));
  await expect.poll(() => figure('today', 'answerRate').textContent(), POLL).toBe('50.0 %');
  await expect.poll(() => figure('lastHour', 'placed').textContent(), POLL).toBe('6');
  await expect.poll(() => figure('today', 'botCompleted').textContent(), POLL).toBe('3');
  await expect.poll(() => figure('today', 'callSuccessRate').textContent(), POLL).toBe('100.0 %');
  // Each answered call got a greeting only (no customer turn), so no reply latency yet: a dash.
  expect(await figure('today', 'replyLatencyP95Ms').textContent()).toBe('—');
  await expect(page.getByTestId('target-callSuccess-value').textContent()).resolves.toBe('100.0 %');
  await expect(page.getByTestId('wallboard-campaign').first().textContent()).resolves.toContain(
    'Wallboard run',
  );
  expect(await page.getByTestId('chart-calls').locator('canvas').count()).toBe(1);
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'console-wallboard.png'), fullPage: true });

  // The Reports page: today's row has the same counts, and the CSV comes from the engine.
  await page.goto(`${server.url}#/reports`);
  const today = page.locator('[data-testid="reports-day"]').last();
  await expect.poll(() => today.locator('[data-kpi="placed"]').textContent(), POLL).toBe('6');
  expect(await today.locator('[data-kpi="answered"]').textContent()).toBe('3');
  const download = page.waitForEvent('download');
  await page.getByTestId('reports-export').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(
    /^outbound-report-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/,
  );
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'console-reports.png'), fullPage: true });
}, 90_000);
