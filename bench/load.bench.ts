/**
 * Load: N concurrent bot conversations over the SIP test bed (issue 17 §2). Each call runs the
 * English appointment sample flow against a baresip phone whose customer answers like a person
 * (bench/load/customer.ts: voices training never used, 0.4–1.5 s of thinking, some talking over the
 * question), and everything is measured where it happens:
 *   - turn latency and barge-in stop at the phone, from its own recordings of what it sent and heard;
 *   - intents right: the call ends with the disposition its script leads to;
 *   - CPU and memory per call of the engine (this process, less its speech threads), the speech
 *     workers (the threads the pool started), the media host (Chromium's renderer, and all of
 *     Chromium) and the bed (rtpengine, Kamailio), from /proc, above an idle baseline;
 *   - the engine's event-loop delay, and how late the engine hears the customer (capture delay:
 *     each capture frame's arrival against the call's audio clock, from its sequence number);
 *   - the speech pool with one worker against two at the same load.
 * Per-frame costs of the in-band DTMF and AMD detectors are timed alone for scale.
 *
 * LOAD_BENCH_N=1,10 runs only those loads; LOAD_BENCH_COMPARE=0 skips the worker comparison;
 * LOAD_BENCH_DETAIL=1 prints each call's turns on stderr.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, getPriority, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { AmdDetector } from '../electron/engine/amd/index.js';
import type { CallEventStreamItem, CallUtterance } from '../electron/engine/api/calls.js';
import { readWav } from '../electron/engine/audio/index.js';
import type { BotOutcome } from '../electron/engine/bot/index.js';
import { Engine } from '../electron/engine/index.js';
import { workerLimit } from '../electron/engine/speech/worker/pool.js';
import type { CallSession } from '../electron/engine/telephony/call-session.js';
import { DtmfDetector } from '../electron/engine/telephony/dtmf-detector.js';
import { startHeadlessServer } from '../electron/headless/index.js';
import {
  createChromiumMediaHostLauncher,
  processTree,
} from '../electron/headless/media-host-launcher.js';
import { readWav16k } from '../test/eval/audio/voices.js';
import { speechCacheDir } from '../test/support/speech-cache-dir.js';
import { type Bed, type Phone, startBed } from '../test/telephony/index.js';
import { type BenchRow, type BenchSuite, ms, percentile } from './harness.js';
import { Customer, FLOW_ID, makeScripts, type Script } from './load/customer.js';
import {
  chromiumRole,
  machineTicks,
  mainThreadSchedNs,
  ownThreads,
  processCpuMs,
  pssMiB,
  rssMiB,
  threadCpuMs,
  threadSchedNs,
} from './load/proc.js';
import { loudness, stretches } from './loudness.js';

const quiet = { info() {}, warn() {}, error() {} };
const DETAIL = process.env.LOAD_BENCH_DETAIL === '1';
const LOADS = (process.env.LOAD_BENCH_N ?? '1,10,20,25')
  .split(',')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
const COMPARE_AT = process.env.LOAD_BENCH_COMPARE === '0' ? null : 20;
/** Calls at N = 1, one after another (one of each script kind). */
const SINGLE_ROUNDS = 4;
/** Between two dials of a load (a campaign's dialer leases in passes, not all at one instant). */
const DIAL_SPACING_MS = 150;
/** How long the customers' phones ring before they answer, ms (spread over this range). */
const RING_MS = [1000, 6000] as const;
const TURN_GOAL_MS = 800;
const CAPTURE_GOAL_MS = 150;
const FIELDS = ['Alex', 'Robin', 'Sam', 'Jordan', 'Casey', 'Morgan'].map((name) => ({
  name,
  appointment_date: 'December 3rd',
  appointment_time: '10 am',
}));

// A full collection before each idle reading, so the baseline is not last phase's garbage.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** This session's autogroup nice (Linux shares the CPU between sessions' autogroups first), or null. */
function ownAutogroupNice(): number | null {
  try {
    const nice = /nice (-?\d+)/.exec(readFileSync('/proc/self/autogroup', 'utf8'))?.[1];
    return nice === undefined ? null : Number(nice);
  } catch {
    return null; // not Linux, or autogroups off
  }
}

