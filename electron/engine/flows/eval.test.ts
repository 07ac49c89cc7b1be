/**
 * flows/eval.ts: the test-set readers name every bad line, and the figures mean what the report
 * says (accuracy, accepted-correct, false accepts, negation errors, the band, confusion).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { encodeWav } from '../audio/index.js';
import {
  APPOINTMENT_EN,
  CompiledFlow,
  type Flow,
  type NodeOf,
  validateFlow,
} from '../dialog/index.js';
import { IntentClassifier, type IntentResult } from '../nlu/intents.js';
import type { RecognitionResult } from '../speech/index.js';
import { EvalInputError, evaluateAudio, evaluateText, parseTextSet, readAudioSet } from './eval.js';

const appointment = validateFlow(APPOINTMENT_EN);

/** One question: home (use affirm) / away (use deny). */
const delivery: Flow = validateFlow({
  id: 'delivery',
  name: 'delivery',
  language: 'en',
  start: 'ask',
  nodes: {
    ask: {
      kind: 'ask',
      prompt: 'Will someone be home?',
      intents: [
        { name: 'home', use: 'affirm', examples: ['someone will be home', 'yes'], next: 'end' },
        { name: 'away', use: 'deny', examples: ['nobody will be home', 'no'], next: 'end' },
      ],
      noInput: { next: 'end' },
      noMatch: { next: 'end' },
    },
    end: { kind: 'hangup', disposition: 'done' },
  },
});

function problems(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EvalInputError);
    return (error as EvalInputError).problems;
  }
  throw new Error('expected an EvalInputError');
}

describe('parseTextSet', () => {
  it('reads text, expected and node; skips comments and blanks; maps a common answer to its intent', () => {
    const { cases, skipped } = parseTextSet(
      '# a comment\n\nsure thing\taffirm\nno way\taway\n\nwhat time is it\tnone\n',
      delivery,
    );
    expect(skipped).toBe(0);
    expect(cases).toEqual([
      { line: 3, input: 'sure thing', expected: 'home', nodeId: 'ask' },
      { line: 4, input: 'no way', expected: 'away', nodeId: 'ask' },
      { line: 6, input: 'what time is it', expected: 'none', nodeId: 'ask' },
    ]);
  });

  it("reads the held-out sets' format: flow:<id>/<node> targets (others skipped) and neg tags", () => {
    const { cases, skipped } = parseTextSet(
      [
        "no I can't\treschedule\tflow:appointment-confirm-en/confirm\tneg=confirm,colloq",
        'yes\tconfirm\tflow:appointment-confirm-en/confirm\t',
        '不用了\trefuse\tflow:bill-reminder-zh/ask_pay\tneg',
        'yes\taffirm\tlibrary\t',
      ].join('\n'),
      appointment,
    );
    expect(skipped).toBe(2);
    expect(cases).toEqual([
      {
        line: 1,
        input: "no I can't",
        expected: 'reschedule',
        nodeId: 'confirm',
        negation: true,
        never: ['confirm'],
      },
      { line: 2, input: 'yes', expected: 'confirm', nodeId: 'confirm' },
    ]);
    expect(problems(() => parseTextSet('yes\taffirm\tlibrary', delivery))).toEqual([
      'none of the test set\'s 1 lines is for flow "delivery"',
    ]);
  });

  it('names every bad line: columns, unknown intent, unknown node, no node in a many-question flow', () => {
    expect(
      problems(() => parseTextSet('yes\nfine\tmaybe\nok\thome\tnowhere\n\tnone', delivery)),
    ).toEqual([
      'line 1: expected text<TAB>expected[<TAB>node[<TAB>tags]], got 1 column',
      'line 2: "maybe" is not an intent of question "ask" (home, away, or none)',
      'line 3: no question "nowhere" in flow "delivery" (its questions: ask)',
      'line 4: the text is empty',
    ]);
    expect(problems(() => parseTextSet('yes\tconfirm', appointment))[0]).toMatch(
      /^line 1: flow "appointment-confirm-en" has 3 questions \(confirm, ask_new_time, ask_callback_time\)/,
    );
    expect(parseTextSet('yes\tconfirm', appointment, 'confirm').cases[0]?.nodeId).toBe('confirm');
    expect(problems(() => parseTextSet('# only a comment\n', delivery))).toEqual([
      'the test set has no lines (only comments or blanks)',
    ]);
  });
});

