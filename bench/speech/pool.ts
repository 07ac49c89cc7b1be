/**
 * The speech worker pool under load: N simulated calls each push 20 ms frames of the speech loop in
 * real time; measured are the engine's event-loop lag, the CPU of the speech threads, and how long
 * VAD results and end-of-speech decisions take to come back.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { type SpeechCall, SpeechWorkerPool } from '../../electron/engine/speech/index.js';
import { type BenchRow, ms, percentile } from '../harness.js';
import { perThreadCpuAvailable, type SpeechLoop, threadCpuNs } from './audio.js';

export const LOADS = [1, 10, 25];
export const MEASURE_MS = 15_000;
export const WARMUP_MS = 1_000;
export const IDLE_MS = 3_500;
const ELD_RESOLUTION_MS = 10;
const FRAME = 320;
const WINDOW = 512;

const sleep = (milliseconds: number): Promise<void> =>
  new Promise((r) => setTimeout(r, milliseconds));

interface Sample {
  /** Wall ms of the 1 s interval. */
  wallMs: number;
  processCpuMs: number;
  mainCpuMs: number;
  poolCpuMs: number;
}

/** Samples CPU once a second: whole process, the main thread, and the threads the pool started. */
class CpuSampler {
  readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = this.read();

  constructor(private readonly preexisting: Set<number>) {}

  private read(): { at: number; process: NodeJS.CpuUsage; threads: Map<number, number> } {
    return {
      at: performance.now(),
      process: process.cpuUsage(),
      threads: perThreadCpuAvailable() ? threadCpuNs() : new Map(),
    };
  }

