/**
 * `npm test`: the whole suite on a fresh machine, on both cores. Installs the Debian packages the
 * tests need (as root) or stops with the command to run; type-checks, lints (ESLint, then Prettier's
 * check, then knip for exports and files nothing uses: two at a time); builds; warms the speech
 * cache (test/support/speech-cache-setup.ts: minutes once per machine, then seconds); then runs
 * the tests in two Vitest processes at once (vitest.config.ts's projects):
 *
 *   lane "unit+e2e": the unit tests, then the end-to-end tests that place no call (CLI, headless
 *                    server, console in Chromium), one file at a time;
 *   lane "bed":      the end-to-end tests over the SIP test bed (real calls), one file at a time.
 *
 * Vitest alone would run all of it on one worker (2 CPUs → maxWorkers 1, and a project without
 * file parallelism waits for the others), leaving a core idle. Each lane's lines are prefixed with
 * its name; the run ends with every failure of both lanes and one "N passed, N failed, N skipped"
 * line, and exits non-zero if either lane failed.
 *
 * `npm test -- ARGS` passes ARGS to both lanes (a file filter such as `cli-call`, `-t NAME`,
 * `--bail 1`): a lane with nothing to run passes empty, and if neither finds a test the run fails.
 * With `--project NAME` (unit, e2e, e2e-bed) or `--one-lane` it runs one Vitest process instead.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { ensureSystemPackages } from './system-deps.mjs';

const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const windows = process.platform === 'win32';
const require = createRequire(import.meta.url);
/** A package's command run by this Node (no npx, no shell: killing it kills the tool itself). */
function bin(pkg, path) {
  // Not require.resolve('pkg/package.json'): packages with "exports" (knip) may not export it.
  for (const base of require.resolve.paths(pkg) ?? []) {
    if (existsSync(join(base, pkg, 'package.json'))) return join(base, pkg, path);
  }
  throw new Error(`${pkg} is not installed: run npm ci`);
}
const VITEST = bin('vitest', 'vitest.mjs');

function fail(step, message) {
  console.error(`\nnpm test stopped at "${step}": ${message}`);
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}

function step(name, command, args, env = process.env) {
  const t = Date.now();
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, { stdio: 'inherit', shell: windows, env });
  if (result.status !== 0) fail(name, `exit code ${result.status ?? result.signal}`);
  console.log(`✔ ${name} (${seconds(t)})`);
}

/** The checks and lanes running now: stopped when a check fails, or with npm test itself. */
const running = new Set();
let stoppedBy = null;
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    stoppedBy = signal;
    for (const child of running) child.kill(signal);
  });

/** Runs a command with its output kept, resolving with its exit code, output and time. */
function captured(command, args) {
  const t = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.on('close', () => running.delete(child));
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ code: 1, output: String(error), ms: Date.now() - t }));
    child.on('close', (code, signal) =>
      resolve({ code: code ?? signal, output, ms: Date.now() - t }),
    );
  });
}

/**
 * The static checks, in two streams at once (ESLint's type-aware pass is the longest alone); each
 * step's output is printed when it ends, and the first failure stops the run.
 */
async function checks() {
  const streams = [
    [
      ['typecheck', [bin('typescript', 'bin/tsc'), '-p', 'tsconfig.node.json', '--noEmit']],
      [
        'typecheck (renderer)',
        [bin('typescript', 'bin/tsc'), '-p', 'tsconfig.web.json', '--noEmit'],
      ],
      [
        'format check',
        [bin('prettier', 'bin/prettier.cjs'), '--check', '.', '--log-level', 'warn'],
      ],
      ['dead code', [bin('knip', 'bin/knip.js')]],
    ],
    [['lint', [bin('eslint', 'bin/eslint.js'), '.']]],
  ];
  const t = Date.now();
  console.log('\n▶ checks (typecheck, typecheck (renderer), format check, dead code | lint)');
  let failed = null;
  await Promise.all(
    streams.map(async (steps) => {
      for (const [name, args] of steps) {
        if (failed || stoppedBy) return;
        const result = await captured(process.execPath, args);
        if (failed || stoppedBy) return; // stopped because the other stream failed, or by a signal
        if (result.output.trim()) process.stdout.write(result.output.replace(/\n?$/, '\n'));
        if (result.code !== 0) {
          failed = { name, code: result.code };
          for (const child of running) child.kill();
          return;
        }
        console.log(`✔ ${name} (${(result.ms / 1000).toFixed(1)} s)`);
      }
    }),
  );
  if (stoppedBy) fail('checks', `stopped by ${stoppedBy}`);
  if (failed) fail(failed.name, `exit code ${failed.code}`);
  console.log(`✔ checks (${seconds(t)})`);
}

