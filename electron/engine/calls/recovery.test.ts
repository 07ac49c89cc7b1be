import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { encodeWavHeader } from '../audio/wav.js';
import { type Logger, silentLogger } from '../log.js';
import { testKeys } from '../recording/testing/keys.js';
import { useTestStores } from '../store/testing/temp.js';
import { closeInterruptedCalls } from './recovery.js';

const openStore = useTestStores();
const keys = testKeys();

/** The parts an older version's recorder left for a call: its meta and one plain WAV segment of silence. */
async function writeLegacyParts(
  recordings: string,
  callId: string,
  startedAt: number,
  audioMs: number,
): Promise<string> {
  const parts = join(recordings, `${callId}.parts`);
  await mkdir(parts, { recursive: true });
  await writeFile(
    join(parts, 'meta.json'),
    JSON.stringify({
      version: 1,
      callId,
      startedAt,
      sampleRate: 16000,
      channels: 2,
      bitsPerSample: 16,
      frameMs: 20,
      segmentMs: 10_000,
      channelLayout: ['customer', 'outbound'],
    }),
  );
  const audio = Buffer.alloc((16_000 * 4 * audioMs) / 1000);
  await writeFile(
    join(parts, 'segment-000001.wav'),
    Buffer.concat([
      encodeWavHeader({ sampleRate: 16000, channels: 2, dataBytes: audio.length }),
      audio,
    ]),
  );
  return parts;
}

