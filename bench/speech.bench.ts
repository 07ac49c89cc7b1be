/**
 * The speech stack: Silero VAD in-thread, the speech worker pool under N concurrent simulated
 * calls, and the phrase recognizer (training per question, compute per utterance, accuracy on
 * held-apart synthetic voices and on real human recordings). Helpers are in bench/speech/.
 */
import { EspeakWasmTts } from '../electron/engine/tts/index.js';
import type { BenchRow, BenchSuite } from './harness.js';
import { modelPaths, perThreadCpuAvailable, speechLoop } from './speech/audio.js';
import { phraseRows } from './speech/phrase.js';
import { IDLE_MS, LOADS, MEASURE_MS, poolRows, WARMUP_MS } from './speech/pool.js';
import { VAD_WINDOWS, vadRows } from './speech/vad.js';

const progress = (line: string): void => {
  process.stderr.write(
    `  [speech ${((performance.now() - started) / 1000).toFixed(0)} s] ${line}\n`,
  );
};
let started = performance.now();

const suite: BenchSuite = {
  title: 'Speech: VAD, speech worker pool, phrase recognizer',
  method: [
    'Model files are the checked ones from native-models/ (models/ `checkModels`). Test audio ("the speech loop") is synthetic: eight short answers (English and Mandarin, six espeak-ng WASM voices) at −22 dBFS between 0.8–2 s pauses, with pink line noise at 25 dB SNR and the telephone channel, about 20 s, looped.',
    `**VAD** (in the calling thread, one onnxruntime thread): ${VAD_WINDOWS} consecutive 32 ms windows of the loop per rate (8 kHz: the loop resampled), each pushed alone and awaited; time per window and real-time factor = median time / 32 ms.`,
    `**Pool**: \`SpeechWorkerPool\` with its default limit (min(cores − 1, 4) workers; on 2 cores: one worker, every call on it). N = ${LOADS.join(', ')} simulated calls each push the loop (each from its own offset) as 20 ms frames on its own real-time 20 ms clock (phases spread), ${WARMUP_MS / 1000} s warm-up then ${MEASURE_MS / 1000} s measured. Event-loop lag: \`perf_hooks.monitorEventLoopDelay\` (10 ms resolution, the 10 ms subtracted). CPU: ${perThreadCpuAvailable() ? "per thread from /proc/self/task/<tid>/schedstat (ns), sampled every second; \"speech-worker CPU\" = the threads that appeared when the pool started (the worker thread and its onnxruntime/V8 helpers) minus their idle rate, divided by N; the engine's main thread (pacing the frames, postMessage, endpointer) is shown beside it, and so is the whole process's CPU (`process.cpuUsage`) above the idle pool's" : 'whole process (`process.cpuUsage`) above the idle pool, sampled every second (per-thread counters unavailable here)'}; figures are the median and p95 of the 1 s samples. Idle baseline: the pool with its worker loaded and no call, ${IDLE_MS / 1000} s. VAD result delay: from pushing the frame that completes a 32 ms window to that window's probability arriving on the engine side (queueing + transfer + inference). End-of-speech decision: from pushing the frame holding an utterance's last speech sample (energy at −45 dBFS in the clean clip) to the speech_end event, so it includes the endpointer's 350 ms hangover and Silero's decay, not only compute.`,
    "**Phrase recognizer**: every `ask` node with example phrases in the two sample flows is one question, its phrases taken as the engine takes them (bot/phrase-models.ts `askQuestion`; identical phrase sets once), trained fresh (no cache) with `trainPhraseModel` and the default options (every espeak-ng WASM voice of the language, default variants, prosody, augmentation, garbage sentences). Compute: `createRecognizer('phrase')` on the largest model, an utterance pushed as 20 ms frames and `finish()`ed, 40 runs.",
    'Accuracy on held-apart **synthetic** speech, through the call-like path of phrase/testing.ts `evaluate` (200 ms lead, 300 ms tail, −22 dBFS, pink noise 20 dB SNR, telephone channel): espeak WASM with variants and rates/pitches the trainer never uses (its base voices are all in training), and for English the Debian espeak-ng 1.51 CLI (klatt4/Andy variants). Training also uses flite (WASI build) for English, so the Debian flite row (slt, rms, awb) is the same voices through another build: not held apart, shown as a check. Top-1 = best intent right; accepted correct = right and above the calibrated threshold; false accepts = unrelated sentences (none of them among the garbage sentences of training; for a one-intent question also answers with a time) not rejected. Only the recognizer is timed here, not the synthesis of test audio.',
    'Accuracy on **real human speech**: Debian asterisk-core-sounds-en-wav, one professional female speaker recorded at 8 kHz (resampled to 16 kHz, 200/300 ms silence added, −22 dBFS, no added noise). A question of seven words that the prompts say alone (tomorrow, today, cancelled, goodbye, hello, no, thank you) is trained the same way (synthetic speech only); its positives are the recordings of those words, its false-accept input other prompts of 0.4–3 s whose text has none of them. This is the only real audio in the suite; no real Mandarin recordings are available here, so Mandarin accuracy is synthetic only.',
  ].join(' '),
  async run() {
    started = performance.now();
    const paths = await modelPaths();
    const wasm = new EspeakWasmTts();
    await wasm.init();
    const loop = await speechLoop(wasm);
    const rows: BenchRow[] = [];
    progress('VAD in-thread');
    rows.push(...(await vadRows(paths.vad, loop)));
    rows.push(...(await poolRows(paths.vad, loop, progress)));
    const phrase = await phraseRows(paths, progress);
    rows.push(...phrase.rows);
    for (const note of phrase.notes) rows.push({ name: 'Note', values: { detail: note } });
    rows.push({
      name: 'Suite wall time',
      values: {
        median: `${((performance.now() - started) / 1000).toFixed(0)} s`,
        detail: `speech loop ${(loop.samples.length / 16000).toFixed(1)} s with ${loop.utterances.length} utterances`,
      },
    });
    return rows;
  },
};

export default suite;
