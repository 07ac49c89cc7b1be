/**
 * A recording made for a public key whose private key is not on this machine (public-key mode,
 * issue 15): History's call page says it is encrypted for another key — no error, no retry — in
 * the real console in Chromium; once the private key is loaded (and the app restarted), it plays.
 */
import { createPublicKey } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { encodeWav } from '../../electron/engine/audio/index.js';
import { silentLogger } from '../../electron/engine/log.js';
import {
  generateRecordingKeyPair,
  loadRecordingPrivateKey,
} from '../../electron/engine/recording/index.js';
import { recordingKeysFrom } from '../../electron/engine/recording/keys.js';
import { encryptPlainRecordings } from '../../electron/engine/recording/migrate.js';
import { openKeyFileSecretBox } from '../../electron/engine/secrets/index.js';
import { type CallEngine, startCallEngine } from '../support/call-engine.js';
import { launchChromium } from '../support/chromium.js';
import { signInConsole } from '../support/console-auth.js';

let calls: CallEngine;
let browser: Browser;
let page: Page;
const pair = generateRecordingKeyPair();

let dataDir: string;

beforeAll(async () => {
  // Our own data folder: it outlives the engine's restart below.
  dataDir = await mkdtemp(join(tmpdir(), 'outbound-e2e-sealed-'));
  calls = await startCallEngine({ dataDir });
  const { engine } = calls;
  const started = Date.now() - 60_000;
  await engine.store.calls.create({
    id: 'sealed-call',
    number: '+8613800000003',
    startedAt: started,
  });
  await engine.store.calls.update('sealed-call', {
    state: 'done',
    outcome: 'completed',
    answeredAt: started + 1_000,
    endedAt: started + 3_000,
  });
  // Recorded for the reviewing site's public key only (as after `recordings key use-public`).
  const tone = new Float32Array(16_000).map((_, i) => 0.4 * Math.sin(i / 7));
  await mkdir(join(dataDir, 'recordings'), { recursive: true });
  await writeFile(
    join(dataDir, 'recordings', 'sealed-call.wav'),
    encodeWav({ sampleRate: 16_000, channels: [tone, tone] }),
  );
  const raw = createPublicKey(pair.publicPem).export({ format: 'jwk' }).x!;
  const publicOnly = recordingKeysFrom({
    workspaceKeys: [],
    publicKey: Buffer.from(raw, 'base64url'),
  });
  expect(
    (await encryptPlainRecordings(join(dataDir, 'recordings'), publicOnly)).encrypted,
  ).toHaveLength(1);
  await engine.store.calls.addRecording({
    callId: 'sealed-call',
    path: 'recordings/sealed-call.wav',
    channels: 2,
    sampleRate: 16_000,
    durationMs: 1_000,
    bytes: 44 + 16_000 * 4,
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await calls?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Signs in with the server's token URL (it sets the console cookie), then opens the call's page. */
async function openCallPage(): Promise<void> {
  await page.goto(calls.server.url);
  await signInConsole(page);
  await page.getByTestId('lang-en').click();
  await page.goto(`${calls.server.origin}/#/history/sealed-call`);
}

it('says the recording is encrypted for another key, then plays it once the private key is here', async () => {
  await openCallPage();
  const sealed = page.getByTestId('call-page-recording-encrypted');
  await sealed.waitFor({ timeout: 15_000 });
  expect(await sealed.innerText()).toMatch(/encrypted for another key/);
  expect(await page.getByTestId('error-notice').count()).toBe(0);
  expect(await page.getByTestId('recording-player').count()).toBe(0);

  // The private key loaded into this workspace (outbound recordings key load), the app restarted.
  loadRecordingPrivateKey(dataDir, openKeyFileSecretBox(dataDir, silentLogger), pair.privatePem);
  await calls.stop();
  calls = await startCallEngine({ dataDir });
  await openCallPage();
  const player = page.getByTestId('recording-player');
  await expect.poll(() => player.getAttribute('data-ready'), { timeout: 15_000 }).toBe('true');
  expect(await page.getByTestId('call-page-recording-encrypted').count()).toBe(0);
}, 90_000);
