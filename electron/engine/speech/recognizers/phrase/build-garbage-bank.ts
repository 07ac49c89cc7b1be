/**
 * Builds native-models/garbage/real-speech.json, the real-speech garbage bank (see garbage.ts),
 * from Debian's non-English Asterisk prompt packs, and updates its entry in
 * native-models/manifest.json (size, sha256, sources with package versions and licences).
 * Rerunnable: the prompts chosen, the channel variants and their seeds depend only on the
 * packages' files, so the same packages give the same bank.
 *
 *   apt-get install asterisk-core-sounds-fr-wav asterisk-core-sounds-it-wav \
 *     asterisk-core-sounds-ru-wav asterisk-prompt-fr-armelle asterisk-prompt-it-menardi-wav sox
 *   npm run build:garbage-bank
 *
 * Each chosen prompt (0.3–4 s, with the voice's digits, letters and phonetic words, at most
 * PER_SPEAKER per speaker, spread over the alphabet) is read
 * through sox (WAV or GSM, 8 kHz → 16 kHz) and kept in two variants, as a call would bring it: a
 * clean one (lead-in and tail of silence, a level between −30 and −16 dBFS) and a telephone one
 * (line noise, then μ-law, A-law or a GSM-like channel); each is trimmed as the recognizer trims
 * an utterance and embedded.
 *
 * NEVER add the English prompts (asterisk-core-sounds-en*): they are the evaluation set. The
 * Spanish core sounds (asterisk-core-sounds-es-wav) are left out too: they were recorded by
 * Allison Smith, the English evaluation set's own speaker. asterisk-prompt-es-co is left out for
 * its licence: GPL version 2 only, which a GPL-3.0-or-later program cannot ship. The held-apart
 * calibration speakers are the Russian core sounds' and Carlo Flora (Italian, CC-BY-3.0), a male
 * voice beside the female ones.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { int16ToFloat } from '../../../audio/index.js';
import { findModelsDir } from '../../../models/index.js';
import { augment, createRng, normalizeLevel, offset, uniform } from './augment.js';
import { type Matrix, SpeechEmbedder } from './embedder.js';
import {
  GARBAGE_BANK_FORMAT,
  GARBAGE_BANK_PATH,
  type GarbageBankFile,
  garbageBankIn,
  type GarbageBankSource,
  quantizeFrames,
} from './garbage.js';
import { trimSilence } from './recognizer.js';

const PER_SPEAKER = 150;
const MIN_SECONDS = 0.3;
const MAX_SECONDS = 4;

/** The packs, the folder of one voice in each, and the licence their copyright file states. */
const SOURCES: (Omit<GarbageBankSource, 'version'> & { ext: string; licenceMark: string })[] = [
  {
    package: 'asterisk-core-sounds-fr-wav',
    dir: 'fr_CA_f_June',
    ext: '.wav',
    speaker: 'June Wallack',
    language: 'fr-CA',
    licence: 'CC-BY-SA-3.0',
    licenceMark: 'CC-BY-SA-3.0',
    split: 'train',
  },
  {
    package: 'asterisk-core-sounds-it-wav',
    dir: 'it_IT_m_Carlo',
    ext: '.wav',
    speaker: 'Carlo Flora',
    language: 'it',
    licence: 'CC-BY-3.0',
    licenceMark: 'CC-BY-3.0',
    split: 'calibrate',
  },
  {
    package: 'asterisk-core-sounds-ru-wav',
    dir: 'ru_RU_f_IvrvoiceRU',
    ext: '.wav',
    speaker: 'ivrvoice.ru (Maxim Topal)',
    language: 'ru',
    licence: 'CC-BY-3.0',
    licenceMark: 'CC-BY-3.0',
    split: 'calibrate',
  },
  {
    package: 'asterisk-prompt-fr-armelle',
    dir: 'fr',
    ext: '.gsm',
    speaker: 'Armelle Desjardins',
    language: 'fr',
    licence: 'BSD-style (Michel Gutierrez; redistribution with the notice)',
    licenceMark: 'Redistribution and use',
    split: 'train',
  },
  {
    package: 'asterisk-prompt-it-menardi-wav',
    dir: 'it_IT_f_Menardi',
    ext: '.wav',
    speaker: 'Paola Dal Zot (Marco Menardi)',
    language: 'it',
    licence: 'CC-BY-SA-3.0',
    licenceMark: 'CC-SA-BY-3.0',
    split: 'train',
  },
];

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** 16 kHz mono Int16 of any file sox reads. */
function decode(path: string): Int16Array {
  const raw = execFileSync(
    'sox',
    [
      '-V1',
      '-D',
      '-G',
      path,
      '-t',
      'raw',
      '-r',
      '16000',
      '-e',
      'signed',
      '-b',
      '16',
      '-c',
      '1',
      '-L',
      '-',
    ],
    { maxBuffer: 64 << 20 },
  );
  const out = new Int16Array(raw.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = raw.readInt16LE(i * 2);
  return out;
}

function seedOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}

