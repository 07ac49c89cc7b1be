/** Running the built `outbound` CLI in end-to-end tests: one synchronous run, and its --json lines. */
import { spawnSync } from 'node:child_process';

import { CLI } from './serve.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node out/cli.js …args`, with `input` on stdin; 30 s at most. */
export function outbound(args: string[], input?: string): CliRun {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    ...(input === undefined ? {} : { input }),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The records a `--json` run printed, one JSON object per line. */
export function jsonLines(run: CliRun): Array<Record<string, unknown>> {
  return run.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
