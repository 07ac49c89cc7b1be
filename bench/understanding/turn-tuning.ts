/**
 * Tunes the bot's end of turn (bot/turn-detector.ts) on a tuning set of its own, never on the
 * held-out test/eval/audio/paused.*.tsv: bench/understanding/turn-tuning/<lang>.tsv, paused answers
 * (segments joined with 350–900 ms of silence) and complete answers said in one go, spoken by the
 * project's own TTS voices (espeak-ng WASM, and flite for English) through the call-like path.
 * Each answer is traced once (turns.ts: VAD, endpointer, the speculative recognition at every
 * pause, with the sample questions' models and the library's as the bench trains them), then every
 * rule variant below is replayed on the traces: false cut-offs on the paused answers, and the end
 * of turn after the last word (decision latency, stream time) on all answers and on the complete
 * ones. At every pause the hesitation spotter (bot/hesitations.ts) hears the words since the last
 * one, as CallBot has it do. Run: npm run tune:turns [-- --fresh] [--engine-cache] [--detail]
 * (traces are kept in node_modules/.cache/turn-tuning/; --fresh makes them again; --engine-cache
 * takes the models the engine already trained, the spotter included, instead of training them;
 * --detail prints every answer's pauses, what was heard and how each was judged).
 * `npm run tune:turns -- --short` instead asks what the spotter makes of short whole answers
 * ("yes", "go on", "sounds good") said by the bed's customer voices (Debian's espeak-ng CLI,
 * variants training never uses): each one it holds as a hesitation waits the full second.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import {
  floatToInt16,
  int16ToFloat,
  readWav,
  resample,
  toMono,
} from '../../electron/engine/audio/index.js';
import { askQuestion } from '../../electron/engine/bot/phrase-models.js';
import {
  heardHesitation,
  judgeTurn,
  TURN_RULES,
  type TurnRules,
} from '../../electron/engine/bot/turn-detector.js';
import { SileroModel } from '../../electron/engine/speech/index.js';
import {
  addNoise,
  createRng,
  normalizeLevel,
  offset,
  SpeechEmbedder,
  telephone,
} from '../../electron/engine/speech/recognizers/index.js';
import { EspeakWasmTts, FliteWasiTts, type TtsEngine } from '../../electron/engine/tts/index.js';
import { type EvalLanguage, joinWithPauses, soundBounds } from '../../test/eval/audio/voices.js';
import { speechCacheDir } from '../../test/support/speech-cache-dir.js';
import { percentile } from '../harness.js';
import { modelPaths } from '../speech/audio.js';
import { hearingKey, recognize, train } from './spoken.js';
import { targetsOf } from './targets.js';
import {
  replayTurn,
  RULE_VARIANTS,
  ruleOf,
  spotHesitation,
  traceTurn,
  trainHesitationModels,
  type TurnTrace,
} from './turns.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'turn-tuning');

interface TuningAnswer {
  segments: string[];
  pausesMs: number[];
  expected: string;
  target: string;
}

async function readTuning(language: EvalLanguage): Promise<TuningAnswer[]> {
  const path = join(import.meta.dirname, 'turn-tuning', `${language}.tsv`);
  const out: TuningAnswer[] = [];
  for (const [i, line] of (await readFile(path, 'utf8')).split('\n').entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [segments, pauses, expected, target] = line.split('\t');
    if (!segments || !pauses || !expected || !target)
      throw new Error(`${path}:${i + 1}: 4 columns expected`);
    const parts = segments.split(' / ').map((s) => s.trim());
    const pausesMs = pauses === '-' ? [] : pauses.split(',').map(Number);
    if (pausesMs.length !== parts.length - 1)
      throw new Error(`${path}:${i + 1}: one pause per " / "`);
    out.push({ segments: parts, pausesMs, expected, target });
  }
  return out;
}

/** The project's own voices (training uses them; the held-out bench never does). */
const VOICES: Record<
  EvalLanguage,
  Array<{ id: string; engine: 'espeak' | 'flite'; voice: string; rate: number; pitch?: number }>
> = {
  en: [
    { id: 'espeak en-us', engine: 'espeak', voice: 'en-us', rate: 1 },
    { id: 'espeak en-us+f3 slow', engine: 'espeak', voice: 'en-us+f3', rate: 0.85 },
    { id: 'flite awb', engine: 'flite', voice: 'awb', rate: 1 },
    { id: 'flite kal16 slow', engine: 'flite', voice: 'kal16', rate: 0.9 },
  ],
  'zh-CN': [
    { id: 'espeak cmn', engine: 'espeak', voice: 'cmn', rate: 1 },
    { id: 'espeak cmn+f3 slow', engine: 'espeak', voice: 'cmn+f3', rate: 0.85, pitch: 60 },
    { id: 'espeak cmn+m3 fast', engine: 'espeak', voice: 'cmn+m3', rate: 1.15, pitch: 40 },
  ],
};

