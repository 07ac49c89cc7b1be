import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { encodeWav } from '../audio/index.js';
import {
  APPOINTMENT_EN,
  BILL_REMINDER_ZH,
  checkFlow,
  type Flow,
  type NodeOf,
  validateFlow,
} from '../dialog/index.js';
import { writeEncryptedClip } from '../recording/index.js';
import { testKeys } from '../recording/testing/keys.js';
import type { PhraseModel, QuestionSpec, SpeechWorkerPool } from '../speech/index.js';
import { hesitationQuestion } from './hesitations.js';
import {
  askQuestion,
  askUses,
  loadRecordings,
  PhraseModels,
  questionKey,
  staticPrompts,
} from './phrase-models.js';
import { defaultVoice } from './prompts.js';

describe('the phrase questions of a flow', () => {
  it("takes each ask node's example phrases in the flow's language, once each, with their intents", () => {
    const flow = validateFlow(BILL_REMINDER_ZH);
    const question = askQuestion(flow.nodes.ask_pay as NodeOf<'ask'>, flow.language);
    expect(question?.language).toBe('zh-CN');
    expect(question?.phrases).toContainEqual({ text: '明天还', intent: 'tomorrow' });
    expect(question?.phrases).toContainEqual({ text: '转人工', intent: 'agent' });
    expect(new Set(question?.phrases.map((p) => p.text)).size).toBe(question?.phrases.length);
  });

  it('splits a mixed example list by script, and gives no question when nothing is left', () => {
    const node = {
      id: 'q',
      kind: 'ask',
      prompt: 'x',
      intents: [
        { name: 'yes', examples: ['yes', '是的', 'Yes '], next: 'q' },
        { name: 'time', entity: 'datetime', next: 'q' },
      ],
    } as unknown as NodeOf<'ask'>;
    expect(askQuestion(node, 'en')?.phrases).toEqual([{ text: 'yes', intent: 'yes' }]);
    expect(askQuestion(node, 'zh-CN')?.phrases).toEqual([{ text: '是的', intent: 'yes' }]);
    const none = {
      ...node,
      intents: [{ name: 'time', entity: 'datetime', next: 'q' }],
    } as unknown as NodeOf<'ask'>;
    expect(askQuestion(none, 'en')).toBeNull();
  });

  it('keys a question by its content, so the same phrases share one trained model', () => {
    const a = { language: 'en' as const, phrases: [{ text: 'yes', intent: 'y' }] };
    expect(questionKey(a)).toBe(
      questionKey({ language: 'en', phrases: [{ text: 'yes', intent: 'y' }] }),
    );
    expect(questionKey(a)).not.toBe(
      questionKey({ language: 'en', phrases: [{ text: 'yes', intent: 'ok' }] }),
    );
  });

  it('lists the prompts without {variables} for rendering once per version', () => {
    const flow = validateFlow(APPOINTMENT_EN);
    const prompts = staticPrompts(flow);
    expect(prompts).toContain('No problem. When is a good time to call you back?');
    // The disclosure opens every call: rendered with the flow, never per call.
    expect(prompts[0]).toBe('This call is from an automated AI assistant and is recorded.');
    expect(prompts.some((p) => p.includes('{'))).toBe(false);
    expect(prompts.some((p) => p.startsWith('Hello'))).toBe(false); // the greeting has {name}
    // The confirmations of spoken answers too: they depend on the intent alone.
    expect(prompts).toContain("Just to check: you'd like us to stop calling you, is that right?");
    expect(prompts.filter((p) => p.startsWith('Just to check:')).length).toBeGreaterThan(3);
    const never = {
      ...flow,
      nodes: Object.fromEntries(
        Object.entries(flow.nodes).map(([id, node]) => [
          id,
          node.kind === 'ask' ? { ...node, confirm: 'never' as const } : node,
        ]),
      ),
    };
    expect(staticPrompts(never).some((p) => p.startsWith('Just to check:'))).toBe(false);
  });
});

