/**
 * docs/SOAK.md from one soak run: the machine and its load, calls by outcome, each fault (when,
 * the calls live at that moment, every call it touched and how those ended), anything lost, the
 * recordings against their calls, and the resource curves as text sparklines with the slope per
 * 100 calls over the last 80 % of the final processes' samples.
 */
import { writeFileSync } from 'node:fs';
import { cpus, uptime } from 'node:os';

import { FAULT_TEXT, type FaultName } from './faults.js';
import { linearFit, linearFit2, type StoredCall, type VerifyResult } from './verify.js';

export interface Sample {
  /** ms since the soak started. */
  at: number;
  /** Calls placed and ended so far. */
  ended: number;
  live: number;
  enginePid: number;
  engineRss: number;
  engineFds: number;
  mediaHostPid: number;
  mediaHostRss: number;
  mediaHostFds: number;
  /** The media host's Chromium processes one by one (the two figures above are their sums). */
  mediaHostProcs: ProcessSample[];
}

export interface FaultRecord {
  name: FaultName;
  atMs: number;
  untilMs: number;
  endedBefore: number;
  liveCallIds: string[];
  note: string;
}

export interface ReportInput {
  target: number;
  seed: number;
  durationMs: number;
  loadAtStart: number[];
  loadAtEnd: number[];
  result: VerifyResult;
  samples: Sample[];
  faults: FaultRecord[];
  requestedFaults: FaultName[];
  engineStarts: Array<{ at: number; pid: number }>;
  /** API requests the engine left unanswered for 15 s (loaded or stalled), when. */
  unanswered: Array<{ atMs: number; what: string }>;
  /** What the start after the run recovered (its log line), or null. */
  finalRecovery: string | null;
  /** Date.now() when the soak started (the store's clock until a clock jump). */
  soakStart: number;
  /** The engine's clock offset from the clock-jump fault (0 without it). */
  clockOffsetMs: number;
}

/** Growth per 100 calls above which a resource is called a leak. */
const FLAT_LIMITS = { rssBytes: 2 * 1024 ** 2, fds: 1 } as const;

const BARS = '▁▂▃▄▅▆▇█';

function sparkline(values: number[], width = 64): string {
  if (values.length === 0) return '';
  const step = values.length / Math.min(width, values.length);
  const points: number[] = [];
  for (let i = 0; i < values.length; i += step) points.push(values[Math.floor(i)]!);
  const min = Math.min(...points);
  const max = Math.max(...points);
  return points
    .map((v) => BARS[max === min ? 0 : Math.round(((v - min) / (max - min)) * (BARS.length - 1))])
    .join('');
}

/** One process of the media host's Chromium tree in a sample. */
export interface ProcessSample {
  pid: number;
  /** engine-process.ts chromiumKind: renderer, utility network.mojom.NetworkService, … */
  kind: string;
  rss: number;
  fds: number;
}

/** A process that started inside the fitted window: a step, reported apart from the fit. */
export interface Birth {
  pid: number;
  kind: string;
  atMs: number;
  /** Its value at its last sample. */
  value: number;
}

/** Helper processes a tree may start during the fitted window before that counts as growth. */
export const MAX_BIRTHS = 2;

export interface Trend {
  label: string;
  unit: string;
  scale: number;
  samples: number;
  mean: number;
  /** Growth per 100 calls ended, at the same number of live calls. */
  slopePer100: number;
  /** The plain fit of the whole series (births included) against calls ended alone, for comparison. */
  plainSlopePer100: number;
  /** What one more live call holds. */
  perLiveCall: number;
  limit: number;
  births: Birth[];
  flat: boolean;
  spark: string;
  min: number;
  max: number;
}

export interface TrendSource {
  label: string;
  unit: string;
  scale: number;
  limit: number;
  /** The series' process (a restart starts a new process; the fit uses the last one's samples). */
  pid(s: Sample): number;
  /** The value, for a series of one process. */
  value?(s: Sample): number;
  /**
   * The value per process, for a tree (Chromium's browser and children): the fit sums the
   * processes present at the window's first sample; those started later are births.
   */
  parts?(s: Sample): Array<{ pid: number; kind?: string; value: number }>;
}

