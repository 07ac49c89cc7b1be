/**
 * The shared body of the build-time phrase-model trainers (npm run build:library,
 * npm run build:line-status): the command line (--lang L, --check), the stale check, training one
 * model per language with progress, writing the file atomically and its size and sha256 into
 * native-models/manifest.json. Each script says what it trains; this says how a shipped phrase
 * model is built, once.
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
import { trainPhraseModel } from '../electron/engine/speech/recognizers/phrase/train.ts';
import { EspeakWasmTts, FliteWasiTts } from '../electron/engine/tts/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = join(root, 'native-models');

/**
 * Builds (or with --check, checks) one kind of shipped phrase model.
 *
 * @param {object} kind
 * @param {string} kind.folder native-models/<folder>
 * @param {string} kind.command the npm command that rebuilds it, for messages and the manifest
 * @param {string} kind.cacheName node_modules/.cache/<cacheName>/clips keeps synthesized clips
 * @param {readonly string[]} kind.languages
 * @param {readonly string[]} kind.dirtyPaths source folders whose uncommitted changes mark a build
 * @param {number} kind.format the file format's version
 * @param {(language: string) => string} kind.fileName
 * @param {(language: string) => string} kind.dataHash
 * @param {(dir: string, language: string) => Promise<{ dataHash: string } | null>} kind.read
 * @param {(file: object) => string | null} kind.stale why a built file is stale, or null
 * @param {(language: string) => { phrases: { intent: string }[] }} kind.question
 * @param {(language: string, classes: number) => string} kind.summary the first line per language
 * @param {(language: string) => object} kind.trainOptions negatives, carriers, training settings
 * @param {(language: string, name: string, classes: number, phrasings: number) => object} kind.entry
 *   the manifest entry's role, description and source
 */
export async function buildPhraseModels(kind) {
  const outDir = join(modelsDir, kind.folder);
  const args = process.argv.slice(2);
  const langAt = args.indexOf('--lang');
  const languages = langAt >= 0 ? [args[langAt + 1]] : kind.languages;
  for (const language of languages) {
    if (!kind.languages.includes(language)) {
      console.error(`--lang must be one of ${kind.languages.join(', ')}`);
      process.exit(2);
    }
  }

  if (args.includes('--check')) {
    let stale = 0;
    for (const language of languages) {
      const file = await kind.read(outDir, language);
      const why = file
        ? kind.stale(file)
        : `native-models/${kind.folder}/${kind.fileName(language)} is missing: run \`${kind.command}\``;
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
  const dirty = git('status', '--porcelain', '--', ...kind.dirtyPaths);
  const commit = `${git('rev-parse', '--short', 'HEAD') || 'unknown'}${dirty ? '+uncommitted' : ''}`;

  const embedder = await SpeechEmbedder.load({
    melPath: join(modelsDir, 'embedding', 'melspectrogram.onnx'),
    embeddingPath: join(modelsDir, 'embedding', 'embedding_model.onnx'),
  });
  const tts = new EspeakWasmTts();
  await tts.init();
  const clips = new DiskClipStore(join(root, 'node_modules', '.cache', kind.cacheName, 'clips'));
  mkdirSync(outDir, { recursive: true });

  const manifestPath = join(modelsDir, 'manifest.json');
  for (const language of languages) {
    const started = performance.now();
    const question = kind.question(language);
    const classes = new Set(question.phrases.map((p) => p.intent)).size;
    console.log(`${kind.summary(language, classes)} (data ${kind.dataHash(language)}, ${commit})`);
    let lastShown = 0;
    const model = await trainPhraseModel(question, {
      tts,
      extraEngines: [new FliteWasiTts()],
      embedder,
      clips,
      ...kind.trainOptions(language),
      onProgress: ({ stage, done, total }) => {
        const now = performance.now();
        if (now - lastShown < 15_000 && done !== total) return;
        lastShown = now;
        console.log(`  ${stage} ${done}/${total} (${Math.round((now - started) / 1000)} s)`);
      },
    });
    const ms = Math.round(performance.now() - started);
    const file = {
      format: kind.format,
      language,
      dataHash: kind.dataHash(language),
      built: { commit, ms },
      model: roundModel(model),
    };
    const name = kind.fileName(language);
    const path = join(outDir, name);
    const text = `${JSON.stringify(file)}\n`;
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
    const bytes = Buffer.byteLength(text);
    const sha256 = createHash('sha256').update(text).digest('hex');

    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const entry = {
      path: `${kind.folder}/${name}`,
      ...kind.entry(language, name, classes, question.phrases.length),
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
      `${language}: native-models/${kind.folder}/${name}, ${(bytes / 1024).toFixed(0)} KiB, ${Math.round(ms / 1000)} s; threshold ${model.threshold}; ${s.clips} clips, train accuracy ${s.trainAccuracy.toFixed(3)}; held-out ${s.calibration.voice}: top-1 ${s.calibration.top1}, accepted ${s.calibration.accepted}, false accepts ${s.calibration.falseAccepts}`,
    );
  }
  await embedder.release();
}
