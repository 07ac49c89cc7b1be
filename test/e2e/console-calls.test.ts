/**
 * A real call as the console shows it: placed through the API, it appears on the Live page while
 * it runs (its state following the SIP milestones) and in History once it is over; a bot call's
 * transcript streams into the call's detail as the bot and the customer speak.
 */
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

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

beforeAll(async () => {
  bed = await startBed();
  calls = await startCallEngine();
  await calls.addTrunk({ name: 'main', uri: bed.wsUri.open, domain: bed.sipDomain });
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(calls.server.url);
  await signInConsole(page);
  await page.getByTestId('lang-en').click();
});

afterAll(async () => {
  await browser?.close();
  await calls?.stop();
  await bed?.stop();
});

it('shows a live call on the Live page while it runs, then in History with its outcome', async () => {
  const clip = await bed.clip('console-customer', {
    text: 'Hello, who is calling please?',
    voice: 'en',
    rate: 8000,
  });
  const phone = await bed.phone({ user: '2201', play: clip.path, loop: true, answer: 'auto' });
  await page.getByTestId('nav-live').click();
  const { callId } = (await calls.engine.request('calls.dial', {
    number: '2201',
    trunk: 'main',
  })) as { callId: string };
  const row = page.locator(`[data-testid="live-row"][data-call-id="${callId}"]`);
  await expect.poll(() => row.count()).toBe(1);
  await expect.poll(() => row.innerText(), { timeout: 15_000 }).toMatch(/Answered/i);
  expect(await row.innerText()).toContain('2201');
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'console-live-call.png'), fullPage: true });

  await phone.hangup();
  await expect.poll(() => row.count(), { timeout: 5000 }).toBe(0);
  await page.getByTestId('nav-history').click();
  const historyRow = page.getByTestId('history-row').first();
  await expect.poll(() => historyRow.innerText(), { timeout: 5000 }).toContain('2201');
  await page.screenshot({
    path: join(SCREENSHOT_DIR, 'console-history-after-call.png'),
    fullPage: true,
  });
  await phone.stop();
});

it("streams a bot call's transcript into the call detail as it happens, with intents and confidences", async () => {
  const flow = confirmOrderFlow(
    'console-bot',
    'Console bot test',
    'Thank you, your order is confirmed. We will send the details by text message. Goodbye.',
  );
  await calls.engine.request('flows.save', { definition: flow });
  // The customer (Debian's espeak-ng, not a training voice) says "yes please" 4.5 s after answering.
  const yes = await bed.clip('console-yes', { text: 'yes please', voice: 'en', rate: 8000 });
  const track = join(bed.dir, 'console-yes-track.wav');
  execFileSync('sox', [yes.path, track, 'pad', '4.5', '10']);
  const phone = await bed.phone({ user: '2202', play: track, answer: 'auto' });
  await page.getByTestId('nav-live').click();
  const { callId } = (await calls.engine.request('calls.dial', {
    number: '2202',
    trunk: 'main',
    flow: { name: 'console-bot' },
    contact: { name: 'Sam' },
  })) as { callId: string };
  const row = page.locator(`[data-testid="live-row"][data-call-id="${callId}"]`);
  await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
  await row.click();
  const detail = page.getByTestId('call-detail');
  const lines = detail.getByTestId('call-utterance');
  // The bot's question appears while the call runs…
  await expect.poll(() => lines.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
  expect(await lines.first().getAttribute('data-speaker')).toBe('bot');
  expect(await lines.first().innerText()).toContain('Hello Sam. Can you confirm your order?');
  // …then the customer's answer with its intent and confidence, still live.
  const customer = detail.locator('[data-testid="call-utterance"][data-speaker="customer"]');
  await expect.poll(() => customer.count(), { timeout: 20_000 }).toBe(1);
  expect(await detail.getByTestId('call-transcript-live').count()).toBe(1);
  expect(await detail.innerText()).toMatch(/With bot/i);
  expect(await customer.getByTestId('utterance-intent').innerText()).toContain('yes');
  expect(
    Number(
      (await customer.getByTestId('utterance-confidence').innerText()).replace(/[^0-9.]/g, ''),
    ),
  ).toBeGreaterThan(0);
  await page.screenshot({
    path: join(SCREENSHOT_DIR, 'console-bot-transcript-live.png'),
    fullPage: true,
  });
  // When the call is over, the stored transcript has all three lines.
  await calls.waitForEvent(callId, 'ended', 30_000);
  await expect.poll(() => lines.count(), { timeout: 10_000 }).toBe(3);
  await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0);
  await expect.poll(() => detail.innerText(), { timeout: 10_000 }).toContain('confirmed');
  const stored = (await calls.engine.request('calls.get', { id: callId })) as {
    call: { disposition: string | null };
    utterances: Array<{ speaker: string; intent: string | null }>;
  };
  expect(stored.call.disposition).toBe('confirmed');
  expect(stored.utterances.map((u) => u.speaker)).toEqual(['bot', 'customer', 'bot']);
  await page.screenshot({
    path: join(SCREENSHOT_DIR, 'console-bot-transcript-done.png'),
    fullPage: true,
  });
  await phone.stop();
}, 120_000);
