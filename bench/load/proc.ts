/**
 * CPU and memory of the load bench's processes and threads, from /proc: utime + stime per process
 * (all its threads) or per thread of this process (/proc/self/task), the machine's busy share from
 * /proc/stat, RSS and PSS (smaps_rollup). Linux only; a process that ended reads as zero.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ on Linux: /proc's CPU times are in these ticks. */
const CLOCK_TICKS = 100;

/** utime + stime of a /proc/<…>/stat line, in ms of CPU. */
function statCpuMs(path: string): number {
  try {
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0; // ended meanwhile
  }
}

/** CPU ms used so far by the processes (every thread of each). */
export function processCpuMs(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) total += statCpuMs(`/proc/${pid}/stat`);
  return total;
}

/** This process's thread ids now. */
export function ownThreads(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return [];
  }
}

/** CPU ms used so far by each thread of this process, by tid. */
export function threadCpuMs(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of ownThreads()) out.set(tid, statCpuMs(`/proc/self/task/${tid}/stat`));
  return out;
}

/** [CPU ns, ns waiting on a run queue] of a /proc/…/schedstat file. */
function schedstat(path: string): [number, number] {
  try {
    const [cpu, wait] = readFileSync(path, 'utf8').split(' ');
    return [Number(cpu), Number(wait)];
  } catch {
    return [0, 0];
  }
}

/**
 * Per thread of this process, [CPU ns, ns spent runnable but waiting for a core] so far: the
 * second says whether a slow thread was busy or starved by the rest of the machine.
 */
export function threadSchedNs(): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  for (const tid of ownThreads()) out.set(tid, schedstat(`/proc/self/task/${tid}/schedstat`));
  return out;
}

/** [CPU ns, run-queue wait ns] of a process's main thread (for Chromium's renderer: the page's JS). */
export function mainThreadSchedNs(pid: number): [number, number] {
  return schedstat(`/proc/${pid}/task/${pid}/schedstat`);
}

/** The machine's busy and total jiffies so far (all cores), from /proc/stat's first line. */
export function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

function rollup(pid: number | 'self', field: 'Rss' | 'Pss'): number {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Proportional set size of the processes (shared pages split among their sharers), MiB. */
export function pssMiB(pids: ReadonlyArray<number | 'self'>): number {
  return pids.reduce<number>((sum, pid) => sum + rollup(pid, 'Pss'), 0);
}

/** Resident set size of the processes, MiB. */
export function rssMiB(pids: ReadonlyArray<number | 'self'>): number {
  return pids.reduce<number>((sum, pid) => sum + rollup(pid, 'Rss'), 0);
}

/** A Chromium process's role from its command line (--type=renderer, gpu-process, utility; none: the browser). */
export function chromiumRole(pid: number): string {
  try {
    // Chromium rewrites its children's titles (NULs become spaces), so search the whole line.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /--type=([\w-]+)/.exec(cmdline)?.[1] ?? 'browser';
  } catch {
    return 'gone';
  }
}
