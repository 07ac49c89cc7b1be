#!/usr/bin/env node
/**
 * Builds the common-answer library's speech models (npm run build:library): per language, one
 * phrase model over every common answer of electron/engine/nlu/library, trained by the phrase
 * trainer (espeak-ng voices, and flite's for English) on this repository's data only, written to
 * native-models/library/common-answers.<language>.json (weights rounded, with the hash of the
 * data it was built from) and listed with its size and sha256 in native-models/manifest.json.
 * Re-run it whenever the library's data or the trainer changes, then commit the files together.
 *
 *   node --import tsx build/train-library-models.mjs            # every language
 *   node --import tsx build/train-library-models.mjs --lang en  # one
 *   node --import tsx build/train-library-models.mjs --check    # exit 1 if a model is stale
 *
 * Synthesized clips are kept in node_modules/.cache/outbound-library/clips, so a rebuild after a
 * small data change only synthesizes the new phrasings.
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
import {
  LIBRARY_FORMAT,
  LIBRARY_LANGUAGES,
  LIBRARY_TRAINING,
  libraryDataHash,
  libraryFileName,
  libraryNegatives,
  libraryQuestion,
  libraryStale,
  readLibraryModel,
  roundModel,
} from '../electron/engine/speech/recognizers/phrase/library.ts';
import { trainPhraseModel } from '../electron/engine/speech/recognizers/phrase/train.ts';
import { EspeakWasmTts, FliteWasiTts } from '../electron/engine/tts/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = join(root, 'native-models');
const libraryDir = join(modelsDir, 'library');
const args = process.argv.slice(2);
const langAt = args.indexOf('--lang');
const languages = langAt >= 0 ? [args[langAt + 1]] : LIBRARY_LANGUAGES;
for (const language of languages) {
  if (!LIBRARY_LANGUAGES.includes(language)) {
    console.error(`--lang must be one of ${LIBRARY_LANGUAGES.join(', ')}`);
    process.exit(2);
  }
}

if (args.includes('--check')) {
  let stale = 0;
  for (const language of languages) {
    const file = await readLibraryModel(libraryDir, language);
    const why = file
      ? libraryStale(file)
      : `native-models/library/${libraryFileName(language)} is missing: run \`npm run build:library\``;
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
const dirty = git(
  'status',
  '--porcelain',
  '--',
  'electron/engine/nlu/library',
  'electron/engine/speech/recognizers/phrase',
);
const commit = `${git('rev-parse', '--short', 'HEAD') || 'unknown'}${dirty ? '+uncommitted' : ''}`;

const embedder = await SpeechEmbedder.load({
  melPath: join(modelsDir, 'embedding', 'melspectrogram.onnx'),
  embeddingPath: join(modelsDir, 'embedding', 'embedding_model.onnx'),
});
const tts = new EspeakWasmTts();
await tts.init();
const clips = new DiskClipStore(join(root, 'node_modules', '.cache', 'outbound-library', 'clips'));
mkdirSync(libraryDir, { recursive: true });

const manifestPath = join(modelsDir, 'manifest.json');
for (const language of languages) {
  const started = performance.now();
  const question = libraryQuestion(language);
  const answers = new Set(question.phrases.map((p) => p.intent));
  console.log(
    `${language}: ${question.phrases.length} phrasings of ${answers.size} answers, ${libraryNegatives(language).length} off-topic sentences (data ${libraryDataHash(language)}, ${commit})`,
  );
  let lastShown = 0;
  const model = await trainPhraseModel(question, {
    tts,
    extraEngines: [new FliteWasiTts()],
    embedder,
    clips,
    negatives: libraryNegatives(language),
    ...LIBRARY_TRAINING[language],
    onProgress: ({ stage, done, total }) => {
      const now = performance.now();
      if (now - lastShown < 15_000 && done !== total) return;
      lastShown = now;
      console.log(`  ${stage} ${done}/${total} (${Math.round((now - started) / 1000)} s)`);
    },
  });
  const ms = Math.round(performance.now() - started);
  const file = {
    format: LIBRARY_FORMAT,
    language,
    dataHash: libraryDataHash(language),
    built: { commit, ms },
    model: roundModel(model),
  };
  const name = libraryFileName(language);
  const path = join(libraryDir, name);
  const text = `${JSON.stringify(file)}\n`;
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  const bytes = Buffer.byteLength(text);
  const sha256 = createHash('sha256').update(text).digest('hex');

  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const entry = {
    path: `library/${name}`,
    role: `common-answers-${language}`,
    description: `The common-answer library's phrase model for ${language} (${answers.size} answers, ${question.phrases.length} phrasings as classes summed per answer, plus garbage), over the openWakeWord speech embedding; trained from synthetic speech (espeak-ng${language === 'en' ? ' and flite' : ''} voices) by this repository's script, never on the held-out evaluation sets`,
    source: {
      built: 'npm run build:library',
      from: [
        `electron/engine/nlu/library/answers.${language}.json`,
        `electron/engine/nlu/library/offtopic.${language}.json`,
        'build/train-library-models.mjs',
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
    `${language}: native-models/library/${name}, ${(bytes / 1024).toFixed(0)} KiB, ${Math.round(ms / 1000)} s; threshold ${model.threshold}; ${s.clips} clips, train accuracy ${s.trainAccuracy.toFixed(3)}; held-out ${s.calibration.voice}: top-1 ${s.calibration.top1}, accepted ${s.calibration.accepted}, false accepts ${s.calibration.falseAccepts}`,
  );
}
await embedder.release();