describe('evaluateText', () => {
  it('runs the lines through the ask node and counts accuracy, accepted-correct, false accepts, confusion', () => {
    const { cases } = parseTextSet(
      [
        'yes I can make it\tconfirm',
        'I need to reschedule\treschedule',
        'talk to a person\tagent',
        'stop calling me\topt_out',
        'purple elephants dance quietly\tnone',
        'yes\treschedule', // wrong on purpose
      ].join('\n'),
      appointment,
      'confirm',
    );
    const report = evaluateText(appointment, cases, { version: 3 });
    expect(report).toMatchObject({
      flow: 'appointment-confirm-en',
      version: 3,
      kind: 'text',
      lines: 6,
      inScope: 5,
      offTopic: 1,
    });
    expect(report.items.map((i) => i.got)).toEqual([
      'confirm',
      'reschedule',
      'agent',
      'opt_out',
      'none',
      'confirm',
    ]);
    expect(report.correct).toBe(5);
    expect(report.accuracy).toBeCloseTo(5 / 6);
    expect(report.acceptedCorrect).toBe(4);
    expect(report.falseAccepts).toBe(0);
    expect(report.wrongIntent).toBe(1);
    // Row reschedule (expected) has one line in column confirm (got).
    const at = (l: string) => report.labels.indexOf(l);
    expect(report.labels.at(-1)).toBe('none');
    expect(report.confusion[at('reschedule')]?.[at('confirm')]).toBe(1);
    expect(report.confusion[at('none')]?.[at('none')]).toBe(1);
    const reschedule = report.perIntent.find((p) => p.intent === 'reschedule');
    expect(reschedule).toMatchObject({ nodeId: 'confirm', lines: 2, correct: 1, taken: 1 });
    expect(reschedule?.recall).toBeCloseTo(0.5);
    expect(report.perIntent.find((p) => p.intent === 'confirm')?.precision).toBeCloseTo(0.5);
  });

  it('a negated line taken as its positive opposite is a negation error; an off-topic line accepted outright is a false accept', () => {
    const { cases } = parseTextSet(
      ['nobody will be home\taway', 'no\taway', 'yes\tnone', 'someone will be home\thome'].join(
        '\n',
      ),
      delivery,
    );
    // A classifier that gets every line wrong the same way: always "home", for sure.
    class Always extends CompiledFlow {
      override classifier(): IntentClassifier {
        return new (class extends IntentClassifier {
          override classify(text: string): IntentResult {
            return {
              ...super.classify(text),
              intent: 'home',
              confidence: 0.9,
              ranked: [{ intent: 'home', confidence: 0.9, score: 0.9 }],
            };
          }
        })({ x: ['x'] });
      }
    }
    const report = evaluateText(new Always(delivery), cases);
    expect(report.items.map((i) => [i.negated, i.negationError, i.falseAccept])).toEqual([
      [true, true, false],
      [true, true, false],
      [false, false, true],
      [false, false, false],
    ]);
    expect(report).toMatchObject({ negated: 2, negationErrors: 2, falseAccepts: 1, correct: 1 });
    expect(report.falseAcceptRate).toBe(1);
  });

  it('the band: an uncertain in-scope line counts when its candidate is right; an uncertain off-topic one is neither correct nor a false accept', () => {
    class Unsure extends CompiledFlow {
      override classifier(node: NodeOf<'ask'>): IntentClassifier | null {
        const real = super.classifier(node)!;
        return new (class extends IntentClassifier {
          override classify(text: string): IntentResult & { uncertain: boolean } {
            return { ...real.classify(text), confidence: 0.3, uncertain: true };
          }
        })({ x: ['x'] });
      }
    }
    const { cases } = parseTextSet(
      'someone will be home\thome\nsomeone will be home\tnone',
      delivery,
    );
    const report = evaluateText(new Unsure(delivery), cases);
    expect(report.items.map((i) => [i.got, i.uncertain, i.correct, i.falseAccept])).toEqual([
      ['home', true, true, false],
      ['home', true, false, false],
    ]);
    expect(report.uncertainShare).toBe(1);
  });
});

describe('audio sets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eval-audio-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tone = (ms: number, rate = 8000): Uint8Array =>
    encodeWav({
      sampleRate: rate,
      channels: [
        Int16Array.from({ length: (rate * ms) / 1000 }, (_, i) =>
          Math.round(3000 * Math.sin(i / 5)),
        ),
      ],
    });

  it('reads <expected>/<file>.wav folders (resampled to 16 kHz) and scores them with the recognizer', async () => {
    const set = join(dir, 'by-folder');
    mkdirSync(join(set, 'home'), { recursive: true });
    mkdirSync(join(set, 'none'), { recursive: true });
    writeFileSync(join(set, 'home', 'a.wav'), tone(500));
    writeFileSync(join(set, 'none', 'b.wav'), tone(300, 16_000));
    const clips = await readAudioSet(set, delivery);
    expect(clips.map((c) => [c.input, c.expected, c.nodeId, c.samples.length])).toEqual([
      ['home/a.wav', 'home', 'ask', 8000],
      ['none/b.wav', 'none', 'ask', 4800],
    ]);
    const result = (intent: string | null): RecognitionResult => ({
      ...(intent ? { intent } : {}),
      confidence: 0.8,
      noMatch: intent === null,
      startMs: 0,
      endMs: 500,
      alternatives: [],
    });
    const report = await evaluateAudio(delivery, clips, {
      recognizers: new Map([
        ['ask', async (s: Int16Array) => result(s.length === 8000 ? 'home' : 'away')],
      ]),
    });
    expect(report).toMatchObject({ kind: 'audio', lines: 2, correct: 1, falseAccepts: 1 });
    expect(report.items[0]?.matchedBy).toBe('recognizer');
  });

  it('reads labels.tsv and names its bad lines and files', async () => {
    const set = join(dir, 'labelled');
    mkdirSync(set, { recursive: true });
    writeFileSync(join(set, 'x.wav'), tone(400));
    writeFileSync(join(set, 'labels.tsv'), '# file\texpected\nx.wav\taffirm\n');
    expect((await readAudioSet(set, delivery)).map((c) => [c.input, c.expected])).toEqual([
      ['x.wav', 'home'],
    ]);
    writeFileSync(join(set, 'labels.tsv'), 'x.wav\thome\ny.wav\tnope\nbroken\n');
    await expect(readAudioSet(set, delivery)).rejects.toMatchObject({
      problems: [
        'labels.tsv line 3: expected file<TAB>expected[<TAB>node]',
        'labels.tsv line 2 (y.wav): "nope" is not an intent of question "ask" (home, away, or none)',
      ],
    });
    writeFileSync(join(set, 'labels.tsv'), 'missing.wav\thome\n');
    await expect(readAudioSet(set, delivery)).rejects.toThrow(
      /missing\.wav: not a usable WAV file/,
    );
  });
});
