/**
 * The phrase recognizer: training per question (the sample flows' ask nodes, default training
 * options, espeak-ng WASM), compute per utterance, and accuracy on held-apart synthetic voices and
 * on real human recordings (Debian's asterisk prompts).
 */
import { join } from 'node:path';

import { chunkFrames, floatToInt16, int16ToFloat } from '../../electron/engine/audio/index.js';
import { askQuestion } from '../../electron/engine/bot/phrase-models.js';
import { SAMPLE_FLOWS, validateFlow } from '../../electron/engine/dialog/index.js';
import {
  createRecognizer,
  normalizeLevel,
  offset,
  type PhraseModel,
  type PhraseSpec,
  type Recognizer,
  SpeechEmbedder,
  trainPhraseModel,
} from '../../electron/engine/speech/recognizers/index.js';
import {
  type EvalCase,
  type EvalOutcome,
  evaluate,
  summarize,
} from '../../electron/engine/speech/recognizers/phrase/testing.js';
import {
  EspeakWasmTts,
  FliteWasiTts,
  type TtsEngine,
  type TtsLanguage,
  type TtsOptions,
  type TtsResult,
  type TtsVoice,
} from '../../electron/engine/tts/index.js';
import { type BenchRow, ms, time } from '../harness.js';
import {
  ASTERISK_SOUNDS,
  asteriskTexts,
  EspeakCliTts,
  FliteTts,
  hasCommand,
  type ModelPaths,
  readWav16k,
} from './audio.js';

interface Question {
  /** Where it comes from, e.g. "appointment-confirm-en/confirm". */
  name: string;
  language: TtsLanguage;
  phrases: PhraseSpec[];
  /** Realistic answers outside the question's phrases (false-accept input besides UNRELATED). */
  offScript: string[];
}

/** Unrelated sentences (none of them in the trainer's DEFAULT_NEGATIVES). */
const UNRELATED: Record<TtsLanguage, string[]> = {
  en: [
    'I would like to order a pizza',
    'the weather is nice in spring',
    'my brother lives in Chicago',
    'what is your company called',
    'I never received that letter',
    'can you hear me now',
  ],
  'zh-CN': [
    '我想订一个披萨',
    '春天的天气很好',
    '我哥哥住在上海',
    '你们公司叫什么名字',
    '我没收到那封信',
    '你能听见我吗',
  ],
};
/** What people answer to "when?" questions: the agent-only questions must not take these as "agent". */
const TIME_ANSWERS: Record<TtsLanguage, string[]> = {
  en: ['next Tuesday at three pm', 'tomorrow morning', 'Monday at ten am'],
  'zh-CN': ['明天下午三点', '下周一', '后天上午十点'],
};

/** A held-apart way of speaking: an engine and voice settings the trainer never used. */
interface Speaker {
  label: string;
  tts: TtsEngine;
  settings: { voice: string; rate: number; pitch: number }[];
}

/** Memoizes synthesis (the same phrase is spoken for several questions). */
class MemoTts implements TtsEngine {
  private readonly memo = new Map<string, Promise<TtsResult>>();
  constructor(private readonly inner: TtsEngine) {}
  get id(): string {
    return this.inner.id;
  }
  get version(): string {
    return this.inner.version;
  }
  get languages(): readonly TtsLanguage[] {
    return this.inner.languages;
  }
  voices(): Promise<readonly TtsVoice[]> {
    return this.inner.voices();
  }
  synthesize(text: string, options: TtsOptions): Promise<TtsResult> {
    const key = JSON.stringify([text, options]);
    let result = this.memo.get(key);
    if (!result) {
      result = this.inner.synthesize(text, options);
      this.memo.set(key, result);
    }
    return result;
  }
}

