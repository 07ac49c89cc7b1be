/**
 * The phrase trainer's DEVELOPMENT split (npm run dev:phrase -- …): what trainer options are tuned
 * on, never the held-out evaluation sets of test/eval/ (Festival kal/ked/slt, eSpeak 1.48 zh and
 * the espeak-ng CLI's cmn+klatt4, the English asterisk prompts). One sample question per language
 * is trained with the given options and heard as the recognizer hears it (trimmed, whole utterance
 * then windows, model.ts classifyEmbeddings) on:
 *
 * - its own phrases spoken by DEVELOPMENT voices: for English, flite's slt/rms/awb with the trainer
 *   using espeak-ng alone (an engine the model never heard, as Festival is for the evaluation;
 *   flite's kal16 is left out: it is the evaluation's kal speaker), and the espeak-ng CLI's Klatt
 *   variants klatt2/klatt3; for Mandarin, the espeak-ng CLI's cmn with klatt2/klatt3/klatt6 and the
 *   Andy and Storm variants (never klatt4, never eSpeak 1.48);
 * - off-topic sentences of the text library (not the trainer's garbage sentences) by the same voices;
 * - REAL speech no training sees: the garbage bank's Russian speaker, removed from the bank the
 *   trainer gets (it calibrates on the Italian speaker alone).
 *
 * Reported: accepted-correct, right after confirmation, false accepts (synthetic, real) at the
 * model's own thresholds, and at the threshold an oracle would pick (the lowest with real and
 * synthetic false accepts ≤ 5 %): the ranking the model has, apart from its calibration.
 *
 *   node --import tsx bench/understanding/phrase-dev.ts --lang en --name wide --opts '{"augmentations":4}'
 */
import { mkdirSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { floatToInt16, int16ToFloat } from '../../electron/engine/audio/index.js';
import { askQuestion } from '../../electron/engine/bot/phrase-models.js';
import { offTopicSentences } from '../../electron/engine/nlu/library/index.js';
import {
  addNoise,
  createRng,
  normalizeLevel,
  offset,
  telephone,
} from '../../electron/engine/speech/recognizers/phrase/augment.js';
import { DiskClipStore } from '../../electron/engine/speech/recognizers/phrase/clips.js';
import {
  type Matrix,
  SpeechEmbedder,
} from '../../electron/engine/speech/recognizers/phrase/embedder.js';
import {
  defaultGarbageBankPath,
  loadGarbageBank,
} from '../../electron/engine/speech/recognizers/phrase/garbage.js';
import {
  classifyEmbeddings,
  type PhraseModel,
} from '../../electron/engine/speech/recognizers/phrase/model.js';
import { trimSilence } from '../../electron/engine/speech/recognizers/phrase/recognizer.js';
import {
  type TrainOptions,
  trainPhraseModel,
} from '../../electron/engine/speech/recognizers/phrase/train.js';
import { EspeakWasmTts, FliteWasiTts } from '../../electron/engine/tts/index.js';
import { type HeldOutVoice, speakAll } from '../../test/eval/audio/voices.js';
import { targetsOf } from './targets.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1]! : fallback;
};
const language = arg('lang', 'en') as 'en' | 'zh-CN';
const name = arg('name', 'default');
const opts = JSON.parse(arg('opts', '{}')) as Partial<TrainOptions>;
const TARGET = {
  en: 'flow:appointment-confirm-en/confirm',
  'zh-CN': 'flow:bill-reminder-zh/ask_pay',
}[language];
/** The bank's speaker kept out of training as development real speech. */
const DEV_SPEAKER = 'ivrvoice.ru (Maxim Topal)';

const cli = (id: string, voice: string, rate: number): HeldOutVoice => ({
  id,
  language,
  label: id,
  engine: 'espeak-ng-cli',
  voice,
  rate,
  unseenSpeaker: true,
});
const DEV_CLI: HeldOutVoice[] =
  language === 'en'
    ? [cli('cli-en-us-klatt2', 'en-us+klatt2', 150), cli('cli-en-klatt3', 'en+klatt3', 170)]
    : [
        cli('cli-cmn-klatt2', 'cmn+klatt2', 150),
        cli('cli-cmn-klatt3', 'cmn+klatt3', 170),
        cli('cli-cmn-klatt6', 'cmn+klatt6', 160),
        cli('cli-cmn-Andy', 'cmn+Andy', 160),
        cli('cli-cmn-Storm', 'cmn+Storm', 150),
      ];
