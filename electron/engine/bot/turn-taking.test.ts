/**
 * The two pure deciders of turn-taking: InterruptionDetector (barge-in or false interruption) and
 * judgeTurn (how much silence ends a turn), fed by hand.
 */
import { describe, expect, it } from 'vitest';

import type { RecognitionResult } from '../speech/index.js';
import { ANSWER_INTENT, HESITATION_INTENT, hesitationQuestion } from './hesitations.js';
import {
  InterruptionDetector,
  isBackchannel,
  MIN_BARGE_IN_SPEECH_MS,
  RESUME_AFTER_SILENCE_MS,
  SURE_BARGE_IN_SPEECH_MS,
} from './interruption.js';
import {
  END_CONFIDENT_MS,
  END_DEFAULT_MS,
  END_FILLER_MS,
  END_HESITANT_MS,
  END_INCOMPLETE_MS,
  END_UNSURE_MS,
  endOfTurnSilenceMs,
  expectedSpeechMs,
  FILLER_MAX_SPAN_MS,
  heardHesitation,
  judgeTurn,
  soundsUnfinished,
  startsHesitant,
  TURN_RULES,
} from './turn-detector.js';

const result = (r: Partial<RecognitionResult> & { uncertain?: boolean }): RecognitionResult => ({
  confidence: 0.9,
  noMatch: false,
  startMs: 0,
  endMs: 0,
  alternatives: [],
  ...r,
});

const ctx = (nearEnd = false, affirm: string[] = []) => ({
  nearEnd,
  affirmIntents: new Set(affirm),
});

/** Windows of 32 ms from `fromMs`: speech (0.9) or silence (0.02). */
function feed(
  detector: InterruptionDetector,
  fromMs: number,
  count: number,
  speech: boolean,
  silenceStartMs?: number,
) {
  let verdict = null;
  for (let i = 0; i < count && !verdict; i++) {
    const startMs = fromMs + i * 32;
    verdict = detector.window(
      { probability: speech ? 0.9 : 0.02, startMs, endMs: startMs + 32 },
      speech ? undefined : (silenceStartMs ?? fromMs),
    );
  }
  return verdict;
}