/**
 * --engine-cache: on a machine too busy to train the sample questions again, the newest models the
 * engine already trained for the same phrases (OUTBOUND_SPEECH_CACHE, the test suite's cache) are
 * copied where spoken.ts's train() looks for kept models. For tuning only: the bench trains fresh.
 */
async function seedFromEngineCache(dir: string): Promise<void> {
  const cache = join(speechCacheDir(), 'phrase-models');
  await mkdir(dir, { recursive: true });
  const files = (await readdir(cache)).filter((f) => f.endsWith('.json'));
  const models = await Promise.all(
    files.map(async (f) => ({
      mtime: (await stat(join(cache, f))).mtimeMs,
      text: await readFile(join(cache, f), 'utf8'),
    })),
  );
  models.sort((a, b) => b.mtime - a.mtime);
  for (const language of ['en', 'zh-CN'] as const)
    for (const target of targetsOf(language).values()) {
      const question = askQuestion(target.node, language);
      if (!question || question.phrases.length === 0) continue;
      const want = JSON.stringify(question.phrases.map((p) => [p.text, p.intent]));
      const found = models.find((m) => {
        const model = JSON.parse(m.text) as {
          language: string;
          classes: Array<{ phrase: string | null; intent: string | null }>;
        };
        const have = model.classes.filter((c) => c.intent !== null && c.phrase !== null);
        return (
          model.language === language &&
          JSON.stringify(have.map((c) => [c.phrase, c.intent])) === want
        );
      });
      // Else the newest one of the same question as it was (the same intents, most of its
      // phrases): the flow's examples change now and then, and tuning needs a model, not that one.
      const close =
        found ??
        models.find((m) => {
          const model = JSON.parse(m.text) as {
            language: string;
            classes: Array<{ phrase: string | null; intent: string | null }>;
          };
          const have = new Set(
            model.classes.filter((c) => c.intent !== null).map((c) => `${c.phrase}|${c.intent}`),
          );
          const shared = question.phrases.filter((p) => have.has(`${p.text}|${p.intent}`)).length;
          return model.language === language && shared >= 0.75 * question.phrases.length;
        });
      if (!close) {
        console.error(`${target.id}: no model in the engine's cache, trained here`);
        continue;
      }
      if (!found) console.error(`${target.id}: an earlier version of the question's model`);
      const key = JSON.stringify([
        question.language,
        question.phrases.map((p) => [p.text, p.intent]),
      ]);
      await writeFile(
        join(dir, `${key.length}-${Buffer.from(key).toString('base64url').slice(-40)}.json`),
        close.text,
      );
      console.error(`${target.id}: the engine's cached model`);
    }
}

interface Traced {
  language: EvalLanguage;
  voice: string;
  answer: TuningAnswer;
  trace: TurnTrace;
}

async function makeTraces(): Promise<Traced[]> {
  const paths = await modelPaths();
  const embedder = await SpeechEmbedder.load({
    melPath: paths.mel,
    embeddingPath: paths.embedding,
  });
  const vad = await SileroModel.load(paths.vad);
  const espeak = new EspeakWasmTts();
  const flite = new FliteWasiTts();
  process.env.UNDERSTANDING_MODELS_DIR ??= join(
    ROOT,
    'node_modules',
    '.cache',
    'understanding-models',
  );
  if (process.argv.includes('--engine-cache'))
    await seedFromEngineCache(process.env.UNDERSTANDING_MODELS_DIR);
  const out: Traced[] = [];
  try {
    const { hearings } = await train(embedder, (line) => console.error(line));
    const spotters = (
      await trainHesitationModels(embedder, (line) => console.error(line), {
        engineCache: process.argv.includes('--engine-cache'),
      })
    ).models;
    const rng = createRng(41);
    for (const language of ['en', 'zh-CN'] as const) {
      const answers = await readTuning(language);
      for (const v of VOICES[language]) {
        console.error(`tracing ${language} ${v.id}`);
        const tts: TtsEngine = v.engine === 'flite' ? flite : espeak;
        for (const answer of answers) {
          const hearing = hearings.get(hearingKey(language, answer.target));
          if (!hearing) throw new Error(`no recognizer for ${answer.target}`);
          const clips: Int16Array[] = [];
          for (const text of answer.segments)
            clips.push(
              (
                await tts.synthesize(text, {
                  language,
                  voice: v.voice,
                  rate: v.rate,
                  ...(v.pitch ? { pitch: v.pitch } : {}),
                })
              ).samples,
            );
          let samples: Int16Array;
          let lastGapEnd = 0;
          if (clips.length === 1) {
            const b = soundBounds(clips[0]!)!;
            samples = clips[0]!.subarray(b.start, b.end);
          } else {
            const joined = joinWithPauses(clips, answer.pausesMs);
            samples = joined.samples;
            lastGapEnd = joined.gaps.at(-1)!.end / 16;
          }
          let x = offset(int16ToFloat(samples), 8000, 24000);
          x = telephone(addNoise(normalizeLevel(x, -22), 20, rng, 'pink'));
          const audio = floatToInt16(x);
          const trace = await traceTurn(
            vad,
            audio,
            (s) => recognize(hearing, embedder, s),
            language,
            lastGapEnd === 0 ? 0 : 500 + lastGapEnd,
            500 + samples.length / 16,
            (s) => spotHesitation(spotters.get(language)!, embedder, s),
          );
          out.push({ language, voice: v.id, answer, trace });
        }
      }
    }
  } finally {
    await vad.release();
    await embedder.release();
  }
  return out;
}