const DEV_FLITE = language === 'en' ? ['slt', 'rms', 'awb'] : [];

const embedder = await SpeechEmbedder.load({
  melPath: join(root, 'native-models', 'embedding', 'melspectrogram.onnx'),
  embeddingPath: join(root, 'native-models', 'embedding', 'embedding_model.onnx'),
});
const tts = new EspeakWasmTts();
await tts.init();
const flite = new FliteWasiTts();
const bankPath = defaultGarbageBankPath();
if (!bankPath) throw new Error('no garbage bank');
const bank = await loadGarbageBank(bankPath);
const devReal = bank.utterances.filter((u) => u.speaker === DEV_SPEAKER);
const trainBank = {
  ...bank,
  version: `${bank.version}-dev`,
  utterances: bank.utterances.filter((u) => u.speaker !== DEV_SPEAKER),
};

const target = targetsOf(language).get(TARGET)!;
const question = askQuestion(target.node, language)!;
const started = performance.now();
const model = await trainPhraseModel(question, {
  tts,
  // The engine a flow's question uses, without flite for English: flite is the development engine.
  extraEngines: [],
  embedder,
  garbageBank: trainBank,
  clips: new DiskClipStore(join(root, 'node_modules', '.cache', 'phrase-dev', 'clips')),
  ...opts,
});
const trainMs = performance.now() - started;

// Development audio: the call-like path of the bench (200/300 ms silence, −22 dBFS, pink noise 20 dB, telephone).
const rng = createRng(99);
const callLike = (samples: Int16Array): Int16Array => {
  let x = offset(int16ToFloat(samples), 3200, 4800);
  x = addNoise(normalizeLevel(x, -22), 20, rng, 'pink');
  return floatToInt16(telephone(x));
};
const embed = async (samples: Int16Array): Promise<Matrix> =>
  embedder.embed(trimSilence(Float32Array.from(callLike(samples))));
const offTopic = offTopicSentences(language)
  .filter((_, i) => i % 5 === 0)
  .slice(0, 40);
interface Heard {
  expected: string | null;
  /** A short off-topic reply (SHORT_OFF_TOPIC). */
  short?: boolean;
  frames: Matrix;
  voice: string;
}
const heard: Heard[] = [];
const phrases = question.phrases;
/**
 * Short replies that answer nothing (none of them in the trainer's garbage list, negatives.ts):
 * the risk a lower accept threshold takes is a "huh?" heard as "yes".
 */
const SHORT_OFF_TOPIC = {
  en: [
    'huh',
    'hello',
    'come again',
    'hang on',
    'one moment',
    'who is calling',
    'pardon me',
    'what was that',
    'oh',
    'um',
    'listen',
    'hmm what',
  ],
  'zh-CN': [
    '啊',
    '喂',
    '什么',
    '你说啥',
    '等一下',
    '谁啊',
    '哪位',
    '嗯哼',
    '听不清',
    '稍等',
    '你好',
    '干嘛',
  ],
}[language];
const texts = [...phrases.map((p) => p.text), ...offTopic, ...SHORT_OFF_TOPIC];
const shortFrom = phrases.length + offTopic.length;
const expectedOf = (i: number): string | null => (i < phrases.length ? phrases[i]!.intent : null);
for (const voice of DEV_CLI) {
  const clips = await speakAll(voice, texts);
  for (const [i, clip] of clips.entries())
    heard.push({
      expected: expectedOf(i),
      short: i >= shortFrom,
      frames: await embed(clip),
      voice: voice.id,
    });
}
for (const voice of DEV_FLITE) {
  for (const [i, text] of texts.entries()) {
    const audio = await flite.synthesize(text, { language: 'en', voice, rate: 1 });
    heard.push({
      expected: expectedOf(i),
      short: i >= shortFrom,
      frames: await embed(audio.samples),
      voice: `flite-${voice}`,
    });
  }
}

