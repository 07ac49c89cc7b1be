/**
 * History's one-click labelling in the built console (Chromium, the headless server, a real
 * SQLite file): on a finished call's page each customer answer to a question shows the question's
 * intents and "none of these"; one click labels it (the clip is cut into phrase-recordings), a
 * second click on another intent relabels it, and the Flows page then counts the labelled clips
 * and saves a new version that lists them. The call is stored without the SIP bed (tones for the
 * customer's answers: nothing here recognizes them); test/e2e/labels-loop.test.ts trains on real
 * speech.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { storeSyntheticCall } from '../../electron/engine/flows/testing/synthetic-call.js';
import { type CallEngine, startCallEngine } from '../support/call-engine.js';
import { launchChromium, SCREENSHOT_DIR } from '../support/chromium.js';
import { signInConsole } from '../support/console-auth.js';
import { confirmOrderFlow } from '../support/flows.js';
import { readStoredRecording } from '../support/recordings.js';

let calls: CallEngine;
let browser: Browser;
let page: Page;
let flowId: number;

function tone(ms: number, hz: number): Int16Array {
  const out = new Int16Array((ms * 16_000) / 1000);
  for (let i = 0; i < out.length; i++)
    out[i] = Math.round(12_000 * Math.sin((2 * Math.PI * hz * i) / 16_000));
  return out;
}

beforeAll(async () => {
  calls = await startCallEngine();
  await calls.engine.request('flows.save', {
    definition: confirmOrderFlow('console-labels', 'Console labels'),
  });
  flowId = (await calls.engine.store.flows.getByName('console-labels'))!.id;
  await storeSyntheticCall(calls.engine.store, calls.dataDir, {
    callId: 'console-labels-1',
    flowId,
    flowVersion: 1,
    utterances: [
      { samples: tone(700, 300), atMs: 1_500, nodeId: 'q', text: '' },
      { samples: tone(900, 500), atMs: 3_500, nodeId: 'q', text: 'no', intent: 'no' },
    ],
  });
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  await page.goto(calls.server.url);
  await signInConsole(page);
  await page.getByTestId('lang-en').click();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await calls?.stop();
});

it('labels a customer answer with one click, relabels it, and the Flows page trains a version with the clips', async () => {
  await page.goto(`${calls.server.origin}/#/history/console-labels-1`);
  await signInConsole(page);
  const lines = page.locator('[data-testid="call-utterance"][data-speaker="customer"]');
  await expect
    .poll(() => lines.getByTestId('utterance-label').count(), { timeout: 20_000 })
    .toBe(2);
  const first = lines.nth(0).getByTestId('utterance-label');
  expect(
    await first
      .getByTestId('label-intent')
      .evaluateAll((buttons) => buttons.map((b) => b.textContent)),
  ).toEqual(['yes', 'no', 'none of these']);

  // One click: labelled, the button stays pressed, the clip is on disk.
  await first.locator('[data-intent="yes"]').click();
  await expect
    .poll(() => first.getByTestId('utterance-labelled').textContent(), { timeout: 10_000 })
    .toBe('Labelled “yes”');
  expect(await first.locator('[data-intent="yes"]').getAttribute('aria-pressed')).toBe('true');
  const yesClip = join(
    calls.dataDir,
    'phrase-recordings',
    'labelled',
    String(flowId),
    'q',
    'yes',
    'console-labels-1-1500.wav',
  );
  // Encrypted at rest (issue 15 §3): decrypted, 700 ms of answer and 300 ms around it, mono.
  expect((await readFile(yesClip)).subarray(0, 6).toString('latin1')).toBe('OBREC1');
  const clip = await readStoredRecording(calls.dataDir, yesClip);
  expect([clip.channels, clip.samples[0]!.length]).toEqual([1, 16 * (700 + 300)]);

  // The second answer was not what the bot took it for: "none of these".
  const second = lines.nth(1).getByTestId('utterance-label');
  await second.locator('[data-intent="none"]').click();
  await expect.poll(() => second.getAttribute('data-labelled'), { timeout: 10_000 }).toBe('none');
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'labels-history.png'), fullPage: true });

  // Relabel the first: one click on another intent moves the clip.
  await first.locator('[data-intent="no"]').click();
  await expect.poll(() => first.getAttribute('data-labelled'), { timeout: 10_000 }).toBe('no');
  await expect(stat(yesClip)).rejects.toThrow();
  const stored = await calls.engine.request('calls.labels', { callId: 'console-labels-1' });
  expect((stored as { labels: Array<{ intent: string }> }).labels.map((l) => l.intent)).toEqual([
    'no',
    'none',
  ]);
  // A reload shows the stored labels.
  await page.reload();
  await expect
    .poll(() => lines.nth(0).getByTestId('utterance-label').getAttribute('data-labelled'), {
      timeout: 20_000,
    })
    .toBe('no');

  // The Flows page: 2 labelled clips, neither in version 1; one click saves version 2 with them.
  await page.goto(`${calls.server.origin}/#/flows/console-labels`);
  await signInConsole(page);
  const panel = page.getByTestId('labelled-clips');
  await expect
    .poll(() => panel.getByTestId('labelled-clips-count').getAttribute('data-pending'), {
      timeout: 20_000,
    })
    .toBe('2');
  await panel.getByTestId('labelled-clips-apply').click();
  await expect
    .poll(() => panel.getByTestId('labelled-clips-applied').textContent(), { timeout: 10_000 })
    .toBe('Version 2 saved with 2 labelled clips; it is training.');
  await expect
    .poll(() => panel.getByTestId('labelled-clips-count').getAttribute('data-pending'))
    .toBe('0');
  const v2 = (await calls.engine.request('flows.get', { name: 'console-labels', version: 2 })) as {
    definition: {
      nodes: { q: { intents: Array<{ recordings?: string[] }>; noneRecordings?: string[] } };
    };
  };
  expect(v2.definition.nodes.q.intents[1]!.recordings).toEqual([
    `labelled/${flowId}/q/no/console-labels-1-1500.wav`,
  ]);
  expect(v2.definition.nodes.q.noneRecordings).toEqual([
    `labelled/${flowId}/q/none/console-labels-1-3500.wav`,
  ]);
}, 120_000);
