/**
 * `npm run soak`: 1,000 calls through the SIP test bed as real campaigns, with faults injected
 * while they run, then every call checked against the store and docs/SOAK.md written.
 *
 * The engine is the built `outbound serve` (copied from out/ at the start, so a rebuild mid-run
 * cannot swap it under a restart) on a fresh workspace whose recordings/ folder is its own tmpfs.
 * Two campaigns run side by side: "soak-bot" (agentless; the bot says its piece and hangs up) and
 * "soak-agent" (the bot hands over to one of three agents, driven over the API like a console: they
 * take the offer, talk over the media host's fake microphone for a seeded few seconds, hang up
 * and wrap up). Customers are sipp far ends reached by number: answering and echoing, hanging up
 * themselves a set time after the answer (1.5 to 20 s: hang-ups at random moments), busy, and
 * ringing until the ring timeout (no answer); a third campaign, "soak-phones", rings baresip
 * phones for the phone-killed fault. Which far end a contact reaches, and how long each agent
 * talks, come from a seeded generator (--seed), so a run is repeatable as far as timing allows.
 *
 * Faults (--faults, default all; each once, at a set share of the calls, with calls live):
 * media-host-kill, engine-kill, kamailio-restart, rtpengine-restart, phone-kill, primary-down,
 * disk-full, clock-jump (faults.ts says what each does). Every 3 s it samples the RSS and file
 * descriptors of the engine (whose speech worker is a thread of it) and the media host's Chromium
 * processes.
 *
 *   npm run soak                                  # 1,000 calls, every fault, writes docs/SOAK.md
 *   npm run soak -- --calls 50 --faults engine-kill --report none
 *   options: --calls N  --seed S  --faults a,b|none  --report FILE|none  --keep (workspace and bed logs)
 *            --json FILE (the verdict as JSON: calls, problems, faults injected and failed; the
 *            short soak in npm test, test/e2e/soak-short.test.ts, reads it)
 *
 * Needs root for the recordings tmpfs (disk-full); without it that fault is left out, said so.
 * Exit code 0 when nothing was lost, 1 otherwise.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import type { OutboundApi } from '../../electron/engine/api/client.js';
import { speechCacheDir } from '../support/speech-cache-dir.js';
import { type Bed, type Phone, type Sipp, startBed } from '../telephony/index.js';
import type { Relay } from '../telephony/rtpengine.js';
import {
  chromiumKind,
  descendants,
  type EngineProcess,
  fdCount,
  mediaHostPid,
  rssBytes,
  runCli,
  startEngine,
} from './engine-process.js';
import {
  type FaultName,
  FAULTS,
  Forwarder,
  freeBytes,
  hangupAfterXml,
  mountTmpfs,
  resizeTmpfs,
  restartRtpengine,
  shrinkTmpfs,
  unmountTmpfs,
} from './faults.js';
import { type FaultRecord, type Sample, writeReport } from './report.js';
import { verify } from './verify.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** The clock-jump fault's step forward. */
const CLOCK_JUMP_MS = 3600_000;
/** Undone in reverse order when the soak fails half-way (the bed cleans itself up on exit). */
const cleanups: Array<() => unknown> = [];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '17' },
    faults: { type: 'string', default: FAULTS.join(',') },
    report: { type: 'string', default: join(ROOT, 'docs', 'SOAK.md') },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const TARGET = Number(args.calls);
const SEED = Number(args.seed);
const requested = (args.faults === 'none' ? [] : args.faults.split(',')) as FaultName[];
for (const f of requested)
  if (!FAULTS.includes(f))
    throw new Error(`--faults: unknown fault ${f} (known: ${FAULTS.join(', ')})`);

