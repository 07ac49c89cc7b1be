/** Running the built `outbound` CLI in end-to-end tests: one synchronous run, and its --json lines. */
import { spawnSync } from 'node:child_process';

import type { Bed } from '../telephony/index.js';
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

/**
 * `outbound trunk add main` to the test bed's open WebSocket trunk in workspace `data`, as the
 * end-to-end tests set a workspace up from the shell; `extra` adds options (e.g. --max-calls 20).
 */
export function addBedTrunk(
  bed: Pick<Bed, 'wsUri' | 'sipDomain'>,
  data: string,
  extra: string[] = [],
): CliRun {
  return outbound([
    'trunk',
    'add',
    'main',
    '--uri',
    bed.wsUri.open,
    '--domain',
    bed.sipDomain,
    ...extra,
    '--data',
    data,
  ]);
}