describe('recordings an admin adds to an answer', () => {
  const node = (recordings: string[]): NodeOf<'ask'> =>
    ({
      id: 'ask_pay',
      kind: 'ask',
      prompt: 'x',
      intents: [{ name: 'paid', examples: ['已经还了'], recordings, next: 'ask_pay' }],
    }) as unknown as NodeOf<'ask'>;

  it('reads them as 16 kHz mono and names node, intent and file when one is missing, unreadable or too short', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'phrase-recordings-'));
    const tone = new Float32Array(8000).map((_, i) => 0.3 * Math.sin(i / 3));
    await writeFile(join(dir, 'good.wav'), encodeWav({ sampleRate: 8000, channels: [tone] }));
    await writeFile(
      join(dir, 'short.wav'),
      encodeWav({ sampleRate: 16000, channels: [new Float32Array(800)] }),
    );
    await writeFile(join(dir, 'junk.wav'), 'not a wav');
    const [good] = await loadRecordings(node(['good.wav']), dir);
    expect(good?.samples.length).toBe(16000);
    expect(good?.id).toMatch(/^good\.wav#[0-9a-f]{16}$/);
    await expect(loadRecordings(node(['gone.wav']), dir)).rejects.toThrow(
      `node "ask_pay", intent "paid": recording "gone.wav" is not in ${dir}`,
    );
    await expect(loadRecordings(node(['junk.wav']), dir)).rejects.toThrow(
      /recording "junk.wav" is not a usable WAV file/,
    );
    await expect(loadRecordings(node(['short.wav']), dir)).rejects.toThrow(
      /lasts 50 ms; an answer is 0.2–15 s/,
    );
  });

  it('decrypts a label clip in the engine (asking for the keys only then), with the id its plain WAV had', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'phrase-recordings-'));
    const tone = new Int16Array(8000).map((_, i) => Math.round(9000 * Math.sin(i / 3)));
    await writeFile(join(dir, 'plain.wav'), encodeWav({ sampleRate: 16000, channels: [tone] }));
    const keys = testKeys();
    await writeEncryptedClip(join(dir, 'clip.wav'), keys, 16000, tone, { callId: 'c' });
    let asked = 0;
    const keysOnce = () => {
      asked++;
      return keys;
    };
    const [plain] = await loadRecordings(node(['plain.wav']), dir, keysOnce);
    expect(asked).toBe(0);
    const [clip] = await loadRecordings(node(['clip.wav']), dir, keysOnce);
    expect(asked).toBe(1);
    expect(clip?.samples).toEqual(tone);
    expect(plain?.samples).toEqual(tone);
    expect(clip?.id.split('#')[1]).toBe(plain?.id.split('#')[1]);
    await expect(loadRecordings(node(['clip.wav']), dir)).rejects.toThrow(
      /recording "clip.wav" cannot be read \(.*it is encrypted and no recording keys were given\)/,
    );
    await expect(loadRecordings(node(['clip.wav']), dir, testKeys)).rejects.toThrow(
      /node "ask_pay", intent "paid": recording "clip.wav" cannot be read/,
    );
  });

  it('refuses a recording path that leaves the folder, naming the node and field', () => {
    const raw = JSON.parse(JSON.stringify(BILL_REMINDER_ZH)) as {
      nodes: Record<string, { intents?: Array<{ recordings?: string[] }> }>;
    };
    raw.nodes.ask_pay!.intents![0]!.recordings = ['../secret.wav'];
    const check = checkFlow(raw);
    expect(check.flow).toBeNull();
    expect(check.errors.map((e) => e.text).join('\n')).toMatch(/ask_pay.*recordings/);
  });
});

