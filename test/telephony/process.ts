/**
 * Child processes of the telephony bed: each one starts in its own process group with its output
 * in a log file, is stopped by PID (SIGTERM to its group, SIGKILL after a grace period), and is
 * SIGKILLed when the test process exits. Every live child is also noted in a small registry under
 * the temp dir, so a run that died by a signal (where no 'exit' handler runs) is cleaned up by the
 * next bed: see killOrphans().
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  createWriteStream,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Managed {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly logPath: string;
  /** Resolves with the exit code (or null after a signal) once the process is gone. */
  readonly exited: Promise<number | null>;
  alive(): boolean;
  /** SIGTERM to the process group, SIGKILL after graceMs; resolves when the leader has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface LaunchOptions {
  logPath: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called with each chunk of stdout/stderr (both are still written to the log). */
  onOutput?: (text: string) => void;
}

const REGISTRY = join(tmpdir(), 'outbound-telephony-pids');
const live = new Map<number, Managed>();
let exitHandlerInstalled = false;

function killAllLive(): void {
  for (const managed of live.values()) {
    killGroup(managed.pid, 'SIGKILL');
    rmSync(join(REGISTRY, `${managed.pid}.json`), { force: true });
  }
}

/**
 * On exit, SIGKILL what is still running. The children run in their own process groups, so a
 * Ctrl-C in the terminal does not reach them: on SIGINT/SIGTERM/SIGHUP kill them too, then, when
 * nobody else handles the signal, let it end the process as it would have.
 */
function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', killAllLive);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killAllLive();
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/**
 * Signals a whole process group: each child is started as the leader of its own group, so its PID
 * is the group ID. Linux does not hand out a PID while a group of that ID still exists, so this
 * never hits an unrelated process. False when the group is gone.
 */
export function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `command` detached (own process group), logging stdout and stderr to options.logPath. */
export function launch(
  name: string,
  command: string,
  args: string[],
  options: LaunchOptions,
): Managed {
  installExitHandler();
  let child: ChildProcess;
  if (options.onOutput) {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(options.logPath, { flags: 'a' });
    const onOutput = options.onOutput;
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        log.write(chunk);
        onOutput(chunk.toString('utf8'));
      });
    }
    child.on('close', () => log.end());
  } else {
    const fd = openSync(options.logPath, 'a');
    try {
      child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        detached: true,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
  }
  const pid = child.pid;
  if (pid === undefined)
    throw new Error(`${name}: could not start ${command} (see ${options.logPath})`);
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (exitCode) => {
      code = exitCode;
      live.delete(pid);
      rmSync(join(REGISTRY, `${pid}.json`), { force: true });
      resolve(exitCode);
    });
    child.once('error', () => resolve(null));
  });
  const managed: Managed = {
    name,
    pid,
    child,
    logPath: options.logPath,
    exited,
    alive: () => code === undefined,
    async stop(graceMs = 3000) {
      if (code === undefined) {
        killGroup(pid, 'SIGTERM');
        const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Workers that outlived their leader (Kamailio's children) still hold ports.
      killGroup(pid, 'SIGKILL');
    },
  };
  live.set(pid, managed);
  mkdirSync(REGISTRY, { recursive: true });
  writeFileSync(
    join(REGISTRY, `${pid}.json`),
    JSON.stringify({ owner: process.pid, pid, command }),
  );
  return managed;
}

/**
 * SIGKILLs processes that an earlier test run started and never stopped (it was killed by a signal),
 * found in the registry: only when their owner is dead and the PID still runs the same program.
 */
export function killOrphans(): number {
  let killed = 0;
  let entries: string[];
  try {
    entries = readdirSync(REGISTRY);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const file = join(REGISTRY, entry);
    try {
      const record = JSON.parse(readFileSync(file, 'utf8')) as {
        owner: number;
        pid: number;
        command: string;
      };
      if (isAlive(record.owner)) continue;
      if (isAlive(record.pid)) {
        const cmdline = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8');
        if (cmdline.split('\0')[0]?.endsWith(record.command.split('/').pop() ?? record.command)) {
          killGroup(record.pid, 'SIGKILL');
          killed++;
        }
      }
      rmSync(file, { force: true });
    } catch {
      rmSync(file, { force: true });
    }
  }
  return killed;
}

/** The last `lines` lines of a log file (empty when it does not exist). */
export function logTail(path: string, lines = 40): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } catch {
    return '';
  }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` every intervalMs until it returns a value other than undefined/false, or throws
 * after timeoutMs. `abort` (e.g. "the process exited") stops the wait at once with its message.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; abort?: () => string | undefined } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let lastError: unknown;
  for (;;) {
    const reason = options.abort?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(
        `timed out after ${options.timeoutMs ?? 10_000} ms waiting for ${what}${detail}`,
      );
    }
    await sleep(options.intervalMs ?? 50);
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function tcpAccepts(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** What a process's file descriptors point at (paths, "socket:[inode]", …), from Linux /proc. */
export function openFiles(pid: number): Set<string> {
  const targets = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return targets; // the process is gone: nothing is open
  }
  for (const fd of fds) {
    try {
      targets.add(readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // the descriptor closed while we looked
    }
  }
  return targets;
}
