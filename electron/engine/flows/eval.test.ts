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
import { writeEncryptedClip } from '../recording/index.js';
import { testKeys } from '../recording/testing/keys.js';
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

/** One question with intents of each polarity: positive (yes, paid), negative (no, refuse), neutral (later). */
const bill: Flow = validateFlow({
  id: 'bill',
  name: 'bill',
  language: 'en',
  start: 'ask',
  nodes: {
    ask: {
      kind: 'ask',
      prompt: 'Can you pay today?',
      intents: [
        { name: 'yes', use: 'affirm', next: 'end' },
        { name: 'paid', use: 'already_done', next: 'end' },
        { name: 'no', use: 'deny', next: 'end' },
        { name: 'refuse', use: 'not_interested', next: 'end' },
        { name: 'later', examples: ['next week', 'on friday'], next: 'end' },
      ],
      noInput: { next: 'end' },
      noMatch: { next: 'end' },
    },
    end: { kind: 'hangup', disposition: 'done' },
  },
});

/**
 * A flow whose classifier answers from a script (text → intent, else `fallback`), for sure and
 * outside the band: what the figures make of a given decision, whatever the real NLU would say.
 */
function scripted(flow: Flow, answers: Record<string, string>, fallback = 'none'): CompiledFlow {
  return new (class extends CompiledFlow {
    override classifier(): IntentClassifier {
      return new (class extends IntentClassifier {
        override classify(text: string): IntentResult {
          const intent = answers[text] ?? fallback;
          return {
            ...super.classify(text),
            intent: intent === 'none' ? 'no_match' : intent,
            confidence: 0.9,
            uncertain: false,
            ranked: intent === 'none' ? [] : [{ intent, confidence: 0.9, score: 0.9 }],
          };
        }
      })({ x: ['x'] });
    }
  })(flow);
}

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

  it("reads the held-out sets' format: flow:<id>/<node> targets (others skipped), library lines, tags", () => {
    const { cases, library, skipped } = parseTextSet(
      [
        "no I can't\treschedule\tflow:appointment-confirm-en/confirm\tneg=confirm,colloq",
        'yes\tconfirm\tflow:appointment-confirm-en/confirm\t',
        '不用了\trefuse\tflow:bill-reminder-zh/ask_pay\tneg',
        'yes\taffirm\tlibrary\t',
        'the cat sat\tnone\tflow:appointment-confirm-en/confirm\tofftopic',
        'not a problem\taffirm\tlibrary\tneg=deny',
        // neg= may name a common answer that one intent of the question uses.
        "I won't miss it\tconfirm\tflow:appointment-confirm-en/confirm\tneg=deny",
      ].join('\n'),
      appointment,
    );
    expect(skipped).toBe(1);
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
      { line: 5, input: 'the cat sat', expected: 'none', nodeId: 'confirm', offTopic: true },
      {
        line: 7,
        input: "I won't miss it",
        expected: 'confirm',
        nodeId: 'confirm',
        negation: true,
        never: ['reschedule'],
      },
    ]);
    // Library lines are read against the common-answer library on its own (question `library`).
    expect(library).toEqual([
      { line: 4, input: 'yes', expected: 'affirm', nodeId: 'library' },
      {
        line: 6,
        input: 'not a problem',
        expected: 'affirm',
        nodeId: 'library',
        negation: true,
        never: ['deny'],
      },
    ]);
    expect(parseTextSet('yes\taffirm\tlibrary', delivery)).toMatchObject({
      cases: [],
      library: [{ expected: 'affirm', nodeId: 'library' }],
    });
    expect(
      problems(() => parseTextSet('yes\tpaid\tflow:bill-reminder-zh/ask_pay', delivery)),
    ).toEqual(['none of the test set\'s 1 lines is for flow "delivery" or the library']);
  });

  it('names a tag that contradicts its line, and a library line with no such common answer', () => {
    expect(
      problems(() =>
        parseTextSet(
          [
            'yes\thome\t\tofftopic',
            'no\taway\t\tneg=maybe',
            'no\taway\t\tneg=away',
            'hmm\tmaybe\tlibrary',
            'hmm\tnone\tlibrary\tneg=nope',
            'fine\thome\t\tneg=deny,polite',
          ].join('\n'),
          delivery,
        ),
      ),
    ).toEqual([
      'line 1: tagged offtopic but expects "home" (an off-topic line expects none)',
      'line 2: tag "neg=maybe": "maybe" is not an intent of question "ask" (home, away)',
      'line 3: tag "neg=away" names the expected intent itself (neg=<intent> names the line\'s opposite)',
      'line 4: "maybe" is not an intent of the common-answer library (affirm, deny, busy, agent, wrong_person, who_are_you, why_calling, not_interested, opt_out, repeat, already_done, complaint, or none)',
      'line 5: tag "neg=nope": "nope" is not an intent of the common-answer library (affirm, deny, busy, agent, wrong_person, who_are_you, why_calling, not_interested, opt_out, repeat, already_done, complaint)',
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

  it('a negated line taken as its positive opposite is a negation error; a none line accepted outright is a false accept', () => {
    const { cases } = parseTextSet(
      ['nobody will be home\taway', 'no\taway', 'yes\tnone', 'someone will be home\thome'].join(
        '\n',
      ),
      delivery,
    );
    // A classifier that gets every line wrong the same way: always "home", for sure.
    const report = evaluateText(scripted(delivery, {}, 'home'), cases);
    expect(report.items.map((i) => [i.negated, i.negationError, i.falseAccept])).toEqual([
      [true, true, false],
      [true, true, false],
      [false, false, true],
      [false, false, false],
    ]);
    expect(report).toMatchObject({ negated: 2, negationErrors: 2, falseAccepts: 1, correct: 1 });
    expect(report.falseAcceptRate).toBe(1);
  });

  it('negation errors are a negated answer taken as its opposite, not any wrong answer to a negated line', () => {
    const { cases } = parseTextSet(
      [
        // Double negatives meaning yes: the opposite is a negative intent.
        'not a problem\tyes\t\tneg', // taken as paid (positive too): wrong, not a negation error
        'not a problem at all\tyes\t\tneg', // taken as no: negation error
        'I would not say no\tyes\t\tneg', // taken as later (neutral): wrong only
        // A negated "no": the opposite is a positive intent.
        "I haven't paid\tno\t\tneg", // taken as paid: negation error
        "I haven't paid yet\tno\t\tneg", // taken as refuse (negative too): wrong only
        // A negated line at a neutral intent: a positive one is its opposite.
        "not today, I can't\tlater\t\tneg", // taken as yes: negation error
        // neg= names the opposite whatever its polarity.
        "don't call before five\tlater\t\tneg=refuse", // taken as refuse: negation error
        // Untagged, but the yes/no reader hears a no.
        'no, not yet\tlater', // taken as paid: negation error
        'sure\tyes', // taken as no: wrong, the line is not negated
      ].join('\n'),
      bill,
    );
    const report = evaluateText(
      scripted(bill, {
        'not a problem': 'paid',
        'not a problem at all': 'no',
        'I would not say no': 'later',
        "I haven't paid": 'paid',
        "I haven't paid yet": 'refuse',
        "not today, I can't": 'yes',
        "don't call before five": 'refuse',
        'no, not yet': 'paid',
        sure: 'no',
      }),
      cases,
    );
    expect(report.items.map((i) => [i.input, i.correct, i.negated, i.negationError])).toEqual([
      ['not a problem', false, true, false],
      ['not a problem at all', false, true, true],
      ['I would not say no', false, true, false],
      ["I haven't paid", false, true, true],
      ["I haven't paid yet", false, true, false],
      ["not today, I can't", false, true, true],
      ["don't call before five", false, true, true],
      ['no, not yet', false, true, true],
      ['sure', false, false, false],
    ]);
    expect(report).toMatchObject({ negated: 8, negationErrors: 5, wrongIntent: 9 });
  });

  it('reports false accepts over all none lines and off-topic false accepts over the lines tagged offtopic', () => {
    const { cases } = parseTextSet(
      [
        'the octopus painted a tractor\tnone\t\tofftopic',
        'what a lovely day\tnone\t\tofftopic,polite',
        'is this the gas company\tnone', // no intent covers it; not off-topic
        'yes\thome',
      ].join('\n'),
      delivery,
    );
    const report = evaluateText(
      scripted(delivery, {
        'the octopus painted a tractor': 'home',
        'is this the gas company': 'away',
        yes: 'home',
      }),
      cases,
    );
    expect(report.items.map((i) => [i.offTopic, i.falseAccept])).toEqual([
      [true, true],
      [true, false],
      [false, true],
      [false, false],
    ]);
    expect(report).toMatchObject({
      offTopic: 3,
      falseAccepts: 2,
      offTopicTagged: 2,
      offTopicFalseAccepts: 1,
      offTopicFalseAcceptRate: 0.5,
      library: null,
      whole: null,
    });
    expect(report.falseAcceptRate).toBeCloseTo(2 / 3);
    // A set without offtopic tags gives no off-topic figure (it is not invented from none lines).
    const untagged = evaluateText(
      scripted(delivery, {}, 'home'),
      parseTextSet('the octopus painted a tractor\tnone', delivery).cases,
    );
    expect(untagged).toMatchObject({
      falseAccepts: 1,
      falseAcceptRate: 1,
      offTopicTagged: 0,
      offTopicFalseAccepts: 0,
      offTopicFalseAcceptRate: null,
    });
  });

  it("runs library lines through the common-answer library on its own: the library's part and the whole set", () => {
    const set = parseTextSet(
      [
        'yes\thome',
        'nobody will be home\taway\t\tneg',
        'yes\taffirm\tlibrary',
        'stop calling me\topt_out\tlibrary',
        'talk to a person please\tagent\tlibrary',
        'the octopus painted a tractor\tnone\tlibrary\tofftopic',
      ].join('\n'),
      delivery,
    );
    const report = evaluateText(delivery, set.cases, { library: set.library });
    // The top-level figures stay the flow's own questions.
    expect(report).toMatchObject({ flow: 'delivery', lines: 2, correct: 2, offTopicTagged: 0 });
    expect(report.items.map((i) => i.nodeId)).toEqual(['ask', 'ask']);
    expect(report.library).toMatchObject({
      lines: 4,
      correct: 4,
      inScope: 3,
      offTopic: 1,
      offTopicTagged: 1,
      offTopicFalseAccepts: 0,
      offTopicFalseAcceptRate: 0,
    });
    expect(report.library?.items.map((i) => [i.nodeId, i.expected, i.got])).toEqual([
      ['library', 'affirm', 'affirm'],
      ['library', 'opt_out', 'opt_out'],
      ['library', 'agent', 'agent'],
      ['library', 'none', 'none'],
    ]);
    expect(report.library?.perIntent.map((p) => `${p.nodeId}/${p.intent}`)).toEqual([
      'library/affirm',
      'library/agent',
      'library/opt_out',
    ]);
    expect(report.library?.labels.at(-1)).toBe('none');
    expect(report.whole).toMatchObject({
      lines: 6,
      correct: 6,
      accuracy: 1,
      inScope: 5,
      offTopic: 1,
      offTopicTagged: 1,
      negated: report.negated + (report.library?.negated ?? 0),
    });
    // A set of library lines alone: the flow's part is empty, the library's holds them.
    const alone = parseTextSet('yes\taffirm\tlibrary', delivery);
    const only = evaluateText(delivery, alone.cases, { library: alone.library });
    expect(only).toMatchObject({ lines: 0, accuracy: null, whole: { lines: 1, correct: 1 } });
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

  it("reads a question's folder of label clips, encrypted at rest, with the workspace keys", async () => {
    const set = join(dir, 'label-clips');
    mkdirSync(join(set, 'home'), { recursive: true });
    const keys = testKeys();
    const samples = Int16Array.from({ length: 8000 }, (_, i) => Math.round(3000 * Math.sin(i / 5)));
    await writeEncryptedClip(join(set, 'home', 'call-1-2000.wav'), keys, 16_000, samples, {
      callId: 'call-1',
    });
    const clips = await readAudioSet(set, delivery, undefined, () => keys);
    expect(clips.map((c) => [c.input, c.expected])).toEqual([['home/call-1-2000.wav', 'home']]);
    expect(clips[0]?.samples).toEqual(samples);
    await expect(readAudioSet(set, delivery)).rejects.toThrow(
      /call-1-2000\.wav: not a usable WAV file \(.*it is encrypted and no recording keys were given\)/,
    );
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
