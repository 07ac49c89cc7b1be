/**
 * The real-speech garbage bank: openWakeWord embedding frames of real human recordings that are
 * not answers to anything (Debian's Asterisk prompt packs in French, Italian and Russian;
 * never the English ones, which are the evaluation set). Every question's "none of these" class
 * trains on windows of the bank's training speakers, and the accept/reject thresholds are
 * calibrated on its held-apart speakers, so rejection is learnt from real voices and not only
 * from "does not sound like TTS". Built by build-garbage-bank.ts into
 * native-models/garbage/real-speech.json (listed with sources, versions and licences in
 * native-models/manifest.json).
 *
 * File format (`outbound-garbage-bank/1`): frames are quantized to one byte per value with a
 * per-dimension offset and scale (value = offset[j] + scale[j] · byte), base64 per utterance, which
 * keeps ~2,000 utterances of frames under 5 MB.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { findModelsDir } from '../../../models/index.js';
import { EMBEDDING_DIM, type Matrix } from './embedder.js';

export const GARBAGE_BANK_FORMAT = 'outbound-garbage-bank/1';
/** Where the bank sits inside the models folder. */
export const GARBAGE_BANK_PATH = 'garbage/real-speech.json';

export interface GarbageBankSource {
  /** Debian package, version and licence (from /usr/share/doc/<package>/copyright). */
  package: string;
  version: string;
  licence: string;
  /** Folder the prompts came from, the speaker and the language. */
  dir: string;
  speaker: string;
  language: string;
  /** 'train': the garbage class learns from it; 'calibrate': held apart to set the thresholds. */
  split: 'train' | 'calibrate';
}

export interface GarbageBankFile {
  format: typeof GARBAGE_BANK_FORMAT;
  /** The embedding models' version (SpeechEmbedder.version) the frames were made with. */
  embedderVersion: string;
  dim: number;
  offset: number[];
  scale: number[];
  sources: GarbageBankSource[];
  /** One per (prompt, channel variant): source index, prompt name, variant, base64 frames. */
  utterances: { source: number; name: string; variant: string; frames: string }[];
}

export interface GarbageUtterance {
  speaker: string;
  split: 'train' | 'calibrate';
  name: string;
  frames: Matrix;
}

export interface GarbageBank {
  /** sha256 (16 hex digits) of the file: part of trained models' cache keys. */
  version: string;
  embedderVersion: string;
  utterances: GarbageUtterance[];
}

/** Quantizes frames for the file: per-dimension offset and scale over everything given. */
export function quantizeFrames(all: readonly Matrix[]): {
  offset: number[];
  scale: number[];
  encode: (m: Matrix) => string;
} {
  const lo = new Array<number>(EMBEDDING_DIM).fill(Infinity);
  const hi = new Array<number>(EMBEDDING_DIM).fill(-Infinity);
  for (const m of all) {
    for (let i = 0; i < m.rows; i++) {
      for (let j = 0; j < EMBEDDING_DIM; j++) {
        const v = m.data[i * EMBEDDING_DIM + j]!;
        if (v < lo[j]!) lo[j] = v;
        if (v > hi[j]!) hi[j] = v;
      }
    }
  }
  const offset = lo.map((v) => (Number.isFinite(v) ? round6(v) : 0));
  const scale = hi.map((v, j) =>
    Number.isFinite(v) && v > lo[j]! ? round6((v - lo[j]!) / 255) : 1,
  );
  const encode = (m: Matrix): string => {
    const bytes = Buffer.alloc(m.rows * EMBEDDING_DIM);
    for (let i = 0; i < bytes.length; i++) {
      const j = i % EMBEDDING_DIM;
      bytes[i] = Math.max(0, Math.min(255, Math.round((m.data[i]! - offset[j]!) / scale[j]!)));
    }
    return bytes.toString('base64');
  };
  return { offset, scale, encode };
}

const round6 = (v: number): number => Math.round(v * 1e6) / 1e6;

/** Parses a bank file's JSON; throws naming what is wrong. */
export function parseGarbageBank(text: string, where: string): GarbageBank {
  let file: GarbageBankFile;
  try {
    file = JSON.parse(text) as GarbageBankFile;
  } catch (error) {
    throw new Error(
      `${where}: not JSON (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  if (
    file?.format !== GARBAGE_BANK_FORMAT ||
    file.dim !== EMBEDDING_DIM ||
    !Array.isArray(file.offset) ||
    file.offset.length !== EMBEDDING_DIM ||
    !Array.isArray(file.scale) ||
    file.scale.length !== EMBEDDING_DIM ||
    !Array.isArray(file.sources) ||
    !Array.isArray(file.utterances)
  )
    throw new Error(
      `${where}: not a garbage bank (format ${GARBAGE_BANK_FORMAT}, ${EMBEDDING_DIM}-d)`,
    );
  const utterances = file.utterances.map((u, i) => {
    const source = file.sources[u.source];
    if (!source)
      throw new Error(`${where}: utterance ${i} names source ${u.source}, which is not listed`);
    const bytes = Buffer.from(u.frames, 'base64');
    if (bytes.length % EMBEDDING_DIM !== 0 || bytes.length === 0)
      throw new Error(
        `${where}: utterance ${i} (${u.name}) has ${bytes.length} bytes of frames, not a whole number of ${EMBEDDING_DIM}-d frames`,
      );
    const data = new Float32Array(bytes.length);
    for (let k = 0; k < bytes.length; k++) {
      const j = k % EMBEDDING_DIM;
      data[k] = file.offset[j]! + file.scale[j]! * bytes[k]!;
    }
    return {
      speaker: source.speaker,
      split: source.split,
      name: `${source.dir}/${u.name} (${u.variant})`,
      frames: { data, rows: bytes.length / EMBEDDING_DIM, cols: EMBEDDING_DIM },
    };
  });
  return {
    version: createHash('sha256').update(text).digest('hex').slice(0, 16),
    embedderVersion: file.embedderVersion,
    utterances,
  };
}

const loaded = new Map<string, Promise<GarbageBank>>();

/** Reads (once per path) the bank at `path`. */
export function loadGarbageBank(path: string): Promise<GarbageBank> {
  let bank = loaded.get(path);
  if (!bank) {
    bank = readFile(path, 'utf8').then((text) => parseGarbageBank(text, path));
    bank.catch(() => loaded.delete(path));
    loaded.set(path, bank);
  }
  return bank;
}

/** The bank inside a models folder (native-models/garbage/real-speech.json). */
export function garbageBankIn(modelsDir: string): string {
  return join(modelsDir, ...GARBAGE_BANK_PATH.split('/'));
}

/** The bank of the models folder this module finds (a source checkout, `out/`), or null. */
export function defaultGarbageBankPath(): string | null {
  const dir = findModelsDir();
  return dir ? garbageBankIn(dir) : null;
}

/**
 * The bank of the models folder that holds this embedding model (<models>/embedding/x.onnx →
 * <models>/garbage/real-speech.json), or null when there is none: how the speech worker, which is
 * handed model paths, finds it in an installed app too.
 */
export async function garbageBankBeside(embeddingModelPath: string): Promise<GarbageBank | null> {
  const path = garbageBankIn(dirname(dirname(embeddingModelPath)));
  return existsSync(path) ? loadGarbageBank(path) : null;
}
