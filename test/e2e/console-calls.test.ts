/**
 * A real call as the console shows it: placed through the API, it appears on the Live page while
 * it runs (its state following the SIP milestones) and in History once it is over.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBed, type Bed } from '../telephony/index.js';
import { launchChromium, SCREENSHOT_DIR } from '../support/chromium.js';
import { startCallEngine, type CallEngine } from '../support/call-engine.js';

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
  await page.getByTestId('lang-en').click();
});

afterAll(async () => {
  await browser?.close();
  await calls?.stop();
  await bed?.stop();
});

it('shows a live call on the Live page while it runs, then in History with its outcome', async () => {
  const clip = await bed.clip('console-customer', { text: 'Hello, who is calling please?', voice: 'en', rate: 8000 });
  const phone = await bed.phone({ user: '2201', play: clip.path, loop: true, answer: 'auto' });
  await page.getByTestId('nav-live').click();
  const { callId } = (await calls.engine.request('calls.dial', { number: '2201', trunk: 'main' })) as { callId: string };
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
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'console-history-after-call.png'), fullPage: true });
  await phone.stop();
});