/** mulberry32: a small seeded generator, so contact mixes and agent talk times repeat. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(SEED);
const pick = <T>(weights: Array<[T, number]>): T => {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  let r = random() * total;
  for (const [value, w] of weights) if ((r -= w) < 0) return value;
  return weights.at(-1)![0];
};

const log = (message: string): void => {
  const t = ((Date.now() - startedAt) / 1000).toFixed(0).padStart(5);
  console.log(`[soak ${t}s] ${message}`);
};
const startedAt = Date.now();
const loadAtStart = loadavg();

const botFlow = {
  id: 'soak-bot',
  name: 'Soak bot',
  language: 'en',
  start: 'hello',
  nodes: {
    hello: {
      kind: 'hangup',
      say: 'Hello {name}. This is a reminder that your order is ready at the depot. We will deliver it on Friday morning. Goodbye.',
      disposition: 'reminded',
    },
  },
};
const agentFlow = {
  id: 'soak-agent',
  name: 'Soak agent',
  language: 'en',
  start: 'hello',
  nodes: {
    hello: {
      kind: 'say',
      text: 'Hello {name}. This is Acme Deliveries about your order.',
      next: 'handoff',
    },
    handoff: {
      kind: 'transfer',
      say: 'I am connecting you to a person who can help.',
      queue: 'default',
      reason: 'soak: the customer is handed to an agent',
    },
  },
};

interface World {
  bed: Bed;
  relay: Relay;
  data: string;
  build: string;
  env: NodeJS.ProcessEnv;
  engine: EngineProcess;
  primary: Forwarder;
  phones: Phone[];
  agents: number[];
  clockFile: string;
  recordings: string;
  tmpfsBytes: number;
  samples: Sample[];
  faults: FaultRecord[];
  /** Calls still live 3 minutes after the campaigns ended. */
  stuck: string[];
  /** Engine restarts (pid changes) by sample index, for the report. */
  engineStarts: Array<{ at: number; pid: number }>;
}

