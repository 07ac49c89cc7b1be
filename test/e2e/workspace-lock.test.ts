/**
 * One workspace, one engine (issue 10), end to end with the built CLI, `outbound serve`, the SIP
 * bed's phones and the console in Chromium.
 *
 * The scenario of the issue: a fresh workspace, an agentless campaign started while its flow's
 * phrase models are still training, and a wallboard script polling `outbound campaign status`
 * every few seconds from a shell that cannot reach the server (server.json points at a port that
 * accepts and never answers, as a hung server or a silent firewall would). Before issue 10 the
 * CLI then started an engine of its own whose crash recovery discarded the server's queued
 * leases: contacts were dialed twice and calls went missing from the store.
 *
 * Now: the campaign says why it is not dialing (API, `campaign status`, the console page) and
 * leases nothing until the models are ready; every status poll prints the unreachable-server
 * error and exits 1 without opening the workspace; a second `outbound serve` and `outbound
 * import` are refused naming the server; each phone rings exactly once (its own call log), every
 * recording belongs to a call in the store, no "does not exist" error, no call closed as a crash.
 *
 * A real training window without the sample flow's three minutes: the server gets a speech cache
 * of its own (hard links to the shared one, so the sample flows load at once) and the campaign
 * runs a small flow whose one question no cache has ever held, so it trains from scratch.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { link, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiClient, type OutboundApi } from '../../electron/engine/api/client.js';
import type { CampaignDetail } from '../../electron/engine/api/contract.js';
import { openStore } from '../../electron/engine/store/index.js';
import { launchChromium, SCREENSHOT_DIR } from '../support/chromium.js';
import { addBedTrunk, jsonLines, outbound } from '../support/cli-run.js';
import { signInConsole } from '../support/console-auth.js';
import { assertBuilt, CLI, serve, type Served } from '../support/serve.js';
import { nodeWebSocketTransport } from '../support/ws-node.js';
import { type Bed, type Phone, startBed } from '../telephony/index.js';

/** A question no other test uses: its phrase model is in no cache, so it trains here. */
const trainingFlow = {
  id: 'lock-e2e',
  name: 'Workspace lock e2e',
  language: 'en',
  start: 'q',
  nodes: {
    q: {
      kind: 'ask',
      prompt: 'Hello {name}. Is this still a good number for you? Please say yes or no.',
      intents: [
        { name: 'yes', examples: ['yes', 'yes please', 'that number works'], next: 'ok' },
        { name: 'no', examples: ['no', 'wrong number', 'not any more'], next: 'bye' },
      ],
      noInput: { maxAttempts: 1, next: 'bye' },
      noMatch: { maxAttempts: 1, next: 'bye' },
    },
    ok: { kind: 'hangup', say: 'Thank you. Goodbye.', disposition: 'confirmed' },
    bye: { kind: 'hangup', say: 'Goodbye.', disposition: 'declined' },
  },
};

const NUMBERS = ['+8613900000101', '+8613900000102', '+8613900000103', '+8613900000104'];

let bed: Bed;
let scratch: string;
let blackhole: Server;
const sockets: Socket[] = [];
const phones: Phone[] = [];
let served: Served | null = null;
let browser: Browser | null = null;

beforeAll(async () => {
  assertBuilt();
  bed = await startBed();
  scratch = await mkdtemp(join(tmpdir(), 'outbound-e2e-lock-'));
  blackhole = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop().catch(() => undefined);
  for (const phone of phones) await phone.stop().catch(() => undefined);
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => blackhole?.close(resolve));
  await bed?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** The shared speech cache as hard links (no copy): what the shared cache has, this one has too; what this one trains stays here. */
async function linkTree(from: string, to: string): Promise<number> {
  await mkdir(to, { recursive: true });
  let files = 0;
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.isDirectory()) files += await linkTree(join(from, entry.name), join(to, entry.name));
    else if (entry.isFile() && !entry.name.endsWith('.tmp')) {
      await link(join(from, entry.name), join(to, entry.name)).catch(() => undefined);
      files++;
    }
  }
  return files;
}