describe('InterruptionDetector', () => {
  it(`is a barge-in at once after ${SURE_BARGE_IN_SPEECH_MS} ms of speech`, () => {
    const d = new InterruptionDetector(1000, 1096); // speech_start after 96 ms
    const windows = Math.ceil((SURE_BARGE_IN_SPEECH_MS - 96) / 32);
    expect(feed(d, 1096, windows - 1, true)).toBeNull();
    expect(feed(d, 1096 + (windows - 1) * 32, 1, true)).toMatchObject({
      kind: 'barge_in',
      reason: 'speech',
    });
  });

  it(`${MIN_BARGE_IN_SPEECH_MS} ms of speech nothing recognized, then silence, is a barge-in`, () => {
    const d = new InterruptionDetector(1000, 1096);
    feed(d, 1096, 20, true); // 96 + 640 ms
    expect(feed(d, 1736, 20, false, 1736)).toMatchObject({ kind: 'barge_in', speechMs: 736 });
  });

  it('a short sound then silence is a false interruption once the silence has lasted', () => {
    const d = new InterruptionDetector(1000, 1096);
    feed(d, 1096, 3, true); // 192 ms in all
    const quiet = RESUME_AFTER_SILENCE_MS / 32;
    expect(feed(d, 1192, quiet - 1, false, 1192)).toBeNull();
    expect(feed(d, 1192 + (quiet - 1) * 32, 1, false, 1192)).toEqual({
      kind: 'false_interruption',
      cause: 'short_speech',
      speechMs: 192,
    });
  });

  it('waits for a recognition in flight before resuming; a recognized answer is a barge-in', () => {
    const d = new InterruptionDetector(1000, 1096);
    d.recognitionStarted();
    expect(feed(d, 1096, 20, false, 1096)).toBeNull(); // long silence, result not back
    expect(d.recognized(result({ intent: 'no', phrase: 'no' }), ctx())).toEqual({
      kind: 'barge_in',
      reason: 'recognized',
      speechMs: 96,
      intent: 'no',
    });
  });

  it('a backchannel is not an answer, unless it lands on the last words of a question', () => {
    const early = new InterruptionDetector(0, 96);
    early.recognitionStarted();
    expect(early.recognized(result({ intent: 'yes', phrase: '嗯' }), ctx())).toBeNull();
    expect(early.speechEnded()).toEqual({
      kind: 'false_interruption',
      cause: 'backchannel',
      speechMs: 96,
      text: '嗯',
    });
    const late = new InterruptionDetector(0, 96);
    late.recognitionStarted();
    expect(late.recognized(result({ intent: 'yes', phrase: 'uh-huh' }), ctx(true))?.kind).toBe(
      'barge_in',
    );
  });

  it('a short answer of an intent that means "yes" is a backchannel too; a long one is an answer', () => {
    const short = new InterruptionDetector(0, 96);
    short.recognitionStarted();
    expect(
      short.recognized(
        result({ intent: 'confirm', phrase: 'sure thing' }),
        ctx(false, ['confirm']),
      ),
    ).toBeNull();
    expect(short.speechEnded()).toMatchObject({ kind: 'false_interruption', cause: 'backchannel' });
    const other = new InterruptionDetector(0, 96);
    other.recognitionStarted();
    expect(other.recognized(result({ intent: 'reschedule' }), ctx(false, ['confirm']))?.kind).toBe(
      'barge_in',
    );
  });

  it('on a prompt with no question model, the spotter names backchannels, even unsure ones, and decides no barge-in', () => {
    const spot = { nearEnd: false, affirmIntents: new Set(['affirm']), spotter: true };
    // A "好的" of 896 ms: over MIN_BARGE_IN_SPEECH_MS, yet a backchannel by the spotter.
    const d = new InterruptionDetector(1000, 1096);
    d.recognitionStarted();
    feed(d, 1096, 25, true); // 96 + 800 ms
    expect(
      d.recognized(result({ intent: 'affirm', phrase: '好的', uncertain: true }), spot),
    ).toBeNull();
    expect(feed(d, 1896, 20, false, 1896)).toEqual({
      kind: 'false_interruption',
      cause: 'backchannel',
      speechMs: 896,
      text: '好的',
    });
    // Anything else the spotter hears leaves it to the length: 896 ms is a barge-in.
    const e = new InterruptionDetector(1000, 1096);
    e.recognitionStarted();
    feed(e, 1096, 25, true);
    expect(e.recognized(result({ noMatch: true }), spot)).toBeNull();
    expect(feed(e, 1896, 20, false, 1896)).toMatchObject({ kind: 'barge_in', reason: 'speech' });
    // And speech still counts after a verdict (the end of turn weighs it).
    expect(e.speechMs).toBe(896);
  });

  it('an uncertain or no-match recognition decides nothing', () => {
    const d = new InterruptionDetector(0, 96);
    d.recognitionStarted();
    d.recognitionStarted();
    expect(d.recognized(result({ intent: 'no', uncertain: true }), ctx())).toBeNull();
    expect(d.recognized(result({ noMatch: true }), ctx())).toBeNull();
    expect(d.speechEnded()?.kind).toBe('false_interruption');
  });

  it('knows backchannels in both languages, not answers', () => {
    for (const word of ['嗯', '对', '对对', 'uh-huh', 'Uh huh.', 'OK', 'mm-hmm', 'yeah'])
      expect(isBackchannel(word), word).toBe(true);
    for (const word of ['no', '不是', 'talk to a person', '明天还', undefined])
      expect(isBackchannel(word), String(word)).toBe(false);
  });
});