async function main(): Promise<number> {
  const root = process.getuid?.() === 0;
  const faults = requested.filter((f) => f !== 'disk-full' || root);
  if (faults.length < requested.length)
    log('not root: the disk-full fault (a tmpfs for recordings/) is left out');
  const scratch = await mkdtemp(join(tmpdir(), 'outbound-soak-'));
  const data = join(scratch, 'data');
  const build = join(ROOT, '.scratch', `soak-build-${process.pid}`);
  if (!existsSync(join(ROOT, 'out', 'cli.js')))
    throw new Error('out/cli.js is missing: run "npx electron-vite build" first');
  rmSync(build, { recursive: true, force: true });
  cpSync(join(ROOT, 'out'), build, { recursive: true });
  const cli = join(build, 'cli.js');
  mkdirSync(data, { recursive: true, mode: 0o700 });
  const recordings = join(data, 'recordings');
  mkdirSync(recordings, { mode: 0o700 });
  const tmpfsBytes = 3 * 1024 ** 3;
  if (root) {
    mountTmpfs(recordings, tmpfsBytes);
    cleanups.push(() => unmountTmpfs(recordings));
  }
  cleanups.push(() => rmSync(build, { recursive: true, force: true }));

  const bed = await startBed({ keepDir: args.keep });
  log(
    `bed up in ${bed.dir} (block ${bed.slot}); workspace ${data}; load ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const clockFile = join(scratch, 'clock-offset');
  writeFileSync(clockFile, '0');
  const agentMic = await bed.clip('agent-mic', {
    text: 'Hi, this is Maria from customer care. I can see your order and I will move the delivery to Friday for you.',
    voice: 'en',
    rate: 16000,
    pitch: 80,
    wordsPerMinute: 150,
    leadMs: 400,
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS:
      `${process.env.NODE_OPTIONS ?? ''} --import ${join(import.meta.dirname, 'clock-preload.mjs')}`.trim(),
    SOAK_CLOCK_FILE: clockFile,
    OUTBOUND_FAKE_MIC: agentMic.path,
    // The suite's shared cache (trained models, rendered prompts), warm on a machine that ran it.
    OUTBOUND_SPEECH_CACHE: speechCacheDir(),
  };

  // Far ends: what each contact's number reaches. Answering customers say "Hello?" and then
  // listen (30 s of silence, looped): an echo of the bot's own voice would keep barging in on it.
  const hello = await bed.clip('customer-hello', {
    text: 'Hello? Yes.',
    voice: 'en',
    rate: 8000,
    leadMs: 300,
  });
  const customerWav = join(scratch, 'customer-30s.wav');
  execFileSync('sox', [hello.path, customerWav, 'pad', '0', '30']);
  const customerUlaw = join(scratch, 'customer-30s-ulaw.wav');
  execFileSync('sox', [
    customerWav,
    '-r',
    '8000',
    '-c',
    '1',
    '-e',
    'u-law',
    '-b',
    '8',
    customerUlaw,
  ]);
  const far = {
    busy: await bed.sipp({ scenario: 'busy' }),
    ring: await bed.sipp({ scenario: 'ring' }),
    // Answers and stays until the bot or the agent hangs up (a BYE of its own only after 10 min).
    answer: await bed.sipp({
      scenario: { xml: hangupAfterXml(600_000, customerUlaw), name: 'answer-listen' },
    }),
    hangup: [] as Array<{ sipp: Sipp; afterMs: number }>,
  };
  for (const afterMs of [1_500, 3_000, 5_000, 8_000, 12_000, 20_000])
    far.hangup.push({
      sipp: await bed.sipp({
        scenario: { xml: hangupAfterXml(afterMs, customerUlaw), name: `hangup-${afterMs}` },
      }),
      afterMs,
    });
  const used = new Map<number, number>();
  const numberFor = (sipp: Sipp): string => {
    const n = used.get(sipp.port) ?? 0;
    if (n > 999) throw new Error(`far end ${sipp.port}: more than 1000 numbers`);
    used.set(sipp.port, n + 1);
    return `+86199${String(sipp.port).padStart(5, '0')}${String(n).padStart(3, '0')}`;
  };
  // More contacts than calls: the campaigns are stopped at the target, never run dry before it.
  const botCount = Math.ceil(TARGET * 0.75);
  const agentCount = Math.ceil(TARGET * 0.3);
  const botRows = ['name,phone'];
  for (let i = 0; i < botCount; i++) {
    const kind = pick<Sipp | 'hangup'>([
      [far.answer, 35],
      ['hangup', 30],
      [far.busy, 15],
      [far.ring, 15],
    ]);
    const sipp =
      kind === 'hangup' ? far.hangup[Math.floor(random() * far.hangup.length)]!.sipp : kind;
    botRows.push(`Bot ${i},${numberFor(sipp)}`);
  }
  const agentRows = ['name,phone'];
  for (let i = 0; i < agentCount; i++) {
    const kind = pick<Sipp | 'hangup'>([
      [far.answer, 65],
      ['hangup', 25],
      [far.busy, 5],
      [far.ring, 5],
    ]);
    // Hang-ups on agent calls come late enough to reach the agent, or while waiting for one.
    const sipp = kind === 'hangup' ? far.hangup[3 + Math.floor(random() * 3)]!.sipp : kind;
    agentRows.push(`Agent ${i},${numberFor(sipp)}`);
  }
  const phones: Phone[] = [];
  const phoneUsers = ['+8613800005101', '+8613800005102', '+8613800005103'];
  const customerClip = await bed.clip('customer', {
    text: 'Hello? Yes, this is me. Friday morning is fine. Thank you.',
    voice: 'en',
    pitch: 30,
    rate: 8000,
    leadMs: 600,
  });
  for (const user of phoneUsers)
    phones.push(
      await bed.phone({
        user,
        answer: 'auto',
        play: customerClip.path,
        callLengthS: 90,
        answerDelayMs: 800,
      }),
    );
  const phoneRows = ['name,phone', ...phoneUsers.map((u, i) => `Phone ${i},${u.slice(3)}`)];
  for (const [list, rows] of [
    ['soak-bot', botRows],
    ['soak-agent', agentRows],
    ['soak-phones', phoneRows],
  ] as const) {
    const file = join(scratch, `${list}.csv`);
    writeFileSync(file, `${rows.join('\n')}\n`);
    runCli(cli, ['import', file, '--list', list, '--region', 'CN', '--data', data]);
  }
  const primary = new Forwarder(bed.ports.wsPorts.open);
  await primary.up();
  runCli(cli, [
    'trunk',
    'add',
    'primary',
    '--uri',
    `ws://127.0.0.1:${primary.port}`,
    '--domain',
    bed.sipDomain,
    '--max-calls',
    '40',
    '--data',
    data,
  ]);
  runCli(cli, [
    'trunk',
    'add',
    'backup',
    '--uri',
    bed.wsUri.open,
    '--domain',
    bed.sipDomain,
    '--backup',
    '--max-calls',
    '40',
    '--data',
    data,
  ]);
  log(
    `imported ${botCount} + ${agentCount} + ${phoneUsers.length} contacts; trunks primary (forwarder :${primary.port}) and backup`,
  );

  const engine = await startEngine({ cli, data, env });
  cleanups.push(() => world.engine.kill9());
  const world: World = {
    bed,
    relay: bed.relay,
    data,
    build,
    env,
    engine,
    primary,
    phones,
    agents: [],
    clockFile,
    recordings,
    tmpfsBytes,
    samples: [],
    faults: [],
    stuck: [],
    engineStarts: [{ at: Date.now(), pid: engine.pid }],
  };
  const api = (): OutboundApi => world.engine.api;
  await api().request('flows.save', { definition: botFlow });
  await api().request('flows.save', { definition: agentFlow });
  await api().request('settings.update', {
    changes: { ringTimeoutMs: 6_000, maxConcurrentCalls: 15, wrapUpMs: 20_000, language: 'en' },
  });
  for (const name of ['ann', 'bo', 'cai'])
    world.agents.push(
      (
        await api().request('users.add', {
          username: `soak-${name}`,
          displayName: `Soak ${name}`,
          role: 'agent',
          password: `soak-${name}-password-1`,
        })
      ).id,
    );
  const allDay: Array<[string, string]> = [['00:00', '24:00']];
  const schedule = {
    timeZone: 'Asia/Shanghai',
    windows: {
      sun: allDay,
      mon: allDay,
      tue: allDay,
      wed: allDay,
      thu: allDay,
      fri: allDay,
      sat: allDay,
    },
    excludedDates: [],
  };
  const retryPolicy = {
    maxAttempts: 2,
    retryAfterMs: { busy: 3_000, no_answer: 3_000, failed: 5_000 },
    dailyCapPerNumber: 10,
  };
  for (const [name, flow, max] of [
    ['soak-bot', 'soak-bot', 9],
    ['soak-agent', 'soak-agent', 4],
    ['soak-phones', 'soak-bot', 3],
  ] as const)
    await api().request('campaigns.create', {
      name,
      list: name,
      flow: { name: flow },
      trunks: ['primary'],
      dialingMode: 'agentless',
      maxConcurrentCalls: max,
      schedule,
      retryPolicy,
    });

  const sampler = startSampler(world);
  const agents = startAgents(world);
  await setAgentsAvailable(world);
  await api().request('campaigns.start', { name: 'soak-bot' });
  await api().request('campaigns.start', { name: 'soak-agent' });
  log(`campaigns started; target ${TARGET} calls; faults: ${faults.join(', ') || 'none'}`);

  // Faults at even shares of the run, one at a time, each when calls are live.
  const due = faults.map((name, i) => ({
    name,
    at: Math.round((TARGET * (i + 1)) / (faults.length + 1.5)),
  }));
  let stopped = false;
  let stoppedAt = 0;
  let lastLog = 0;
  for (;;) {
    const placed = await countPlaced(world);
    if (placed === null) {
      await sleep(1000);
      continue;
    }
    if (Date.now() - lastLog > 30_000) {
      lastLog = Date.now();
      log(
        `${placed.placed} placed, ${placed.live} live, ${placed.ended} ended; load ${loadavg()[0]!.toFixed(1)}`,
      );
    }
    const next = due[0];
    if (next && placed.ended >= next.at) {
      due.shift();
      try {
        await inject(world, next.name, placed.ended);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        faultFailures.push({ name: next.name, error: message });
        log(`fault ${next.name} failed: ${message}`);
      }
      continue;
    }
    if (!stopped && placed.placed >= TARGET && due.length === 0) {
      for (const name of ['soak-bot', 'soak-agent'])
        await api()
          .request('campaigns.stop', { name })
          .catch(() => undefined);
      stopped = true;
      stoppedAt = Date.now();
      log(`${placed.placed} calls placed: campaigns stopped, waiting for live calls to end`);
    }
    if (!stopped && (await allCompleted(world))) {
      stopped = true;
      stoppedAt = Date.now();
      log(`campaigns completed with ${placed.placed} calls placed`);
    }
    if (stopped && placed.live === 0 && (await agentsIdle(world))) break;
    if (stopped && Date.now() - stoppedAt > 180_000) {
      // A call that outlives its campaign by 3 minutes is stuck: a finding, and the engine's stop closes it.
      world.stuck = await liveCallIds(world);
      log(`still live 3 minutes after the campaigns ended: ${world.stuck.join(' ')}`);
      break;
    }
    if (Date.now() - startedAt > 3 * 3600_000) throw new Error('the soak ran over 3 hours');
    await sleep(1000);
  }
  await agents.stop();
  await sampler.stop();
  await sleep(2_000);
  log('stopping the engine');
  await world.engine.stop();
  // One more start, as the next day's would: it joins recordings a full disk left as parts
  // (recording/finalize.ts) and closes anything left open. Its log says what it recovered.
  const last = await startEngine({ cli, data, env });
  await sleep(3_000);
  await last.stop();
  const recovered = /Closed calls interrupted by the last stop[^\n]*/.exec(last.stderr())?.[0];
  log(`restarted once for recovery: ${recovered ?? 'nothing to recover'}`);
  const result = await verify(data);
  for (const callId of world.stuck)
    result.problems.push({
      callId,
      check: 'ended on its own',
      detail: 'still live 3 minutes after its campaign stopped; closed by the engine stop',
    });
  const durationMs = Date.now() - startedAt;
  const loadAtEnd = loadavg();
  log(`${result.calls.length} calls; ${result.problems.length} problems`);
  for (const p of result.problems.slice(0, 40)) log(`  ${p.check}: ${p.callId} ${p.detail}`);
  if (args.report !== 'none') {
    await writeReport(args.report, {
      target: TARGET,
      seed: SEED,
      durationMs,
      loadAtStart,
      loadAtEnd,
      result,
      samples: world.samples,
      faults: world.faults,
      requestedFaults: requested,
      engineStarts: world.engineStarts,
      soakStart: startedAt,
      finalRecovery: recovered ?? null,
      unanswered,
      clockOffsetMs: world.faults.some((f) => f.name === 'clock-jump') ? CLOCK_JUMP_MS : 0,
    });
    log(`wrote ${args.report}`);
  }
  if (args.json)
    writeFileSync(
      args.json,
      `${JSON.stringify(
        {
          calls: result.calls.length,
          answered: result.calls.filter((c) => c.answeredAt !== null).length,
          outcomes: Object.fromEntries(
            [...new Set(result.calls.map((c) => c.outcome ?? 'none'))].map((o) => [
              o,
              result.calls.filter((c) => (c.outcome ?? 'none') === o).length,
            ]),
          ),
          problems: result.problems,
          diskLosses: result.diskLosses,
          recordings: {
            checked: result.recordings.length,
            worstShortMs: Math.max(0, ...result.recordings.map((r) => -(r.diffMs ?? 0))),
          },
          faults: world.faults.map((f) => ({
            name: f.name,
            note: f.note,
            live: f.liveCallIds.length,
          })),
          faultFailures,
          unanswered,
          durationMs,
        },
        null,
        2,
      )}\n`,
    );
  for (const phone of phones) await phone.stop().catch(() => undefined);
  if (world.relay !== bed.relay) await world.relay.stop();
  await primary.down();
  await bed.stop();
  if (root) unmountTmpfs(recordings);
  rmSync(build, { recursive: true, force: true });
  if (!args.keep) await rm(scratch, { recursive: true, force: true });
  else log(`kept ${scratch}`);
  return result.problems.length === 0 ? 0 : 1;
}

