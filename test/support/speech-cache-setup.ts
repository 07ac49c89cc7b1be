/**
 * The speech cache warm-up: trains the sample flows' phrase models (and renders their static
 * prompts) into the shared speech cache (speech-cache-dir.ts) before any test starts, so no engine
 * trains in the background while timing-sensitive call tests run. A warm cache makes this a few
 * seconds; an empty one costs minutes of CPU once per machine, printed with its progress and cost.
 *
 * It is Vitest's global setup (for `npx vitest run FILE`), and `npm test` runs it once as its own
 * step (warm-speech-cache.ts) before its two test lanes, which then skip it
 * (OUTBOUND_SPEECH_CACHE_READY=1), so two Vitest processes never train at the same time.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { defaultVoice, PhraseModels, PromptRenderer } from '../../electron/engine/bot/index.js';
import { SAMPLE_FLOWS, validateFlow } from '../../electron/engine/dialog/index.js';
import { SpeechWorkerPool } from '../../electron/engine/speech/index.js';

const MODELS = resolve(import.meta.dirname, '../../native-models');

const say = (line: string): void => {
  process.stdout.write(`[speech cache] ${line}\n`);
};

/** Trains what is missing; returns how many phrase models it trained. */
export async function warmSpeechCache(cacheDir: string): Promise<number> {
  const started = performance.now();
  const fresh = !existsSync(join(cacheDir, 'phrase-models'));
  if (fresh)
    say(
      `${cacheDir} is empty: training the sample flows' phrase models once for this machine ` +
        '(several minutes of CPU; later runs take seconds)',
    );
  const pool = new SpeechWorkerPool({
    vadModelPath: join(MODELS, 'vad/silero_vad.onnx'),
    melModelPath: join(MODELS, 'embedding/melspectrogram.onnx'),
    embeddingModelPath: join(MODELS, 'embedding/embedding_model.onnx'),
  });
  let trained = 0;
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
          const elapsed = ((performance.now() - started) / 1000).toFixed(0);
          say(`training ${line} (question ${p.nodesDone + 1} of ${p.nodes}, ${elapsed} s so far)`);
        }
      });
      const count = result.nodes.length - result.cached;
      trained += count;
      if (count > 0)
        say(
          `${flow.id}: ${count} phrase models trained in ${(result.elapsedMs / 1000).toFixed(0)} s`,
        );
    }
  } finally {
    await pool.close();
  }
  const files = existsSync(join(cacheDir, 'phrase-models'))
    ? readdirSync(join(cacheDir, 'phrase-models')).filter((f) => f.endsWith('.json')).length
    : 0;
  say(
    `ready in ${((performance.now() - started) / 1000).toFixed(1)} s` +
      `${trained > 0 ? `, ${trained} phrase models trained` : ''} (${cacheDir}, ${files} models)`,
  );
  return trained;
}

export default async function setup(): Promise<void> {
  const cacheDir = process.env.OUTBOUND_SPEECH_CACHE;
  if (!cacheDir || process.env.OUTBOUND_SPEECH_CACHE_READY === '1') return;
  await warmSpeechCache(cacheDir);
}
