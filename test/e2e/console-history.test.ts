/**
 * History end to end: a real bot call over the SIP test bed is found in History by its outcome,
 * disposition, words from its transcript and its date (and not by others); the CSV export holds it with
 * its transcript; the call's page draws the stereo recording's waveform with a region per
 * utterance, seeks when a transcript line is clicked, and highlights the line being played. In
 * Chinese, the timeline names every event and the disposition shows by its label.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { type CallEngine, startCallEngine } from '../support/call-engine.js';
import { launchChromium, SCREENSHOT_DIR } from '../support/chromium.js';
import { signInConsole } from '../support/console-auth.js';
import { confirmOrderFlow } from '../support/flows.js';
import { type Bed, startBed } from '../telephony/index.js';

let bed: Bed;
let calls: CallEngine;
let browser: Browser;
let page: Page;
let callId: string;

/** YYYY-MM-DD of a local day (the browser runs in this process's time zone). */
function localDay(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

beforeAll(async () => {
  bed = await startBed();
  calls = await startCallEngine();
  await calls.addTrunk({ name: 'main', uri: bed.wsUri.open, domain: bed.sipDomain });
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  // Clicking a transcript line plays from it; the media element must be allowed to play headless.
  browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  await page.goto(calls.server.url);
  await signInConsole(page);
  await page.getByTestId('lang-en').click();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await calls?.stop();
  await bed?.stop();
});

it('places a real bot call; the live wall shows it with the bot reply latency', async () => {
  await page.getByTestId('nav-live').click();
  // One real bot call: the customer says "yes please" 4.5 s after answering; the bot confirms and hangs up.
  const flow = confirmOrderFlow(
    'history-bot',
    'History bot test',
    'Thank you, your order is confirmed. We will send the details by text message. Goodbye.',
  );
  await calls.engine.request('flows.save', { definition: flow });
  const yes = await bed.clip('history-yes', { text: 'yes please', voice: 'en', rate: 8000 });
  const track = join(bed.dir, 'history-yes-track.wav');
  execFileSync('sox', [yes.path, track, 'pad', '4.5', '12']);
  const phone = await bed.phone({ user: '2301', play: track, answer: 'auto' });
  ({ callId } = (await calls.engine.request('calls.dial', {
    number: '2301',
    trunk: 'main',
    flow: { name: 'history-bot' },
    contact: { name: 'Robin' },
  })) as { callId: string });
  // The bot's answer to "yes please" carries its latency from the end of the customer's words.
  const row = page.locator(`[data-testid="live-row"][data-call-id="${callId}"]`);
  const latency = row.getByTestId('live-latency');
  await expect.poll(() => latency.count(), { timeout: 30_000 }).toBe(1);
  expect(await latency.innerText()).toMatch(/^[\d,]+ ms$/);
  expect(['good', 'fair', 'slow']).toContain(await latency.getAttribute('data-band'));
  expect(await row.getByTestId('live-last-utterance').innerText()).not.toBe('—');
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'history-live-wall.png'), fullPage: true });
  await calls.waitForEvent(callId, 'ended', 60_000);
  // The recording is indexed in the same transaction that closes the call; wait for it.
  for (
    let waited = 0;
    ((await calls.engine.request('calls.get', { id: callId })) as { recording: unknown })
      .recording === null;
    waited += 200
  ) {
    if (waited > 10_000)
      throw new Error(`Call ${callId} ended but its recording was not indexed within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await phone.stop();
  await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0);
}, 120_000);

async function historyRows(): Promise<string[]> {
  // The list reloads after a 300 ms pause in typing; wait for the table (or the empty state) to settle.
  await page.waitForTimeout(700);
  await page.waitForFunction(
    `document.querySelector('[data-testid="history-row"], [data-testid="empty-history-filtered"]') !== null`,
  );
  return page
    .locator('[data-testid="history-row"]')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-call-id') ?? ''));
}

it('finds the call by outcome, transcript text and date, and exports it with its transcript', async () => {
  const stored = (await calls.engine.request('calls.get', { id: callId })) as {
    call: { outcome: string; disposition: string };
    utterances: Array<{ speaker: string; text: string }>;
  };
  expect(stored.call.disposition).toBe('confirmed');
  expect(stored.utterances.map((u) => u.speaker)).toEqual(['bot', 'customer', 'bot']);

  await page.getByTestId('nav-history').click();
  await expect.poll(historyRows, { timeout: 10_000 }).toEqual([callId]);

  // Outcome: its own finds it, another does not.
  await page.getByTestId('history-outcome').selectOption(stored.call.outcome);
  await expect.poll(historyRows).toEqual([callId]);
  await page.getByTestId('history-outcome').selectOption('busy');
  await expect.poll(historyRows).toEqual([]);
  expect(await page.getByTestId('empty-history-filtered').count()).toBe(1);
  await page.getByTestId('history-outcome').selectOption('');

  // The disposition the flow set, and another.
  await page.getByTestId('history-disposition').fill('confirmed');
  await expect.poll(historyRows).toEqual([callId]);
  await page.getByTestId('history-disposition').fill('declined');
  await expect.poll(historyRows).toEqual([]);
  await page.getByTestId('history-disposition').fill('');

  // Words the bot said, and words nobody said.
  await page.getByTestId('history-search').fill('confirm your order');
  await expect.poll(historyRows).toEqual([callId]);
  await page.getByTestId('history-search').fill('zebra crossing');
  await expect.poll(historyRows).toEqual([]);
  await page.getByTestId('history-search').fill('');

  // Today finds it; a range that ends yesterday does not.
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  await page.getByTestId('history-from').fill(localDay(today));
  await page.getByTestId('history-to').fill(localDay(today));
  await expect.poll(historyRows).toEqual([callId]);
  await page
    .getByTestId('history-from')
    .fill(
      localDay(new Date(yesterday.getFullYear(), yesterday.getMonth(), yesterday.getDate() - 6)),
    );
  await page.getByTestId('history-to').fill(localDay(yesterday));
  await expect.poll(historyRows).toEqual([]);
  await page.getByTestId('history-from').fill(localDay(today));
  await page.getByTestId('history-to').fill('');
  await page.getByTestId('history-search').fill('your order');
  await expect.poll(historyRows).toEqual([callId]);
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'history-filtered.png'), fullPage: true });

  // The export of what the filters show: the call with its three transcript lines.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('history-export').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^calls-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  const records = parse(csv.replace(/^\uFEFF/, ''), { columns: true }) as Array<
    Record<string, string>
  >;
  expect(records.map((r) => r.call_id)).toEqual([callId]);
  const row = records[0]!;
  expect(row).toMatchObject({
    number: '2301',
    disposition: 'confirmed',
    outcome: stored.call.outcome,
  });
  const lines = row.transcript!.split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(/^\[\d+:\d{2}\.\d\] Bot: Hello Robin\. Can you confirm your order\?/);
  expect(lines[1]).toMatch(/^\[\d+:\d{2}\.\d\] Customer: .*\{yes\}$/);
  expect(lines[2]).toContain('Bot: Thank you, your order is confirmed.');
  await expect
    .poll(() => page.getByTestId('history-export-status').innerText())
    .toContain('Exported 1 calls');
  await page.getByTestId('history-clear').click();
}, 60_000);

it("shows the call's page: waveform, utterance regions, seeking from a line and the line that is playing", async () => {
  await page.goto(`${calls.server.origin}/#/history/${encodeURIComponent(callId)}`);
  await signInConsole(page);
  const player = page.getByTestId('recording-player');
  await expect.poll(() => player.getAttribute('data-ready'), { timeout: 15_000 }).toBe('true');

  // wavesurfer draws into canvases in its shadow root: both channels drawn, not blank.
  const drawing = await page.getByTestId('recording-waveform').evaluate((container) => {
    const root = container.firstElementChild?.shadowRoot;
    if (!root) return { canvases: 0, inked: 0, regions: 0, regionStarts: [] as number[] };
    let inked = 0;
    const canvases = [...root.querySelectorAll('canvas')];
    for (const canvas of canvases) {
      if (canvas.width === 0 || canvas.height === 0) continue;
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
      if (!data) continue;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) inked++;
    }
    // Each region is positioned by its style's left (a percentage of the duration).
    const regions = [...root.querySelectorAll('[part~="region"]')].map(
      (r) => (r as unknown as { style: { left: string } }).style.left,
    );
    return {
      canvases: canvases.length,
      inked,
      regions: regions.length,
      regionStarts: regions.map((left) => parseFloat(left)),
    };
  });
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'history-call-page.png'), fullPage: true });
  expect(drawing.canvases).toBeGreaterThanOrEqual(1);
  expect(drawing.inked).toBeGreaterThan(1_000);
  expect(drawing.regions).toBe(3);
  expect([...drawing.regionStarts].sort((a, b) => a - b)).toEqual(drawing.regionStarts);

  const detail = (await calls.engine.request('calls.get', { id: callId })) as {
    utterances: Array<{ startMs: number; endMs: number }>;
  };
  const audio = page.getByTestId('recording-audio');
  const currentTime = () =>
    audio.evaluate((el) => (el as unknown as { currentTime: number }).currentTime);
  const lines = page.getByTestId('call-utterance');
  expect(await lines.count()).toBe(3);

  // Click the bot's closing line: the audio jumps there and plays; that line is highlighted.
  const last = detail.utterances[2]!;
  await lines.nth(2).click();
  await expect
    .poll(currentTime, { timeout: 5_000 })
    .toBeGreaterThanOrEqual(last.startMs / 1000 - 0.05);
  await expect
    .poll(() => lines.nth(2).getAttribute('data-active'), { timeout: 5_000 })
    .toBe('true');
  const t1 = await currentTime();
  await expect.poll(currentTime, { timeout: 5_000 }).toBeGreaterThan(t1 + 0.3); // it plays on
  expect(await page.locator('[data-testid="call-utterance"][data-active="true"]').count()).toBe(1);
  await page.screenshot({
    path: join(SCREENSHOT_DIR, 'history-playing-last-line.png'),
    fullPage: true,
  });

  // Back to the customer's answer by its time button: playback follows to that line.
  const customer = detail.utterances[1]!;
  await lines.nth(1).getByTestId('utterance-seek').click();
  await expect.poll(currentTime, { timeout: 5_000 }).toBeLessThan(last.startMs / 1000);
  expect(await currentTime()).toBeGreaterThanOrEqual(customer.startMs / 1000 - 0.05);
  await expect
    .poll(() => lines.nth(1).getAttribute('data-active'), { timeout: 5_000 })
    .toBe('true');
  // Playing on from the answer, the highlight moves to the bot's reply when it starts.
  await expect
    .poll(() => lines.nth(2).getAttribute('data-active'), {
      timeout: last.startMs - customer.startMs + 10_000,
    })
    .toBe('true');
  await page.screenshot({
    path: join(SCREENSHOT_DIR, 'history-playing-follow.png'),
    fullPage: true,
  });
  // Pause (if it has not reached the end already): the button says so.
  const play = page.getByTestId('recording-play');
  if ((await play.getAttribute('aria-pressed')) === 'true') await play.click();
  await expect.poll(() => play.getAttribute('aria-pressed')).toBe('false');

  // The timeline lists the call's state changes.
  const transitions = page.getByTestId('call-transition');
  expect(await transitions.count()).toBeGreaterThanOrEqual(3);
  expect(await transitions.first().innerText()).toMatch(/State/);

  // The same page in Chinese (labels, player, channels), for a look at the strings' fit.
  await page.getByTestId('lang-zh-CN').click();
  await expect.poll(() => page.getByTestId('recording-play').innerText()).toBe('播放');
  // Everything a user reads is Chinese: each timeline event by its name (never "created", "dial",
  // "sending", "ice"), each state change, and the disposition by its label (not `confirmed`).
  const names = await page
    .locator('[data-testid="call-event"] .timeline-type')
    .evaluateAll((spans) =>
      spans.map((span) => ({
        type: span.getAttribute('data-event-type') ?? '',
        text: (span.textContent ?? '').trim(),
      })),
    );
  expect(names.map((n) => n.type)).toEqual(expect.arrayContaining(['created', 'dial', 'sending']));
  expect(names.filter((n) => !/\p{Script=Han}/u.test(n.text))).toEqual([]);
  expect(names.filter((n) => n.text.includes(n.type))).toEqual([]);
  for (const text of await transitions.allInnerTexts()) expect(text).toMatch(/\p{Script=Han}/u);
  const disposition = page.getByTestId('call-disposition');
  expect(await disposition.getAttribute('data-disposition')).toBe('confirmed');
  expect(await disposition.innerText()).toBe('已确认');
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'history-call-page-zh.png'), fullPage: true });
  await page.getByTestId('call-page-back').click();
  await expect.poll(historyRows).toEqual([callId]);
  expect(await page.locator('[data-testid="history-row"]').first().innerText()).toContain('已确认');
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'history-list-zh.png'), fullPage: true });
  await page.getByTestId('lang-en').click();
}, 60_000);