/** `outbound …` without blocking this process (the API poll and the phones run meanwhile). */
function outboundAsync(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function connect(s: Served): Promise<{ api: OutboundApi; close(): void }> {
  const transport = nodeWebSocketTransport(`ws://127.0.0.1:${s.port}/api?token=${s.adminToken}`);
  await transport.ready();
  return { api: createApiClient(transport), close: () => transport.close() };
}

describe('one workspace, one engine', () => {
  it('a campaign started while its flow trains, beside a server the CLI cannot reach: nobody dialed twice, no call without a row, the CLI says the server did not answer', async () => {
    const data = join(scratch, 'data');
    const csv = join(scratch, 'contacts.csv');
    await writeFile(
      csv,
      ['name,phone', ...NUMBERS.map((n, i) => `Customer ${i + 1},${n}`), ''].join('\n'),
    );
    // A fresh workspace, set up from the shell with no server running (each command takes the lock).
    const imported = outbound(['import', csv, '--list', 'wallboard', '--json', '--data', data]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(addBedTrunk(bed, data, ['--max-calls', '10']).code).toBe(0);
    // The customers: each answers and says "yes please" 4 s later; baresip logs every call it gets.
    const yes = await bed.clip('lock-yes', { text: 'yes please', voice: 'en', rate: 8000 });
    const track = join(bed.dir, 'lock-yes-track.wav');
    await new Promise<void>((resolve, reject) =>
      spawn('sox', [yes.path, track, 'pad', '4', '8']).on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`sox exited ${code}`)),
      ),
    );
    for (const user of NUMBERS) phones.push(await bed.phone({ user, play: track, answer: 'auto' }));

    const cache = join(scratch, 'speech-cache');
    const shared = process.env.OUTBOUND_SPEECH_CACHE;
    if (shared && existsSync(shared)) await linkTree(shared, cache);
    served = await serve(data, [], { env: { ...process.env, OUTBOUND_SPEECH_CACHE: cache } });
    const server = served;
    const { api, close } = await connect(server);
    try {
      // What the console shows, polled once a second from here on: the waits and the calls at that moment.
      const seen: Array<{
        waiting: CampaignDetail['waiting'];
        calls: number;
        live: number;
        status: string;
        at: number;
      }> = [];
      let polling = true;
      const poll = (async () => {
        while (polling) {
          const d = (await api
            .request('campaigns.get', { name: 'wallboard' })
            .catch(() => null)) as CampaignDetail | null;
          if (d)
            seen.push({
              waiting: d.waiting,
              calls: d.progress.calls,
              live: d.progress.liveCalls,
              status: d.status,
              at: Date.now(),
            });
          await new Promise((r) => setTimeout(r, 1_000));
        }
      })();

      await api.request('settings.update', { changes: { ringTimeoutMs: 15_000 } });
      await api.request('flows.save', { definition: trainingFlow });
      const create = outbound([
        'campaign',
        'create',
        'wallboard',
        '--list',
        'wallboard',
        '--flow',
        'lock-e2e',
        '--trunk',
        'main',
        '--tz',
        'Asia/Shanghai',
        '--window',
        'sun-sat=00:00-24:00',
        '--max-concurrent',
        '4',
        '--max-attempts',
        '1',
        '--data',
        data,
      ]);
      expect(create.code, create.stderr).toBe(0);
      const start = outbound(['campaign', 'start', 'wallboard', '--json', '--data', data]);
      expect(jsonLines(start)[0]).toMatchObject({ status: 'running', via: 'server' });
      // The status, through the server, says why nothing is dialed yet.
      const waitingStatus = outbound(['campaign', 'status', 'wallboard', '--data', data]);
      expect(waitingStatus.code, waitingStatus.stderr).toBe(0);
      expect(waitingStatus.stdout).toMatch(/not dialing yet: waiting for the flow's phrase models/);
      // …and so does the campaign page, in the console.
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${server.url}#/campaigns/wallboard`);
      await signInConsole(page);
      await page.getByTestId('lang-en').click();
      const notice = page.getByTestId('campaign-waiting');
      await notice.waitFor({ timeout: 15_000 });
      expect(await notice.getAttribute('data-reason')).toBe('flow_training');
      expect(await notice.textContent()).toMatch(
        /Not dialing yet: waiting for the flow's phrase models/,
      );
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'campaign-waiting-for-training.png') });

      // From here the shell cannot reach the server: its server.json names a port that never answers.
      const serverFile = join(data, 'server.json');
      const real = JSON.parse(await readFile(serverFile, 'utf8')) as { port: number };
      const silentPort = (blackhole.address() as { port: number }).port;
      await writeFile(serverFile, JSON.stringify({ ...real, port: silentPort }), { mode: 0o600 });

      // The wallboard: `campaign status` every few seconds until the campaign is over.
      const polls: Array<{ code: number | null; stdout: string; stderr: string }> = [];
      let wallboard = true;
      const board = (async () => {
        while (wallboard) {
          polls.push(
            await outboundAsync(['campaign', 'status', 'wallboard', '--json', '--data', data]),
          );
          await new Promise((r) => setTimeout(r, 2_000));
        }
      })();
      // Two engines on one workspace: neither a second server nor a writing command gets in.
      const second = await outboundAsync(['serve', '--data', data, '--port', '0', '--json']);
      expect(second.code).toBe(1);
      expect(jsonLines(second).at(-1)).toMatchObject({ code: 'WORKSPACE_IN_USE' });
      expect(jsonLines(second).at(-1)!.message).toMatch(
        new RegExp(
          `is in use by outbound serve \\(pid ${server.child.pid}, since \\d\\d:\\d\\d\\); stop it, or run this command against it`,
        ),
      );
      const importBeside = await outboundAsync([
        'import',
        csv,
        '--list',
        'wallboard',
        '--data',
        data,
      ]);
      expect(importBeside.code).toBe(1);
      expect(importBeside.stderr).toContain(`in use by outbound serve (pid ${server.child.pid}`);

      let last: CampaignDetail | null = null;
      const deadline = Date.now() + 240_000;
      for (;;) {
        last = (await api.request('campaigns.get', { name: 'wallboard' })) as CampaignDetail;
        if (last.status === 'completed') break;
        if (Date.now() > deadline)
          throw new Error(
            `the campaign did not complete: ${JSON.stringify(last)}\n${server.stderr().slice(-4000)}`,
          );
        await new Promise((r) => setTimeout(r, 1_000));
      }
      wallboard = false;
      polling = false;
      await Promise.all([board, poll]);
      expect(last.progress).toMatchObject({
        contacts: 4,
        dialed: 4,
        finished: 4,
        calls: 4,
        answered: 4,
      });

      // It waited for training without leasing anyone, then dialed.
      const waits = seen.filter((s) => s.waiting !== null);
      expect(waits.length, JSON.stringify(seen)).toBeGreaterThan(0);
      for (const w of waits) {
        expect(w.waiting!.reason).toBe('flow_training');
        expect(w.calls, 'a lease taken while the flow was training').toBe(0);
        expect(w.live).toBe(0);
      }
      expect(
        waits.some(
          (w) => w.waiting!.message === "waiting for the flow's phrase models: question 1 of 1",
        ),
      ).toBe(true);
      const dialing = seen.find((s) => s.calls > 0);
      process.stdout.write(
        `[issue 10] the campaign waited ${((waits.at(-1)!.at - waits[0]!.at) / 1000).toFixed(0)} s for its flow's training with no lease; first call ${dialing ? ((dialing.at - waits.at(-1)!.at) / 1000).toFixed(1) : '?'} s after; ${polls.length} wallboard polls, each refused with SERVER_NOT_ANSWERING\n`,
      );
      // The wallboard got the unreachable-server error every time, and never opened the workspace.
      expect(polls.length).toBeGreaterThanOrEqual(2);
      for (const p of polls) {
        expect(p.code, p.stdout + p.stderr).toBe(1);
        expect(jsonLines(p)[0]).toMatchObject({ event: 'error', code: 'SERVER_NOT_ANSWERING' });
        expect(jsonLines(p)[0]!.message).toMatch(
          new RegExp(
            `^The server at 127\\.0\\.0\\.1:${silentPort} did not answer within 5 s; it holds this workspace`,
          ),
        );
        expect(p.stdout + p.stderr).not.toMatch(/recovered/i);
      }
    } finally {
      close();
    }
    const stopped = await server.stop();
    served = null;
    expect(stopped.code).toBe(0);
    const log = server.stderr();
    expect(log).not.toMatch(/does not exist/);
    expect(log).not.toMatch(/Dialer leases recovered/);

    // Each phone rang once: counted by baresip's own call events.
    for (const phone of phones) {
      // Every event of an incoming call carries baresip's id for it (the SIP Call-ID).
      const calls = new Set(
        phone.events.filter((e) => e.direction === 'incoming' && e.id).map((e) => e.id),
      );
      expect(
        calls.size,
        `${phone.user} got ${calls.size} calls: ${phone.events.map((e) => `${e.type}/${e.direction ?? ''}/${e.id ?? ''}`).join(' ')}`,
      ).toBe(1);
    }
    const store = await openStore({ dataDir: data });
    try {
      const { calls } = await store.calls.list({ limit: 100, offset: 0 });
      expect(calls).toHaveLength(4);
      expect(new Set(calls.map((c) => c.number))).toEqual(new Set(NUMBERS));
      for (const call of calls) {
        expect(call.state).toBe('done');
        expect(call.endReason ?? '').not.toMatch(/app stopped during the call/);
      }
      // Every recording belongs to a call in the store, and every answered call has its recording.
      const files = (await readdir(join(data, 'recordings'))).filter((f) => !f.startsWith('.'));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const id = file.replace(/\.wav$|\.parts$/, '');
        expect(await store.calls.get(id), `recording ${file} without a call`).not.toBeNull();
      }
      for (const call of calls) expect(await store.calls.recording(call.id)).not.toBeNull();
    } finally {
      await store.close();
    }
  }, 420_000);
});