const VARIANTS: Array<readonly [string, Readonly<TurnRules>]> = [
  ...RULE_VARIANTS,
  ['product, confident 250', { ...TURN_RULES, confidentMs: 250 }],
  ['product, confident 350', { ...TURN_RULES, confidentMs: 350 }],
  ['product, unsure 550', { ...TURN_RULES, unsureMs: 550 }],
  ['product, unsure 800 (before)', { ...TURN_RULES, unsureMs: 800 }],
  ['product, hesitant 450', { ...TURN_RULES, hesitantMs: 450 }],
  ['product, hesitant 700', { ...TURN_RULES, hesitantMs: 700 }],
  ['product, one word < 500 ms', { ...TURN_RULES, oneWordMs: 500 }],
  ['product, filler on any stretch length', { ...TURN_RULES, fillerMaxMs: 0 }],
  ['product, filler stretch ≤ 1,300 ms', { ...TURN_RULES, fillerMaxMs: 1300 }],
  ['product, filler uncertain too', { ...TURN_RULES, fillerUncertain: true }],
  ['product, filler after an answer too (before)', { ...TURN_RULES, fillerAfterAnswer: true }],
  [
    'product, unsure 800, filler not over unsure',
    { ...TURN_RULES, unsureMs: 800, fillerOverUnsure: false },
  ],
  ['product, filler over hesitant too', { ...TURN_RULES, fillerOverHesitant: true }],
  ['product, filler 700', { ...TURN_RULES, fillerMs: 700 }],
  ['product, filler 850', { ...TURN_RULES, fillerMs: 850 }],
  ['product, long 1100 → 450 (left out)', { ...TURN_RULES, longSpeechMs: 1100, longMs: 450 }],
  ['product, spotted 300', { ...TURN_RULES, spottedMs: 300 }],
  ['product, spotted 600', { ...TURN_RULES, spottedMs: 600 }],
  ['product, spotted 800', { ...TURN_RULES, spottedMs: 800 }],
];

function report(traced: Traced[]): void {
  for (const language of ['en', 'zh-CN'] as const) {
    const mine = traced.filter((t) => t.language === language);
    const paused = mine.filter((t) => t.answer.pausesMs.length > 0);
    const complete = mine.filter((t) => t.answer.pausesMs.length === 0);
    console.log(
      `\n${language}: ${paused.length} paused answers, ${complete.length} complete ones (× voices)`,
    );
    for (const [name, rules] of VARIANTS) {
      const rule = ruleOf(rules);
      const outP = paused.map((t) => replayTurn(t.trace, rule));
      const outC = complete.map((t) => replayTurn(t.trace, rule));
      const lat = (o: typeof outP): string => {
        const l = o
          .flatMap((x) => (x.latencyMs === null ? [] : [x.latencyMs]))
          .sort((a, b) => a - b);
        return l.length ? `${percentile(l, 50).toFixed(0)}/${percentile(l, 95).toFixed(0)}` : '—';
      };
      const cut = outP.filter((o) => o.cutOff).length;
      console.log(
        `  ${name.padEnd(32)} cut-offs ${String(cut).padStart(3)}/${outP.length} (${((cut / outP.length) * 100).toFixed(1).padStart(5)} %)  latency p50/p95 complete ${lat(outC).padEnd(9)} all ${lat([...outP, ...outC])}`,
      );
    }
    if (process.argv.includes('--detail')) {
      const rule = ruleOf(TURN_RULES);
      for (const t of mine) {
        const o = replayTurn(t.trace, rule);
        const pauses = t.trace.pauses
          .map(
            (p) =>
              `[${p.internal ? 'in' : 'end'} ${Number.isFinite(p.silenceMs) ? p.silenceMs.toFixed(0) : '∞'} sp${p.evidence.speechMs.toFixed(0)} ${p.evidence.result?.noMatch ? 'nomatch' : `${p.evidence.result?.intent ?? '?'}${p.evidence.result?.uncertain ? '?' : ''}`} ${p.evidence.result?.confidence.toFixed(2)} "${p.evidence.result?.phrase ?? ''}" h:${p.evidence.hesitation ? `${p.evidence.hesitation.noMatch ? '-' : `${p.evidence.hesitation.intent ?? '?'}${p.evidence.hesitation.uncertain ? '?' : ''}`} ${p.evidence.hesitation.confidence.toFixed(2)} "${p.evidence.hesitation.phrase ?? ''}"` : '—'} → ${judgeTurn(p.evidence)}]`,
          )
          .join(' ');
        console.log(
          `${o.cutOff ? 'CUT ' : o.never ? 'NEVR' : '    '} ${t.voice.padEnd(20)} ${t.answer.segments.join(' … ').padEnd(34)} ${pauses}`,
        );
      }
    }
  }
}

