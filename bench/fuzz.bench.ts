/**
 * The headless server under a long fuzz run: the built `outbound serve` in its own process takes
 * the four kinds of test/support/server-fuzz.ts (raw HTTP, WebSocket upgrades, raw frames, API
 * messages) in rounds, with a normal client's request after each round. Reports the inputs tried
 * per kind and their rate, the crashes (the server process exiting; it is restarted to go on), the
 * inputs whose oracle failed, and the server's resident memory before and after.
 *
 * OUTBOUND_FUZZ_SEED=N and OUTBOUND_FUZZ_BENCH_INPUTS=N (per kind) change the run.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { serve, type Served } from '../test/support/serve.js';
import {
  FUZZ_KINDS,
  FUZZERS,
  type FuzzKind,
  normalClientWorks,
  Rng,
} from '../test/support/server-fuzz.js';
import type { BenchRow, BenchSuite } from './harness.js';

const SEED = Number(process.env.OUTBOUND_FUZZ_SEED ?? 20_261_206);
const PER_KIND = Number(process.env.OUTBOUND_FUZZ_BENCH_INPUTS ?? 10_000);
const ROUNDS = 10;

/** Resident memory of a process, in MiB (Linux /proc). */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  return kb / 1024;
}

const count = (n: number): string => n.toLocaleString('en-US');
const mib = (n: number): string => `${n.toFixed(1)} MiB`;

const suite: BenchSuite = {
  title: 'Headless server fuzzing',
  method: `The built \`outbound serve\` (its own process, a fresh data folder) takes ${count(PER_KIND)} inputs of each kind from test/support/server-fuzz.ts, seed ${SEED}, in ${ROUNDS} rounds: raw HTTP requests (random bytes, mutated requests, malformed Host and targets, huge headers, lying body framing, pipelining), WebSocket upgrades with mutated Host, Origin, target, key, version, token and link secret, raw WebSocket frames (reserved opcodes, RSV bits, unmasked, stray continuations, oversized control frames, invalid UTF-8, lying lengths, bad close codes) and API messages (bad JSON, wrong envelope fields, unknown commands, params the contract refuses: wrong types, huge values, nesting up to 210,000 deep, odd keys, invalid UTF-8, over 1 MiB). Each input has an oracle (no 5xx, no 101 for a foreign Host or without the token or link secret, the RFC's close code, an API error naming the field); after each round a normal client loads the console page and gets app.info. A crash is the server process exiting (it is restarted to go on). RSS is the server's VmRSS after start-up, after the first round and after the last: a leak grows from the first to the last, while the heap's high-water mark (1 MiB messages, deep nesting) is reached in the first.`,
  async run() {
    const dataDir = await mkdtemp(join(tmpdir(), 'outbound-bench-fuzz-'));
    let served: Served = await serve(dataDir);
    try {
      const rssBefore = await rssMiB(served.child.pid!);
      const rng = new Rng(SEED);
      const tried: Record<FuzzKind, number> = { http: 0, upgrade: 0, frames: 0, api: 0 };
      const failures: Record<FuzzKind, number> = { http: 0, upgrade: 0, frames: 0, api: 0 };
      const elapsedMs: Record<FuzzKind, number> = { http: 0, upgrade: 0, frames: 0, api: 0 };
      const crashes: Record<FuzzKind, number> = { http: 0, upgrade: 0, frames: 0, api: 0 };
      const examples: string[] = [];
      let healthFailures = 0;
      let rssAfterFirstRound = 0;
      for (let round = 0; round < ROUNDS; round++) {
        for (const kind of FUZZ_KINDS) {
          const n = Math.floor(PER_KIND / ROUNDS) + (round < PER_KIND % ROUNDS ? 1 : 0);
          const target = { port: served.port, token: served.token, apiToken: served.adminToken };
          const start = performance.now();
          const result = await FUZZERS[kind](target, rng, n).catch((error: unknown) => ({
            tried: n,
            problems: [`the batch failed: ${String(error)}`],
            outcomes: {},
          }));
          elapsedMs[kind] += performance.now() - start;
          tried[kind] += result.tried;
          failures[kind] += result.problems.length;
          examples.push(...result.problems.slice(0, 2).map((p) => `${kind} ${p}`));
          if (served.child.exitCode !== null || served.child.signalCode !== null) {
            crashes[kind]++;
            examples.push(`${kind}: the server exited in round ${round}:\n${served.stderr()}`);
            served = await serve(dataDir);
          }
        }
        if (
          (await normalClientWorks({
            port: served.port,
            token: served.token,
            apiToken: served.adminToken,
          })) !== null
        )
          healthFailures++;
        if (round === 0) rssAfterFirstRound = await rssMiB(served.child.pid!);
      }
      const rssAfter = await rssMiB(served.child.pid!);
      for (const example of examples.slice(0, 10)) process.stdout.write(`  ! ${example}\n`);
      const rows: BenchRow[] = FUZZ_KINDS.map((kind) => ({
        name: kind,
        values: {
          inputs: count(tried[kind]),
          'inputs/s': count(Math.round((tried[kind] / elapsedMs[kind]) * 1000)),
          crashes: String(crashes[kind]),
          'oracle failures': String(failures[kind]),
        },
      }));
      rows.push(
        {
          name: 'all kinds',
          values: {
            inputs: count(FUZZ_KINDS.reduce((sum, kind) => sum + tried[kind], 0)),
            crashes: String(FUZZ_KINDS.reduce((sum, kind) => sum + crashes[kind], 0)),
            'oracle failures': String(FUZZ_KINDS.reduce((sum, kind) => sum + failures[kind], 0)),
            'normal client failed': `${healthFailures} of ${ROUNDS} rounds`,
          },
        },
        {
          name: 'server memory (RSS)',
          values: {
            'before (started)': mib(rssBefore),
            'after round 1': mib(rssAfterFirstRound),
            [`after round ${ROUNDS}`]: mib(rssAfter),
          },
        },
      );
      return rows;
    } finally {
      await served.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
export default suite;