const withThreshold = (t: number, reject: number): PhraseModel => ({
  ...model,
  threshold: t,
  rejectThreshold: reject,
});
const judge = (m: PhraseModel) => {
  const pos = heard.filter((h) => h.expected !== null);
  const neg = heard.filter((h) => h.expected === null && !h.short);
  const short = heard.filter((h) => h.short);
  const dPos = pos.map((h) => ({ h, d: classifyEmbeddings(m, h.frames) }));
  const accepted = dPos.filter(
    (x) => !x.d.noMatch && !x.d.uncertain && x.d.intent === x.h.expected,
  );
  const confirmed = dPos.filter(
    (x) => !x.d.noMatch && x.d.uncertain && x.d.intent === x.h.expected,
  );
  const wrong = dPos.filter((x) => !x.d.noMatch && !x.d.uncertain && x.d.intent !== x.h.expected);
  const fa = neg.filter((h) => {
    const d = classifyEmbeddings(m, h.frames);
    return !d.noMatch && !d.uncertain;
  });
  const realFa = devReal.filter((u) => {
    const d = classifyEmbeddings(m, u.frames);
    return !d.noMatch && !d.uncertain;
  });
  // Ranking apart from the thresholds: the right intent on top, and the garbage class on top.
  const top1 = dPos.filter((x) => x.d.alternatives[0]?.intent === x.h.expected).length / pos.length;
  const garbageTop =
    dPos.filter((x) => x.d.garbage > (x.d.alternatives[0]?.confidence ?? 0)).length / pos.length;
  const byVoice: Record<string, string> = {};
  for (const v of new Set(pos.map((h) => h.voice))) {
    const of = dPos.filter((x) => x.h.voice === v);
    byVoice[v] =
      `${of.filter((x) => !x.d.noMatch && !x.d.uncertain && x.d.intent === x.h.expected).length}/${of.length}`;
  }
  return {
    acc: accepted.length / pos.length,
    conf: confirmed.length / pos.length,
    wrong: wrong.length / pos.length,
    fa: fa.length / neg.length,
    shortFa:
      short.filter((h) => {
        const d = classifyEmbeddings(m, h.frames);
        return !d.noMatch && !d.uncertain;
      }).length / Math.max(1, short.length),
    realFa: realFa.length / devReal.length,
    top1,
    garbageTop,
    byVoice,
  };
};
const own = judge(model);
// The oracle: the lowest accept threshold with both false-accept rates within 5 %.
let oracle = { t: 0.95, ...judge(withThreshold(0.95, 0.95)) };
for (let t = 0.3; t <= 0.95; t += 0.05) {
  const j = judge(withThreshold(t, t));
  if (j.fa <= 0.05 && j.realFa <= 0.05) {
    oracle = { t: Math.round(t * 100) / 100, ...j };
    break;
  }
}
const f = (x: number): string => `${(x * 100).toFixed(1)}%`;
// The whole trade-off, accept threshold by threshold (reject at the same point: no uncertain band).
const sweep: string[] = [];
for (let t = 0.5; t <= 0.951; t += 0.05) {
  const j = judge(withThreshold(t, t));
  sweep.push(
    `${t.toFixed(2)}: acc ${f(j.acc)} wrong ${f(j.wrong)} fa ${f(j.fa)} shortFa ${f(j.shortFa)} realFa ${f(j.realFa)}`,
  );
}
console.log(`sweep | ${sweep.join(' | ')}`);
const line = `${new Date().toISOString()} ${language} ${name} train ${(trainMs / 1000).toFixed(0)}s thr ${model.threshold}/${model.rejectThreshold} | own: acc ${f(own.acc)} conf ${f(own.conf)} wrong ${f(own.wrong)} top1 ${f(own.top1)} garbageTop ${f(own.garbageTop)} fa ${f(own.fa)} shortFa ${f(own.shortFa)} realFa ${f(own.realFa)} ${JSON.stringify(own.byVoice)} | oracle t=${oracle.t}: acc ${f(oracle.acc)} wrong ${f(oracle.wrong)} fa ${f(oracle.fa)} realFa ${f(oracle.realFa)} ${JSON.stringify(oracle.byVoice)} | cal ${JSON.stringify(model.stats.calibration)} opts ${JSON.stringify(opts)}`;
console.log(line);
mkdirSync(join(root, '.scratch'), { recursive: true });
await appendFile(join(root, '.scratch', 'phrase-dev.log'), `${line}\n`);
await embedder.release();
