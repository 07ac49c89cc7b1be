/**
 * Speech worker thread: owns one Silero session and serves many calls, each with its own VAD
 * state; on request it also synthesizes prompts (espeak-ng WASM), recognizes utterances (phrase
 * models over the speech embedding) and trains phrase models, so none of that blocks the engine's
 * event loop. Started by SpeechWorkerPool (pool.ts); the protocol is in protocol.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { EspeakWasmTts } from '../../tts/espeak-wasm.js';
import { FliteWasiTts } from '../../tts/flite-wasi.js';
import { SpeechEmbedder } from '../recognizers/phrase/embedder.js';
import { garbageBankBeside } from '../recognizers/phrase/garbage.js';
import { AskRecognizer } from '../recognizers/phrase/library.js';
import { spotAnnouncementStep } from '../recognizers/phrase/line-status.js';
import type { PhraseModel } from '../recognizers/phrase/model.js';
import { trainPhraseModel } from '../recognizers/phrase/train.js';
import { isVadSampleRate, SileroModel, type SileroVad } from '../vad/silero.js';
import type {
  FromWorker,
  SpeechTask,
  SpeechTaskResults,
  SpeechWorkerData,
  ToWorker,
} from './protocol.js';

const port = parentPort;
if (!port) throw new Error('speech worker-entry must run in a worker thread');
const { vadModelPath, melModelPath, embeddingModelPath } = workerData as SpeechWorkerData;

/** Loaded on first use: most workers only ever run VAD. */
function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | null = null;
  return () => {
    value ??= load();
    value.catch(() => (value = null)); // a later task may try again
    return value;
  };
}
const tts = lazy(async () => {
  const engine = new EspeakWasmTts();
  await engine.init();
  return engine;
});
let embedderLoaded: Promise<SpeechEmbedder> | null = null;
const embedder = lazy(() => {
  if (!melModelPath || !embeddingModelPath)
    return Promise.reject(
      new Error('this speech worker has no embedding models (phrase recognition is unavailable)'),
    );
  embedderLoaded = SpeechEmbedder.load({
    melPath: melModelPath,
    embeddingPath: embeddingModelPath,
  });
  return embedderLoaded;
});
/** Training only needs the TTS engines when a clip is not cached: they load on their first synthesis. */
const lazyTts = new EspeakWasmTts();
/** Every other engine that speaks a language trains the recognizer too (flite: English). */
const trainingEngines = [new FliteWasiTts()];
/** Phrase models this worker has been sent, by key. */
const phraseModels = new Map<string, PhraseModel>();
/** Native work in progress: shutdown waits for it (see the 'shutdown' message). */
const inFlight = new Set<Promise<unknown>>();
const stopping = new AbortController();

function track<T>(work: Promise<T>): Promise<T> {
  inFlight.add(work);
  void work.then(
    () => inFlight.delete(work),
    () => inFlight.delete(work),
  );
  return work;
}

async function shutdown(): Promise<void> {
  stopping.abort(new Error('the speech worker is stopping'));
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  for (const stream of calls.values())
    await stream.then((vad) => vad.close()).catch(() => undefined);
  calls.clear();
  await model.then((m) => m.release()).catch(() => undefined);
  const loaded = embedderLoaded;
  if (loaded) await loaded.then((e) => e.release()).catch(() => undefined);
  process.exit(0);
}

