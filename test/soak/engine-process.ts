/**
 * The soak's engine: the built `outbound serve` as a child process (from a build folder of the
 * soak's choosing, so a rebuild of out/ by someone else mid-run cannot change the engine under a
 * restart), its admin API connection, and what the soak measures of it: the process tree (the
 * engine and its media host Chromium), resident memory and open file descriptors from /proc.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { createApiClient, type OutboundApi } from '../../electron/engine/api/client.js';
import { nodeWebSocketTransport } from '../support/ws-node.js';

export interface EngineProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  readonly port: number;
  readonly api: OutboundApi;
  stderr(): string;
  /** Closes the API connection and stops the engine with SIGTERM (its own clean stop). */
  stop(): Promise<number | null>;
  /** SIGKILL, as `kill -9` would; resolves once the process is gone. */
  kill9(): Promise<void>;
  readonly exited: Promise<number | null>;
}

export interface EngineOptions {
  /** The built CLI (`<build>/cli.js`). */
  cli: string;
  data: string;
  env: NodeJS.ProcessEnv;
}

/** `node <cli> …args` synchronously (import, trunk add): throws with its stderr when it fails. */
export function runCli(cli: string, args: string[]): string {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0)
    throw new Error(`outbound ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

export async function startEngine(options: EngineOptions): Promise<EngineProcess> {
  const child = spawn(
    process.execPath,
    [options.cli, 'serve', '--data', options.data, '--port', '0', '--json'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: options.env },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const reader = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`outbound serve did not start within 60 s:\n${stderr}`)),
      60_000,
    );
    reader.on('line', (line) => {
      try {
        const record = JSON.parse(line) as { event?: string; port?: number };
        if (record.event === 'listening' && record.port) {
          clearTimeout(timer);
          resolve(record.port);
        }
      } catch {
        // not a JSON line
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`outbound serve exited with ${code} before listening:\n${stderr}`));
    });
  });
  const { adminToken } = JSON.parse(readFileSync(join(options.data, 'server.json'), 'utf8')) as {
    adminToken: string;
  };
  const transport = nodeWebSocketTransport(`ws://127.0.0.1:${port}/api?token=${adminToken}`);
  await transport.ready();
  const api = createApiClient(transport);
  return {
    pid: child.pid!,
    child,
    port,
    api,
    stderr: () => stderr,
    exited,
    async stop() {
      transport.close();
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill9() {
      transport.close();
      child.kill('SIGKILL');
      await exited;
    },
  };
}

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
}

function procStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    return { pid, ppid: Number(fields[1]), comm };
  } catch {
    return null;
  }
}

/** Every live descendant of `root` (children, grandchildren, …), from /proc. */
export function descendants(root: number): ProcStat[] {
  const all: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat) all.push(stat);
  }
  const byParent = new Map<number, ProcStat[]>();
  for (const stat of all) byParent.set(stat.ppid, [...(byParent.get(stat.ppid) ?? []), stat]);
  const out: ProcStat[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** The media host: the Chromium browser process the engine started (a direct child). */
export function mediaHostPid(enginePid: number): number | undefined {
  return descendants(enginePid).find((p) => p.ppid === enginePid && /chrom/i.test(p.comm))?.pid;
}

/** Resident set of one process in bytes (VmRSS), 0 when it is gone. */
export function rssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Open file descriptors of one process, 0 when it is gone. */
export function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/**
 * What a Chromium process is, from its command line: `browser`, `renderer`, `gpu-process`,
 * `zygote`, or a utility's service (`utility network.mojom.NetworkService`); '' when it is gone.
 */
export function chromiumKind(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const flag = (name: string) =>
      args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    const type = flag('type') ?? 'browser';
    const service = flag('utility-sub-type');
    return service ? `${type} ${service}` : type;
  } catch {
    return '';
  }
}
