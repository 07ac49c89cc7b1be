/**
 * The committed real-speech garbage bank (native-models/garbage/real-speech.json): it loads, is
 * small, was made with the shipped embedding models, holds only non-English speakers (the English
 * Asterisk prompts are the evaluation set) with a held-apart calibration split, and its manifest
 * entry names every source package with version and licence. Needs no Asterisk package installed.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { SpeechEmbedder } from './embedder.js';
import {
  GARBAGE_BANK_PATH,
  garbageBankBeside,
  parseGarbageBank,
  quantizeFrames,
} from './garbage.js';
import { EMBEDDING_MODEL_DIR } from './testing.js';

const MODELS = join(EMBEDDING_MODEL_DIR, '..');

describe('real-speech garbage bank', () => {
  it('loads beside the embedding models, small, made with them, non-English only', async () => {
    const path = join(MODELS, GARBAGE_BANK_PATH);
    expect((await stat(path)).size).toBeLessThan(5 * 1024 * 1024);
    const bank = await garbageBankBeside(join(EMBEDDING_MODEL_DIR, 'embedding_model.onnx'));
    expect(bank).not.toBeNull();
    const embedder = await SpeechEmbedder.load(EMBEDDING_MODEL_DIR);
    expect(bank!.embedderVersion).toBe(embedder.version);
    await embedder.release();
    expect(bank!.utterances.length).toBeGreaterThan(1000);
    expect(bank!.utterances.every((u) => u.frames.rows > 0 && u.frames.cols === 96)).toBe(true);
    const speakers = (split: string) =>
      new Set(bank!.utterances.filter((u) => u.split === split).map((u) => u.speaker));
    expect(speakers('train').size).toBeGreaterThanOrEqual(3);
    expect(speakers('calibrate').size).toBeGreaterThanOrEqual(2);
    for (const s of speakers('calibrate')) expect(speakers('train').has(s)).toBe(false);

    const file = JSON.parse(await readFile(path, 'utf8')) as {
      sources: { package: string; version: string; licence: string; speaker: string }[];
    };
    for (const s of file.sources) {
      expect(s.package).not.toMatch(/-en\b|-en-/);
      expect(s.package).not.toBe('asterisk-core-sounds-es-wav'); // Allison Smith, the evaluation speaker
      expect(s.speaker).not.toMatch(/Allison/);
    }
    const manifest = JSON.parse(await readFile(join(MODELS, 'manifest.json'), 'utf8')) as {
      files: {
        path: string;
        licence: string;
        source: { from?: { debian: string; version: string; licence: string }[] };
      }[];
    };
    const entry = manifest.files.find((f) => f.path === GARBAGE_BANK_PATH)!;
    expect(entry.source.from!.map((f) => f.debian).sort()).toEqual(
      file.sources.map((s) => s.package).sort(),
    );
    for (const f of entry.source.from!) {
      expect(f.version).toBe(file.sources.find((s) => s.package === f.debian)!.version);
      expect(f.licence.length).toBeGreaterThan(2);
    }
  });

  it('quantizes frames to a byte per value within half a step, and refuses a broken file', () => {
    const m = {
      data: Float32Array.from({ length: 3 * 96 }, (_, i) => Math.sin(i) * 3),
      rows: 3,
      cols: 96,
    };
    const q = quantizeFrames([m]);
    const text = JSON.stringify({
      format: 'outbound-garbage-bank/1',
      embedderVersion: 'x',
      dim: 96,
      offset: q.offset,
      scale: q.scale,
      sources: [
        {
          package: 'p',
          version: '1',
          licence: 'l',
          dir: 'd',
          speaker: 's',
          language: 'fr',
          split: 'train',
        },
      ],
      utterances: [{ source: 0, name: 'n', variant: 'clean', frames: q.encode(m) }],
    });
    const bank = parseGarbageBank(text, 'test.json');
    const back = bank.utterances[0]!.frames;
    expect(back.rows).toBe(3);
    for (let i = 0; i < m.data.length; i++)
      expect(Math.abs(back.data[i]! - m.data[i]!)).toBeLessThanOrEqual(q.scale[i % 96]! / 2 + 1e-6);
    expect(() => parseGarbageBank('{', 'bad.json')).toThrow(/bad\.json: not JSON/);
    expect(() => parseGarbageBank('{"format":"x"}', 'bad.json')).toThrow(/not a garbage bank/);
    expect(() => parseGarbageBank(text.replace('"source":0', '"source":3'), 'bad.json')).toThrow(
      /names source 3/,
    );
  });
});