async function runTask(
  id: number,
  task: SpeechTask,
): Promise<SpeechTaskResults[keyof SpeechTaskResults]> {
  switch (task.kind) {
    case 'synthesize': {
      const result = await (await tts()).synthesize(task.text, task.options);
      return { samples: result.samples, durationMs: result.durationMs };
    }
    case 'recognize': {
      const known = (key: string, sent: PhraseModel | undefined): PhraseModel => {
        if (sent) phraseModels.set(key, sent);
        const model = phraseModels.get(key);
        if (!model) throw new Error(`phrase model ${key} was never sent to this worker`);
        return model;
      };
      const question = task.modelKey !== undefined ? known(task.modelKey, task.model) : undefined;
      const library = task.library && {
        model: known(task.library.key, task.library.model),
        uses: task.library.uses,
      };
      // The question's own model and the library's for the answers it uses, combined.
      const recognizer = new AskRecognizer({
        ...(question ? { question } : {}),
        ...(library ? { library } : {}),
        embedder: await embedder(),
      });
      recognizer.start({ startMs: task.startMs });
      recognizer.push(task.samples);
      return recognizer.finish();
    }
    case 'spotAnnouncement': {
      const models = task.models.map(({ key, model }) => {
        if (model) phraseModels.set(key, model);
        const known = phraseModels.get(key);
        if (!known) throw new Error(`line-status model ${key} was never sent to this worker`);
        return known;
      });
      return spotAnnouncementStep(await embedder(), models, {
        samples: task.samples,
        stream: task.stream,
      });
    }
    case 'warm': {
      const parts = task.parts ?? ['tts', 'embedder'];
      await Promise.all(parts.map((part) => (part === 'tts' ? tts() : embedder())));
      return { ready: true };
    }
    case 'train':
      return trainPhraseModel(task.question, {
        tts: lazyTts,
        extraEngines: trainingEngines,
        signal: stopping.signal,
        embedder: await embedder(),
        // The real-speech garbage bank beside the embedding models (none: trains without it).
        garbageBank: embeddingModelPath ? await garbageBankBeside(embeddingModelPath) : null,
        cacheDir: task.cacheDir,
        ...(task.seed !== undefined ? { seed: task.seed } : {}),
        onProgress: (progress) => post({ type: 'task_progress', id, progress }),
      });
  }
}

const post = (message: FromWorker, transfer?: ArrayBuffer[]): void =>
  port.postMessage(message, transfer);
const describe = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

const model = SileroModel.load(vadModelPath);
model.then(
  () => post({ type: 'ready' }),
  (error: unknown) => post({ type: 'init_error', message: describe(error) }),
);

/** Per call, its stream once the model is loaded; messages for a call are handled in order. */
const calls = new Map<string, Promise<SileroVad>>();

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'shutdown':
      void shutdown();
      return;
    case 'task': {
      const { id, task } = message;
      if (stopping.signal.aborted)
        return post({ type: 'task_error', id, message: 'the speech worker is stopping' });
      track(runTask(id, task)).then(
        (result) =>
          post(
            { type: 'task_result', id, result },
            'samples' in result ? [result.samples.buffer as ArrayBuffer] : undefined,
          ),
        (error: unknown) => post({ type: 'task_error', id, message: describe(error) }),
      );
      return;
    }
    case 'open': {
      const { callId, sampleRate, maxLagMs } = message;
      if (calls.has(callId))
        return post({ type: 'error', callId, message: `call ${callId} is already open` });
      if (!isVadSampleRate(sampleRate))
        return post({
          type: 'error',
          callId,
          message: `unsupported sample rate ${String(sampleRate)}`,
        });
      const stream = model.then((m) =>
        m.createStream(sampleRate, maxLagMs === undefined ? {} : { maxLagMs }),
      );
      stream.catch(() => undefined); // reported once as init_error
      calls.set(callId, stream);
      return;
    }
    case 'frames': {
      const { callId, samples } = message;
      const stream = calls.get(callId);
      if (!stream)
        return post({ type: 'error', callId, message: `frames for unknown call ${callId}` });
      if (stopping.signal.aborted) return;
      track(stream.then((vad) => vad.push(samples))).then(
        (windows) => {
          if (windows.length > 0) post({ type: 'windows', callId, windows });
        },
        (error: unknown) => post({ type: 'error', callId, message: describe(error) }),
      );
      return;
    }
    case 'close': {
      const { callId } = message;
      const stream = calls.get(callId);
      calls.delete(callId);
      if (!stream) return post({ type: 'closed', callId });
      // The call is over: its audio not yet through the model is skipped (SileroVad.abandon), so a
      // worker behind real time frees the call at once. Cannot reject: a failed open or close is
      // swallowed, and post() of a plain message does not throw.
      void stream
        .then((vad) => vad.abandon())
        .catch(() => undefined)
        .then(() => post({ type: 'closed', callId }));
      return;
    }
  }
});
