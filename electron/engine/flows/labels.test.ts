/**
 * The labelling loop's engine side, on real SQLite files and real WAV files: cutting the
 * customer's channel around an utterance, storing the label and its origin, the errors an admin
 * can meet, the next flow version listing the clips, and before/after accuracy (with a fake
 * recognizer here; the real models are in test/e2e/labels-loop.test.ts).
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ApiError } from '../api/errors.js';
import { encodeWav, parseWav } from '../audio/index.js';
import { checkFlow } from '../dialog/index.js';
import { EventHub } from '../events/index.js';
import { silentLogger } from '../log.js';
import { readAudioFile } from '../recording/index.js';
import { encryptPlainLabelClips } from '../recording/migrate.js';
import { testKeys } from '../recording/testing/keys.js';
import { useTempDirs, useTestStores } from '../store/testing/temp.js';
import type { Store } from '../store/types.js';
import { FlowService } from './flow-service.js';
import { type ClipRecognizer, cutClip, labelClipPath, UtteranceLabels } from './labels.js';
import { storeSyntheticCall } from './testing/synthetic-call.js';

const testStore = useTestStores();
const tempDir = useTempDirs();
const RATE = 16_000;

const FLOW = {
  id: 'order',
  name: 'Order',
  language: 'en',
  start: 'q',
  nodes: {
    q: {
      kind: 'ask',
      prompt: 'Can you confirm your order?',
      intents: [
        { name: 'yes', examples: ['yes'], next: 'bye' },
        { name: 'no', examples: ['no'], next: 'bye' },
      ],
      noInput: { next: 'bye' },
      noMatch: { next: 'bye' },
    },
    bye: { kind: 'hangup', say: 'Bye.', disposition: 'done' },
  },
};

/** A tone whose frequency names it, so a clip shows which utterance it came from. */
function tone(ms: number, hz: number, level = 0.5): Int16Array {
  const out = new Int16Array((ms * RATE) / 1000);
  for (let i = 0; i < out.length; i++)
    out[i] = Math.round(32767 * level * Math.sin((2 * Math.PI * hz * i) / RATE));
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

async function setUp(recognizer?: ClipRecognizer) {
  const store: Store = await testStore();
  const dataDir = await tempDir();
  const flows = new FlowService({
    store,
    events: new EventHub(() => {}),
    log: silentLogger,
    defaultTimeZone: async () => 'UTC',
  });
  await flows.save(FLOW, 'admin');
  const flowId = (await store.flows.getByName('order'))!.id;
  const recordingsDir = join(dataDir, 'phrase-recordings');
  const keys = testKeys();
  const labels = new UtteranceLabels({
    store,
    flows,
    dataDir,
    recordingsDir,
    recordingKeys: () => keys,
    recognizer: recognizer ?? { forFlow: () => Promise.resolve(new Map()) },
    log: silentLogger,
  });
  // Two answers: 600 ms at 300 Hz from 1.5 s, 800 ms at 700 Hz from 4 s; one at a say node.
  await storeSyntheticCall(store, dataDir, {
    callId: 'call-1',
    flowId,
    flowVersion: 1,
    utterances: [
      { samples: tone(600, 300), atMs: 1_500, nodeId: 'q', text: '' },
      { samples: tone(800, 700), atMs: 4_000, nodeId: 'q', text: 'no', intent: 'no' },
      { samples: tone(400, 500), atMs: 6_000, nodeId: null },
    ],
  });
  return { store, dataDir, flows, flowId, labels, recordingsDir, keys };
}

describe('cutClip', () => {
  it('cuts one channel of a range, reading only that range, and resamples to 16 kHz', async () => {
    const dir = await tempDir();
    // 8 kHz stereo, 3 s: left = the sample index's second (0, 1, 2 as levels), right = constant.
    const rate = 8_000;
    const left = new Float32Array(rate * 3);
    const right = new Float32Array(rate * 3).fill(-0.9);
    for (let i = 0; i < left.length; i++) left[i] = 0.25 * Math.floor(i / rate);
    const path = join(dir, 'call.wav');
    await writeFile(path, encodeWav({ sampleRate: rate, channels: [left, right] }));
    const clip = await cutClip(path, 1_000, 2_000);
    expect(clip).toMatchObject({ startMs: 1_000, endMs: 2_000, recordingMs: 3_000 });
    expect(clip.samples.length).toBe(RATE);
    // The left channel only (0.25 in the second second), never the right's -0.9.
    const middle = clip.samples.slice(100, -100);
    expect(Math.min(...middle)).toBeGreaterThan(0.24 * 32767);
    expect(Math.max(...middle)).toBeLessThan(0.26 * 32767);
    // A range past either end is clipped to the file.
    const edges = await cutClip(path, -200, 3_500);
    expect(edges).toMatchObject({ startMs: 0, endMs: 3_000 });
    expect(edges.samples.length).toBe(RATE * 3);
    expect((await cutClip(path, 5_000, 6_000)).samples.length).toBe(0);
  });
});

describe('labelling an utterance', () => {
  it('cuts [start − 200, end + 100] ms of the customer into phrase-recordings, encrypted, and stores where it came from', async () => {
    const { store, flowId, labels, recordingsDir, keys } = await setUp();
    const label = await labels.label({
      callId: 'call-1',
      startMs: 1_500,
      intent: 'yes',
      actor: 'ana',
    });
    const clipPath = labelClipPath(flowId, 'q', 'yes', 'call-1', 1_500);
    expect(clipPath).toBe(`labelled/${flowId}/q/yes/call-1-1500.wav`);
    expect(label).toMatchObject({
      callId: 'call-1',
      startMs: 1_500,
      endMs: 2_100,
      flow: 'order',
      flowVersion: 1,
      nodeId: 'q',
      intent: 'yes',
      clipPath,
      clipMs: 900,
      source: 'history',
      labelledBy: 'ana',
    });
    // Encrypted at rest: not a WAV file, and no run of the answer's PCM is in it.
    const file = join(recordingsDir, ...clipPath.split('/'));
    const onDisk = await readFile(file);
    expect(onDisk.subarray(0, 6).toString('latin1')).toBe('OBREC1');
    expect(onDisk.includes(Buffer.from('RIFF'))).toBe(false);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const plain = await readAudioFile(file, () => keys);
    const wav = parseWav(plain);
    expect(wav).toMatchObject({ sampleRate: RATE, channels: 1 });
    // 32 samples from the middle of the answer, exactly as sealed.
    const pcm = plain.subarray(44 + 0.5 * RATE * 2, 44 + 0.5 * RATE * 2 + 64);
    expect(pcm.some((b) => b !== 0)).toBe(true);
    expect(onDisk.includes(pcm)).toBe(false);
    expect(wav.samples[0]!.length).toBe(0.9 * RATE);
    // 200 ms of silence before the 300 Hz answer, then the answer itself (the bot's 440 Hz tone
    // on the right channel never appears), then 100 ms of silence.
    const samples = wav.samples[0]!;
    expect(Math.max(...samples.slice(0, 0.19 * RATE).map(Math.abs))).toBe(0);
    expect(Math.max(...samples.slice(0.25 * RATE, 0.75 * RATE).map(Math.abs))).toBeGreaterThan(0.4);
    expect(Math.max(...samples.slice(0.81 * RATE).map(Math.abs))).toBe(0);
    // Stored, with an audit entry naming who and what.
    expect(await store.labels.forCall('call-1')).toMatchObject([
      { startMs: 1_500, intent: 'yes', clipPath, labelledBy: 'ana', flowId, flowVersion: 1 },
    ]);
    const audit = await store.audit.list({ limit: 10, offset: 0 });
    expect(audit.find((a) => a.action === 'calls.label_utterance')).toMatchObject({
      actor: 'ana',
      subject: 'call-1',
      details: { intent: 'yes', nodeId: 'q', clipPath },
    });
  });

  it('"none" goes under none/, and labelling again moves the clip and keeps one row', async () => {
    const { store, flowId, labels, recordingsDir } = await setUp();
    const first = await labels.label({
      callId: 'call-1',
      startMs: 4_000,
      intent: 'none',
      actor: 'ana',
    });
    expect(first).toMatchObject({
      intent: 'none',
      clipPath: `labelled/${flowId}/q/none/call-1-4000.wav`,
    });
    const second = await labels.label({
      callId: 'call-1',
      startMs: 4_000,
      intent: 'no',
      actor: 'bo',
    });
    expect(second).toMatchObject({ intent: 'no', labelledBy: 'bo' });
    expect(await store.labels.forCall('call-1')).toHaveLength(1);
    await expect(stat(join(recordingsDir, ...first.clipPath.split('/')))).rejects.toThrow();
    expect((await stat(join(recordingsDir, ...second.clipPath.split('/')))).isFile()).toBe(true);
  });

  it('refuses what cannot be labelled, naming why, and stores nothing', async () => {
    const { store, dataDir, flowId, labels } = await setUp();
    const tryLabel = (callId: string, startMs: number, intent: string) =>
      rejection(labels.label({ callId, startMs, intent, actor: 'ana' }));
    expect(await tryLabel('nope', 1_500, 'yes')).toMatchObject({
      code: 'NOT_FOUND',
      message: 'No call with id "nope"',
    });
    expect((await tryLabel('call-1', 1_234, 'yes')).message).toMatch(
      /no customer utterance starting at 1234 ms \(its customer utterances start at 1500 ms, 4000 ms, 6000 ms\)/,
    );
    expect(await tryLabel('call-1', 1_500, 'maybe')).toMatchObject({
      code: 'INVALID_PARAMS',
      field: 'intent',
      message: 'intent: "maybe" is not an answer of question "q" (its intents: yes, no; or "none")',
    });
    expect((await tryLabel('call-1', 6_000, 'yes')).message).toMatch(/answered no question/);
    // No recording.
    await storeSyntheticCall(store, dataDir, {
      callId: 'call-2',
      flowId,
      flowVersion: 1,
      record: false,
      utterances: [{ samples: tone(500, 300), atMs: 1_000, nodeId: 'q' }],
    });
    expect(await tryLabel('call-2', 1_000, 'yes')).toMatchObject({ code: 'NOT_FOUND' });
    // The recording ends before the utterance starts; a 50 ms utterance at the very start.
    await storeSyntheticCall(store, dataDir, {
      callId: 'call-3',
      flowId,
      flowVersion: 1,
      durationMs: 900,
      utterances: [
        { samples: tone(50, 300), atMs: 0, nodeId: 'q' },
        { samples: tone(500, 300), atMs: 1_000, nodeId: 'q' },
      ],
    });
    const past = await tryLabel('call-3', 1_000, 'yes');
    expect(past).toMatchObject({ code: 'CONFLICT' });
    expect(past.message).toBe(
      'The utterance at 1000 ms is past the end of call "call-3"\'s recording (900 ms)',
    );
    expect((await tryLabel('call-3', 0, 'yes')).message).toMatch(
      /would last 150 ms; a labelled clip lasts 0.2–15 s/,
    );
    // Too long: a 16 s utterance.
    await storeSyntheticCall(store, dataDir, {
      callId: 'call-4',
      flowId,
      flowVersion: 1,
      utterances: [{ samples: tone(16_000, 300, 0.1), atMs: 500, nodeId: 'q' }],
    });
    expect((await tryLabel('call-4', 500, 'yes')).message).toMatch(/would last 16300 ms/);
    // A call that ran no flow.
    await store.calls.create({ id: 'plain', number: '+12025550100', startedAt: Date.now() });
    expect(await tryLabel('plain', 0, 'yes')).toMatchObject({ code: 'NOT_FOUND' });
    expect(await store.labels.forFlow(flowId)).toEqual([]);
  });
});

describe('the next version and accuracy before and after', () => {
  it('lists the labelled clips in a new version that validates, and moves a relabelled one', async () => {
    const { store, flows, flowId, labels, recordingsDir } = await setUp();
    await labels.label({ callId: 'call-1', startMs: 1_500, intent: 'yes', actor: 'ana' });
    await labels.label({ callId: 'call-1', startMs: 4_000, intent: 'none', actor: 'ana' });
    expect((await labels.forFlow('order')).labels.map((l) => l.inLatest)).toEqual([false, false]);
    const applied = await labels.apply('order', 'ana');
    expect(applied).toMatchObject({
      version: 2,
      previousVersion: 1,
      created: true,
      clips: 2,
      added: 2,
      removed: 0,
      skipped: [],
    });
    const v2 = await flows.load('order', 2);
    const q = v2.flow.nodes['q'];
    expect(q?.kind === 'ask' && q.intents[0]!.recordings).toEqual([
      `labelled/${flowId}/q/yes/call-1-1500.wav`,
    ]);
    expect(q?.kind === 'ask' && q.noneRecordings).toEqual([
      `labelled/${flowId}/q/none/call-1-4000.wav`,
    ]);
    expect((await labels.forFlow('order')).labels.map((l) => l.inLatest)).toEqual([true, true]);
    // Nothing new: no new version.
    expect(await labels.apply('order', 'ana')).toMatchObject({
      version: 2,
      created: false,
      added: 0,
    });
    // Relabelled: the clip moves from none to no; version 2 still lists the old file, which stays.
    await labels.label({ callId: 'call-1', startMs: 4_000, intent: 'no', actor: 'ana' });
    const v2Recordings = [`labelled/${flowId}/q/none/call-1-4000.wav`];
    const third = await labels.apply('order', 'ana');
    expect(third).toMatchObject({ version: 3, added: 1, removed: 1 });
    const v3 = (await flows.load('order', 3)).flow.nodes['q'];
    expect(v3?.kind === 'ask' && v3.noneRecordings).toBeUndefined();
    expect(v3?.kind === 'ask' && v3.intents[1]!.recordings).toEqual([
      `labelled/${flowId}/q/no/call-1-4000.wav`,
    ]);
    expect(checkFlow((await store.flows.getVersion(flowId, 2))!.definition).flow).not.toBeNull();
    for (const path of v2Recordings)
      expect((await stat(join(recordingsDir, ...path.split('/')))).isFile()).toBe(true);
    // A label whose intent the latest version dropped is skipped, with the reason.
    const edited = structuredClone(FLOW);
    edited.nodes.q.intents = [edited.nodes.q.intents[0]!];
    await flows.save(edited, 'ana');
    const fourth = await labels.apply('order', 'ana');
    expect(fourth.skipped).toEqual([
      {
        clipPath: `labelled/${flowId}/q/no/call-1-4000.wav`,
        reason: 'question "q" of version 4 has no intent "no"',
      },
    ]);
  });

  it('recognizes the labelled clips with each version and reports accuracy before and after', async () => {
    // A fake recognizer: version 1 hears nothing; later versions hear the 300 Hz clip as "yes".
    const recognizer: ClipRecognizer = {
      forFlow: (flow) => {
        const trained =
          flow.nodes['q']?.kind === 'ask' &&
          (flow.nodes['q'].intents[0]!.recordings ?? []).length > 0;
        return Promise.resolve(
          new Map([
            [
              'q',
              (samples: Int16Array) =>
                Promise.resolve({
                  noMatch: !trained,
                  ...(trained ? { intent: samples.length === 0.9 * RATE ? 'yes' : 'no' } : {}),
                  confidence: trained ? 0.9 : 0.2,
                  startMs: 0,
                  endMs: 0,
                  alternatives: [],
                }),
            ],
          ]),
        );
      },
    };
    const { labels } = await setUp(recognizer);
    await labels.label({ callId: 'call-1', startMs: 1_500, intent: 'yes', actor: 'ana' });
    await labels.label({ callId: 'call-1', startMs: 4_000, intent: 'none', actor: 'ana' });
    await labels.apply('order', 'ana');
    const first = await labels.accuracy({ name: 'order' });
    expect(first.state).toBe('running');
    let result = first;
    for (let i = 0; i < 50 && result.state === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      result = await labels.accuracy({ name: 'order' });
    }
    expect(result).toMatchObject({
      state: 'done',
      before: { version: 1, correct: 1, total: 2, accuracy: 0.5 },
      after: { version: 2, correct: 1, total: 2, accuracy: 0.5 },
    });
    expect(result.clips).toMatchObject([
      {
        nodeId: 'q',
        expected: 'yes',
        before: { intent: 'none', correct: false },
        after: { intent: 'yes', correct: true },
      },
      {
        nodeId: 'q',
        expected: 'none',
        before: { intent: 'none', correct: true },
        after: { intent: 'no', correct: false },
      },
    ]);
    expect((await rejection(labels.accuracy({ name: 'order', version: 9 }))).message).toBe(
      'Flow "order" has no version 9 (the latest is 2)',
    );
  });

  it('reads a plaintext clip an older version wrote, and again once it is encrypted at start', async () => {
    const heard: number[] = [];
    const recognizer: ClipRecognizer = {
      forFlow: () =>
        Promise.resolve(
          new Map([
            [
              'q',
              (samples: Int16Array) => {
                heard.push(samples.length);
                return Promise.resolve({
                  noMatch: false,
                  intent: 'yes',
                  confidence: 0.9,
                  startMs: 0,
                  endMs: 0,
                  alternatives: [],
                });
              },
            ],
          ]),
        ),
    };
    const { labels, recordingsDir, keys } = await setUp(recognizer);
    const label = await labels.label({
      callId: 'call-1',
      startMs: 1_500,
      intent: 'yes',
      actor: 'ana',
    });
    // What an older version left: the same clip as a plain 16 kHz mono WAV.
    const file = join(recordingsDir, ...label.clipPath.split('/'));
    const old = await readAudioFile(file, () => keys);
    await writeFile(file, old);
    const evaluated = async () => {
      let result = await labels.accuracy({ name: 'order', version: 1, before: 1 });
      for (let i = 0; i < 50 && result.state === 'running'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        result = await labels.accuracy({ name: 'order', version: 1, before: 1 });
      }
      return result;
    };
    expect(await evaluated()).toMatchObject({ state: 'done', after: { correct: 1, total: 1 } });
    expect(heard.at(-1)).toBe(0.9 * RATE);
    // A hand-made answer outside labelled/ stays as it is.
    const handMade = join(recordingsDir, 'yes-1.wav');
    await writeFile(handMade, old);
    const migrated = await encryptPlainLabelClips(join(recordingsDir, 'labelled'), keys);
    expect(migrated).toEqual({ encrypted: [file], failed: [] });
    expect((await readFile(file)).subarray(0, 6).toString('latin1')).toBe('OBREC1');
    expect(await readFile(handMade)).toEqual(old);
    // The same WAV once decrypted (so its training id and cached model stay), and it still reads.
    expect(await readAudioFile(file, () => keys)).toEqual(old);
    await mkdir(join(recordingsDir, 'labelled', 'empty'), { recursive: true });
    expect(await encryptPlainLabelClips(join(recordingsDir, 'labelled'), keys)).toEqual({
      encrypted: [],
      failed: [],
    });
  });
});