/**
 * CPU seconds this process's finished children used (Linux: /proc/self/stat cutime + cstime, in
 * clock ticks of 1/100 s), or null elsewhere. Processes a test leaves to init are not counted.
 */
function childCpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

/** One Vitest process whose lines are prefixed with the lane's name; resolves with its summary. */
function lane(name, projects, args, width) {
  const t = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'outbound-test-lane-'));
  const summaryFile = join(dir, 'summary.json');
  const child = spawn(
    process.execPath,
    [VITEST, 'run', ...projects.flatMap((p) => ['--project', p]), '--passWithNoTests', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        OUTBOUND_TEST_SUMMARY: summaryFile,
        OUTBOUND_TEST_LANE: name.replace(/[^a-z0-9-]/gi, '-'),
        OUTBOUND_SPEECH_CACHE_READY: '1',
        ...(process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: '1' } : {}),
      },
    },
  );
  running.add(child);
  const prefix = `${name.padEnd(width)} │ `;
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on('line', (line) =>
      (stream === child.stdout ? process.stdout : process.stderr).write(`${prefix}${line}\n`),
    );
  return {
    child,
    done: new Promise((resolve) => {
      child.on('close', (code, signal) => {
        let summary = null;
        try {
          summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
        } catch {
          // No summary: the lane died before its reporter ran; counted as a failure below.
        }
        rmSync(dir, { recursive: true, force: true });
        resolve({ name, code: code ?? signal, summary, ms: Date.now() - t });
      });
    }),
  };
}

const args = process.argv.slice(2);
const oneLane = args.includes('--one-lane') || args.some((a) => /^--project(=|$)/.test(a));
const vitestArgs = args.filter((a) => a !== '--one-lane');

const t = Date.now();
console.log('▶ system packages');
const problem = ensureSystemPackages();
if (problem) fail('system packages', problem);
console.log(`✔ system packages (${seconds(t)})`);

await checks();
step('build', 'npx', ['electron-vite', 'build']);
step('speech cache', process.execPath, ['--import', 'tsx', 'test/support/warm-speech-cache.ts']);
const setUp = seconds(started);

if (oneLane) {
  console.log(`\n▶ tests (one Vitest process; set-up took ${setUp})`);
  const tests = spawnSync(process.execPath, [VITEST, 'run', ...vitestArgs], {
    stdio: 'inherit',
    env: { ...process.env, OUTBOUND_SPEECH_CACHE_READY: '1' },
  });
  process.exit(tests.status ?? 1);
}

const LANES = [
  ['unit+e2e', ['unit', 'e2e']],
  ['bed', ['e2e-bed']],
];
const width = Math.max(...LANES.map(([name]) => name.length));
const testsStarted = Date.now();
const cpuBefore = childCpuSeconds();
console.log(
  `\n▶ tests in two lanes at once: ${LANES.map(([n, p]) => `${n} (${p.join(', ')})`).join(' | ')}`,
);
console.log(`(set-up took ${setUp}; the run closes with the "N passed, N failed" line)`);
const lanes = LANES.map(([name, projects]) => lane(name, projects, vitestArgs, width));
const results = await Promise.all(lanes.map((l) => l.done));

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
const cpuAfter = childCpuSeconds();
const cpu =
  cpuBefore !== null && cpuAfter !== null
    ? `, ${(cpuAfter - cpuBefore).toFixed(0)} CPU-seconds (${((cpuAfter - cpuBefore) / ((Date.now() - testsStarted) / 1000)).toFixed(2)} cores busy on average)`
    : '';
console.log(`\n▶ tests done in ${seconds(testsStarted)}${cpu}; whole run ${seconds(started)}`);
for (const { name, code, summary, ms } of results) {
  const time = `${(ms / 1000).toFixed(1)} s`;
  if (!summary) {
    failed++;
    failures.push(`[${name}] the lane ended (exit ${code}) before reporting its tests`);
    console.log(`  lane ${name}: ${time}, exit ${code}, no summary`);
    continue;
  }
  passed += summary.passed;
  failed += summary.failed;
  skipped += summary.skipped;
  failures.push(...summary.failures.map((f) => `[${name}] ${f}`));
  if (code !== 0 && summary.failed === 0) {
    failed++;
    failures.push(`[${name}] Vitest exited with ${code} (see its output above)`);
  }
  console.log(
    `  lane ${name}: ${time}, ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`,
  );
}
if (passed + failed + skipped === 0) {
  failed++;
  failures.push(`no test file matched ${vitestArgs.join(' ') || '(no filter)'}`);
}
if (failures.length > 0) {
  console.log('\nFailed:');
  for (const f of failures) console.log(`  ${f}`);
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