interface Placed {
  placed: number;
  live: number;
  ended: number;
}

/** True while the engine-kill fault has the engine down (its silence is expected then). */
let restarting = false;

async function countPlaced(world: World): Promise<Placed | null> {
  try {
    let placed = 0;
    let live = 0;
    for (const name of ['soak-bot', 'soak-agent', 'soak-phones']) {
      const detail = await world.engine.api.request('campaigns.get', { name });
      placed += detail.progress.calls;
      live += detail.progress.liveCalls;
    }
    return { placed, live, ended: placed - live };
  } catch (error) {
    if (!restarting) noteUnanswered('campaigns.get', error);
    return null;
  }
}

/** Faults that could not be injected (no media host to kill, no phone in a call…), and why. */
const faultFailures: Array<{ name: FaultName; error: string }> = [];

/** API requests the engine did not answer in time (it is loaded, or stalled): a finding of their own. */
const unanswered: Array<{ atMs: number; what: string }> = [];

function noteUnanswered(what: string, error: unknown): void {
  unanswered.push({ atMs: Date.now() - startedAt, what });
  log(
    `the engine did not answer ${what}: ${error instanceof Error ? error.message : String(error)}`,
  );
}

async function allCompleted(world: World): Promise<boolean> {
  try {
    for (const name of ['soak-bot', 'soak-agent']) {
      const detail = await world.engine.api.request('campaigns.get', { name });
      if (detail.status !== 'completed') return false;
    }
    return true;
  } catch (error) {
    noteUnanswered('campaigns.get', error);
    return false;
  }
}

