/**
 * What μ-law on the media link (issue 17) costs the engine's listeners: the same audio heard as
 * 16-bit PCM (the link before) and after a G.711 μ-law round trip (the link now), through the
 * same code a call runs. Real human speech (Debian's Asterisk prompts, the held-out set in
 * test/eval/audio/asterisk.en.tsv) through each English sample question's recognizer (its phrase
 * model from the test suite's speech cache with the common-answer library, as the speech worker
 * builds it) and through Silero VAD; DTMF keys at three levels in pink noise, and the same
 * speech, through the in-band DTMF detector.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { decodeMulawFrame, encodeMulawFrame } from '../electron/engine/api/audio-frames.js';
import { chunkFrames, floatToInt16, int16ToFloat } from '../electron/engine/audio/index.js';
import { askQuestion, askUses } from '../electron/engine/bot/phrase-models.js';
import { type NodeOf, SAMPLE_FLOWS, validateFlow } from '../electron/engine/dialog/index.js';
import { findModelsDir } from '../electron/engine/models/index.js';
import {
  type PhraseModel,
  readLibraryModel,
  type RecognitionResult,
  SileroModel,
} from '../electron/engine/speech/index.js';
import {
  addNoise,
  createRng,
  normalizeLevel,
  offset,
  SpeechEmbedder,
  telephone,
} from '../electron/engine/speech/recognizers/index.js';
import {
  AskRecognizer,
  type LibraryUse,
} from '../electron/engine/speech/recognizers/phrase/library.js';
import { DtmfDetector } from '../electron/engine/telephony/dtmf-detector.js';
import { readAsterisk, readWav16k } from '../test/eval/audio/voices.js';
import { speechCacheDir } from '../test/support/speech-cache-dir.js';
import type { BenchRow, BenchSuite } from './harness.js';
import { modelPaths } from './speech/audio.js';

/** The μ-law round trip the link now makes. */
function mulaw(samples: Int16Array): Int16Array {
  const codes = new Uint8Array(samples.length);
  encodeMulawFrame(samples, codes);
  const back = new Int16Array(samples.length);
  decodeMulawFrame(codes, back);
  return back;
}

/** As the understanding bench renders real speech for a call: 200 ms lead, 300 ms tail, −22 dBFS, telephone band. */
function callLike(samples: Int16Array): Int16Array {
  return floatToInt16(telephone(normalizeLevel(offset(int16ToFloat(samples), 3200, 4800), -22)));
}

/** A question's phrase model as the test suite's speech cache holds it (found by its phrases). */
async function cachedModel(
  phrases: ReadonlyArray<{ text: string; intent: string }>,
): Promise<PhraseModel | null> {
  const dir = join(speechCacheDir(), 'phrase-models');
  const want = JSON.stringify(phrases.map((p) => [p.text, p.intent]));
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.json')) continue;
    const text = await readFile(join(dir, name), 'utf8').catch(() => '');
    if (!phrases[0] || !text.includes(phrases[0].text)) continue;
    const model = JSON.parse(text) as PhraseModel & {
      language?: string;
      classes?: Array<{ phrase: string | null; intent: string | null }>;
    };
    const have = (model.classes ?? []).filter((c) => c.intent !== null && c.phrase !== null);
    if (model.language === 'en' && JSON.stringify(have.map((c) => [c.phrase, c.intent])) === want)
      return model;
  }
  return null;
}

interface Hearing {
  target: string;
  question: PhraseModel | null;
  library: LibraryUse | null;
}

async function recognize(
  hearing: Hearing,
  embedder: SpeechEmbedder,
  samples: Int16Array,
): Promise<RecognitionResult> {
  const recognizer = new AskRecognizer({
    ...(hearing.question ? { question: hearing.question } : {}),
    ...(hearing.library ? { library: hearing.library } : {}),
    embedder,
  });
  recognizer.start({ startMs: 0 });
  for (const frame of chunkFrames(samples)) recognizer.push(frame);
  return recognizer.finish();
}

const accepted = (r: RecognitionResult): string | null =>
  r.noMatch || r.uncertain === true ? null : (r.intent ?? null);
const pct = (a: number, b: number): string =>
  b === 0 ? '—' : `${a}/${b} (${((a / b) * 100).toFixed(1)} %)`;

