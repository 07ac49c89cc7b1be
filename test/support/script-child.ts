/**
 * Runs a TypeScript script as a separate process (with tsx) and follows its stdout: the crash and
 * lock tests of the store and the recorder kill such children mid-work.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { basename, dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Child {
  process: ChildProcess;
  /** Every stdout line so far. */
  lines: string[];
  /** Resolves with the first stdout line matching; rejects if the child exits first. */
  waitForLine(matches: (line: string) => boolean): Promise<string>;
  /** Resolves on exit, once all of stdout has been read. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnScriptAt(scriptPath: string, args: string[]): Child {
  const script = basename(scriptPath);
  const child = spawn(process.execPath, ['--import', 'tsx', scriptPath, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<{
    matches: (line: string) => boolean;
    resolve: (line: string) => void;
  }>();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stdoutDone = new Promise<void>((resolve) => {
    createInterface({ input: child.stdout! })
      .on('line', (line) => {
        lines.push(line);
        for (const waiter of waiters) {
          if (waiter.matches(line)) {
            waiters.delete(waiter);
            waiter.resolve(line);
          }
        }
      })
      .on('close', resolve);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => void stdoutDone.then(() => resolve({ code, signal })));
  });
  return {
    process: child,
    lines,
    exited,
    waitForLine(matches) {
      const found = lines.find(matches);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        waiters.add({ matches, resolve });
        void exited.then(({ code, signal }) =>
          reject(
            new Error(
              `${script} exited (code ${code}, signal ${signal}) before the expected output. stderr:\n${stderr}`,
            ),
          ),
        );
      });
    },
  };
}

export async function killAndWait(
  child: Child,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.process.exitCode === null && child.process.signalCode === null)
    child.process.kill('SIGKILL');
  return child.exited;
}