/**
 * The growth over the last 80 % of the samples of the final process (a restart starts a new
 * process, whose memory starts again from nothing: fitting across it would measure the restart),
 * per 100 calls ended, by least squares with the live calls as a second regressor: live calls
 * hold memory and sockets by design, so a window that ends busier than it began is not a leak,
 * and one that ends quieter does not hide one. For a process tree, a helper process started
 * inside the window (Chromium starts services on demand) is a step, not a slope: it is listed as
 * a birth, and more than MAX_BIRTHS of them count as growth.
 */
export function trend(samples: Sample[], source: TrendSource): Trend {
  const whole = (s: Sample): number =>
    source.value ? source.value(s) : (source.parts?.(s) ?? []).reduce((a, p) => a + p.value, 0);
  const lastPid = source.pid(samples.at(-1)!);
  let first = samples.length - 1;
  while (first > 0 && source.pid(samples[first - 1]!) === lastPid) first--;
  const own = samples.slice(first).filter((s) => whole(s) > 0);
  const tail = own.slice(Math.floor(own.length * 0.2));
  const births: Birth[] = [];
  let fitted = whole;
  if (source.parts && tail.length > 0) {
    const present = new Set(source.parts(tail[0]!).map((p) => p.pid));
    fitted = (s) =>
      source.parts!(s)
        .filter((p) => present.has(p.pid))
        .reduce((a, p) => a + p.value, 0);
    const born = new Map<number, Birth>();
    for (const s of tail)
      for (const p of source.parts(s)) {
        if (present.has(p.pid)) continue;
        const seen = born.get(p.pid);
        if (seen) seen.value = p.value;
        else born.set(p.pid, { pid: p.pid, kind: p.kind ?? '', atMs: s.at, value: p.value });
      }
    births.push(...born.values());
  }
  const ys = tail.map(fitted);
  const fit = linearFit2(
    tail.map((s) => s.ended),
    tail.map((s) => s.live),
    ys,
  );
  // The fit the report used before: every process, calls ended alone.
  const plain = linearFit(
    tail.map((s) => s.ended),
    tail.map(whole),
  );
  const all = samples.map(whole);
  const mean = ys.reduce((a, y) => a + y, 0) / Math.max(1, ys.length);
  const slopePer100 = fit.slope1 * 100;
  return {
    label: source.label,
    unit: source.unit,
    scale: source.scale,
    samples: tail.length,
    mean,
    slopePer100,
    plainSlopePer100: plain.slope * 100,
    perLiveCall: fit.slope2,
    limit: source.limit,
    births,
    flat: slopePer100 <= source.limit && births.length <= MAX_BIRTHS,
    spark: sparkline(all),
    min: Math.min(...all),
    max: Math.max(...all),
  };
}