describe('closing calls a stop left open', () => {
  it('closes a live call as interrupted, and a call in wrap-up with its stored outcome and end time', async () => {
    const store = await openStore();
    const t0 = Date.now() - 60_000;
    await store.calls.create({
      id: 'live',
      number: '+8613800138000',
      startedAt: t0,
      state: 'dialing',
    });
    await store.calls.update('live', { state: 'answered', answeredAt: t0 + 1000 });
    await store.calls.update('live', { state: 'bot' });
    await store.calls.create({
      id: 'wrapping',
      number: '+8613800138001',
      startedAt: t0,
      state: 'dialing',
    });
    for (const state of ['answered', 'bot', 'transferring', 'agent'] as const)
      await store.calls.update('wrapping', {
        state,
        ...(state === 'answered' ? { answeredAt: t0 + 1000 } : {}),
      });
    await store.calls.update('wrapping', {
      state: 'wrap_up',
      outcome: 'transferred',
      endedAt: t0 + 30_000,
      endReason: 'customer hung up',
    });

    const dataDir = join(store.path, '..');
    const report = await closeInterruptedCalls(
      store,
      dataDir,
      join(dataDir, 'recordings'),
      silentLogger,
      () => keys,
    );
    expect(report.closedCalls).toBe(2);
    expect(await store.calls.get('live')).toMatchObject({ state: 'done', outcome: 'completed' });
    const wrapped = await store.calls.get('wrapping');
    expect(wrapped).toMatchObject({ state: 'done', outcome: 'transferred', endedAt: t0 + 30_000 });
    expect(wrapped?.endReason).toBe(
      "customer hung up; the app stopped before the agent's wrap-up was submitted",
    );
    expect((await store.calls.transitions('wrapping')).map((t) => t.to).slice(-2)).toEqual([
      'wrap_up',
      'done',
    ]);
  });

  it('ends an interrupted call at its last sign of life (last event, end of its recording), not at the restart', async () => {
    // Soak: a call killed 10 s in and closed 35 s later was stored 45 s long against a 10 s recording.
    const store = await openStore();
    const dataDir = join(store.path, '..');
    const recordings = join(dataDir, 'recordings');
    const t0 = Date.now() - 60_000;
    for (const id of ['talking', 'recorded']) {
      await store.calls.create({ id, number: '+8613800138000', startedAt: t0, state: 'dialing' });
      await store.calls.update(id, { state: 'answered', answeredAt: t0 + 1_000 });
      await store.calls.update(
        id,
        { state: 'bot' },
        { at: t0 + 1_500, type: 'state_bot', data: {} },
      );
    }
    await store.calls.update(
      'talking',
      { state: 'bot' },
      { at: t0 + 9_000, type: 'speech_end', data: {} },
    );
    // 'recorded' left a second of audio past its last event: the recording says it lived longer.
    await writeLegacyParts(recordings, 'recorded', t0 + 1_000, 1_000);
    const report = await closeInterruptedCalls(
      store,
      dataDir,
      recordings,
      silentLogger,
      () => keys,
    );
    expect(report).toMatchObject({ closedCalls: 2, recoveredRecordings: 1 });
    expect(await store.calls.get('talking')).toMatchObject({
      state: 'done',
      outcome: 'completed',
      endedAt: t0 + 9_000,
    });
    expect(await store.calls.get('recorded')).toMatchObject({ state: 'done', endedAt: t0 + 2_000 });
    expect(await store.calls.recording('recorded')).toMatchObject({ durationMs: 1_000 });
  });

  it('never ends a call after its recording was last written, though answer + length says later', async () => {
    // Frames captured before the engine heard of the answer make answer + length overshoot the
    // crash (campaign-dialer's kill test: 640 ms after the kill under load).
    const store = await openStore();
    const dataDir = join(store.path, '..');
    const recordings = join(dataDir, 'recordings');
    const t0 = Date.now() - 60_000;
    await store.calls.create({
      id: 'early',
      number: '+8613800138000',
      startedAt: t0,
      state: 'dialing',
    });
    await store.calls.update('early', { state: 'answered', answeredAt: t0 + 1_000 });
    const parts = await writeLegacyParts(recordings, 'early', t0 + 1_000, 2_000);
    // The process died 1.4 s after the answer: nothing was written after that.
    const lastWrite = new Date(t0 + 2_400);
    for (const file of ['meta.json', 'segment-000001.wav'])
      await utimes(join(parts, file), lastWrite, lastWrite);
    await closeInterruptedCalls(store, dataDir, recordings, silentLogger, () => keys);
    expect(await store.calls.get('early')).toMatchObject({ state: 'done', endedAt: t0 + 2_400 });
    expect(await store.calls.recording('early')).toMatchObject({ durationMs: 2_000 });
  });

  it("moves a crash-closed campaign call's end to its recording's, when the dialer closed it at its last event", async () => {
    // Soak: the dialer's recovery (it runs first) ended an agent call at its last event, 6 s
    // before the kill, though the agent kept talking and the recording shows it.
    const store = await openStore();
    const dataDir = join(store.path, '..');
    const recordings = join(dataDir, 'recordings');
    const t0 = Date.now() - 60_000;
    const restart = t0 + 20_000;
    for (const id of ['agent', 'wrapped']) {
      await store.calls.create({ id, number: '+8613800138000', startedAt: t0, state: 'dialing' });
      await store.calls.update(id, { state: 'answered', answeredAt: t0 + 1_000 });
    }
    // As Dialer.recover leaves them: done at the last event (t0 + 2 s), the event stamped at the restart.
    await store.calls.update(
      'agent',
      { state: 'agent' },
      { at: t0 + 2_000, type: 'agent_accepted', data: {} },
    );
    await store.calls.update(
      'agent',
      { state: 'done', outcome: 'failed', endedAt: t0 + 2_000, endReason: 'the app stopped' },
      { at: restart, type: 'closed_after_crash', data: { previousState: 'agent' } },
    );
    // A call in wrap-up had its real end stored: a recording never moves it.
    await store.calls.update('wrapped', { state: 'agent' });
    await store.calls.update('wrapped', {
      state: 'wrap_up',
      outcome: 'transferred',
      endedAt: t0 + 3_000,
    });
    await store.calls.update(
      'wrapped',
      { state: 'done' },
      { at: restart, type: 'closed_after_crash', data: { previousState: 'wrap_up' } },
    );
    await writeLegacyParts(recordings, 'agent', t0 + 1_000, 8_000);
    await writeLegacyParts(recordings, 'wrapped', t0 + 1_000, 4_000);
    const report = await closeInterruptedCalls(
      store,
      dataDir,
      recordings,
      silentLogger,
      () => keys,
    );
    expect(report).toMatchObject({ closedCalls: 0, recoveredRecordings: 2 });
    expect(await store.calls.get('agent')).toMatchObject({
      state: 'done',
      outcome: 'failed',
      endedAt: t0 + 9_000,
    });
    expect(await store.calls.get('wrapped')).toMatchObject({
      outcome: 'transferred',
      endedAt: t0 + 3_000,
    });
  });

  it('keeps a recording of a call the store does not know unindexed, and says so', async () => {
    const store = await openStore();
    const dataDir = join(store.path, '..');
    const recordings = join(dataDir, 'recordings');
    // What a crash leaves of a recording: its meta and a segment (one second of stereo silence).
    const parts = join(recordings, 'unknown-call.parts');
    await mkdir(parts, { recursive: true });
    await writeFile(
      join(parts, 'meta.json'),
      JSON.stringify({
        version: 1,
        callId: 'unknown-call',
        startedAt: Date.now() - 60_000,
        sampleRate: 16000,
        channels: 2,
        bitsPerSample: 16,
        frameMs: 20,
        segmentMs: 10_000,
        channelLayout: ['customer', 'outbound'],
      }),
    );
    const audio = Buffer.alloc(16_000 * 4);
    await writeFile(
      join(parts, 'segment-000001.wav'),
      Buffer.concat([
        encodeWavHeader({ sampleRate: 16000, channels: 2, dataBytes: audio.length }),
        audio,
      ]),
    );
    const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const log: Logger = {
      ...silentLogger,
      warn: (message, fields) => warnings.push({ message, ...(fields ? { fields } : {}) }),
    };
    const report = await closeInterruptedCalls(store, dataDir, recordings, log, () => keys);
    expect(report).toMatchObject({ closedCalls: 0, recoveredRecordings: 0, unrecoverable: [] });
    expect(existsSync(join(recordings, 'unknown-call.wav'))).toBe(true); // the audio is kept
    expect(await store.calls.recording('unknown-call')).toBeNull();
    expect(warnings).toEqual([
      {
        message: 'A recording belongs to no call in the store; it is kept but not indexed',
        fields: { callId: 'unknown-call', path: join(recordings, 'unknown-call.wav') },
      },
    ]);
  });
  it('closes the calls even when the recording keys cannot be opened, keeping the parts', async () => {
    const store = await openStore();
    await store.calls.create({ id: 'open', number: '+8613800138002', startedAt: Date.now() });
    const dataDir = join(store.path, '..');
    const parts = join(dataDir, 'recordings', 'open.parts');
    await mkdir(parts, { recursive: true });
    const errors: string[] = [];
    const log: Logger = { ...silentLogger, error: (message) => errors.push(message) };
    const report = await closeInterruptedCalls(
      store,
      dataDir,
      join(dataDir, 'recordings'),
      log,
      () => {
        throw new Error('recording-keys.json is damaged');
      },
    );
    expect(report.closedCalls).toBe(1);
    expect(await store.calls.get('open')).toMatchObject({ state: 'done' });
    expect(errors).toEqual([
      'Recovering the recordings left by the last run failed; their parts are kept',
    ]);
    expect(existsSync(parts)).toBe(true);
  });
});
