/**
 * The headless server survives anything a local process can send (issue 11): the built
 * `outbound serve` takes random and mutated HTTP requests, WebSocket upgrades, raw WebSocket frames
 * and API messages (test/support/server-fuzz.ts) in rounds; after each round the process is still
 * up, a normal client still works, and every input met its oracle (no 5xx, the RFC's close codes,
 * API errors naming the field). Bounded (about a minute here); `npm run bench` runs it longer.
 *
 * OUTBOUND_FUZZ_SEED=N reproduces a run; OUTBOUND_FUZZ_INPUTS=N sets the inputs per kind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { serve, type Served } from '../support/serve.js';
import {
  FUZZ_KINDS,
  FUZZERS,
  type FuzzKind,
  normalClientWorks,
  Rng,
} from '../support/server-fuzz.js';

const SEED = Number(process.env.OUTBOUND_FUZZ_SEED ?? 20_261_206);
const PER_KIND = Number(process.env.OUTBOUND_FUZZ_INPUTS ?? 2_000);
const ROUNDS = 4;

describe('headless server under fuzzing', () => {
  let dataDir: string;
  let served: Served;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'outbound-fuzz-'));
    served = await serve(dataDir);
  });

  afterAll(async () => {
    await served?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it(`stays up and answers every input clearly (seed ${SEED}, ${PER_KIND} inputs per kind)`, async () => {
    process.stdout.write(
      `[fuzz] seed ${SEED} (OUTBOUND_FUZZ_SEED=${SEED} reproduces this run), ${PER_KIND} inputs per kind\n`,
    );
    const rng = new Rng(SEED);
    const target = { port: served.port, token: served.token, apiToken: served.adminToken };
    const tried: Record<FuzzKind, number> = { http: 0, upgrade: 0, frames: 0, api: 0 };
    const problems: string[] = [];
    const outcomes: Record<FuzzKind, Record<string, number>> = {
      http: {},
      upgrade: {},
      frames: {},
      api: {},
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of FUZZ_KINDS) {
        const count = Math.floor(PER_KIND / ROUNDS) + (round < PER_KIND % ROUNDS ? 1 : 0);
        const result = await FUZZERS[kind](target, rng, count);
        tried[kind] += result.tried;
        for (const [outcome, n] of Object.entries(result.outcomes))
          outcomes[kind][outcome] = (outcomes[kind][outcome] ?? 0) + n;
        problems.push(...result.problems.map((p) => `round ${round}, ${kind} ${p}`));
      }
      expect(served.child.exitCode, `the server exited in round ${round}`).toBeNull();
      expect(await normalClientWorks(target), `after round ${round}`).toBeNull();
    }
    process.stdout.write(
      `[fuzz] tried ${Object.entries(tried)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ')}; crashes 0; ${problems.length} oracle failures\n`,
    );
    for (const kind of FUZZ_KINDS)
      process.stdout.write(
        `[fuzz] ${kind}: ${Object.entries(outcomes[kind])
          .sort((a, b) => b[1] - a[1])
          .map(([outcome, n]) => `${outcome} ×${n}`)
          .join(', ')}\n`,
      );
    expect(problems.slice(0, 20)).toEqual([]);
    expect(served.stderr()).not.toMatch(/Uncaught|Unhandled/);
  }, 240_000);
});