function countBy<T>(items: T[], key: (item: T) => string): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** A call id is <engine run>-<n>: its first 8 characters and its number tell calls apart. */
const shortId = (id: string): string => `${id.slice(0, 8)}…${id.slice(id.lastIndexOf('-'))}`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(0)} s`;

function machine(): string {
  const cpu = cpus();
  const up = uptime();
  return `${cpu.length} × ${cpu[0]?.model ?? 'CPU'} (up ${Math.floor(up / 3600)} h ${Math.floor((up % 3600) / 60)} min)`;
}

/** The calls a fault touched: live when it struck, or started while it lasted (and 5 s after). */
function affected(
  fault: FaultRecord,
  calls: StoredCall[],
  sinceStart: (c: StoredCall) => number,
): StoredCall[] {
  const live = new Set(fault.liveCallIds);
  return calls.filter(
    (c) =>
      live.has(c.id) || (sinceStart(c) >= fault.atMs && sinceStart(c) <= fault.untilMs + 5_000),
  );
}

export async function writeReport(path: string, input: ReportInput): Promise<void> {
  const { result } = input;
  const calls = result.calls;
  // A call's start against the soak's own clock: the store's times run ahead after a clock jump.
  const jump = input.faults.find((f) => f.name === 'clock-jump');
  const sinceStart = (c: StoredCall): number => {
    const t = c.startedAt - input.soakStart;
    return jump && t >= jump.atMs + input.clockOffsetMs ? t - input.clockOffsetMs : t;
  };
  const lines: string[] = [];
  const push = (...more: string[]): void => {
    lines.push(...more);
  };
  const bugs = result.problems;
  push(
    '# Soak',
    '',
    `\`npm run soak\` (test/soak/run.ts): ${calls.length} calls through the SIP test bed as real campaigns,`,
    `with faults injected while they ran, then every call checked against the store. Seed ${input.seed};`,
    `target ${input.target} calls; ${seconds(input.durationMs)} (${(input.durationMs / 60_000).toFixed(1)} min) on`,
    `${machine()}. Load average at the start ${input.loadAtStart.map((l) => l.toFixed(2)).join(', ')}, at the end ${input.loadAtEnd.map((l) => l.toFixed(2)).join(', ')}`,
    '(the machine is shared with other work).',
    '',
    `**Lost: ${bugs.length === 0 ? 'nothing' : `${bugs.length} finding${bugs.length === 1 ? '' : 's'} (listed below)`}.**`,
    '',
    '## Calls by outcome',
    '',
    '| campaign | calls | ' +
      ['completed', 'transferred', 'busy', 'no_answer', 'failed', 'other'].join(' | ') +
      ' |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  const known = ['completed', 'transferred', 'busy', 'no_answer', 'failed'];
  for (const [campaign, n] of countBy(calls, (c) => c.campaign ?? '(none)')) {
    const own = calls.filter((c) => (c.campaign ?? '(none)') === campaign);
    const cells = known.map((o) => own.filter((c) => c.outcome === o).length);
    const other = own.filter((c) => !known.includes(c.outcome ?? '')).length;
    push(`| ${campaign} | ${n} | ${cells.join(' | ')} | ${other} |`);
  }
  const answered = calls.filter((c) => c.answeredAt !== null);
  push(
    `| **all** | **${calls.length}** | ${known.map((o) => calls.filter((c) => c.outcome === o).length).join(' | ')} | ${calls.filter((c) => !known.includes(c.outcome ?? '')).length} |`,
    '',
    `Answered: ${answered.length}. Through the backup trunk: ${calls.filter((c) => c.trunk === 'backup').length}. With a \`failover\` event: ${calls.filter((c) => c.events.includes('failover')).length}. Handed to an agent: ${calls.filter((c) => c.events.includes('agent_connected')).length}.`,
    '',
    'Most common end reasons:',
    '',
    '| reason | calls |',
    '|---|---:|',
    ...countBy(calls, (c) => (c.endReason ?? '(none)').replace(/\|/g, '/').slice(0, 110))
      .slice(0, 12)
      .map(([reason, n]) => `| ${reason} | ${n} |`),
    '',
    '## Faults',
    '',
  );
  const injected = new Set(input.faults.map((f) => f.name));
  const missing = input.requestedFaults.filter((f) => !injected.has(f));
  if (missing.length) push(`Not injected in this run: ${missing.join(', ')}.`, '');
  push(
    '| fault | at | calls ended before | live at that moment | calls affected | how the affected calls ended |',
    '|---|---:|---:|---:|---:|---|',
  );
  for (const fault of input.faults) {
    const hit = affected(fault, calls, sinceStart);
    const ends = countBy(hit, (c) => c.outcome ?? 'open')
      .map(([o, n]) => `${o} ${n}`)
      .join(', ');
    push(
      `| ${fault.name} | ${seconds(fault.atMs)} | ${fault.endedBefore} | ${fault.liveCallIds.length} | ${hit.length} | ${ends} |`,
    );
  }
  push('');
  for (const fault of input.faults) {
    const hit = affected(fault, calls, sinceStart);
    const live = new Set(fault.liveCallIds);
    push(
      `### ${fault.name}`,
      '',
      `${FAULT_TEXT[fault.name]}. ${fault.note}.`,
      '',
      `Live when it struck (${fault.liveCallIds.length}): ${fault.liveCallIds.map((id) => `\`${shortId(id)}\``).join(' ') || 'none'}.`,
      '',
      '| calls | outcome | reason |',
      '|---:|---|---|',
      ...countBy(
        hit.filter((c) => live.has(c.id)),
        (c) => `${c.outcome} | ${(c.endReason ?? '').replace(/\|/g, '/').slice(0, 120)}`,
      ).map(([key, n]) => `| ${n} (live) | ${key} |`),
      ...countBy(
        hit.filter((c) => !live.has(c.id)),
        (c) => `${c.outcome} | ${(c.endReason ?? '').replace(/\|/g, '/').slice(0, 120)}`,
      ).map(([key, n]) => `| ${n} (started during) | ${key} |`),
      '',
    );
  }
  push('## Anything lost', '');
  if (bugs.length === 0) push('Nothing: every check below passed for every call.', '');
  else {
    push('| check | calls | examples |', '|---|---:|---|');
    for (const [check, n] of countBy(bugs, (p) => p.check)) {
      const examples = bugs
        .filter((p) => p.check === check)
        .slice(0, 3)
        .map((p) => `\`${shortId(p.callId)}\` ${p.detail.replace(/\|/g, '/')}`)
        .join('; ');
      push(`| ${check} | ${n} | ${examples} |`);
    }
    push('');
  }
  if (result.diskLosses.length) {
    const total = result.diskLosses.reduce((sum, d) => sum + d.lostMs, 0);
    push(
      `Audio the full disk kept from being written (the fault itself, not a bug: each call has a \`recording_error\` event, keeps what was written before, and ends normally): ${result.diskLosses.length} calls, ${(total / 1000).toFixed(1)} s in all (${result.diskLosses.map((d) => `\`${shortId(d.callId)}\` ${(d.lostMs / 1000).toFixed(1)} s`).join(', ')}).`,
      '',
    );
  }
  if (input.unanswered.length)
    push(
      `The engine left ${input.unanswered.length} API request${input.unanswered.length === 1 ? '' : 's'} unanswered for 15 s (its event loop stalled on a machine loaded far past its cores), at ${input.unanswered.map((u) => `${seconds(u.atMs)} (${u.what})`).join(', ')}; the calls went on.`,
      '',
    );
  push(
    `After the run the engine was started once more on the workspace, as the next start would be: ${input.finalRecovery ? `it logged "${input.finalRecovery.slice(0, 300)}"` : 'it had nothing to recover'}.`,
    '',
  );
  const recs = result.recordings.filter((r) => r.diffMs !== null);
  const diffs = recs.map((r) => Math.abs(r.diffMs!)).sort((a, b) => a - b);
  const q = (p: number): number =>
    diffs[Math.min(diffs.length - 1, Math.floor(p * diffs.length))] ?? 0;
  push(
    '## Checks',
    '',
    `- Closed with an outcome and a reason: ${calls.filter((c) => c.state === 'done' && c.outcome && c.endReason).length} of ${calls.length}.`,
    `- Answered calls with a playable recording: ${result.recordings.filter((r) => r.playable).length} of ${answered.length}; |recording − call| median ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${diffs.at(-1) ?? 0} ms (allowed 1,000 ms, +500 ms for a call cut by \`kill -9\`).`,
    `- One call per contact and attempt slot: ${bugs.some((p) => p.check === 'one call per attempt slot') ? 'NO' : 'yes'}.`,
    `- Leases left (${result.leaseColumns.join(', ')}, status 'leased'): ${result.leasesLeft.length}.`,
    '',
    '## Resources',
    '',
    'Sampled every 3 s from /proc: resident memory (VmRSS) and open file descriptors of the engine',
    "(`outbound serve`; the speech worker is a worker thread inside it, so its memory is part of the engine's)",
    'and of the media host (the Chromium browser and its child processes, summed). Growth: least squares',
    'over the last 80 % of the samples of the last process (a process restarted by a fault starts again',
    'from nothing), per 100 calls ended, with the live calls as a second regressor (live calls hold memory',
    'and sockets by design; the plain fit against calls ended alone is shown beside it). A Chromium process',
    `started inside that window is a step, listed below the table; more than ${MAX_BIRTHS} count as growth.`,
    `Flat: at most ${FLAT_LIMITS.rssBytes / 1024 ** 2} MB or ${FLAT_LIMITS.fds} descriptor per 100 calls.`,
    '',
    '| series | samples fitted | mean | growth per 100 calls | plain slope | per live call | verdict | whole run (min … max) |',
    '|---|---:|---:|---:|---:|---:|---|---|',
  );
  const samples = input.samples;
  if (samples.length > 2) {
    const mb = 1024 ** 2;
    const rss = { unit: 'MB', scale: mb, limit: FLAT_LIMITS.rssBytes };
    const fds = { unit: '', scale: 1, limit: FLAT_LIMITS.fds };
    const engine = (s: Sample) => s.enginePid;
    const host = (s: Sample) => s.mediaHostPid;
    const trends = [
      trend(samples, { label: 'engine RSS', ...rss, pid: engine, value: (s) => s.engineRss }),
      trend(samples, { label: 'engine fds', ...fds, pid: engine, value: (s) => s.engineFds }),
      trend(samples, {
        label: 'media host RSS',
        ...rss,
        pid: host,
        parts: (s) => s.mediaHostProcs.map((p) => ({ pid: p.pid, kind: p.kind, value: p.rss })),
      }),
      trend(samples, {
        label: 'media host fds',
        ...fds,
        pid: host,
        parts: (s) => s.mediaHostProcs.map((p) => ({ pid: p.pid, kind: p.kind, value: p.fds })),
      }),
    ];
    const signed = (v: string, x: number) => `${x >= 0 ? '+' : ''}${v}`;
    for (const t of trends) {
      const f = (v: number): string => `${(v / t.scale).toFixed(1)}${t.unit ? ` ${t.unit}` : ''}`;
      push(
        `| ${t.label} | ${t.samples} | ${f(t.mean)} | ${signed(f(t.slopePer100), t.slopePer100)} | ${signed(f(t.plainSlopePer100), t.plainSlopePer100)} | ${signed(f(t.perLiveCall), t.perLiveCall)} | ${t.flat ? 'flat' : '**growing**'} | \`${t.spark}\` ${f(t.min)} … ${f(t.max)} |`,
      );
    }
    const born = trends.filter((t) => t.births.length > 0);
    push('');
    if (born.length === 0) push('No Chromium process started inside the fitted window.');
    for (const t of born)
      push(
        `${t.label}: processes started inside the fitted window: ${t.births
          .map(
            (b) =>
              `pid ${b.pid}${b.kind ? ` (${b.kind})` : ''} at ${seconds(b.atMs)} (${(b.value / t.scale).toFixed(1)}${t.unit ? ` ${t.unit}` : ''} at its last sample)`,
          )
          .join(', ')}.`,
      );
    push(
      '',
      `Live calls over the run: \`${sparkline(samples.map((s) => s.live))}\` (0 … ${Math.max(...samples.map((s) => s.live))}).`,
      '',
      `Engine processes: ${input.engineStarts.map((e) => `pid ${e.pid} from ${seconds(e.at - (input.engineStarts[0]?.at ?? 0))}`).join(', ')}.`,
      '',
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}
