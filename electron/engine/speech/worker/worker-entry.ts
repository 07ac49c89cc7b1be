/**
 * Speech worker thread: owns one Silero session and serves many calls, each with its own VAD
 * state. Started by SpeechWorkerPool (pool.ts); the protocol is in protocol.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SileroModel, isVadSampleRate, type SileroVad } from '../vad/silero.js';
import type { FromWorker, SpeechWorkerData, ToWorker } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('speech worker-entry must run in a worker thread');
const { vadModelPath } = workerData as SpeechWorkerData;

const post = (message: FromWorker): void => port.postMessage(message);
const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const model = SileroModel.load(vadModelPath);
model.then(
  () => post({ type: 'ready' }),
  (error: unknown) => post({ type: 'init_error', message: describe(error) }),
);

/** Per call, its stream once the model is loaded; messages for a call are handled in order. */
const calls = new Map<string, Promise<SileroVad>>();

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'open': {
      const { callId, sampleRate } = message;
      if (calls.has(callId)) return post({ type: 'error', callId, message: `call ${callId} is already open` });
      if (!isVadSampleRate(sampleRate)) return post({ type: 'error', callId, message: `unsupported sample rate ${String(sampleRate)}` });
      const stream = model.then((m) => m.createStream(sampleRate));
      stream.catch(() => undefined); // reported once as init_error
      calls.set(callId, stream);
      return;
    }
    case 'frames': {
      const { callId, samples } = message;
      const stream = calls.get(callId);
      if (!stream) return post({ type: 'error', callId, message: `frames for unknown call ${callId}` });
      stream
        .then((vad) => vad.push(samples))
        .then(
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
      stream
        .then((vad) => vad.close())
        .catch(() => undefined)
        .then(() => post({ type: 'closed', callId }));
      return;
    }
  }
});
