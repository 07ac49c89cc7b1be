/**
 * Vitest global setup: trains the sample flows' phrase models (and renders their static prompts)
 * into the shared speech cache before any test starts, so no engine trains in the background while
 * timing-sensitive call tests run. A warm cache makes this a few seconds; a fresh machine spends a
 * few minutes here once (the progress is printed).
 */
import { join, resolve } from 'node:path';

import { defaultVoice, PhraseModels, PromptRenderer } from '../../electron/engine/bot/index.js';
import { SAMPLE_FLOWS, validateFlow } from '../../electron/engine/dialog/index.js';
import { SpeechWorkerPool } from '../../electron/engine/speech/index.js';

const MODELS = resolve(import.meta.dirname, '../../native-models');

export default async function setup(): Promise<void> {
  const cacheDir = process.env.OUTBOUND_SPEECH_CACHE;
  if (!cacheDir) return;
  const started = performance.now();
  const pool = new SpeechWorkerPool({
    vadModelPath: join(MODELS, 'vad/silero_vad.onnx'),
    melModelPath: join(MODELS, 'embedding/melspectrogram.onnx'),
    embeddingModelPath: join(MODELS, 'embedding/embedding_model.onnx'),
  });
  try {
    const prompts = new PromptRenderer(() => pool, join(cacheDir, 'prompts'));
    const models = new PhraseModels({
      pool: () => pool,
      cacheDir: join(cacheDir, 'phrase-models'),
      voiceFor: defaultVoice,
      prerender: (text, voice) => prompts.prerender(text, voice),
    });
    for (const raw of Object.values(SAMPLE_FLOWS)) {
      const flow = validateFlow(raw);
      let shown = '';
      const result = await models.train(flow, (p) => {
        const line = p.nodeId ? `${flow.id} ${p.nodeId}: ${p.stage}` : '';
        if (line && line !== shown && p.stage !== 'cached') {
          shown = line;
          process.stdout.write(
            `[speech cache] training ${line} (question ${p.nodesDone + 1} of ${p.nodes})\n`,
          );
        }
      });
      if (result.cached < result.nodes.length)
        process.stdout.write(
          `[speech cache] ${flow.id}: ${result.nodes.length - result.cached} phrase models trained in ${(result.elapsedMs / 1000).toFixed(0)} s\n`,
        );
    }
  } finally {
    await pool.close();
  }
  process.stdout.write(
    `[speech cache] ready in ${((performance.now() - started) / 1000).toFixed(1)} s (${cacheDir})\n`,
  );
}
