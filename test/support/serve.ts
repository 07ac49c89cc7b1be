/** Starts the real built CLI (`node out/cli.js serve --json`) as a child process for a test. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'out', 'cli.js');

export function assertBuilt(): void {
  for (const file of [CLI, join(ROOT, 'out', 'renderer', 'console', 'index.html')]) {
    if (!existsSync(file))
      throw new Error(
        `${file} is missing: the end-to-end tests use the built app; run "npm run build" (npm test does it for you)`,
      );
  }
}

export interface Served {
  url: string;
  origin: string;
  token: string;
  /** server.json's local-admin token: /api?token=<adminToken> is the CLI's admin connection (issue 13). */
  adminToken: string;
  port: number;
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<{ code: number | null; lines: unknown[] }>;
}

export async function serve(
  dataDir: string,
  extraArgs: string[] = [],
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<Served> {
  assertBuilt();
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--data', dataDir, '--port', '0', '--json', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'], ...(options.env ? { env: options.env } : {}) },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines: unknown[] = [];
  const reader = createInterface({ input: child.stdout! });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = await new Promise<{ url: string; token: string; port: number }>(
    (resolve, reject) => {
      // Start-up takes a few seconds; 40 s covers a 2-core machine under heavy load. A server
      // that does not make it is killed, so it cannot outlive the test as an orphan.
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`outbound serve did not start within 40 s:\n${stderr}`));
      }, 40_000);
      reader.on('line', (line) => {
        const record = JSON.parse(line) as {
          event: string;
          url: string;
          token: string;
          port: number;
        };
        lines.push(record);
        if (record.event === 'listening') {
          clearTimeout(timer);
          resolve(record);
        }
      });
      void exited.then((code) =>
        reject(
          new Error(
            `outbound serve exited with ${code} before listening:\n${stderr}\n${JSON.stringify(lines)}`,
          ),
        ),
      );
    },
  );
  // Written before "listening" (cli/serve.ts).
  const { adminToken } = JSON.parse(await readFile(join(dataDir, 'server.json'), 'utf8')) as {
    adminToken: string;
  };
  return {
    ...listening,
    adminToken,
    origin: new URL(listening.url).origin,
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      return { code, lines };
    },
  };
}