async function main(): Promise<void> {
  const modelsDir = findModelsDir();
  if (!modelsDir) throw new Error('native-models/ not found');
  const embedder = await SpeechEmbedder.load(join(modelsDir, 'embedding'));
  const sources: GarbageBankSource[] = [];
  const all: { source: number; name: string; variant: string; frames: Matrix }[] = [];
  for (const s of SOURCES) {
    if (/asterisk-(core-sounds|prompt)-en/.test(s.package))
      throw new Error(`${s.package}: the English prompts are the evaluation set, never training`);
    let version: string;
    try {
      version = run('dpkg-query', ['-W', '-f=${Version}', s.package]).trim();
    } catch {
      throw new Error(`${s.package} is not installed (apt-get install ${s.package})`);
    }
    const copyright = readFileSync(`/usr/share/doc/${s.package}/copyright`, 'utf8');
    if (!copyright.includes(s.licenceMark))
      throw new Error(
        `/usr/share/doc/${s.package}/copyright no longer says "${s.licenceMark}": check its licence and update SOURCES`,
      );
    const files = run('dpkg', ['-L', s.package])
      .split('\n')
      .filter((f) => f.endsWith(s.ext) && f.split('/').includes(s.dir) && !f.includes('/silence/'))
      .sort();
    const index = sources.length;
    const { ext: _ext, licenceMark: _mark, ...meta } = s;
    sources.push({ ...meta, version });
    const usable: { name: string; samples: Int16Array }[] = [];
    for (const file of files) {
      const samples = decode(file);
      const seconds = samples.length / 16000;
      if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) continue;
      // Named with its subfolder (digits/5, letters/a): short single words are the hardest garbage.
      usable.push({
        name: file.slice(file.indexOf(`/${s.dir}/`) + s.dir.length + 2, -s.ext.length),
        samples,
      });
    }
    const step = Math.max(1, usable.length / PER_SPEAKER);
    const chosen = Array.from(
      { length: Math.min(PER_SPEAKER, usable.length) },
      (_, i) => usable[Math.floor(i * step)]!,
    );
    for (const prompt of chosen) {
      const rng = createRng(seedOf(`${s.package}/${prompt.name}`));
      const clean = int16ToFloat(prompt.samples);
      const quiet = normalizeLevel(
        offset(
          clean,
          Math.round(uniform(rng, 0.1, 0.4) * 16000),
          Math.round(uniform(rng, 0.2, 0.5) * 16000),
        ),
        uniform(rng, -30, -16),
      );
      const codecs = ['mulaw', 'alaw', 'gsm'] as const;
      const phone = augment(clean, {
        beforeSamples: Math.round(uniform(rng, 0.1, 0.4) * 16000),
        afterSamples: Math.round(uniform(rng, 0.2, 0.5) * 16000),
        levelDbfs: uniform(rng, -30, -16),
        snrDb: uniform(rng, 12, 30),
        noiseColor: rng() < 0.5 ? 'pink' : 'white',
        telephone: true,
        noiseSeed: Math.floor(rng() * 2 ** 31),
        codec: codecs[Math.floor(rng() * 3)]!,
        packetLoss: rng() < 0.3 ? uniform(rng, 0, 0.03) : 0,
      });
      for (const [variant, audio] of [
        ['clean', quiet],
        ['phone', phone],
      ] as const) {
        const scaled = Float32Array.from(audio, (v) => v * 32768);
        const frames = await embedder.embed(trimSilence(scaled));
        if (frames.rows > 0) all.push({ source: index, name: prompt.name, variant, frames });
      }
    }
    console.log(
      `${s.package} ${version} ${s.dir}: ${chosen.length} of ${usable.length} prompts of ${MIN_SECONDS}–${MAX_SECONDS} s (${files.length} files), split ${s.split}`,
    );
  }
  await embedder.release();
  const q = quantizeFrames(all.map((a) => a.frames));
  const bank: GarbageBankFile = {
    format: GARBAGE_BANK_FORMAT,
    embedderVersion: embedder.version,
    dim: 96,
    offset: q.offset,
    scale: q.scale,
    sources,
    utterances: all.map((a) => ({
      source: a.source,
      name: a.name,
      variant: a.variant,
      frames: q.encode(a.frames),
    })),
  };
  const path = garbageBankIn(modelsDir);
  await mkdir(dirname(path), { recursive: true });
  const text = `${JSON.stringify(bank)}\n`;
  writeFileSync(path, text);
  const bytes = Buffer.byteLength(text);
  const sha256 = createHash('sha256').update(text).digest('hex');
  const frames = all.reduce((n, a) => n + a.frames.rows, 0);
  console.log(
    `${path}: ${all.length} utterances, ${frames} frames, ${bytes} bytes, sha256 ${sha256}`,
  );
  updateManifest(modelsDir, bytes, sha256, sources);
}

/** Replaces (or adds) the bank's entry in manifest.json, leaving every other entry as it is. */
function updateManifest(
  modelsDir: string,
  bytes: number,
  sha256: string,
  sources: GarbageBankSource[],
): void {
  const manifestPath = join(modelsDir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    files: { path: string }[];
  };
  const entry = {
    path: GARBAGE_BANK_PATH,
    role: 'garbage-bank',
    description:
      'Real-speech garbage bank: openWakeWord embedding frames of non-English Asterisk prompts (clean and telephone variants), the "none of these" class of every phrase model and the calibration of its thresholds',
    source: {
      built:
        'npm run build:garbage-bank (electron/engine/speech/recognizers/phrase/build-garbage-bank.ts)',
      from: sources.map((s) => ({
        debian: s.package,
        version: s.version,
        licence: s.licence,
        speaker: s.speaker,
        split: s.split,
      })),
    },
    licence: [...new Set(sources.map((s) => s.licence))].join('; '),
    bytes,
    sha256,
  };
  const at = manifest.files.findIndex((f) => f.path === GARBAGE_BANK_PATH);
  if (at >= 0) manifest.files[at] = entry;
  else manifest.files.push(entry);
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`${manifestPath}: entry ${GARBAGE_BANK_PATH} updated`);
}

await main();
