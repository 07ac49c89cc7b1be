#!/usr/bin/env node
/**
 * Builds the line-status announcement models (npm run build:line-status): per language one phrase
 * model over the operator announcements of electron/engine/speech/recognizers/phrase/line-status.ts
 * (empty number, powered off, suspended, busy, unreachable, barred), trained by the phrase
 * trainer (espeak-ng WASM voices, and flite's for English) on this repository's data only, written
 * to native-models/line-status/announcements.<language>.json (weights rounded, with the hash of the
 * data it was built from) and listed with its size and sha256 in native-models/manifest.json.
 * Never trained on the voices bench/early-media.bench.ts evaluates with (Festival, eSpeak 1.48,
 * the espeak-ng CLI's Klatt variant, the Asterisk recording).
 *
 *   node --import tsx build/train-line-status-models.mjs            # every language
 *   node --import tsx build/train-line-status-models.mjs --lang en  # one
 *   node --import tsx build/train-line-status-models.mjs --check    # exit 1 if a model is stale
 *
 * Synthesized clips are kept in node_modules/.cache/outbound-line-status/clips.
 */
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { DiskClipStore } from '../electron/engine/speech/recognizers/phrase/clips.ts';
import { SpeechEmbedder } from '../electron/engine/speech/recognizers/phrase/embedder.ts';
import { roundModel } from '../electron/engine/speech/recognizers/phrase/library.ts';
import {
  ANNOUNCEMENT_CARRIERS,
  ANNOUNCEMENT_NEGATIVES,
  LINE_STATUS_FORMAT,
  LINE_STATUS_LANGUAGES,
  LINE_STATUS_TRAINING,
  lineStatusDataHash,
  lineStatusFileName,
  lineStatusQuestion,
  lineStatusStale,
  readLineStatusModel,
} from '../electron/engine/speech/recognizers/phrase/line-status.ts';
import { DEFAULT_NEGATIVES } from '../electron/engine/speech/recognizers/phrase/negatives.ts';
import { trainPhraseModel } from '../electron/engine/speech/recognizers/phrase/train.ts';
import { EspeakWasmTts, FliteWasiTts } from '../electron/engine/tts/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = join(root, 'native-models');
const outDir = join(modelsDir, 'line-status');
const args = process.argv.slice(2);
const langAt = args.indexOf('--lang');
const languages = langAt >= 0 ? [args[langAt + 1]] : LINE_STATUS_LANGUAGES;
for (const language of languages) {
  if (!LINE_STATUS_LANGUAGES.includes(language)) {
    console.error(`--lang must be one of ${LINE_STATUS_LANGUAGES.join(', ')}`);
    process.exit(2);
  }
}

if (args.includes('--check')) {
  let stale = 0;
  for (const language of languages) {
    const file = await readLineStatusModel(outDir, language);
    const why = file
      ? lineStatusStale(file)
      : `native-models/line-status/${lineStatusFileName(language)} is missing: run \`npm run build:line-status\``;
    if (why) {
      console.error(why);
      stale++;
    } else console.log(`${language}: up to date (data ${file.dataHash})`);
  }
  process.exit(stale ? 1 : 0);
}

const git = (...a) => {
  try {
    return execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};
const dirty = git('status', '--porcelain', '--', 'electron/engine/speech/recognizers/phrase');
const commit = `${git('rev-parse', '--short', 'HEAD') || 'unknown'}${dirty ? '+uncommitted' : ''}`;

const embedder = await SpeechEmbedder.load({
  melPath: join(modelsDir, 'embedding', 'melspectrogram.onnx'),
  embeddingPath: join(modelsDir, 'embedding', 'embedding_model.onnx'),
});
const tts = new EspeakWasmTts();
await tts.init();
const clips = new DiskClipStore(
  join(root, 'node_modules', '.cache', 'outbound-line-status', 'clips'),
);
mkdirSync(outDir, { recursive: true });

const manifestPath = join(modelsDir, 'manifest.json');
for (const language of languages) {
  const started = performance.now();
  const question = lineStatusQuestion(language);
  const statuses = new Set(question.phrases.map((p) => p.intent));
  console.log(
    `${language}: ${question.phrases.length} phrasings of ${statuses.size} statuses (data ${lineStatusDataHash(language)}, ${commit})`,
  );
  let lastShown = 0;
  const model = await trainPhraseModel(question, {
    tts,
    extraEngines: [new FliteWasiTts()],
    embedder,
    clips,
    negatives: [...ANNOUNCEMENT_NEGATIVES[language], ...DEFAULT_NEGATIVES[language]],
    carriers: ANNOUNCEMENT_CARRIERS[language],
    ...LINE_STATUS_TRAINING[language],
    onProgress: ({ stage, done, total }) => {
      const now = performance.now();
      if (now - lastShown < 15_000 && done !== total) return;
      lastShown = now;
      console.log(`  ${stage} ${done}/${total} (${Math.round((now - started) / 1000)} s)`);
    },
  });
  const ms = Math.round(performance.now() - started);
  const file = {
    format: LINE_STATUS_FORMAT,
    language,
    dataHash: lineStatusDataHash(language),
    built: { commit, ms },
    model: roundModel(model),
  };
  const name = lineStatusFileName(language);
  const path = join(outDir, name);
  const text = `${JSON.stringify(file)}\n`;
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  const bytes = Buffer.byteLength(text);
  const sha256 = createHash('sha256').update(text).digest('hex');

  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const entry = {
    path: `line-status/${name}`,
    role: `line-status-${language}`,
    description: `Operator announcements heard in early media for ${language} (${statuses.size} line statuses, ${question.phrases.length} phrasings as classes summed per status, plus garbage), over the openWakeWord speech embedding; trained from synthetic speech (espeak-ng${language === 'en' ? ' and flite' : ''} voices) by this repository's script, never on the evaluation's voices`,
    source: {
      built: 'npm run build:line-status',
      from: [
        'electron/engine/speech/recognizers/phrase/line-status.ts',
        'build/train-line-status-models.mjs',
      ],
    },
    licence: 'GPL-3.0-or-later',
    bytes,
    sha256,
  };
  const at = manifest.files.findIndex((f) => f.path === entry.path);
  if (at >= 0) manifest.files[at] = entry;
  else manifest.files.push(entry);
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  const s = model.stats;
  console.log(
    `${language}: native-models/line-status/${name}, ${(bytes / 1024).toFixed(0)} KiB, ${Math.round(ms / 1000)} s; threshold ${model.threshold}; ${s.clips} clips, train accuracy ${s.trainAccuracy.toFixed(3)}; held-out ${s.calibration.voice}: top-1 ${s.calibration.top1}, accepted ${s.calibration.accepted}, false accepts ${s.calibration.falseAccepts}`,
  );
}
await embedder.release();