  start(): void {
    this.last = this.read();
    this.timer = setInterval(() => this.sample(), 1000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const now = this.read();
    const delta = (tid: number): number =>
      ((now.threads.get(tid) ?? 0) - (this.last.threads.get(tid) ?? 0)) / 1e6;
    let pool = 0;
    for (const tid of now.threads.keys()) if (!this.preexisting?.has(tid)) pool += delta(tid);
    this.samples.push({
      wallMs: now.at - this.last.at,
      processCpuMs:
        (now.process.user -
          this.last.process.user +
          now.process.system -
          this.last.process.system) /
        1000,
      mainCpuMs: delta(process.pid),
      poolCpuMs: pool,
    });
    this.last = now;
  }
}

/** % of one core per interval, sorted. */
const percentOfCore = (samples: Sample[], pick: (s: Sample) => number, divide = 1): number[] =>
  samples.map((s) => (pick(s) / s.wallMs / divide) * 100).sort((a, b) => a - b);

const pct = (value: number): string => `${value.toFixed(value < 10 ? 2 : 1)} %`;

interface CallRecord {
  call: SpeechCall;
  pushWall: number[];
  windowDelays: number[];
  endDelays: number[];
  windows: number;
  /** Utterance ends in this call's stream, in samples. */
  truthEnds: number[];
}

export async function poolRows(
  vadPath: string,
  loop: SpeechLoop,
  progress: (line: string) => void,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const loopFrames: Int16Array[] = [];
  for (let i = 0; i + FRAME <= loop.samples.length; i += FRAME)
    loopFrames.push(loop.samples.subarray(i, i + FRAME));
  const loopLength = loopFrames.length * FRAME;
  const totalFrames = Math.ceil((WARMUP_MS + MEASURE_MS + 500) / 20);

  const before = new Set(threadCpuNs().keys());
  const pool = new SpeechWorkerPool({ vadModelPath: vadPath });
  try {
    // Start the first worker and let it load its model, then close the call: an idle pool.
    const probe = pool.open('idle-probe');
    await pool.ready();
    probe.push(new Int16Array(WINDOW * 2));
    await probe.drain();
    await probe.close();
    await sleep(500);

    const idle = new CpuSampler(before);
    const idleLag = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
    idle.start();
    idleLag.enable();
    await sleep(IDLE_MS);
    idleLag.disable();
    idle.stop();
    const idleProcess = percentile(
      percentOfCore(idle.samples, (s) => s.processCpuMs),
      50,
    );
    const idlePool = percentile(
      percentOfCore(idle.samples, (s) => s.poolCpuMs),
      50,
    );
    const lagMs = (h: ReturnType<typeof monitorEventLoopDelay>, p: number): number =>
      Math.max(0, h.percentile(p) / 1e6 - ELD_RESOLUTION_MS);
    rows.push({
      name: `Pool idle (${pool.size} worker loaded, no calls): event-loop lag`,
      values: {
        median: ms(lagMs(idleLag, 50)),
        p99: ms(lagMs(idleLag, 99)),
        detail: `process ${pct(idleProcess)} of a core, speech threads ${pct(idlePool)} (median of ${idle.samples.length} 1 s samples): the baseline`,
      },
    });

    for (const load of LOADS) {
      progress(`pool: ${load} call(s) for ${(WARMUP_MS + MEASURE_MS) / 1000} s`);
      const records: CallRecord[] = [];
      let measuring = false;
      const startAt = performance.now() + 100;
      const timers: NodeJS.Timeout[] = [];
      for (let i = 0; i < load; i++) {
        const call = pool.open(`bench-${load}-${i}`);
        const offsetFrames = Math.floor((i * loopFrames.length) / load);
        const truthEnds: number[] = [];
        for (let k = 0; k * loopLength < totalFrames * FRAME + loopLength; k++) {
          for (const u of loop.utterances) {
            const end = u.end - offsetFrames * FRAME + k * loopLength;
            if (end > 0 && end < totalFrames * FRAME) truthEnds.push(end);
          }
        }
        truthEnds.sort((a, b) => a - b);
        const record: CallRecord = {
          call,
          pushWall: [],
          windowDelays: [],
          endDelays: [],
          windows: 0,
          truthEnds,
        };
        records.push(record);
        call.onWindow((window) => {
          if (!measuring) return;
          const now = performance.now();
          const windowIndex = Math.round((window.startMs * 16) / WINDOW);
          const completingFrame = Math.floor(((windowIndex + 1) * WINDOW - 1) / FRAME);
          record.windows++;
          const pushedAt = record.pushWall[completingFrame];
          if (pushedAt !== undefined) record.windowDelays.push(now - pushedAt);
        });
        call.onEvent((event) => {
          if (event.type !== 'speech_end' || !measuring) return;
          const now = performance.now();
          // The true end this decision is about: the utterance whose energy end is nearest the VAD's end.
          const endSample = event.endMs * 16;
          const truth = truthEnds.reduce<number | undefined>(
            (best, t) =>
              best === undefined || Math.abs(t - endSample) < Math.abs(best - endSample) ? t : best,
            undefined,
          );
          if (truth === undefined || Math.abs(truth - endSample) > 300 * 16) return;
          const pushedAt = record.pushWall[Math.floor((truth - 1) / FRAME)];
          if (pushedAt !== undefined) record.endDelays.push(now - pushedAt);
        });
        // Each call's frames arrive on their own 20 ms clock, phases spread over the 20 ms.
        const callStart = startAt + (i * 20) / load;
        let pushed = 0;
        const tick = (): void => {
          const now = performance.now();
          const due = Math.min(totalFrames, Math.floor((now - callStart) / 20) + 1);
          while (pushed < due) {
            record.pushWall[pushed] = now;
            call.push(loopFrames[(offsetFrames + pushed) % loopFrames.length]!);
            pushed++;
          }
          if (pushed < totalFrames)
            timers[i] = setTimeout(tick, Math.max(0, callStart + pushed * 20 - performance.now()));
        };
        timers[i] = setTimeout(tick, Math.max(0, callStart - performance.now()));
      }
      await sleep(WARMUP_MS + 100);
      const lag = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
      const sampler = new CpuSampler(before);
      measuring = true;
      lag.enable();
      sampler.start();
      const measuredFrom = performance.now();
      await sleep(MEASURE_MS);
      sampler.stop();
      lag.disable();
      measuring = false;
      const measuredMs = performance.now() - measuredFrom;
      const workers = `${pool.size} speech worker${pool.size === 1 ? '' : 's'} (calls: ${pool.load.join(' + ')})`;
      for (const t of timers) clearTimeout(t);
      await Promise.all(records.map((r) => r.call.close()));

      const poolPerCall = percentOfCore(
        sampler.samples,
        (s) => s.poolCpuMs - (idlePool / 100) * s.wallMs,
        load,
      );
      const mainPerCall = percentOfCore(sampler.samples, (s) => s.mainCpuMs, load);
      const processPerCall = percentOfCore(
        sampler.samples,
        (s) => s.processCpuMs - (idleProcess / 100) * s.wallMs,
        load,
      );
      const delays = records.flatMap((r) => r.windowDelays).sort((a, b) => a - b);
      const endDelays = records.flatMap((r) => r.endDelays).sort((a, b) => a - b);
      const windows = records.reduce((a, r) => a + r.windows, 0);
      const expected = Math.floor(((measuredMs / 1000) * 16000) / WINDOW) * load;
      const label = `${load} call${load === 1 ? '' : 's'}`;
      rows.push({
        name: `Pool, ${label}: event-loop lag`,
        values: {
          median: ms(lagMs(lag, 50)),
          p99: ms(lagMs(lag, 99)),
          detail: `max ${ms(lagMs(lag, 100))}; ${workers}`,
        },
      });
      rows.push({
        name: `Pool, ${label}: speech-worker CPU per call (% of a core)`,
        values: {
          median: pct(percentile(poolPerCall, 50)),
          p95: pct(percentile(poolPerCall, 95)),
          detail: `+ engine main thread ${pct(percentile(mainPerCall, 50))} per call (frame pacing, postMessage, endpointer); whole process above idle ${pct(percentile(processPerCall, 50))} per call`,
        },
      });
      rows.push({
        name: `Pool, ${label}: VAD result delay (frame pushed → window probability back)`,
        values: {
          median: ms(percentile(delays, 50)),
          p95: ms(percentile(delays, 95)),
          p99: ms(percentile(delays, 99)),
          detail: `${windows.toLocaleString('en-US')} windows scored of ~${expected.toLocaleString('en-US')} pushed in the interval`,
        },
      });
      rows.push({
        name: `Pool, ${label}: end-of-speech decision (last speech sample pushed → speech_end)`,
        values: {
          median: ms(percentile(endDelays, 50)),
          p95: ms(percentile(endDelays, 95)),
          p99: ms(percentile(endDelays, 99)),
          detail: `${endDelays.length} utterance ends; includes the 350 ms hangover and Silero's decay`,
        },
      });
      await sleep(500);
    }
  } finally {
    await pool.close();
  }
  return rows;
}