describe('a question that uses the common-answer library', () => {
  const node = {
    id: 'ask_home',
    kind: 'ask',
    prompt: 'Will someone be home?',
    intents: [
      { name: 'yes', use: 'affirm', examples: ['someone will be there'], next: 'ask_home' },
      { name: 'no', use: 'deny', next: 'ask_home' },
      { name: 'later', use: 'busy', next: 'ask_home' },
    ],
  } as unknown as NodeOf<'ask'>;
  const onlyLibrary = {
    ...node,
    id: 'ask_ok',
    intents: [
      { name: 'ok', use: 'affirm', next: 'ask_ok' },
      { name: 'not_ok', use: 'deny', next: 'ask_ok' },
    ],
  } as unknown as NodeOf<'ask'>;
  const flow = {
    id: 'library-flow',
    language: 'en',
    nodes: { ask_home: node, ask_ok: onlyLibrary },
  } as unknown as Flow;

  /** A stand-in for the shipped library model (only its shape matters here). */
  async function libraryDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'library-models-'));
    const classes = [
      { phrase: 'yes', intent: 'affirm' },
      { phrase: 'no', intent: 'deny' },
      { phrase: null, intent: null },
    ];
    const model = {
      format: 'outbound-phrase-lr/1',
      key: 'k',
      language: 'en',
      classes,
      featureMean: [0],
      featureStd: [1],
      weights: classes.map(() => [0]),
      bias: classes.map(() => 0),
      threshold: 0.5,
      embedderVersion: '',
      tts: { id: 'espeak-ng', version: '1' },
      seed: 1,
      stats: {},
    };
    await writeFile(
      join(dir, 'common-answers.en.json'),
      JSON.stringify({
        format: 'outbound-common-answers/1',
        language: 'en',
        dataHash: 'abc',
        built: { commit: 'test', ms: 1 },
        model,
      }),
    );
    return dir;
  }

  it("trains only the intents' own examples, and maps each used answer to its intent", () => {
    expect(askQuestion(node, 'en')?.phrases).toEqual([
      { text: 'someone will be there', intent: 'yes' },
    ]);
    expect(askUses(node)).toEqual({ affirm: 'yes', deny: 'no', busy: 'later' });
    expect(askQuestion(onlyLibrary, 'en')).toBeNull();
  });

  it('gives every node that uses the library its model, and trains nothing for a node that only uses it', async () => {
    const trained: QuestionSpec[] = [];
    const fakeModel = { format: 'outbound-phrase-lr/1' } as unknown as PhraseModel;
    const pool = {
      train: (question: QuestionSpec) => {
        trained.push(question);
        return Promise.resolve(fakeModel);
      },
    } as unknown as SpeechWorkerPool;
    const models = new PhraseModels({
      pool: () => pool,
      cacheDir: await mkdtemp(join(tmpdir(), 'phrase-cache-')),
      libraryDir: await libraryDir(),
      voiceFor: defaultVoice,
    });
    const result = await models.train(flow);
    expect(result.nodes).toEqual(['ask_home']);
    // The question's own examples, then the language's hesitation spotter (once for every flow).
    expect(trained.map((q) => q.phrases)).toEqual([
      [{ text: 'someone will be there', intent: 'yes' }],
      hesitationQuestion('en').phrases,
    ]);
    const forFlow = await models.forFlow(flow);
    expect(forFlow.get('ask_home')).toMatchObject({
      model: fakeModel,
      library: { key: 'library-en-abc', uses: { affirm: 'yes', deny: 'no', busy: 'later' } },
    });
    expect(forFlow.get('ask_ok')).toMatchObject({
      model: null,
      library: { uses: { affirm: 'ok', deny: 'not_ok' } },
    });
    expect(trained).toHaveLength(2); // forFlow reuses the trained models, the library is never trained
  });

  it('says how to rebuild a missing library model', async () => {
    const models = new PhraseModels({
      pool: () => ({}) as SpeechWorkerPool,
      cacheDir: await mkdtemp(join(tmpdir(), 'phrase-cache-')),
      libraryDir: await mkdtemp(join(tmpdir(), 'no-library-')),
      voiceFor: defaultVoice,
    });
    await expect(
      models.forFlow({ ...flow, nodes: { ask_ok: onlyLibrary } } as unknown as Flow),
    ).rejects.toThrow(/library's en speech model is missing .*npm run build:library/);
  });
});