/** This process's nice and its autogroup's. */
function priority(): string {
  const group = ownAutogroupNice();
  return `nice ${getPriority()}, ${group === null ? 'no autogroup' : `autogroup nice ${group} (Chromium's too)`}`;
}

const sleep = (milliseconds: number): Promise<void> =>
  new Promise((r) => setTimeout(r, milliseconds));

function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** One /proc reading of everything measured. */
interface Sample {
  at: number;
  threads: Map<number, number>;
  host: Map<number, number>;
  relay: number;
  proxy: number;
  phones: number;
  machine: { busy: number; total: number };
  /** Run-queue wait so far (ns): per thread of this process, and the renderers' main threads. */
  waits: Map<number, number>;
  rendererWait: number;
}

interface Processes {
  host: Map<number, string>;
  relay: number;
  proxy: number[];
  phones: () => number[];
}

function sample(p: Processes): Sample {
  const host = new Map<number, number>();
  for (const pid of p.host.keys()) host.set(pid, processCpuMs([pid]));
  return {
    at: Date.now(),
    threads: threadCpuMs(),
    host,
    relay: processCpuMs([p.relay]),
    proxy: processCpuMs(p.proxy),
    phones: processCpuMs(p.phones()),
    machine: machineTicks(),
    waits: new Map([...threadSchedNs()].map(([tid, [, wait]]) => [tid, wait])),
    rendererWait: [...p.host]
      .filter(([, role]) => role === 'renderer')
      .reduce((sum, [pid]) => sum + mainThreadSchedNs(pid)[1], 0),
  };
}

/** CPU of each part between two samples, in % of one core. */
interface Usage {
  engineMain: number;
  engineOther: number;
  speech: number;
  /** The busiest single speech thread (a worker's inference runs on one thread at a time, mostly). */
  speechBusiest: number;
  renderer: number;
  chromium: number;
  relay: number;
  proxy: number;
  phones: number;
  /** Of the whole machine (all cores), %. */
  machine: number;
  /** Share of the window each spent runnable but waiting for a core, %: starved, not busy. */
  engineMainWait: number;
  speechWaitMax: number;
  rendererWait: number;
}

function waitPct(a: Sample, b: Sample, tid: number): number {
  const w1 = b.waits.get(tid);
  const w0 = a.waits.get(tid);
  return w1 === undefined || w0 === undefined ? 0 : ((w1 - w0) / 1e6 / (b.at - a.at)) * 100;
}

function usage(a: Sample, b: Sample, speechTids: Set<number>, roles: Map<number, string>): Usage {
  const dt = b.at - a.at;
  const pct = (x: number): number => (x / dt) * 100;
  let engineMain = 0;
  let engineOther = 0;
  let speech = 0;
  let speechBusiest = 0;
  for (const [tid, ms1] of b.threads) {
    const d = ms1 - (a.threads.get(tid) ?? ms1);
    if (speechTids.has(tid)) {
      speech += d;
      speechBusiest = Math.max(speechBusiest, d);
    } else if (tid === process.pid) engineMain += d;
    else engineOther += d;
  }
  let renderer = 0;
  let chromium = 0;
  for (const [pid, ms1] of b.host) {
    const d = ms1 - (a.host.get(pid) ?? ms1);
    chromium += d;
    if (roles.get(pid) === 'renderer') renderer += d;
  }
  return {
    engineMain: pct(engineMain),
    engineOther: pct(engineOther),
    speech: pct(speech),
    speechBusiest: pct(speechBusiest),
    renderer: pct(renderer),
    chromium: pct(chromium),
    relay: pct(b.relay - a.relay),
    proxy: pct(b.proxy - a.proxy),
    phones: pct(b.phones - a.phones),
    machine:
      ((b.machine.busy - a.machine.busy) / Math.max(1, b.machine.total - a.machine.total)) * 100,
    engineMainWait: waitPct(a, b, process.pid),
    speechWaitMax: Math.max(0, ...[...speechTids].map((tid) => waitPct(a, b, tid))),
    rendererWait: ((b.rendererWait - a.rendererWait) / 1e6 / dt) * 100,
  };
}

interface Memory {
  engineRss: number;
  rendererPss: number;
  chromiumPss: number;
}

function memory(roles: Map<number, string>): Memory {
  const pids = [...roles.keys()];
  return {
    engineRss: rssMiB(['self']),
    rendererPss: pssMiB(pids.filter((pid) => roles.get(pid) === 'renderer')),
    chromiumPss: pssMiB(pids),
  };
}

/** What one load level measured. */
interface LoadResult {
  n: number;
  workers: number;
  load: string;
  turnMs: number[];
  /** Engine side: the customer's speech end (endpointer) → the reply's first frame sent. */
  engineTurnMs: number[];
  stopMs: number[];
  bargeTries: number;
  right: number;
  calls: number;
  confirmations: number;
  misses: string[];
  captureLateMs: number[];
  idle: Usage;
  busy: Usage;
  idleMemory: Memory;
  peakMemory: Memory;
  loopP99Ms: number;
  loopMaxMs: number;
  windowMs: number;
  ended: string[];
  /** How the bot judged the ends of the customers' turns (speech_end's endOfTurn, else its reason). */
  judged: Map<string, number>;
  /** Turn latency at the phone by the engine's judgement of the answer's end. */
  turnsBy: Map<string, number[]>;
  /** Turn latency at the phone less the end-of-turn silence the bot chose: transport, VAD and processing. */
  beyondWaitMs: number[];
  /** Engine side: the end-of-turn decision → the reply's first frame sent (bot_prompt sinceDecisionMs). */
  processingMs: number[];
  /**
   * Engine side, how late the bot heard what it acted on (wall clock against the call's audio
   * clock): a barge-in's pause (prompt_paused decisionLagMs: the onset → the prompt paused, of
   * which minSpeechMs 96 is the endpointer's rule) and an end of turn the bot decided (speech_end
   * decisionLagMs less the silence it waited: capture, the speech worker's VAD queue, the event loop).
   */
  pauseLagMs: number[];
  endLagMs: number[];
  /**
   * Each timed turn's latency at the phone split by stage (turns matched to a speech_end): the
   * end-of-turn wait the bot chose, how late it decided (speech_end decisionLagMs less that wait:
   * capture, the VAD queue, the event loop), processing (the decision → the reply's first frame
   * sent), and the rest (the VAD hearing the end, the link and the network both ways, playout).
   */
  stages: { wait: number[]; lag: number[]; processing: number[]; rest: number[] };
  /** The personal greeting's render wait once the disclosure had played (bot_prompt renderMs of node greet). */
  greetWaitMs: number[];
}

interface Rig {
  engine: Engine;
  bed: Bed;
  close(): Promise<void>;
  speechTids: Set<number>;
  processes: Processes;
  workers: number;
}

async function startRig(bed: Bed, workers: number): Promise<Rig> {
  process.env.OUTBOUND_SPEECH_WORKERS = String(workers);
  const dataDir = await mkdtemp(join(tmpdir(), 'outbound-bench-load-'));
  const engine = await Engine.start({
    dataDir,
    transport: 'in-process',
    version: 'bench',
    log: quiet,
  });
  const server = await startHeadlessServer({
    api: engine,
    rendererDir: join(import.meta.dirname, '..', 'out', 'renderer'),
    port: 0,
    log: quiet,
  });
  engine.telephony.setLauncher(createChromiumMediaHostLauncher({ server, log: quiet }));
  await engine.request('trunks.create', {
    name: 'bed',
    uri: bed.wsUri.open,
    domain: bed.sipDomain,
    maxConcurrentCalls: 100,
  });
  const baseTids = new Set(ownThreads());
  const prepared = await engine.bot.prepare({ name: FLOW_ID });
  // Warm-up: starts Chromium and one speech worker per worker slot (calls at once), not measured.
  const warmPhones: Phone[] = [];
  for (let i = 0; i < workers; i++)
    warmPhones.push(
      await bed.phone({ user: `49${String(i).padStart(2, '0')}`, answer: 'auto', callLengthS: 12 }),
    );
  await Promise.all(
    warmPhones.map(async (phone, i) => {
      const session = await engine.telephony.dial({ number: phone.user, trunk: 'bed' });
      return engine.bot
        .attach(session, prepared, { fields: FIELDS[i % FIELDS.length]! })
        .run()
        .then(() => session.whenEnded());
    }),
  );
  for (const phone of warmPhones) await phone.stop();
  await sleep(1000);
  const speechTids = new Set(ownThreads().filter((tid) => !baseTids.has(tid)));
  const host = engine.telephony.mediaHost!.running!;
  const hostPids = processTree(host.pids()[0]!);
  const roles = new Map(hostPids.map((pid) => [pid, chromiumRole(pid)] as const));
  // Chromium runs in a session of its own (so its own autogroup): give it this process's autogroup
  // priority, so that the whole system under test runs at one priority.
  const group = ownAutogroupNice();
  if (group !== null)
    try {
      writeFileSync(`/proc/${hostPids[0]!}/autogroup`, String(group));
    } catch {
      // not allowed (not root): Chromium keeps its own
    }
  if (DETAIL)
    process.stderr.write(
      `  [load] Chromium: ${[...roles].map(([pid, role]) => `${pid} ${role}`).join(', ')}; speech threads ${speechTids.size}\n`,
    );
  return {
    engine,
    bed,
    speechTids,
    workers,
    processes: {
      host: roles,
      relay: bed.relay.pid,
      proxy: bed.proxy.pid !== undefined ? processTree(bed.proxy.pid) : [],
      phones: () => [],
    },
    async close() {
      await engine.stop();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function runLoad(
  rig: Rig,
  n: number,
  scripts: Script[],
  rounds: number,
  seed: { next: number },
): Promise<LoadResult> {
  const { engine, bed } = rig;
  const prepared = await engine.bot.prepare({ name: FLOW_ID });
  const result: LoadResult = {
    n,
    workers: rig.workers,
    load: `${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${priority()}`,
    turnMs: [],
    engineTurnMs: [],
    stopMs: [],
    bargeTries: 0,
    right: 0,
    calls: 0,
    confirmations: 0,
    misses: [],
    captureLateMs: [],
    idle: undefined as unknown as Usage,
    busy: undefined as unknown as Usage,
    idleMemory: undefined as unknown as Memory,
    peakMemory: { engineRss: 0, rendererPss: 0, chromiumPss: 0 },
    loopP99Ms: 0,
    loopMaxMs: 0,
    windowMs: 0,
    ended: [],
    judged: new Map(),
    turnsBy: new Map(),
    beyondWaitMs: [],
    processingMs: [],
    pauseLagMs: [],
    endLagMs: [],
    stages: { wait: [], lag: [], processing: [], rest: [] },
    greetWaitMs: [],
  };
  const busyUsages: Array<{ usage: Usage; ms: number }> = [];
  const loopP99: number[] = [];
  const loopMax: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const phones: Phone[] = [];
    for (let i = 0; i < n; i++)
      phones.push(
        await bed.phone({
          user: `5${String(round).padStart(2, '0')}${String(i).padStart(2, '0')}`,
          answer: 'auto',
          // People pick up after 1–6 s of ringing (seeded), so the conversations do not run in lockstep.
          answerDelayMs:
            RING_MS[0] + ((seed.next * 7919 + i * 104_729) % (RING_MS[1] - RING_MS[0])),
          callLengthS: 150,
        }),
      );
    const processes = { ...rig.processes, phones: () => phones.map((p) => p.pid) };
    // Idle baseline: phones registered, no call.
    await sleep(1000);
    const idleA = sample(processes);
    await sleep(4000);
    const idleB = sample(processes);
    const idle = usage(idleA, idleB, rig.speechTids, processes.host);
    collect();
    await sleep(200);
    const idleMemory = memory(processes.host);
    if (round === 0) {
      result.idle = idle;
      result.idleMemory = idleMemory;
    }

    const samples: Sample[] = [sample(processes)];
    const memories: Array<{ at: number; memory: Memory }> = [];
    const sampler = setInterval(() => {
      samples.push(sample(processes));
      if (samples.length % 4 === 0)
        memories.push({ at: Date.now(), memory: memory(processes.host) });
    }, 1000);
    let rng = seed.next++;
    const think = (): number => {
      rng = (rng * 1103515245 + 12345) % 2 ** 31;
      return 400 + (rng / 2 ** 31) * 1100;
    };
    const customers = new Map<string, Customer>();
    const lines = new Map<string, string[]>();
    const off = engine.subscribe((m) => {
      if (m.event === 'call.event') {
        const e = m.data as CallEventStreamItem;
        customers.get(e.callId)?.onEvent(e);
      } else if (m.event === 'call.utterance') {
        const u = m.data as CallUtterance;
        customers.get(u.callId)?.onUtterance(u);
        if (DETAIL && customers.has(u.callId))
          (lines.get(u.callId) ?? lines.set(u.callId, []).get(u.callId)!).push(
            `${u.speaker === 'bot' ? 'bot' : 'customer'} ${u.nodeId ?? ''} ${u.speaker === 'bot' ? `"${u.text.slice(0, 40)}"${u.cutAtMs !== null ? ' (cut)' : ''}` : `→ ${u.intent ?? 'nothing'} ${u.confidence ?? ''}`}`,
          );
      }
    });
    const engineTurns: number[] = [];
    /**
     * Each call's speech_end events: where the engine heard an answer end, how it judged it, how
     * late it decided, and the processing of the reply that followed (its next bot_prompt).
     */
    interface End {
      endMs: number;
      how: string;
      waitMs: number | null;
      lagMs: number | null;
      processingMs: number | null;
    }
    const ends = new Map<string, End[]>();
    const offPrompts = engine.subscribe((m) => {
      if (m.event !== 'call.event') return;
      const e = m.data as CallEventStreamItem;
      if (!customers.has(e.callId)) return;
      if (e.type === 'prompt_paused') {
        const lag = (e.data as { decisionLagMs?: number }).decisionLagMs;
        if (typeof lag === 'number') result.pauseLagMs.push(lag);
        return;
      }
      if (e.type !== 'bot_prompt' && e.type !== 'speech_end') return;
      if (e.type === 'speech_end') {
        const d = e.data as {
          endOfTurn?: string;
          reason?: string;
          endMs: number;
          silenceMs?: number;
          decisionLagMs?: number;
        };
        if (d.reason === 'decided' && d.decisionLagMs !== undefined && d.silenceMs !== undefined)
          result.endLagMs.push(d.decisionLagMs - d.silenceMs);
        const how = d.endOfTurn ?? String(d.reason);
        result.judged.set(how, (result.judged.get(how) ?? 0) + 1);
        if (DETAIL)
          (lines.get(e.callId) ?? lines.set(e.callId, []).get(e.callId)!).push(
            `end of turn: ${how}, waited ${d.silenceMs ?? '?'} ms, decided ${d.decisionLagMs ?? '?'} ms after the VAD's end`,
          );
        (ends.get(e.callId) ?? ends.set(e.callId, []).get(e.callId)!).push({
          endMs: d.endMs,
          how,
          waitMs: d.silenceMs ?? null,
          lagMs: d.decisionLagMs ?? null,
          processingMs: null,
        });
        return;
      }
      const d = e.data as {
        nodeId?: string | null;
        sinceSpeechEndMs?: number;
        sinceDecisionMs?: number;
        source?: string;
        renderMs?: number;
      };
      if (d.nodeId === 'greet' && typeof d.renderMs === 'number')
        result.greetWaitMs.push(d.renderMs);
      const last = ends.get(e.callId)?.at(-1);
      if (last && last.processingMs === null && typeof d.sinceDecisionMs === 'number')
        last.processingMs = d.sinceDecisionMs;
      if (DETAIL && typeof d.sinceDecisionMs === 'number')
        (lines.get(e.callId) ?? lines.set(e.callId, []).get(e.callId)!).push(
          `reply sent ${d.sinceDecisionMs} ms after the end was decided (${d.source ?? '?'}, rendered in ${d.renderMs ?? '?'} ms)`,
        );
      // A prompt that follows an answer (not a no-input re-prompt long after the last speech).
      if (typeof d.sinceDecisionMs === 'number' && typeof d.sinceSpeechEndMs === 'number') {
        engineTurns.push(d.sinceSpeechEndMs);
        result.processingMs.push(d.sinceDecisionMs);
      }
    });
    const calls = [];
    const sessions: CallSession[] = [];
    const loop = monitorEventLoopDelay({ resolution: 10 });
    for (let i = 0; i < n; i++) {
      const phone = phones[i]!;
      const script = scripts[(round * n + i) % scripts.length]!;
      const session = await engine.telephony.dial({ number: phone.user, trunk: 'bed' });
      sessions.push(session);
      const customer = new Customer(phone, script, think);
      customers.set(session.callId, customer);
      const arrivals: Array<[number, number]> = [];
      session.onAudio((frame) => arrivals.push([Date.now(), frame.seq]));
      const bot = engine.bot.attach(session, prepared, { fields: FIELDS[i % FIELDS.length]! });
      calls.push(
        bot
          .run()
          .then(
            (outcome) => outcome as BotOutcome,
            (error: unknown) => error as Error,
          )
          .then(async (outcome) => {
            const end = await session.whenEnded();
            customer.stop();
            return {
              phone,
              script,
              session,
              customer,
              outcome,
              arrivals,
              end,
              endedAt: Date.now(),
            };
          }),
      );
      if (i < n - 1) await sleep(DIAL_SPACING_MS);
    }
    // The event loop is watched while the calls run (from the first dial to the last hang-up).
    loop.enable();
    const done = await Promise.all(calls);
    loop.disable();
    clearInterval(sampler);
    samples.push(sample(processes));
    off();
    offPrompts();
    result.engineTurnMs.push(...engineTurns);
    loopP99.push(Math.max(0, loop.percentile(99) / 1e6 - 10));
    loopMax.push(Math.max(0, loop.max / 1e6 - 10));
    // The measured window: the longest stretch with at least 80 % of the N calls up (answered, not
    // ended), so one early hang-up or a slow answer does not empty it.
    const upAt = (t: number): number =>
      done.filter(
        (c) => c.session.answeredAt !== null && c.session.answeredAt <= t && c.endedAt > t,
      ).length;
    let windowStart = 0;
    let windowEnd = 0;
    let runStart: number | null = null;
    for (const s of samples) {
      if (upAt(s.at) >= Math.ceil(0.8 * n)) {
        runStart ??= s.at;
        if (s.at - runStart > windowEnd - windowStart) {
          windowStart = runStart;
          windowEnd = s.at;
        }
      } else runStart = null;
    }
    // CPU over the window (the first sample inside it to the last one inside it).
    const inside = samples.filter((s) => s.at >= windowStart && s.at <= windowEnd);
    if (inside.length >= 2) {
      const a = inside[0]!;
      const b = inside.at(-1)!;
      busyUsages.push({ usage: usage(a, b, rig.speechTids, processes.host), ms: b.at - a.at });
      result.windowMs += b.at - a.at;
    }
    // Memory under load: the median of the readings inside the window (the engine's RSS swings with
    // its garbage collector by more than a call costs).
    const held = memories.filter((m) => m.at >= windowStart && m.at <= windowEnd);
    const mid = (pick: (m: Memory) => number): number =>
      held.length === 0 ? Number.NaN : percentile(sorted(held.map((m) => pick(m.memory))), 50);
    if (round === 0)
      result.peakMemory = {
        engineRss: mid((m) => m.engineRss),
        rendererPss: mid((m) => m.rendererPss),
        chromiumPss: mid((m) => m.chromiumPss),
      };

    for (const call of done) {
      result.calls++;
      const disposition =
        call.outcome instanceof Error ? null : (call.outcome?.storedDisposition ?? null);
      if (disposition === call.script.expected) result.right++;
      else
        result.misses.push(
          `${call.script.name} (${call.script.voice}): ${disposition ?? (call.outcome instanceof Error ? call.outcome.message : `no disposition (${call.end.outcome}: ${call.end.reason})`)}`,
        );
      result.ended.push(call.end.outcome);
      result.confirmations += call.customer.spoken.filter((s) => s.clip === call.script.yes).length;
      // Capture delay: each frame against the call's audio clock (20 ms a frame) from its best frame.
      if (call.arrivals.length > 0) {
        let base = Infinity;
        for (const [at, seq] of call.arrivals) base = Math.min(base, at - seq * 20);
        for (const [at, seq] of call.arrivals) result.captureLateMs.push(at - seq * 20 - base);
      }
      // At the phone: what it sent (the customer) and heard (the bot), one clock.
      try {
        const sent = stretches(loudness(await readWav(await call.phone.sentWav())), 300);
        const heard = stretches(loudness(await readWav(await call.phone.heardWav())), 250);
        const turns: number[] = [];
        for (const [start, end] of sent) {
          // The bot still talking when the customer stopped: no turn to time (a barge-in that did not stop it).
          if (heard.some(([s, e]) => s < end && e > end + 20)) continue;
          const reply = heard.find(([s]) => s >= end);
          if (reply && reply[0] - end < 10_000) {
            const latency = reply[0] - end;
            turns.push(latency);
            // The engine's judgement of this answer's end: its speech_end nearest in stream time
            // (the phone's recording and the engine's stream both start at the answer).
            let best: End | undefined;
            for (const e of ends.get(call.session.callId) ?? [])
              if (
                Math.abs(e.endMs - end) < 700 &&
                (!best || Math.abs(e.endMs - end) < Math.abs(best.endMs - end))
              )
                best = e;
            if (best) {
              (
                result.turnsBy.get(best.how) ?? result.turnsBy.set(best.how, []).get(best.how)!
              ).push(latency);
              if (best.waitMs !== null) result.beyondWaitMs.push(latency - best.waitMs);
              if (best.waitMs !== null && best.lagMs !== null && best.processingMs !== null) {
                const lag = best.lagMs - best.waitMs;
                result.stages.wait.push(best.waitMs);
                result.stages.lag.push(lag);
                result.stages.processing.push(best.processingMs);
                result.stages.rest.push(latency - best.waitMs - lag - best.processingMs);
              }
            }
          }
          // Talking over the bot: how long until its audio stopped.
          const over = heard.find(([s, e]) => s < start && e > start);
          if (over) result.stopMs.push(over[1] - start);
        }
        result.turnMs.push(...turns);
        if (DETAIL)
          process.stderr.write(
            `  [load N=${n}] ${call.script.name} (${call.script.voice}) → ${String(disposition)}; said ${call.customer.spoken.map((s) => `"${s.clip.text}"${s.barge ? ' (over the prompt)' : ''}`).join(', ')}; turns ${turns.join(', ')} ms\n    ${(lines.get(call.session.callId) ?? []).join('\n    ')}\n`,
          );
      } catch (error) {
        result.misses.push(`${call.script.name}: no phone recording (${(error as Error).message})`);
      }
      result.bargeTries += call.customer.spoken.filter((s) => s.barge).length;
    }
    for (const phone of phones) await phone.stop();
    result.idle ??= idle;
  }
  result.loopP99Ms = percentile(sorted(loopP99), 50);
  result.loopMaxMs = Math.max(...loopMax);
  // Window-weighted mean of the rounds' CPU.
  const total = busyUsages.reduce((t, u) => t + u.ms, 0);
  const keys = Object.keys(result.idle) as Array<keyof Usage>;
  result.busy = Object.fromEntries(
    keys.map((k) => [
      k,
      total === 0 ? Number.NaN : busyUsages.reduce((t, u) => t + u.usage[k] * u.ms, 0) / total,
    ]),
  ) as unknown as Usage;
  return result;
}

/** µs per 20 ms frame of a detector over speech frames. */
function perFrameUs(push: (frame: Int16Array) => void, frames: Int16Array[]): number {
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const started = process.hrtime.bigint();
    for (const f of frames) push(f);
    runs.push(Number(process.hrtime.bigint() - started) / 1000 / frames.length);
  }
  return percentile(sorted(runs), 50);
}

const pct = (x: number): string => `${x.toFixed(1)} %`;

/** The `p`th percentile of each stage of the turns (LoadResult.stages). */
function stageText(r: LoadResult, p: number): string {
  const at = (values: number[]): string => ms(percentile(sorted(values), p));
  const { wait, lag, processing, rest } = r.stages;
  return `${at(wait)}; ${at(lag)}; ${at(processing)}; ${at(rest)}`;
}
const mib = (x: number): string => `${x.toFixed(1)} MiB`;

function verdict(r: LoadResult): { holds: boolean; why: string } {
  const turnP95 = percentile(sorted(r.turnMs), 95);
  const captureP95 = percentile(sorted(r.captureLateMs), 95);
  const misses: string[] = [];
  if (!(turnP95 <= TURN_GOAL_MS)) misses.push(`turn p95 ${ms(turnP95)}`);
  if (!(captureP95 <= CAPTURE_GOAL_MS)) misses.push(`capture p95 ${ms(captureP95)}`);
  const parts: Array<[string, number]> = [
    ['engine event loop (main thread)', r.busy.engineMain],
    ['busiest speech worker thread', r.busy.speechBusiest],
    ['media host renderer', r.busy.renderer],
    ['rtpengine', r.busy.relay],
  ];
  const top = [...parts].sort((a, b) => b[1] - a[1])[0]!;
  const why = `busiest: ${top[0]} ${pct(top[1])} of a core; machine ${pct(r.busy.machine)} busy`;
  return { holds: misses.length === 0, why: misses.length ? `${misses.join(', ')}; ${why}` : why };
}

function rowsOf(r: LoadResult, label: string): BenchRow[] {
  const turn = sorted(r.turnMs);
  const stop = sorted(r.stopMs);
  const capture = sorted(r.captureLateMs);
  const per = (busy: number, idle: number): string => pct((busy - idle) / r.n);
  const v = verdict(r);
  return [
    {
      name: `${label}: turn latency at the phone (end of speech → bot audio)`,
      values: {
        p50: ms(percentile(turn, 50)),
        p95: ms(percentile(turn, 95)),
        p99: ms(percentile(turn, 99)),
        detail: `${turn.length} turns; ends judged ${[...r.judged].map(([how, count]) => `${how} ${count}`).join(', ')}`,
        goal: `p95 ≤ ${TURN_GOAL_MS} ms`,
      },
    },
    {
      name: `${label}:   of which beyond the end-of-turn wait the bot chose (VAD, transport both ways, processing)`,
      values: {
        p50: ms(percentile(sorted(r.beyondWaitMs), 50)),
        p95: ms(percentile(sorted(r.beyondWaitMs), 95)),
        p99: ms(percentile(sorted(r.beyondWaitMs), 99)),
        detail: `${r.beyondWaitMs.length} turns matched to the engine's speech_end; by judgement at the phone: ${[...r.turnsBy].map(([how, list]) => `${how} ${list.length}, p50 ${ms(percentile(sorted(list), 50))}, p95 ${ms(percentile(sorted(list), 95))}`).join('; ')}; engine processing (end decided → reply sent) p50 ${ms(percentile(sorted(r.processingMs), 50))}, p95 ${ms(percentile(sorted(r.processingMs), 95))}`,
      },
    },
    {
      name: `${label}:   by stage: end-of-turn wait; decision lag; processing; the rest`,
      values: {
        p50: stageText(r, 50),
        p95: stageText(r, 95),
        p99: stageText(r, 99),
        detail: `${r.stages.wait.length} turns matched to a speech_end with its reply: the wait the bot chose; how late it decided (speech_end decisionLagMs less the wait: capture, the speech worker's VAD queue, the event loop); processing (the decision → the reply's first frame sent: dialog step, prompt render); the rest (the turn at the phone less those three: the VAD hearing the end, the media link, the network both ways and playout). Each column is its own percentile, so they do not add up`,
      },
    },
    {
      name: `${label}: personal greeting's render wait after the disclosure`,
      values: {
        p50: ms(percentile(sorted(r.greetWaitMs), 50)),
        p95: ms(percentile(sorted(r.greetWaitMs), 95)),
        p99: ms(percentile(sorted(r.greetWaitMs), 99)),
        detail: `${r.greetWaitMs.length} calls: bot_prompt renderMs of "Hello {name}, …", synthesized for each call from the moment it rings (0: ready when the disclosure ended)`,
      },
    },
    {
      name: `${label}: barge-in stop at the phone (customer starts → bot audio stops)`,
      values: {
        p50: ms(percentile(stop, 50)),
        p95: ms(percentile(stop, 95)),
        p99: ms(percentile(stop, 99)),
        detail: `${stop.length} of ${r.bargeTries} answers said over a question`,
        goal: '≤ 300 ms',
      },
    },
    {
      name: `${label}:   how late the engine acted on what it heard (VAD queue, capture, event loop)`,
      values: {
        p50: `pause ${ms(percentile(sorted(r.pauseLagMs), 50))}; end ${ms(percentile(sorted(r.endLagMs), 50))}`,
        p95: `pause ${ms(percentile(sorted(r.pauseLagMs), 95))}; end ${ms(percentile(sorted(r.endLagMs), 95))}`,
        detail: `pause: the customer's onset → the prompt paused (prompt_paused decisionLagMs, ${r.pauseLagMs.length} pauses; minSpeechMs 96 of it is the endpointer's rule); end: an end of turn the bot decided, wall clock less the silence it waited (speech_end decisionLagMs − silenceMs, ${r.endLagMs.length} turns)`,
      },
    },
    {
      name: `${label}: capture delay (frame arrival in the engine vs the call's audio clock)`,
      values: {
        p50: ms(percentile(capture, 50)),
        p95: ms(percentile(capture, 95)),
        p99: ms(percentile(capture, 99)),
        detail: `${capture.length} frames; max ${ms(capture.at(-1) ?? Number.NaN)}`,
        goal: `p95 ≤ ${CAPTURE_GOAL_MS} ms`,
      },
    },
    {
      name: `${label}: intents right (expected disposition)`,
      values: {
        p50: `${r.right}/${r.calls}`,
        detail: `${r.confirmations} confirmations answered; ${r.misses.length ? `missed: ${r.misses.join('; ')}` : 'none missed'}`,
      },
    },
    {
      name: `${label}: CPU per call above idle (% of a core)`,
      values: {
        p50: `engine ${per(r.busy.engineMain + r.busy.engineOther, r.idle.engineMain + r.idle.engineOther)}`,
        p95: `speech ${per(r.busy.speech, r.idle.speech)}`,
        p99: `renderer ${per(r.busy.renderer, r.idle.renderer)}`,
        detail: `totals under load: engine main thread ${pct(r.busy.engineMain)}, engine other threads ${pct(r.busy.engineOther)}, speech ${pct(r.busy.speech)} (busiest thread ${pct(r.busy.speechBusiest)}), Chromium ${pct(r.busy.chromium)} (renderer ${pct(r.busy.renderer)}), rtpengine ${pct(r.busy.relay)}, Kamailio ${pct(r.busy.proxy)}, phones ${pct(r.busy.phones)}; waiting for a core (runnable, not running): engine main thread ${pct(r.busy.engineMainWait)}, busiest-waiting speech thread ${pct(r.busy.speechWaitMax)}, renderer main thread ${pct(r.busy.rendererWait)}; machine ${pct(r.busy.machine)} of ${availableParallelism()} cores over ${(r.windowMs / 1000).toFixed(0)} s`,
      },
    },
    {
      name: `${label}: memory per call above idle`,
      values: {
        p50: `engine ${mib((r.peakMemory.engineRss - r.idleMemory.engineRss) / r.n)} RSS`,
        p95: `renderer ${mib((r.peakMemory.rendererPss - r.idleMemory.rendererPss) / r.n)} PSS`,
        p99: `Chromium ${mib((r.peakMemory.chromiumPss - r.idleMemory.chromiumPss) / r.n)} PSS`,
        detail: `idle: engine and speech workers ${mib(r.idleMemory.engineRss)} RSS, renderer ${mib(r.idleMemory.rendererPss)}, Chromium ${mib(r.idleMemory.chromiumPss)} PSS; under load (median) engine ${mib(r.peakMemory.engineRss)}, renderer ${mib(r.peakMemory.rendererPss)}, Chromium ${mib(r.peakMemory.chromiumPss)}`,
      },
    },
    {
      name: `${label}: engine event-loop delay`,
      values: {
        p50: `p99 ${ms(r.loopP99Ms)}`,
        p95: `max ${ms(r.loopMaxMs)}`,
        detail: `load average ${r.load} at the start; ${r.ended.filter((o) => o !== 'completed').length} calls ended otherwise than completed`,
      },
    },
    {
      name: `${label}: holds?`,
      values: { p50: v.holds ? 'yes' : 'no', detail: v.why },
    },
  ];
}

/**
 * What changed for the turn latency and what it measured before, kept in the method text so a run
 * that rewrites the section keeps it (figures from runs at N = 20 alone, LOAD_BENCH_N=20).
 */
const NOTES =
  "Before and after (2026-12-07): the run of 11:19 UTC (load 17.8) measured N = 20 at 1,250 / 1,700 ms (p50 / p95) and N = 25 at 1,250 / 1,930. N = 20 alone at 13:47 (same code, load 7 rising to 18): 1,480 / 2,920 ms, the bot deciding some ends of turn 1-2.5 s after the customer stopped (decision lag p95 2,300 ms) because the one speech worker ran every call's VAD, the twenty personal greetings' synthesis and every recognition in one event loop, and replies waiting 50-480 ms for a prompt's disk read. Since: prompts are synthesized on a worker of their own and, when the calls share one worker, utterances are recognized on another (speech/worker/pool.ts); the question's model and the library's share one embedding of an utterance; a flow's static prompts are read into memory before its calls (bot/prompts.ts warm). N = 20 alone after these, at load 20: 1,310 / 2,300 ms, decision lag p95 598 ms, processing p95 173 ms. A run at 14:39 UTC (load 19-35, N = 20 at 2,070 / 3,290 ms) also ran speculative recognitions one at a time per call, stale ones skipped; that was taken out after it: with it bot-calls e2e heard a real \"tomorrow\" as nothing twice at load 20-25; without it the test passed once and failed once (the greeting late, the scripted customer out of step), so it is left out until measured apart. The run of 18:51 UTC was the first on a quiet machine (load 0.7-4 at each N's start, nothing else running): N = 20 at 1,150 / 1,590 ms, capture delay p95 29 ms, N = 25 at 1,100 / 1,880 ms; the turns still wait the bot's full second after most answers (unsure or incomplete), so the goal is missed at N = 1 as well. The synthesis and recognition workers now start after the call's worker has loaded and take over once loaded (three workers starting at once left the first call's greeting 1.6-5 s late); the run below used them from the start. The turn rules are unchanged (held-out paused answers cut off: English 15 of 72, Mandarin 3 of 60, as before): the 1 s waits that remain are answers the recognizer heard unsure or not at all, most of them \"yes, that's right\" to a confirmation, which the library's affirm model hears in Festival's voices as no match (0.002-0.008).";

const suite: BenchSuite = {
  title: 'Load: concurrent bot conversations (issue 17)',
  method: [
    `N calls at once through the SIP test bed on loopback (Kamailio, rtpengine, one baresip phone per call), dialed ${DIAL_SPACING_MS} ms apart, each phone ringing ${RING_MS[0] / 1000}–${RING_MS[1] / 1000} s before it answers (seeded, so the conversations do not run in lockstep); the engine with its media host in Chromium runs the English appointment sample flow (the AI disclosure, a personal greeting, the confirm question, a follow-up), recordings on, as a campaign's call would. N = 1 is ${SINGLE_ROUNDS} calls one after another.`,
    'Each customer follows one of four scripts (confirm after the question; "Please try your call again later." then "tomorrow" in a real human voice, Allison of Debian\'s Asterisk prompts; talking over the question 2.5 s in to opt out; 3.2 s in to say busy, then a time), in Festival kal or ked or the espeak-ng CLI with a Klatt variant, voices training never used, and says "yes, that\'s right" to a confirmation and repeats itself to a re-prompt. It answers 0.4–1.5 s (seeded) after a question has played out: the driver switches the phone\'s audio source to the answer (baresip\'s ausrc over ctrl_tcp) when the engine\'s transcript line says the prompt played out (bench/load/customer.ts).',
    "Turn latency: at the phone, from its recordings of what it sent and heard (one clock, 10 ms frames louder than −40 dBFS): end of an answer → the bot's next audio; answers the bot talked on over are not timed. Each is matched to the engine's speech_end for that answer (nearest in stream time), which says how the bot judged the answer's end (bot/turn-detector.ts: confident 300 ms of silence, spotted 450 (an answer the recognizer found inside a longer utterance), hesitant 450, unsure 1,000, incomplete or nothing matched up to 1,000) and the silence it waited: the row below it is the latency less that chosen wait (VAD lag, the path both ways, processing), the part load adds to. How late the engine acted: a barge-in's pause (the customer's onset → the prompt paused, prompt_paused decisionLagMs, of which the endpointer's minSpeechMs 96 ms is a rule, not a lag) and an end of turn the bot decided (speech_end decisionLagMs less the silence it waited): the capture link, the speech worker's VAD queue and the event loop, the engine's share of the rest. Barge-in stop: the customer's onset → the end of the bot audio it started in. Intents right: the call ended with its script's disposition. Capture delay: for every capture frame the engine receives, its arrival time less the call's audio clock (frame sequence × 20 ms, anchored at the call's earliest frame), so it holds the page's queueing and the link, not the network before the page.",
    "CPU: utime + stime from /proc over the longest stretch with at least 80 % of the N calls up, in % of one core, less an idle baseline (phones registered, no calls, 4 s) and divided by N: engine = this process's threads other than the speech pool's (the threads that appeared when the pool started); speech = those; renderer = the media host's Chromium renderer process (Chromium = all its processes). \"Waiting for a core\": the share of the window a thread was runnable but not running (/proc/…/schedstat), i.e. starved by the rest of the machine rather than busy. Memory: engine RSS (the speech workers are threads of the same process) and renderer / Chromium PSS, median of readings in the window, less idle after a full garbage collection, divided by N. Event-loop delay: perf_hooks.monitorEventLoopDelay (10 ms resolution, subtracted) from the first dial to the last hang-up; the bench driver runs in the engine's process too (a few timers per call).",
    NOTES,
    `Speech workers: the pool's default on this machine is ${workerLimit()}; the comparison runs the same load with OUTBOUND_SPEECH_WORKERS set. "Holds" = turn p95 ≤ ${TURN_GOAL_MS} ms and capture p95 ≤ ${CAPTURE_GOAL_MS} ms; "busiest" names the single thread or process closest to a full core. The machine is shared with other work while this runs: each row gives the load average and the priority the bench ran at (Linux shares CPU between sessions' autogroups first; a run in its own session with autogroup nice −10 gets most of the 2 cores, the closest this machine comes to one of its own).`,
  ].join(' '),
  async run() {
    process.env.OUTBOUND_SPEECH_CACHE ??= speechCacheDir();
    const rows: BenchRow[] = [];
    const bed = await startBed();
    const scripts = await makeScripts(join(bed.dir, 'customers'));
    const seed = { next: 17 };
    const progress = (line: string): void => {
      process.stderr.write(`  [load ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
    };
    const defaultWorkers = workerLimit();
    try {
      // Per-frame cost of the detectors that run on every answered call (DTMF) or predictive calls (AMD).
      const speech: Int16Array[] = [];
      for (const script of scripts.slice(0, 4))
        for (const a of script.answers) {
          const x = await readWav16k(a.clip.path);
          for (let at = 0; at + 320 <= Math.min(x.length, 16_000 * 3); at += 320)
            speech.push(x.subarray(at, at + 320));
        }
      const dtmf = new DtmfDetector();
      const amd = new AmdDetector();
      const dtmfUs = perFrameUs((f) => dtmf.push(f), speech);
      const amdUs = perFrameUs((f) => void amd.push(f), speech);
      rows.push({
        name: 'per-frame work on the event loop: in-band DTMF detector (every answered call)',
        values: {
          p50: `${dtmfUs.toFixed(1)} µs a frame`,
          // Every column in its place from the first row (the runner orders them as first seen).
          p95: '',
          p99: '',
          detail: `${pct((dtmfUs * 50) / 1e4)} of a core per call (50 frames/s), on frames of the customers' answers`,
        },
      });
      rows.push({
        name: 'per-frame work on the event loop: AMD detector (AMD campaigns, predictive calls)',
        values: {
          p50: `${amdUs.toFixed(1)} µs a frame`,
          detail: `${pct((amdUs * 50) / 1e4)} of a core per call (50 frames/s)`,
        },
      });

      progress(`engine with ${defaultWorkers} speech worker(s)`);
      let rig = await startRig(bed, defaultWorkers);
      const results: LoadResult[] = [];
      try {
        const loads = [...LOADS];
        for (let i = 0; i < loads.length; i++) {
          const n = loads[i]!;
          progress(`N = ${n} (load ${loadavg()[0]!.toFixed(2)})`);
          const r = await runLoad(rig, n, scripts, n === 1 ? SINGLE_ROUNDS : 1, seed);
          results.push(r);
          const these = rowsOf(r, `N = ${n}, ${r.workers} worker${r.workers === 1 ? '' : 's'}`);
          rows.push(...these);
          if (DETAIL)
            for (const row of these)
              progress(`${row.name}: ${Object.values(row.values).join(' | ')}`);
          progress(`N = ${n}: ${verdict(r).why}`);
          // Past 25, on while it holds (up to 40).
          if (
            i === loads.length - 1 &&
            n >= 25 &&
            n < 40 &&
            verdict(r).holds &&
            !process.env.LOAD_BENCH_N
          )
            loads.push(n + 5);
        }
      } finally {
        await rig.close();
      }
      if (COMPARE_AT !== null) {
        const other = defaultWorkers === 1 ? 2 : 1;
        progress(`engine with ${other} speech worker(s), N = ${COMPARE_AT}`);
        rig = await startRig(bed, other);
        try {
          const r = await runLoad(rig, COMPARE_AT, scripts, 1, seed);
          const these = rowsOf(r, `N = ${COMPARE_AT}, ${other} worker${other === 1 ? '' : 's'}`);
          rows.push(...these);
          if (DETAIL)
            for (const row of these)
              progress(`${row.name}: ${Object.values(row.values).join(' | ')}`);
        } finally {
          await rig.close();
        }
      }
      const breaking = results.find((r) => !verdict(r).holds);
      rows.push({
        name: 'where it breaks',
        values: {
          p50: breaking ? `N = ${breaking.n}` : `held to N = ${results.at(-1)?.n ?? 0}`,
          detail: breaking ? verdict(breaking).why : '',
        },
      });
    } finally {
      delete process.env.OUTBOUND_SPEECH_WORKERS;
      await bed.stop();
    }
    return rows;
  },
};

export default suite;
