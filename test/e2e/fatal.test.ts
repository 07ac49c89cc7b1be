/**
 * An internal error in a running `outbound serve` (the built CLI) with a live call on the real bed:
 * an unhandled promise rejection, raised through the test-only fault hook (OUTBOUND_TEST_FAULTS,
 * SIGUSR2; see electron/engine/fatal.ts). The process must log the error with its stack and the
 * live call, end the call with a reason (the phone is hung up on), finish its recording into a
 * playable WAV, close the store, and exit with code 1.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiClient } from '../../electron/engine/api/client.js';
import { FATAL_CALL_REASON } from '../../electron/engine/index.js';
import { openStore } from '../../electron/engine/store/index.js';
import { addBedTrunk } from '../support/cli-run.js';
import { readStoredRecording } from '../support/recordings.js';
import { assertBuilt, serve, type Served } from '../support/serve.js';
import { nodeWebSocketTransport } from '../support/ws-node.js';
import { type Bed, type Clip, startBed } from '../telephony/index.js';

let bed: Bed;
let data: string;
let customer: Clip;
let served: Served | null = null;

beforeAll(async () => {
  assertBuilt();
  bed = await startBed();
  data = await mkdtemp(join(tmpdir(), 'outbound-e2e-fatal-'));
  customer = await bed.clip('fatal-customer', {
    text: 'Hello, yes, I can hear you. Please go on, I am listening to the whole message.',
    voice: 'en',
    rate: 8000,
  });
  const added = addBedTrunk(bed, data);
  expect(added.code, added.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await served?.stop().catch(() => undefined);
  await bed?.stop();
  if (data) await rm(data, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('an unhandled rejection in outbound serve', () => {
  it('is logged, ends the live call with a reason, finishes its recording and exits 1', async () => {
    served = await serve(data, [], { env: { ...process.env, OUTBOUND_TEST_FAULTS: 'rejection' } });
    const child = served.child;
    const exited = new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });
    const transport = nodeWebSocketTransport(
      `ws://127.0.0.1:${served.port}/api?token=${served.adminToken}`,
    );
    await transport.ready();
    const api = createApiClient(transport);

    const phone = await bed.phone({ user: '2301', play: customer.path, answer: 'auto' });
    const { callId } = await api.request('calls.dial', { number: '2301', trunk: 'main' });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { call } = await api.request('calls.get', { id: callId });
      if (call.answeredAt !== null) break;
      if (call.state === 'done')
        throw new Error(`the call ended before it was answered: ${call.outcome}`);
      if (Date.now() > deadline) throw new Error('the call was not answered within 30 s');
      await sleep(100);
    }
    const before = phone.events.length;
    await sleep(2500); // about 2.5 s of recording
    transport.close();

    const fault = Date.now();
    child.kill('SIGUSR2');
    const code = await Promise.race([exited, sleep(30_000).then(() => 'still running' as const)]);
    const exitMs = Date.now() - fault;
    console.info(`outbound serve exited ${exitMs} ms after the fault`);
    const stderr = served.stderr();
    expect(code, stderr).toBe(1);

    // The log names the error (with its stack) and the call that was live.
    expect(stderr).toContain('Internal error: a promise was rejected and nothing handled it');
    expect(stderr).toContain('OUTBOUND_TEST_FAULTS: a deliberate unhandled rejection (SIGUSR2)');
    expect(stderr).toMatch(/\\n\s+at /); // the stack, JSON-escaped in the log line
    expect(stderr).toContain(`${callId} (`);
    expect(stderr).toContain(
      'Exiting with code 1 after the internal error (emergency stop complete)',
    );
    // The phone was hung up on, not left talking to a dead process.
    await phone.waitForEvent('CALL_CLOSED', { after: before, timeoutMs: 5000 });
    await phone.stop();

    // The store (closed cleanly) has the call ended with the reason, and its finished recording.
    const store = await openStore({ dataDir: data });
    try {
      const call = await store.calls.get(callId);
      expect(call).toMatchObject({
        state: 'done',
        outcome: 'completed',
        endReason: FATAL_CALL_REASON,
      });
      const recording = await store.calls.recording(callId);
      expect(recording).not.toBeNull();
      const wav = await readStoredRecording(data, join(data, recording!.path));
      expect(wav.channels).toBe(2);
      expect(wav.sampleRate).toBe(16_000);
      const seconds = wav.samples[0]!.length / wav.sampleRate;
      expect(seconds).toBeGreaterThan(2);
      expect(recording!.durationMs).toBe(Math.round(seconds * 1000));
    } finally {
      await store.close();
    }
    expect((await readdir(join(data, 'recordings'))).filter((n) => !n.endsWith('.wav'))).toEqual(
      [],
    );
    expect(existsSync(join(data, 'server.json'))).toBe(false);
  }, 120_000);
});