describe('judgeTurn', () => {
  const at = (
    r: RecognitionResult | null | undefined,
    speechMs = 600,
    language: 'en' | 'zh-CN' = 'en',
  ) => judgeTurn({ result: r, speechMs, language });

  it('a confident, complete match ends quickly; unsure, no model and incomplete wait longer', () => {
    expect(at(result({ intent: 'yes', phrase: 'yes please' }))).toBe('confident');
    expect(at(result({ intent: 'yes', uncertain: true }))).toBe('unsure');
    expect(at(null)).toBe('default');
    expect(at(undefined)).toBe('incomplete');
    expect(at(result({ noMatch: true }))).toBe('incomplete');
    expect(at(result({ intent: 'yes', text: 'yes uh' }))).toBe('incomplete');
    expect(
      (['confident', 'hesitant', 'filler', 'unsure', 'default', 'incomplete'] as const).map((j) =>
        endOfTurnSilenceMs(j),
      ),
    ).toEqual([
      END_CONFIDENT_MS,
      END_HESITANT_MS,
      END_FILLER_MS,
      END_UNSURE_MS,
      END_DEFAULT_MS,
      END_INCOMPLETE_MS,
    ]);
    expect(END_CONFIDENT_MS).toBeLessThan(END_HESITANT_MS);
    expect(END_HESITANT_MS).toBeLessThan(END_INCOMPLETE_MS);
  });

  it('waits after a negation or hedge start ("no…", "I\'m not…", "不…", "可能…"), not after "no problem"', () => {
    for (const phrase of ['no', "no, I can't make it", "I'm not sure", 'maybe', 'not a good time'])
      expect(at(result({ intent: 'x', phrase }), 400), phrase).toBe('hesitant');
    for (const phrase of ['不', '不用了', '可能吧', '没有'])
      expect(at(result({ intent: 'x', phrase }), 400, 'zh-CN'), phrase).toBe('hesitant');
    for (const phrase of ['no problem', 'yes', 'sounds good'])
      expect(at(result({ intent: 'x', phrase }), 600), phrase).toBe('confident');
    expect(at(result({ intent: 'x', phrase: '没问题' }), 700, 'zh-CN')).toBe('confident');
    expect(startsHesitant('not bad')).toBe(false);
  });

  it('waits when the speech so far is far shorter than the phrase it matched', () => {
    const phrase = 'talk to a real person please';
    expect(expectedSpeechMs(phrase, 'en')).toBeGreaterThan(1000);
    expect(at(result({ intent: 'agent', phrase }), 300)).toBe('hesitant');
    expect(at(result({ intent: 'agent', phrase }), 1200)).toBe('confident');
    expect(expectedSpeechMs('明天下午三点', 'zh-CN')).toBe(6 * 210);
    // The tuning script turns the rules off one by one.
    const off = { ...TURN_RULES, hesitantStarts: false, shortOfPhraseShare: 0 };
    expect(
      judgeTurn(
        { result: result({ intent: 'agent', phrase }), speechMs: 300, language: 'en' },
        off,
      ),
    ).toBe('confident');
  });

  it('a sentence-length rule (a tuning variant, off in the product) shortens unsure and unmatched waits after long speech only', () => {
    const long = { ...TURN_RULES, longSpeechMs: 1100, longMs: 450 };
    const judge = (r: RecognitionResult | undefined, speechMs: number, rules = long) =>
      judgeTurn({ result: r, speechMs, language: 'en' }, rules);
    const unsure = result({ intent: 'confirm', phrase: "yes I'll be there", uncertain: true });
    expect(TURN_RULES.longSpeechMs).toBe(0);
    expect(judge(unsure, 1500, TURN_RULES)).toBe('unsure');
    expect(judge(unsure, 1500)).toBe('long');
    expect(judge(result({ noMatch: true }), 1500)).toBe('long');
    expect(endOfTurnSilenceMs('long', long)).toBe(450);
    // An opener before a pause is short; a trailing filler or digits still wait the maximum.
    expect(judge(unsure, 800)).toBe('unsure');
    expect(judge(result({ noMatch: true }), 800)).toBe('incomplete');
    expect(judge(result({ intent: 'time', text: 'call me at 5 5' }), 1500)).toBe('incomplete');
    expect(judge(undefined, 1500)).toBe('incomplete');
    // The hesitation spotter holds it like any answer-like match.
    const spotted = result({ intent: HESITATION_INTENT, phrase: 'you know what', endMs: 900 });
    expect(
      judgeTurn({ result: unsure, speechMs: 1500, language: 'en', hesitation: spotted }, long),
    ).toBe('filler');
  });

  it('an answer found at accept strength inside a longer utterance (spotted) is judged like a confident one', () => {
    const rules = { ...TURN_RULES, spottedMs: 450 };
    const judge = (r: RecognitionResult, speechMs = 2000, hesitation?: RecognitionResult) =>
      judgeTurn({ result: r, speechMs, language: 'en', hesitation }, rules);
    // "I'm busy right now, can you call me later": "call me later" found in a window.
    const found = result({
      intent: 'call_later',
      phrase: 'call me later',
      uncertain: true,
      spotted: true,
    });
    expect(judge(found)).toBe('spotted');
    expect(endOfTurnSilenceMs('spotted', rules)).toBe(450);
    // Off: it stays unsure. Merely uncertain (between the thresholds): unsure.
    expect(
      judgeTurn({ result: found, speechMs: 2000, language: 'en' }, { ...rules, spottedMs: 0 }),
    ).toBe('unsure');
    expect(judge(result({ intent: 'call_later', phrase: 'call me later', uncertain: true }))).toBe(
      'unsure',
    );
    // The confident answer's holds apply: a negation start, a trailing filler, a hesitation.
    expect(judge({ ...found, phrase: "no I can't" })).toBe('hesitant');
    expect(judge({ ...found, text: 'call me later uh' })).toBe('incomplete');
    expect(
      judge(found, 2000, result({ intent: HESITATION_INTENT, phrase: 'uh', endMs: 600 })),
    ).toBe('filler');
  });

  describe('the hesitation spotter on the words since the last pause', () => {
    const spotted = (r: Partial<RecognitionResult> & { uncertain?: boolean }) => result(r);
    const hesitation = spotted({ intent: HESITATION_INTENT, phrase: 'uh' });
    const judge = (
      r: RecognitionResult | null | undefined,
      h: RecognitionResult | null | undefined,
      rules = TURN_RULES,
    ) => judgeTurn({ result: r, speechMs: 400, language: 'en', hesitation: h }, rules);

    it('holds a confident match whose last words were only a filler or an opener', () => {
      // "uh…" taken for "yes" at full confidence: the spotter says it was a hesitation.
      expect(judge(result({ intent: 'confirm', phrase: 'yes', confidence: 1 }), hesitation)).toBe(
        'filler',
      );
      // A negation or hedge start keeps its own wait: a bare "no" is often heard as a hesitation.
      expect(judge(result({ intent: 'reschedule', phrase: 'no' }), hesitation)).toBe('hesitant');
      expect(
        judge(result({ intent: 'reschedule', phrase: 'no' }), hesitation, {
          ...TURN_RULES,
          fillerOverHesitant: true,
        }),
      ).toBe('filler');
      expect(endOfTurnSilenceMs('filler')).toBeGreaterThan(endOfTurnSilenceMs('hesitant'));
      expect(END_FILLER_MS).toBeLessThanOrEqual(END_INCOMPLETE_MS);
    });

    it('a short answer the spotter knows, no spotter, or its result not back yet: no cue, a confident answer still ends at once', () => {
      const yes = result({ intent: 'confirm', phrase: 'yes' });
      expect(judge(yes, spotted({ intent: ANSWER_INTENT, phrase: 'yes' }))).toBe('confident');
      expect(judge(yes, spotted({ noMatch: true, intent: undefined }))).toBe('confident');
      expect(judge(yes, undefined)).toBe('confident');
      expect(judge(yes, null)).toBe('confident');
      // Between the spotter's thresholds counts only when the rules say so (the product's do not:
      // the spotter is unsure of too many whole short answers, "go on", "sounds good").
      const unsure = spotted({ intent: HESITATION_INTENT, uncertain: true });
      expect(heardHesitation(unsure)).toBe(false);
      expect(judge(yes, unsure)).toBe('confident');
      expect(judge(yes, unsure, { ...TURN_RULES, fillerUncertain: true })).toBe('filler');
      // An answer the spotter is unsure of is no hesitation either way.
      expect(
        judge(yes, spotted({ intent: ANSWER_INTENT, phrase: 'yes', uncertain: true }), {
          ...TURN_RULES,
          fillerUncertain: true,
        }),
      ).toBe('confident');
    });

    it('only ever lengthens a wait: an unsure match already waits as long, incomplete and no-model stay', () => {
      // Unsure waits the hard maximum, as long as a filler: nothing to raise.
      expect(END_UNSURE_MS).toBe(END_INCOMPLETE_MS);
      expect(END_FILLER_MS).toBeLessThanOrEqual(END_UNSURE_MS);
      expect(judge(result({ intent: 'confirm', uncertain: true }), hesitation)).toBe('unsure');
      // With a shorter unsure wait (the rules before), a hesitation raises it to the filler wait.
      expect(
        judge(result({ intent: 'confirm', uncertain: true }), hesitation, {
          ...TURN_RULES,
          unsureMs: 800,
        }),
      ).toBe('filler');
      expect(
        judge(result({ intent: 'confirm', uncertain: true }), hesitation, {
          ...TURN_RULES,
          unsureMs: 800,
          fillerOverUnsure: false,
        }),
      ).toBe('unsure');
      expect(judge(result({ noMatch: true }), hesitation)).toBe('incomplete');
      expect(judge(undefined, hesitation)).toBe('incomplete');
      expect(judge(null, hesitation)).toBe('default');
      // Off (the tuning script's comparison): the recognizer's judgement alone.
      expect(
        judge(result({ intent: 'confirm', phrase: 'yes' }), hesitation, {
          ...TURN_RULES,
          fillerMs: 0,
        }),
      ).toBe('confident');
    });

    it('does not hold the words after an answer the recognizer already held at an earlier pause ("yes … please")', () => {
      const yesPlease = result({ intent: 'confirm', phrase: 'yes please', confidence: 1 });
      // "please" alone, heard as a hesitation: the "yes" before it was judged confident.
      const after = (answeredBefore: boolean, rules = TURN_RULES) =>
        judgeTurn(
          {
            result: yesPlease,
            speechMs: 800,
            language: 'en',
            hesitation: hesitation,
            answeredBefore,
          },
          rules,
        );
      expect(after(true)).toBe('confident');
      // A hesitation at the start of the utterance still holds ("uh… yes").
      expect(after(false)).toBe('filler');
      // The rules before: held either way.
      expect(after(true, { ...TURN_RULES, fillerAfterAnswer: true })).toBe('filler');
      // It only keeps the spotter out: what the recognizer itself doubts still waits.
      expect(
        judgeTurn({
          result: result({ intent: 'confirm', uncertain: true }),
          speechMs: 800,
          language: 'en',
          hesitation,
          answeredBefore: true,
        }),
      ).toBe('unsure');
      expect(
        judgeTurn({
          result: result({ intent: 'confirm', phrase: 'yes', text: 'yes uh' }),
          speechMs: 800,
          language: 'en',
          answeredBefore: true,
        }),
      ).toBe('incomplete');
    });

    it('a stretch too long to be a filler is no hesitation, whatever the spotter likens it to', () => {
      const yes = result({ intent: 'confirm', phrase: 'sounds good' });
      const span = (ms: number) =>
        spotted({
          intent: HESITATION_INTENT,
          phrase: 'one second',
          startMs: 5000,
          endMs: 5000 + ms,
        });
      expect(judge(yes, span(FILLER_MAX_SPAN_MS))).toBe('filler');
      expect(judge(yes, span(FILLER_MAX_SPAN_MS + 100))).toBe('confident');
      expect(judge(yes, span(FILLER_MAX_SPAN_MS + 100), { ...TURN_RULES, fillerMaxMs: 0 })).toBe(
        'filler',
      );
    });

    it('its phrases: fillers and openers against short answers, in both languages', () => {
      for (const language of ['en', 'zh-CN'] as const) {
        const q = hesitationQuestion(language);
        expect(q.language).toBe(language);
        const of = (intent: string) =>
          q.phrases.filter((p) => p.intent === intent).map((p) => p.text);
        expect(of(HESITATION_INTENT).length).toBeGreaterThan(15);
        expect(of(ANSWER_INTENT).length).toBeGreaterThan(15);
        // A phrase is never both: a bare "yes" must not be held.
        expect(of(HESITATION_INTENT).filter((t) => of(ANSWER_INTENT).includes(t))).toEqual([]);
      }
      expect(hesitationQuestion('en').phrases).toContainEqual({
        text: 'I think',
        intent: HESITATION_INTENT,
      });
      expect(hesitationQuestion('zh-CN').phrases).toContainEqual({
        text: '那个',
        intent: HESITATION_INTENT,
      });
      expect(hesitationQuestion('en').phrases).toContainEqual({
        text: 'yes',
        intent: ANSWER_INTENT,
      });
    });
  });

  it('hears a trailing filler or digits being dictated as unfinished', () => {
    for (const text of [
      'I think, uh',
      'well um',
      '我觉得那个',
      '嗯',
      'my number is 1 3 8',
      '一三八',
    ])
      expect(soundsUnfinished(text), text).toBe(true);
    for (const text of [
      'yes',
      'next Tuesday',
      '明天还',
      'umbrella',
      '',
      '下周一',
      '星期三',
      'on the 5',
    ])
      expect(soundsUnfinished(text), text).toBe(false);
  });
});