const suite: BenchSuite = {
  title: 'Media link: μ-law and what listens to the customer',
  method: [
    'The link carries the customer as G.711 μ-law since issue 17; everything after it still gets 16-bit frames. Here the same audio goes through the same code twice: as 16-bit PCM (the link before) and after a μ-law round trip (the link now).',
    "Recognition: the held-out real human speech (Asterisk prompts, test/eval/audio/asterisk.en.tsv: answers at their question, every 'none' prompt at every English question and the library), rendered as the understanding bench does (−22 dBFS, telephone band), through each English sample question's AskRecognizer (its phrase model from the test suite's speech cache plus the common-answer library). 'Same decision' = the same intent accepted, or both not accepting.",
    'VAD: Silero on the same prompts, 32 ms windows; speech = probability ≥ 0.5.',
    'DTMF: each of the 16 keys as 100 ms tones (both tones at the same level) at −10, −20 and −30 dBFS per tone in pink noise 20 dB below the tones, 3 renditions each, through the in-band detector; false keys on the speech prompts.',
  ].join(' '),
  async run() {
    const paths = await modelPaths();
    const embedder = await SpeechEmbedder.load({
      melPath: paths.mel,
      embeddingPath: paths.embedding,
    });
    const rows: BenchRow[] = [];
    try {
      // Hearings: each English sample ask node (its cached phrase model and library uses).
      const modelsDir = findModelsDir();
      const library = modelsDir ? await readLibraryModel(join(modelsDir, 'library'), 'en') : null;
      const hearings = new Map<string, Hearing>();
      for (const raw of Object.values(SAMPLE_FLOWS)) {
        const flow = validateFlow(raw);
        if (flow.language !== 'en') continue;
        for (const [id, node] of Object.entries(flow.nodes)) {
          if (node.kind !== 'ask') continue;
          const ask = node as NodeOf<'ask'>;
          const question = askQuestion(ask, 'en');
          const model =
            question && question.phrases.length > 0 ? await cachedModel(question.phrases) : null;
          const uses = askUses(ask);
          const libraryUse =
            library && Object.keys(uses).length > 0 ? { model: library.model, uses } : null;
          if (!model && !libraryUse) continue;
          hearings.set(`flow:${flow.id}/${id}`, {
            target: id,
            question: model,
            library: libraryUse,
          });
        }
      }
      const clips = await readAsterisk();
      const english = [...hearings.values()];
      let trials = 0;
      let same = 0;
      const right = { pcm: 0, mulaw: 0, of: 0 };
      const falseAccepts = { pcm: 0, mulaw: 0, of: 0 };
      const vad = { agree: 0, windows: 0, absDiff: 0 };
      const silero = await SileroModel.load(paths.vad);
      const dtmfFalse = { pcm: 0, mulaw: 0 };
      try {
        for (const clip of clips) {
          const pcm = callLike(await readWav16k(clip.path));
          const law = mulaw(pcm);
          const at =
            clip.target === '*'
              ? english
              : hearings.has(clip.target)
                ? [hearings.get(clip.target)!]
                : [];
          for (const hearing of at) {
            const a = accepted(await recognize(hearing, embedder, pcm));
            const b = accepted(await recognize(hearing, embedder, law));
            trials++;
            if (a === b) same++;
            if (clip.expected === 'none') {
              falseAccepts.of++;
              if (a !== null) falseAccepts.pcm++;
              if (b !== null) falseAccepts.mulaw++;
            } else {
              right.of++;
              if (a === clip.expected) right.pcm++;
              if (b === clip.expected) right.mulaw++;
            }
          }
          const vadA = silero.createStream(16_000);
          const vadB = silero.createStream(16_000);
          const pa = (await vadA.push(pcm)).map((w) => w.probability);
          const pb = (await vadB.push(law)).map((w) => w.probability);
          await vadA.close();
          await vadB.close();
          for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
            vad.windows++;
            if (pa[i]! >= 0.5 === pb[i]! >= 0.5) vad.agree++;
            vad.absDiff += Math.abs(pa[i]! - pb[i]!);
          }
          for (const [samples, key] of [
            [pcm, 'pcm'],
            [law, 'mulaw'],
          ] as const) {
            const detector = new DtmfDetector();
            for (const frame of chunkFrames(samples))
              if (detector.push(frame) !== null) dtmfFalse[key]++;
          }
        }
      } finally {
        await silero.release();
      }
      rows.push({
        name: 'recognition: answers accepted right (real speech)',
        values: { '16-bit': pct(right.pcm, right.of), 'μ-law': pct(right.mulaw, right.of) },
      });
      rows.push({
        name: "recognition: 'none' prompts accepted as an answer",
        values: {
          '16-bit': pct(falseAccepts.pcm, falseAccepts.of),
          'μ-law': pct(falseAccepts.mulaw, falseAccepts.of),
        },
      });
      rows.push({
        name: 'recognition: same decision both ways',
        values: { 'μ-law': pct(same, trials) },
      });
      rows.push({
        name: 'VAD: same speech / non-speech window, mean |Δp|',
        values: {
          'μ-law': `${pct(vad.agree, vad.windows)}, ${(vad.absDiff / Math.max(1, vad.windows)).toFixed(4)}`,
        },
      });
      // DTMF keys.
      const keys = '123A456B789C*0#D';
      const rowsHz = [697, 770, 852, 941];
      const colsHz = [1209, 1336, 1477, 1633];
      const rng = createRng(17);
      const found = { pcm: 0, mulaw: 0, of: 0 };
      for (const level of [-10, -20, -30]) {
        for (let k = 0; k < keys.length; k++) {
          for (let rep = 0; rep < 3; rep++) {
            const amp = 10 ** (level / 20);
            const low = rowsHz[Math.floor(k / 4)]!;
            const high = colsHz[k % 4]!;
            const tone = new Float32Array(16_000 * 0.4);
            const phase = rng() * 2 * Math.PI;
            for (let i = 0; i < 1600; i++) {
              const t = (4800 + i) / 16_000;
              tone[4800 + i] =
                amp * (Math.sin(2 * Math.PI * low * t + phase) + Math.sin(2 * Math.PI * high * t));
            }
            const noisy = floatToInt16(addNoise(tone, 20, rng, 'pink'));
            for (const [samples, key] of [
              [noisy, 'pcm'],
              [mulaw(noisy), 'mulaw'],
            ] as const) {
              const detector = new DtmfDetector();
              let heard = '';
              for (const frame of chunkFrames(samples)) heard += detector.push(frame) ?? '';
              if (heard === keys[k]) found[key]++;
            }
            found.of++;
          }
        }
      }
      rows.push({
        name: 'DTMF: keys heard exactly (16 keys × 3 levels × 3)',
        values: { '16-bit': pct(found.pcm, found.of), 'μ-law': pct(found.mulaw, found.of) },
      });
      rows.push({
        name: `DTMF: false keys in ${clips.length} speech prompts`,
        values: { '16-bit': String(dtmfFalse.pcm), 'μ-law': String(dtmfFalse.mulaw) },
      });
    } finally {
      await embedder.release();
    }
    return rows;
  },
};

export default suite;
