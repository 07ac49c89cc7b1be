/**
 * The workspace lock: one holder at a time, in this process and across processes; a refusal names
 * the holder; a holder killed with SIGKILL leaves the lock free at once.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  describeHolder,
  lockWorkspace,
  readWorkspaceHolder,
  WorkspaceInUseError,
  WorkspaceLockError,
} from './index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outbound-workspace-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(work: Promise<unknown>): Promise<WorkspaceInUseError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkspaceInUseError);
  return error as WorkspaceInUseError;
}

/** A child process that takes the lock, says so on stdout, and holds it until killed. */
async function holdInChild(what: string): Promise<{ pid: number; kill(): Promise<void> }> {
  const script = `
    import { lockWorkspace } from ${JSON.stringify(join(import.meta.dirname, 'index.ts'))};
    await lockWorkspace(${JSON.stringify(dir)}, ${JSON.stringify(what)});
    process.stdout.write('locked\\n');
    setInterval(() => {}, 60_000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the child did not lock:\n${stderr}`)), 20_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'locked') {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`the child exited with ${code}:\n${stderr}`)));
  });
  return {
    pid: child.pid!,
    kill: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/** Whether another process gets the lock now ('locked') or is refused ('WORKSPACE_IN_USE'). */
function triesInChild(): string {
  const script = `
    import { lockWorkspace } from ${JSON.stringify(join(import.meta.dirname, 'index.ts'))};
    await lockWorkspace(${JSON.stringify(dir)}, 'child').then(
      () => process.stdout.write('locked'),
      (e) => process.stdout.write(e.code),
    );
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  }).stdout;
}

describe('the workspace lock', () => {
  it(
    'refuses a second holder in the same process, naming the first; free again once released',
    {
      timeout: 30_000,
    },
    async () => {
      const first = await lockWorkspace(dir, 'outbound serve');
      expect(await readWorkspaceHolder(dir)).toEqual({
        pid: process.pid,
        host: hostname(),
        what: 'outbound serve',
        since: first.holder.since,
      });
      const error = await refusal(lockWorkspace(dir, 'outbound campaign status'));
      expect(error.holder).toMatchObject({ pid: process.pid, what: 'outbound serve' });
      expect(error.message).toMatch(
        new RegExp(
          `^This workspace \\(.*\\) is in use by outbound serve \\(pid ${process.pid}, since \\d\\d:\\d\\d\\); stop it, or run this command against it$`,
        ),
      );
      // Refused attempts leave the holder's lock and details alone (closing their connections must
      // not drop this process's POSIX locks: another process is still refused).
      await refusal(lockWorkspace(dir, 'outbound dnc'));
      expect((await readWorkspaceHolder(dir))?.what).toBe('outbound serve');
      expect(triesInChild()).toBe('WORKSPACE_IN_USE');
      await first.release();
      await first.release(); // idempotent
      expect(await readWorkspaceHolder(dir)).toBeNull();
      expect(triesInChild()).toBe('locked');
      const second = await lockWorkspace(dir, 'the desktop app');
      expect((await refusal(lockWorkspace(dir, 'x'))).message).toMatch(
        /in use by the desktop app \(pid \d+, since \d\d:\d\d\); quit it, or do this in its console$/,
      );
      await second.release();
    },
  );

  it('is exclusive across processes, and free at once after its holder is killed with SIGKILL', async () => {
    const child = await holdInChild('outbound serve');
    const error = await refusal(lockWorkspace(dir, 'outbound campaign status'));
    expect(error.holder).toMatchObject({ pid: child.pid, what: 'outbound serve' });
    expect(error.message).toContain(`in use by outbound serve (pid ${child.pid}, since `);
    await child.kill();
    // No waiting and no stale-lock heuristics: the OS dropped the lock with the process.
    const started = performance.now();
    const mine = await lockWorkspace(dir, 'outbound campaign status');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect((await readWorkspaceHolder(dir))?.pid).toBe(process.pid);
    await mine.release();
  }, 30_000);

  it('says who it does not know when the holder left no details', async () => {
    const lock = await lockWorkspace(dir, 'outbound serve');
    await rm(join(dir, 'engine.lock.json'));
    const error = await refusal(lockWorkspace(dir, 'x'));
    expect(error.holder).toBeNull();
    expect(error.message).toContain('in use by another Outbound Console process');
    await lock.release();
  });

  it('reports a folder it cannot use as a lock failure, not as a holder', async () => {
    const error = await lockWorkspace(join(dir, 'missing', 'deeper'), 'x').then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkspaceLockError);
  });

  it('describes a holder on another host or day with both', () => {
    const since = new Date(2026, 0, 2, 9, 5).getTime();
    expect(
      describeHolder(
        { pid: 7, host: 'other-host', what: 'outbound serve', since },
        since + 3 * 86_400_000,
      ),
    ).toBe('outbound serve (pid 7 on other-host, since 2026-01-02 09:05)');
  });
});