/** Short whole answers: what the spotter must not hold (a held one waits END_FILLER_MS, not 300 ms). */
const SHORT_ANSWERS = [
  'yes',
  'yeah',
  'sure',
  'okay',
  'right',
  'correct',
  'yes please',
  'sounds good',
  "that's fine",
  'no problem',
  'absolutely',
  'go on',
  'fine',
  'of course',
  'please',
  'no',
  'nope',
  'tomorrow',
];

async function shortAnswers(): Promise<void> {
  const paths = await modelPaths();
  const embedder = await SpeechEmbedder.load({
    melPath: paths.mel,
    embeddingPath: paths.embedding,
  });
  const spotter = (
    await trainHesitationModels(embedder, (line) => console.error(line), { engineCache: true })
  ).models.get('en')!;
  const rng = createRng(3);
  let certain = 0;
  let any = 0;
  let n = 0;
  const wav = join(CACHE, 'short.wav');
  for (const [voice, wpm, pitch] of [
    ['en-us+m7', '150', '40'],
    ['en-us+klatt4', '175', '55'],
    ['en-us+f2', '160', '60'],
  ] as const) {
    const heard: string[] = [];
    for (const text of SHORT_ANSWERS) {
      execFileSync('espeak-ng', ['-v', voice, '-s', wpm, '-p', pitch, '-w', wav, '--', text]);
      const read = await readWav(wav);
      const clip = floatToInt16(resample(toMono(read.samples), read.sampleRate, 16_000));
      const b = soundBounds(clip)!;
      // The stretch as CallBot sends it: the words, 200 ms before and 100 ms after.
      let x = offset(int16ToFloat(clip.subarray(b.start, b.end)), 3200, 1600);
      x = telephone(addNoise(normalizeLevel(x, -22), 20, rng, 'pink'));
      const r = await spotHesitation(spotter, embedder, floatToInt16(x));
      const sure = heardHesitation(r, { ...TURN_RULES, fillerUncertain: false });
      const unsure = heardHesitation(r, { ...TURN_RULES, fillerUncertain: true });
      n++;
      if (sure) certain++;
      if (unsure) any++;
      heard.push(
        `${text}: ${r.noMatch ? '-' : `${r.intent ?? '?'}${r.uncertain ? '?' : ''}`}${unsure ? ' HELD' : ''}`,
      );
    }
    console.log(`${voice} ${wpm} wpm: ${heard.join(', ')}`);
  }
  console.log(
    `held as a hesitation: ${certain}/${n} (certain only), ${any}/${n} (uncertain too); product: ${TURN_RULES.fillerUncertain ? any : certain}/${n}`,
  );
  await embedder.release();
}

await mkdir(CACHE, { recursive: true });
if (process.argv.includes('--short')) {
  await shortAnswers();
  process.exit(0);
}
const file = join(CACHE, 'traces.json');
let traced: Traced[];
if (!process.argv.includes('--fresh') && existsSync(file)) {
  traced = (JSON.parse(await readFile(file, 'utf8')) as Traced[]).map((t) => ({
    ...t,
    trace: {
      ...t.trace,
      pauses: t.trace.pauses.map((p) => ({ ...p, silenceMs: p.silenceMs ?? Infinity })),
    },
  }));
} else {
  traced = await makeTraces();
  await writeFile(file, JSON.stringify(traced));
}
report(traced);
