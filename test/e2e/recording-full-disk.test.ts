/**
 * The recordings disk fills up during live calls (a real tmpfs mounted as the data folder's
 * recordings/, filled to its last frames) with the engine placing real calls on the SIP bed:
 *
 * - each call's recorder reports a clear error naming its segment file, logged and marked on the
 *   call (a recording_error event), and the engine does not crash;
 * - the calls go on: the bot's audio still plays to the customer, the API still answers, and they
 *   end normally with their own reasons (a recording that stops short is no reason to hang up on
 *   a customer);
 * - what was written is kept: a call ending once space is back gets its recording at once, resumed
 *   with the span the full disk kept out as silence (a RESUMED recording_error event says so);
 *   one ending while the disk is still full keeps its parts, which the next start joins and indexes;
 * - a new call after the space came back records normally.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadPrompt } from '../../electron/engine/audio/index.js';
import { Engine, type Logger } from '../../electron/engine/index.js';
import type { CallSession } from '../../electron/engine/telephony/index.js';
import { type CallEngine, startCallEngine } from '../support/call-engine.js';
import { readStoredRecording } from '../support/recordings.js';
import { fillDisk, mountTmpfs, tmpfsUnavailable, unmountTmpfs } from '../support/tmpfs.js';
import { type Bed, type Clip, startBed } from '../telephony/index.js';

let bed: Bed;
let calls: CallEngine;
let data = '';
let recordings = '';
let mounted = false;
let customer: Clip;
let prompt: Clip;
const logged: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
const log: Logger = {
  info: (message, fields = {}) => logged.push({ level: 'info', message, fields }),
  warn: (message, fields = {}) => logged.push({ level: 'warn', message, fields }),
  error: (message, fields = {}) => logged.push({ level: 'error', message, fields }),
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function untilAnswered(session: CallSession, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (session.answeredAt === null) {
    if (session.state === 'done') throw new Error(`call ${session.callId} ended before the answer`);
    if (Date.now() > deadline) throw new Error(`call ${session.callId} not answered in time`);
    await sleep(20);
  }
}

const run = tmpfsUnavailable === null;

beforeAll(async () => {
  if (!run) return;
  bed = await startBed();
  data = await mkdtemp(join(tmpdir(), 'outbound-e2e-full-disk-'));
  recordings = join(data, 'recordings');
  await mkdir(recordings);
  mountTmpfs(recordings, 48 * 1024 * 1024);
  mounted = true;
  customer = await bed.clip('full-disk-customer', {
    text: 'Hello, yes, this is Mary. I can talk for a minute, please tell me what this is about. I am listening.',
    voice: 'en',
    rate: 8000,
  });
  prompt = await bed.clip('full-disk-bot', {
    text: 'This is a reminder from City Water about your bill.',
    voice: 'en',
    rate: 16000,
  });
  calls = await startCallEngine({ dataDir: data, log });
  await calls.addTrunk({ name: 'main', uri: bed.wsUri.open, domain: bed.sipDomain });
}, 90_000);

afterAll(async () => {
  await calls?.stop().catch(() => undefined);
  await bed?.stop();
  if (mounted) unmountTmpfs(recordings);
  if (data) await rm(data, { recursive: true, force: true });
});

describe.skipIf(!run)(
  `a full recordings disk during live calls${run ? '' : ` (skipped: ${tmpfsUnavailable})`}`,
  () => {
    it('ends the recordings with a clear error, not the calls, and keeps what was written', async () => {
      const phoneA = await bed.phone({ user: '2401', play: customer.path, answer: 'auto' });
      const phoneB = await bed.phone({ user: '2402', play: customer.path, answer: 'auto' });
      const a = await calls.engine.telephony.dial({ number: '2401', trunk: 'main' });
      const b = await calls.engine.telephony.dial({ number: '2402', trunk: 'main' });
      await untilAnswered(a);
      await untilAnswered(b);
      await sleep(1000);

      // The disk fills: two calls write 128 KB a second between them.
      const filler = await fillDisk(recordings, 64 * 1024);
      const filledAt = Date.now();
      for (const session of [a, b]) {
        const event = await calls.waitForEvent(session.callId, 'recording_error', 15_000);
        expect(event.data.code).toBe('WRITE_FAILED');
        expect(String(event.data.message)).toMatch(
          new RegExp(
            `^Could not write the recording ${recordings}/${session.callId}\\.parts/segment-\\d{6}\\.enc: no space left on the disk \\(ENOSPC\\)$`,
          ),
        );
        const line = logged.find(
          (l) => l.message === 'Call recording failed' && l.fields.callId === session.callId,
        );
        expect(line?.fields).toMatchObject({
          code: 'WRITE_FAILED',
          file: expect.stringMatching(/segment-\d{6}\.enc$/) as unknown,
        });
      }

      // The calls go on: the customer still hears the bot, the API still answers.
      expect(a.state).toBe('answered');
      expect(b.isUp).toBe(true);
      const played = await a.play((await loadPrompt(prompt.path)).frames);
      expect(played.completed).toBe(true);
      const live = (await calls.engine.request('live.list', {})) as {
        calls: Array<{ id: string }>;
      };
      expect(live.calls.map((c) => c.id).sort()).toEqual([a.callId, b.callId].sort());

      // B ends while the disk is still full: the call is stored as it ended, its parts are kept.
      await b.hangup('test done (disk still full)');
      const endB = await b.whenEnded();
      expect(endB).toMatchObject({ outcome: 'completed', reason: 'test done (disk still full)' });
      expect(endB.recording).toBeNull();
      expect(existsSync(join(recordings, `${b.callId}.parts`))).toBe(true);

      // Space comes back: A's recording resumes within a second or so (a RESUMED event), the audio
      // the full disk kept out is silence, so the recording spans the call; saved and indexed.
      await rm(filler);
      const resumedBy = Date.now() + 10_000;
      const codesOfA = (): string[] =>
        calls
          .eventsOf(a.callId)
          .filter((e) => e.type === 'recording_error')
          .map((e) => (e.data as { code: string }).code);
      while (!codesOfA().includes('RESUMED') && Date.now() < resumedBy) await sleep(100);
      await sleep(500);
      await a.hangup('test done');
      const endA = await a.whenEnded();
      expect(endA).toMatchObject({ outcome: 'completed', reason: 'test done' });
      expect(endA.recording).not.toBeNull();
      const wavA = await readStoredRecording(data, endA.recording!.path);
      expect(wavA.channels).toBe(2);
      const recordedMs = (wavA.samples[0]!.length / wavA.sampleRate) * 1000;
      const callMs = endA.endedAt - endA.answeredAt!;
      expect(endA.endedAt - filledAt).toBeGreaterThan(2000); // the disk was full for a while
      expect(Math.abs(recordedMs - callMs)).toBeLessThan(1500);
      expect(logged.map((l) => l.message)).toContain('Call recording resumed after a full disk');
      expect(codesOfA()).toEqual(['WRITE_FAILED', 'RESUMED']);
      const stored = (await calls.engine.request('calls.get', { id: a.callId })) as {
        call: { state: string };
        events: Array<{ type: string }>;
        recording: { durationMs: number } | null;
      };
      expect(stored.call.state).toBe('done');
      expect(stored.events.map((e) => e.type)).toContain('recording_error');
      expect(stored.recording?.durationMs).toBe(endA.recording!.durationMs);

      // A new call records normally.
      const c = await calls.engine.telephony.dial({ number: '2401', trunk: 'main' });
      await untilAnswered(c);
      await sleep(1500);
      await c.hangup('test done');
      const endC = await c.whenEnded();
      expect(endC.recording?.durationMs).toBeGreaterThan(1000);
      expect(calls.eventsOf(c.callId).map((e) => e.type)).not.toContain('recording_error');
      await phoneA.stop();
      await phoneB.stop();

      // The next start joins B's kept parts and indexes them.
      await calls.stop();
      const again = await Engine.start({ dataDir: data, transport: 'in-process', version: 'test' });
      try {
        const recordingB = await again.store.calls.recording(b.callId);
        expect(recordingB?.durationMs).toBeGreaterThan(500);
        expect(await readdir(recordings)).not.toContain(`${b.callId}.parts`);
        expect((await readStoredRecording(data, join(data, recordingB!.path))).channels).toBe(2);
      } finally {
        await again.stop();
      }
    }, 180_000);
  },
);