async function agentsIdle(world: World): Promise<boolean> {
  try {
    const { agents } = await world.engine.api.request('agents.states', {});
    return agents
      .filter((a) => world.agents.includes(a.id))
      .every((a) => a.status !== 'on_call' && a.status !== 'wrap_up' && a.status !== 'offered');
  } catch (error) {
    noteUnanswered('agents.states', error);
    return false;
  }
}

async function setAgentsAvailable(world: World): Promise<void> {
  for (const agentId of world.agents)
    await world.engine.api.request('agents.setStatus', { agentId, status: 'available' });
}

async function liveCallIds(world: World): Promise<string[]> {
  try {
    const { calls } = await world.engine.api.request('live.list', {});
    return calls.filter((c) => c.state !== 'done').map((c) => c.id);
  } catch {
    return [];
  }
}

/** Waits (up to 60 s) until at least `n` calls are live, so a fault hits calls in flight. */
async function untilLive(world: World, n: number, answered = false): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const { calls } = await world.engine.api.request('live.list', {});
      const live = calls.filter((c) => c.state !== 'done' && (!answered || c.answeredAt !== null));
      if (live.length >= n) return;
    } catch {
      // restarting
    }
    await sleep(300);
  }
}

/**
 * The agents, as three consoles would drive them: take each offer, talk for a seeded 2–9 s (the
 * media host's fake microphone is their voice), hang up, submit the wrap-up; available again
 * after an engine restart.
 */
