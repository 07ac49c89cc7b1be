import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { checkModels, findModelsDir } from './manifest.js';

const real = findModelsDir();
const temps: string[] = [];

async function copyOfModels(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'outbound-models-'));
  temps.push(dir);
  await cp(real!, dir, { recursive: true });
  return dir;
}

afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('checkModels', () => {
  it('finds the shipped models and accepts every file', async () => {
    expect(real).not.toBeNull();
    const checked = await checkModels(real!);
    expect(checked.files.map((f) => f.role)).toEqual(
      expect.arrayContaining([
        'embedding',
        'mel',
        'vad',
        'common-answers-en',
        'common-answers-zh-CN',
      ]),
    );
  });

  it('names a missing common-answer library model with the command that rebuilds it', async () => {
    const dir = await copyOfModels();
    await rm(join(dir, 'library', 'common-answers.en.json'));
    await expect(checkModels(dir)).rejects.toMatchObject({
      code: 'MODEL_FILE_MISSING',
      message: expect.stringMatching(
        /common-answers\.en\.json .*is missing.*npm run build:library/,
      ),
    });
  });

  it('names a missing file', async () => {
    const dir = await copyOfModels();
    await rm(join(dir, 'vad', 'silero_vad.onnx'));
    await expect(checkModels(dir)).rejects.toMatchObject({
      code: 'MODEL_FILE_MISSING',
      file: join(dir, 'vad', 'silero_vad.onnx'),
      message: expect.stringMatching(/silero_vad\.onnx .*is missing/),
    });
  });

  it('names an altered file, same size or not', async () => {
    const dir = await copyOfModels();
    const path = join(dir, 'embedding', 'melspectrogram.onnx');
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(path);
    bytes[1000] = bytes[1000]! ^ 0xff;
    await writeFile(path, bytes);
    await expect(checkModels(dir)).rejects.toMatchObject({
      code: 'MODEL_FILE_ALTERED',
      message: expect.stringMatching(/melspectrogram\.onnx is not the one .*sha256 differs/),
    });
    await writeFile(path, bytes.subarray(0, 100));
    await expect(checkModels(dir)).rejects.toMatchObject({
      code: 'MODEL_FILE_ALTERED',
      message: expect.stringMatching(/100 bytes, expected/),
    });
  });

  it('refuses a broken manifest, saying where', async () => {
    const dir = await copyOfModels();
    await writeFile(
      join(dir, 'manifest.json'),
      JSON.stringify({ files: [{ path: '../escape.onnx' }] }),
    );
    await expect(checkModels(dir)).rejects.toMatchObject({
      code: 'MODEL_MANIFEST_INVALID',
      message: expect.stringMatching(/files\.0\.path: must be a relative path/),
    });
  });
});