/** The sample flows' questions as the engine trains them (bot/phrase-models.ts `askQuestion`). */
function flowQuestions(): { questions: Question[]; duplicates: string[] } {
  const questions: Question[] = [];
  const duplicates: string[] = [];
  for (const [flowId, raw] of Object.entries(SAMPLE_FLOWS)) {
    const flow = validateFlow(raw);
    for (const [nodeId, node] of Object.entries(flow.nodes)) {
      if (node.kind !== 'ask') continue;
      const spec = askQuestion(node, flow.language);
      if (!spec) continue;
      const language = spec.language;
      const phrases = [...spec.phrases];
      const name = `${flowId}/${nodeId}`;
      const same = questions.find(
        (q) => q.language === language && JSON.stringify(q.phrases) === JSON.stringify(phrases),
      );
      if (same) {
        duplicates.push(`${name} = ${same.name}`);
        continue;
      }
      const intents = new Set(phrases.map((p) => p.intent));
      questions.push({
        name,
        language,
        phrases,
        offScript: intents.size === 1 ? TIME_ANSWERS[language] : [],
      });
    }
  }
  return { questions, duplicates };
}

/** Synthesizes every case ahead, a few processes at a time (CLI engines: one process per clip), into the memo. */
async function prefetch(
  tts: TtsEngine,
  language: TtsLanguage,
  cases: readonly EvalCase[],
  concurrency = 3,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < cases.length) {
      const c = cases[next++]!;
      await tts.synthesize(c.text, { language, voice: c.voice, rate: c.rate, pitch: c.pitch });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

const share = (a: number, b: number): string =>
  b === 0 ? '—' : `${a}/${b} (${Math.round((a / b) * 100)} %)`;

function accuracyValues(outcomes: EvalOutcome[]): Record<string, string> {
  const s = summarize(outcomes);
  return {
    'top-1': share(s.top1, s.phrases),
    'accepted correct': share(s.acceptedCorrect, s.phrases),
    'false accepts': share(s.unrelated - s.rejected, s.unrelated),
    // Between the thresholds: neither taken nor refused, the dialog asks "Just to check: …".
    'uncertain (confirmed)': `${s.uncertainCorrect}/${s.phrases} right, ${s.unrelatedUncertain}/${s.unrelated} unrelated`,
  };
}

function describeQuestion(q: Question): string {
  return `${q.name} (${q.phrases.length} phrases, ${new Set(q.phrases.map((p) => p.intent)).size} intent${new Set(q.phrases.map((p) => p.intent)).size === 1 ? '' : 's'})`;
}

/** The words of the real-recordings question, the asterisk prompts that say them, and what marks an out-of-set prompt. */
const REAL_WORDS: { text: string; intent: string; recordings: string[] }[] = [
  { text: 'tomorrow', intent: 'tomorrow', recordings: ['digits/tomorrow'] },
  { text: 'today', intent: 'today', recordings: ['digits/today'] },
  { text: 'cancelled', intent: 'cancelled', recordings: ['cancelled'] },
  { text: 'goodbye', intent: 'goodbye', recordings: ['goodbye', 'vm-goodbye'] },
  { text: 'hello', intent: 'hello', recordings: ['hello'] },
  { text: 'no', intent: 'no', recordings: ['vm-no'] },
  { text: 'thank you', intent: 'thank_you', recordings: ['auth-thankyou', 'privacy-thankyou'] },
];
const REAL_WORDS_RE = /\b(tomorrow|today|cancel\w*|good\s*-?bye|bye|hello|no|thank\w*|thanks)\b/i;
const REAL_UNRELATED_MAX = 80;

async function recognizeReal(
  recognizer: Recognizer,
  samples: Int16Array,
): Promise<{
  top?: string;
  accepted?: string;
  noMatch: boolean;
  uncertain?: boolean;
  confidence: number;
}> {
  const x = floatToInt16(normalizeLevel(offset(int16ToFloat(samples), 3200, 4800), -22));
  recognizer.start();
  for (const frame of chunkFrames(x)) recognizer.push(frame);
  const r = await recognizer.finish();
  return {
    top: r.alternatives[0]?.intent,
    accepted: r.intent,
    noMatch: r.noMatch,
    ...(r.uncertain ? { uncertain: true } : {}),
    confidence: r.confidence,
  };
}

export async function phraseRows(
  paths: ModelPaths,
  progress: (line: string) => void,
): Promise<{ rows: BenchRow[]; notes: string[] }> {
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const embedder = await SpeechEmbedder.load({
    melPath: paths.mel,
    embeddingPath: paths.embedding,
  });
  const wasm = new EspeakWasmTts();
  // The engine trains with every engine of the language: espeak-ng WASM, plus flite (WASI) for English.
  const flite = new FliteWasiTts();
  await wasm.init();
  const tts = new MemoTts(wasm);
  try {
    const { questions, duplicates } = flowQuestions();
    if (duplicates.length)
      notes.push(`identical phrase sets trained once: ${duplicates.join('; ')}`);

    // --- Training as the engine does it: every espeak voice of the language (default variants/prosody/augmentation), plus flite for English.
    const models = new Map<Question, PhraseModel>();
    const trainSeconds: number[] = [];
    const perQuestion: string[] = [];
    for (const q of questions) {
      progress(`phrase: training ${describeQuestion(q)}`);
      const started = performance.now();
      const model = await trainPhraseModel(
        { language: q.language, phrases: q.phrases },
        { tts: wasm, extraEngines: [flite], embedder },
      );
      const seconds = (performance.now() - started) / 1000;
      trainSeconds.push(seconds);
      models.set(q, model);
      perQuestion.push(
        `${q.name} ${seconds.toFixed(1)} s (${q.phrases.length} phrases, ${model.stats.clips} clips)`,
      );
    }
    const sorted = [...trainSeconds].sort((a, b) => a - b);
    const medianTrain =
      sorted.length % 2
        ? sorted[(sorted.length - 1) / 2]!
        : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;

    // --- Compute per utterance (the confirm question: the largest model).
    const confirm =
      questions.find((q) => q.language === 'en' && q.phrases.length > 5) ?? questions[0]!;
    const recognizer = await createRecognizer('phrase', { model: models.get(confirm)!, embedder });
    const computeRows: BenchRow[] = [];
    for (const text of [
      'I need to reschedule',
      'can you call me back later because I am driving on the highway right now',
    ]) {
      const speech = int16ToFloat(
        (await tts.synthesize(text, { language: 'en', voice: 'en-us' })).samples,
      );
      const audio = floatToInt16(normalizeLevel(offset(speech, 3200, 4800), -22));
      const frames = chunkFrames(audio);
      const seconds = audio.length / 16000;
      const t = await time(async () => {
        recognizer.start();
        for (const f of frames) recognizer.push(f);
        await recognizer.finish();
      }, 40);
      computeRows.push({
        name: `Phrase recognizer: one ${seconds.toFixed(1)} s utterance (push 20 ms frames + finish)`,
        values: {
          median: ms(t.medianMs),
          p95: ms(t.p95Ms),
          p99: ms(t.p99Ms),
          'real-time factor': `${(t.medianMs / seconds).toFixed(1)} ms per s of audio (${(t.medianMs / seconds / 1000).toFixed(4)})`,
          detail: `${t.samples} runs, ${confirm.name} model (${models.get(confirm)!.classes.length} classes), embedder on 1 thread`,
        },
      });
    }
    rows.push({
      name: `Phrase training, per question (fresh, no cache)`,
      values: {
        median: `${medianTrain.toFixed(1)} s`,
        detail: `median of ${trainSeconds.length}: ${perQuestion.join('; ')}`,
      },
    });
    rows.push(...computeRows);

    // --- Held-apart synthetic speech.
    const speakers: Record<TtsLanguage, Speaker[]> = {
      // Base voices are all in training (the default uses every voice); the variants and prosody are not
      // (training: variants '', +f3, +m3, +f5; rates 0.85/1.15; pitches 35/65).
      en: [
        {
          label: 'espeak WASM, unseen variants +m7/+f2/+f4 and prosody',
          tts,
          settings: [
            { voice: 'en-us-nyc+m7', rate: 1, pitch: 50 },
            { voice: 'en-gb-x-gbcwmd+f2', rate: 0.92, pitch: 45 },
            { voice: 'en-us+f4', rate: 1.08, pitch: 58 },
          ],
        },
      ],
      'zh-CN': [
        {
          label: 'espeak WASM, unseen variants +m7/+f4/+f2 and prosody',
          tts,
          settings: [
            { voice: 'cmn+m7', rate: 1, pitch: 50 },
            { voice: 'cmn-latn-pinyin+f4', rate: 0.92, pitch: 45 },
            { voice: 'cmn+f2', rate: 1.08, pitch: 58 },
          ],
        },
      ],
    };
    if (await hasCommand('espeak-ng', ['--version'])) {
      speakers.en.push({
        label: 'Debian espeak-ng 1.51 CLI, variants +klatt4/+Andy',
        tts: new MemoTts(new EspeakCliTts()),
        settings: [
          { voice: 'en-us+klatt4', rate: 0.95, pitch: 45 },
          { voice: 'en-gb-x-rp+Andy', rate: 1.05, pitch: 55 },
        ],
      });
    } else notes.push('Debian espeak-ng CLI not installed: its row is missing');
    if (await hasCommand('flite', ['-lv'])) {
      speakers.en.push({
        label:
          'Debian flite voices slt/rms/awb (NOT held apart: training uses the same flite voices via WASI)',
        tts: new MemoTts(new FliteTts()),
        settings: [
          { voice: 'slt', rate: 1, pitch: 50 },
          { voice: 'rms', rate: 1, pitch: 50 },
          { voice: 'awb', rate: 0.95, pitch: 50 },
        ],
      });
    } else
      notes.push(
        'flite not installed (apt-get install -y flite failed or was not run): its row is missing',
      );

    const misses: string[] = [];
    for (const q of questions) {
      const recognizerQ = await createRecognizer('phrase', { model: models.get(q)!, embedder });
      for (const speaker of speakers[q.language]) {
        progress(`phrase: held-apart ${q.name}, ${speaker.label}`);
        const cases: EvalCase[] = [];
        for (const s of speaker.settings) {
          for (const p of q.phrases) cases.push({ text: p.text, intent: p.intent, ...s });
          for (const text of [...UNRELATED[q.language], ...q.offScript]) cases.push({ text, ...s });
        }
        if (speaker.tts !== tts) await prefetch(speaker.tts, q.language, cases); // evaluation audio only: not timed
        const outcomes = await evaluate(recognizerQ, speaker.tts, q.language, cases);
        for (const o of outcomes)
          if (o.intent ? o.top !== o.intent || o.noMatch : !o.noMatch)
            misses.push(
              `${q.name} ${o.voice}: "${o.text}" → ${o.top ?? '-'} ${o.confidence.toFixed(2)}${o.noMatch ? ' (no match)' : ''}`,
            );
        rows.push({
          name: `Accuracy, synthetic: ${describeQuestion(q)}, ${speaker.label}`,
          values: {
            ...accuracyValues(outcomes),
            detail: `${speaker.settings.length} settings × ${q.phrases.length} phrases; unrelated: ${UNRELATED[q.language].length}${q.offScript.length ? ` + ${q.offScript.length} time answers` : ''} sentences per setting; call-like path (noise 20 dB SNR, telephone)`,
          },
        });
      }
    }

    // --- Real human recordings (asterisk prompts, one speaker, 8 kHz).
    const texts = await asteriskTexts();
    if (!texts) {
      notes.push('asterisk-core-sounds-en-wav not installed: no real-recording rows');
    } else {
      const realQuestion: Question = {
        name: 'asterisk-words',
        language: 'en',
        phrases: REAL_WORDS.map((w) => ({ text: w.text, intent: w.intent })),
        offScript: [],
      };
      progress(
        `phrase: training the real-recordings question (${realQuestion.phrases.length} words)`,
      );
      const started = performance.now();
      const realModel = await trainPhraseModel(
        { language: 'en', phrases: realQuestion.phrases },
        { tts: wasm, extraEngines: [flite], embedder },
      );
      const realTrainS = (performance.now() - started) / 1000;
      const realRecognizer = await createRecognizer('phrase', { model: realModel, embedder });
      const positives = REAL_WORDS.flatMap((w) =>
        w.recordings.filter((r) => texts.has(r)).map((r) => ({ name: r, intent: w.intent })),
      );
      const realOutcomes: EvalOutcome[] = [];
      const realMisses: string[] = [];
      for (const p of positives) {
        const r = await recognizeReal(
          realRecognizer,
          await readWav16k(join(ASTERISK_SOUNDS, `${p.name}.wav`)),
        );
        realOutcomes.push({
          text: p.name,
          intent: p.intent,
          voice: 'asterisk',
          rate: 1,
          pitch: 50,
          ...r,
        });
        if (r.top !== p.intent || r.noMatch || r.uncertain)
          realMisses.push(
            `${p.name} → ${r.top ?? '-'} ${r.confidence.toFixed(2)}${r.noMatch ? ' (no match)' : r.uncertain ? ' (uncertain)' : ''}`,
          );
      }
      // Out of set: top-level prompts 0.4–3 s whose text has none of the words, spread over the alphabet.
      const candidates: { name: string; samples: Int16Array }[] = [];
      for (const [name, text] of [...texts].sort(([a], [b]) => a.localeCompare(b))) {
        if (name.includes('/') || REAL_WORDS_RE.test(text) || /^[[<]/.test(text)) continue;
        const samples = await readWav16k(join(ASTERISK_SOUNDS, `${name}.wav`));
        if (samples.length < 0.4 * 16000 || samples.length > 3 * 16000) continue;
        candidates.push({ name, samples });
      }
      const step = Math.max(1, candidates.length / REAL_UNRELATED_MAX);
      const unrelated = Array.from(
        { length: Math.min(REAL_UNRELATED_MAX, candidates.length) },
        (_, i) => candidates[Math.floor(i * step)]!,
      );
      const falseAccepts: string[] = [];
      for (const u of unrelated) {
        const r = await recognizeReal(realRecognizer, u.samples);
        realOutcomes.push({ text: u.name, voice: 'asterisk', rate: 1, pitch: 50, ...r });
        if (!r.noMatch && !r.uncertain)
          falseAccepts.push(
            `${u.name} "${texts.get(u.name)}" → ${r.accepted} ${r.confidence.toFixed(2)}`,
          );
      }
      // The same question on held-apart synthetic voices, for comparison with the real voice.
      const synthCases: EvalCase[] = [];
      for (const s of speakers.en[0]!.settings) {
        for (const p of realQuestion.phrases)
          synthCases.push({ text: p.text, intent: p.intent, ...s });
        for (const text of UNRELATED.en) synthCases.push({ text, ...s });
      }
      const synthOutcomes = await evaluate(realRecognizer, tts, 'en', synthCases);
      rows.push({
        name: `Accuracy, synthetic: asterisk-words question (${realQuestion.phrases.length} words, trained ${realTrainS.toFixed(1)} s), ${speakers.en[0]!.label}`,
        values: {
          ...accuracyValues(synthOutcomes),
          detail:
            'the real-recordings question spoken by held-apart espeak variants, for comparison',
        },
      });
      rows.push({
        name: `Accuracy, REAL human speech: asterisk prompts (1 speaker, 8 kHz), words ${REAL_WORDS.map((w) => `"${w.text}"`).join(', ')}`,
        values: {
          ...accuracyValues(realOutcomes),
          detail: `${positives.length} recordings of the words (${positives.map((p) => p.name).join(', ')}); unrelated: ${unrelated.length} other prompts 0.4–3 s. Misses: ${realMisses.join('; ') || 'none'}. False accepts: ${falseAccepts.slice(0, 6).join('; ') || 'none'}${falseAccepts.length > 6 ? '; …' : ''}`,
        },
      });
    }
    rows.push({
      name: 'Accuracy, REAL human speech, Mandarin',
      values: { detail: 'not measured: no real Mandarin recordings are available on this machine' },
    });
    for (const m of misses) progress(`  miss: ${m}`);
  } finally {
    await embedder.release();
  }
  return { rows, notes };
}