function startAgents(world: World): { stop(): Promise<void> } {
  let running = true;
  const talkUntil = new Map<string, number>();
  const loop = (async () => {
    while (running) {
      try {
        const { agents } = await world.engine.api.request('agents.states', {});
        for (const agent of agents) {
          if (!world.agents.includes(agent.id)) continue;
          const callId = agent.callId;
          if (agent.status === 'offered') {
            const { offer } = await world.engine.api.request('agents.offer', { agentId: agent.id });
            if (offer) {
              await world.engine.api
                .request('agents.accept', { callId: offer.callId, agentId: agent.id })
                .catch(() => undefined);
              talkUntil.set(offer.callId, Date.now() + 2_000 + Math.round(random() * 7_000));
            }
          } else if (agent.status === 'on_call' && callId) {
            if (!talkUntil.has(callId)) talkUntil.set(callId, Date.now() + 4_000);
            if (Date.now() >= talkUntil.get(callId)!)
              await world.engine.api.request('calls.hangup', { id: callId }).catch(() => undefined);
          } else if (agent.status === 'wrap_up' && callId) {
            talkUntil.delete(callId);
            await world.engine.api
              .request('calls.wrapUp', { callId, disposition: 'interested', notes: 'soak' })
              .catch(() => undefined);
          } else if (agent.status === 'away' || agent.status === 'offline') {
            await world.engine.api
              .request('agents.setStatus', { agentId: agent.id, status: 'available' })
              .catch(() => undefined);
          }
        }
      } catch {
        // the engine is restarting: try again shortly
      }
      await sleep(400);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** Every 3 s: RSS and file descriptors of the engine and its media host's Chromium tree, against calls ended. */
function startSampler(world: World): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      const placed = await countPlaced(world);
      const pid = world.engine.pid;
      const tree = descendants(pid)
        .filter((p) => /chrom/i.test(p.comm))
        .map((p) => ({
          pid: p.pid,
          kind: chromiumKind(p.pid),
          rss: rssBytes(p.pid),
          fds: fdCount(p.pid),
        }));
      if (placed)
        world.samples.push({
          at: Date.now() - startedAt,
          ended: placed.ended,
          live: placed.live,
          enginePid: pid,
          engineRss: rssBytes(pid),
          engineFds: fdCount(pid),
          mediaHostPid: mediaHostPid(pid) ?? 0,
          mediaHostRss: tree.reduce((s, p) => s + p.rss, 0),
          mediaHostFds: tree.reduce((s, p) => s + p.fds, 0),
          mediaHostProcs: tree,
        });
      await sleep(3_000);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

async function inject(world: World, name: FaultName, ended: number): Promise<void> {
  const phoneFault = name === 'phone-kill';
  if (phoneFault) {
    await world.engine.api.request('campaigns.start', { name: 'soak-phones' });
    const phone = await firstPhoneInCall(world.phones);
    await sleep(2_500);
    const live = await liveCallIds(world);
    const at = Date.now();
    process.kill(phone.pid, 'SIGKILL');
    log(`fault phone-kill: ${phone.user} (pid ${phone.pid}) killed; ${live.length} calls live`);
    await sleep(15_000);
    const index = world.phones.indexOf(phone);
    await phone.stop().catch(() => undefined);
    world.phones[index] = await world.bed.phone({
      user: phone.user,
      answer: 'auto',
      callLengthS: 90,
    });
    record(
      world,
      name,
      at,
      Date.now(),
      ended,
      live,
      `killed ${phone.user}; started again 15 s later`,
    );
    return;
  }
  await untilLive(world, 4, true);
  const live = await liveCallIds(world);
  const at = Date.now();
  let note = '';
  switch (name) {
    case 'media-host-kill': {
      const pid = mediaHostPid(world.engine.pid);
      if (pid === undefined) throw new Error('no media host process to kill');
      process.kill(pid, 'SIGKILL');
      note = `Chromium pid ${pid} killed`;
      await sleep(5_000);
      break;
    }
    case 'engine-kill': {
      restarting = true;
      const old = world.engine;
      const chromium = descendants(old.pid);
      await old.kill9();
      // Its media host loses its engine; whatever of that tree is left is ours to clear.
      for (const p of chromium) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await sleep(2_000);
      world.engine = await startEngine({
        cli: join(world.build, 'cli.js'),
        data: world.data,
        env: world.env,
      });
      world.engineStarts.push({ at: Date.now(), pid: world.engine.pid });
      restarting = false;
      await setAgentsAvailable(world).catch(() => undefined);
      note = `engine pid ${old.pid} killed; pid ${world.engine.pid} started on the same workspace ${((Date.now() - at) / 1000).toFixed(1)} s later`;
      break;
    }
    case 'kamailio-restart':
      await world.bed.proxy.restart();
      note = `Kamailio restarted in ${((Date.now() - at) / 1000).toFixed(1)} s`;
      break;
    case 'rtpengine-restart':
      world.relay = await restartRtpengine(world.bed, world.relay);
      note = `rtpengine restarted in ${((Date.now() - at) / 1000).toFixed(1)} s`;
      break;
    case 'primary-down':
      await world.primary.down();
      await sleep(20_000);
      await world.primary.up();
      note = 'primary trunk down for 20 s, then up again';
      break;
    case 'disk-full': {
      const size = shrinkTmpfs(world.recordings, 256 * 1024);
      note = `recordings tmpfs shrunk to ${(size / 1024 ** 2).toFixed(1)} MB (${(freeBytes(world.recordings) / 1024).toFixed(0)} KB free) for 15 s`;
      await sleep(15_000);
      resizeTmpfs(world.recordings, world.tmpfsBytes);
      break;
    }
    case 'clock-jump':
      writeFileSync(world.clockFile, String(CLOCK_JUMP_MS));
      note = 'engine wall clock +1 h (monotonic time unchanged)';
      await sleep(2_000);
      break;
  }
  log(`fault ${name}: ${note}; ${live.length} calls live`);
  record(world, name, at, Date.now(), ended, live, note);
}

function record(
  world: World,
  name: FaultName,
  at: number,
  until: number,
  ended: number,
  live: string[],
  note: string,
): void {
  world.faults.push({
    name,
    atMs: at - startedAt,
    untilMs: until - startedAt,
    endedBefore: ended,
    liveCallIds: live,
    note,
  });
}

async function firstPhoneInCall(phones: Phone[]): Promise<Phone> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    for (const phone of phones) {
      const established = phone.events.filter((e) => e.type === 'CALL_ESTABLISHED').length;
      const closed = phone.events.filter((e) => e.type === 'CALL_CLOSED').length;
      if (established > closed) return phone;
    }
    await sleep(200);
  }
  throw new Error('no soak phone took a call within 2 minutes');
}

// Stopped from outside (Ctrl-C, or the short soak's time limit in npm test): the engine, the
// recordings tmpfs and the build copy are undone as on a failure (the bed stops its own processes).
// (A listener that stays: the bed's own re-raises the signal when it is the only one left.)
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    void (async () => {
      for (const undo of cleanups.reverse()) {
        try {
          await undo();
        } catch {
          // best effort
        }
      }
      process.exit(130);
    })();
  });

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    console.error(error);
    for (const undo of cleanups.reverse()) {
      try {
        await undo();
      } catch {
        // best effort
      }
    }
    process.exit(2);
  },
);
