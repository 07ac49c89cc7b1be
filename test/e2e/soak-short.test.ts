/**
 * The short soak (issue 17): `npm run soak`'s run (test/soak/run.ts) at 50 calls with four of its
 * faults — the media host SIGKILLed, the engine `kill -9`ed and restarted on its workspace,
 * Kamailio restarted, a customer's phone SIGKILLed mid-call — and the same end checks
 * (test/soak/verify.ts): every call closed with an outcome and a reason, every answered call with
 * a playable recording as long as the call (within 1 s, +0.5 s for a call a crash cut), no
 * contact dialled twice in one attempt slot, no lease left. The full run (1,000 calls, all eight
 * faults, docs/SOAK.md) stays `npm run soak`; this keeps its findings from coming back.
 *
 * The soak runs as its own process (it stops itself with process.exit and owns a bed, an engine
 * process and the recordings tmpfs); it writes its verdict as JSON, which this test reads.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, expect, it } from 'vitest';

import { type FaultName, FAULTS } from '../soak/faults.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CALLS = 50;
// The phone fault comes before the engine's restart: right after it (full run, quiet machine, 52
// calls placed by 49 s) the restarted engine's phones campaign reached no phone for 2 minutes and
// the fault could not be injected. Traced at load 20-30 (engine logs kept): the restarted engine
// does resume (it closes its predecessor's calls at start, no lease expiry waited for, and dials
// again 9 s after "Engine started"), but slowly: its campaigns wait for "the flow's phrase models"
// until every flow's start-up training has run (10 s, the sample flows first, though the soak's
// flows have no question), the phones campaign's campaigns.start took 18 s in the store's writer
// lane (the soak's requests give up at 15 s: once the fault failed on that), and its first calls
// went out 13 s after that. Slow, not stopped: the harder order waits for a restarted engine that
// is quick under load. The quick Kamailio restart comes before the engine's kill: last, after the
// phone fault's 17 s, it found no call live on a quiet machine.
const SHORT_FAULTS: FaultName[] = [
  'media-host-kill',
  'phone-kill',
  'kamailio-restart',
  'engine-kill',
];
/**
 * Measured on 2 cores shared with other work: 2.5 min at load 28, 3.9 min at load 17-23 (the
 * engine starts three times, the phone fault keeps its phone down 15 s). The test gives it 6.
 */
const LIMIT_MS = 360_000;

interface Verdict {
  calls: number;
  answered: number;
  outcomes: Record<string, number>;
  problems: Array<{ callId: string; check: string; detail: string }>;
  recordings: { checked: number; worstShortMs: number };
  faults: Array<{ name: FaultName; note: string; live: number }>;
  faultFailures: Array<{ name: FaultName; error: string }>;
}

let dir = '';

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it(
  `${CALLS} calls with ${SHORT_FAULTS.join(', ')} injected lose nothing`,
  async () => {
    expect(SHORT_FAULTS.every((f) => FAULTS.includes(f))).toBe(true);
    dir = await mkdtemp(join(tmpdir(), 'outbound-soak-short-'));
    const json = join(dir, 'verdict.json');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'test', 'soak', 'run.ts'),
        '--calls',
        String(CALLS),
        '--faults',
        SHORT_FAULTS.join(','),
        '--report',
        'none',
        '--json',
        json,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), LIMIT_MS);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    const tail = output.split('\n').slice(-60).join('\n');
    expect(existsSync(json), `the soak wrote no verdict (exit ${code}):\n${tail}`).toBe(true);
    const verdict = JSON.parse(readFileSync(json, 'utf8')) as Verdict;
    // Each fault struck once, with calls live.
    expect(verdict.faultFailures, tail).toEqual([]);
    expect(verdict.faults.map((f) => f.name).sort()).toEqual([...SHORT_FAULTS].sort());
    for (const fault of verdict.faults) expect(fault.live, fault.name).toBeGreaterThan(0);
    expect(verdict.calls).toBeGreaterThanOrEqual(CALLS);
    expect(verdict.answered).toBeGreaterThan(CALLS / 4);
    expect(verdict.recordings.checked).toBe(verdict.answered);
    // Nothing lost.
    expect(verdict.problems, tail).toEqual([]);
    expect(code, tail).toBe(0);
    // The run's timeline, for the lane's log (how long each step took on this machine).
    console.log(
      output
        .split('\n')
        .filter((line) => line.startsWith('[soak'))
        .join('\n'),
    );
  },
  LIMIT_MS + 30_000,
);
