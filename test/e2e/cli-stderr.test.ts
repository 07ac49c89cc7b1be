/**
 * A user sees only the command's own output: no CLI command prints a Node warning on stderr
 * (`(node:PID) ExperimentalWarning: WASI is …` was on every one). Each command runs as a user runs
 * it (the built CLI, a fresh workspace), including `outbound serve` and a usage mistake.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type CliRun, outbound } from '../support/cli-run.js';
import { assertBuilt, ROOT, serve } from '../support/serve.js';

const SAMPLES = join(ROOT, 'electron', 'engine', 'dialog', 'samples');
let scratch: string;

beforeAll(async () => {
  assertBuilt();
  scratch = await mkdtemp(join(tmpdir(), 'outbound-e2e-stderr-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Node's own warnings: `(node:1234) SomeWarning: …`, or a bare `ExperimentalWarning:` line. */
function nodeWarnings(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => /\(node:\d+\)/.test(line) || /\b[A-Z][A-Za-z]*Warning\b/.test(line));
}

describe('stderr of every CLI command', () => {
  it('holds no Node warning', async () => {
    const data = join(scratch, 'data');
    const sample = join(SAMPLES, 'appointment.en.json');
    const csv = join(scratch, 'people.csv');
    await writeFile(csv, 'name,phone\nAlex,13800138000\n');
    const dncFile = join(scratch, 'dnc.txt');
    await writeFile(dncFile, '13900139000\n');
    const runs: Array<[string, CliRun, number]> = [
      ['version', outbound(['version']), 0],
      ['help', outbound(['help']), 0],
      ['flow validate', outbound(['flow', 'validate', sample]), 0],
      [
        'flow chat (piped)',
        outbound(
          ['flow', 'chat', join(SAMPLES, 'bill-reminder.zh-CN.json'), '--contact', 'name=王先生'],
          '转人工\n',
        ),
        0,
      ],
      ['flow save', outbound(['flow', 'save', sample, '--data', data]), 0],
      ['flow list', outbound(['flow', 'list', '--data', data]), 0],
      ['flow chat NAME', outbound(['flow', 'chat', 'appointment-confirm-en', '--data', data]), 0],
      ['import', outbound(['import', csv, '--list', 'people', '--data', data]), 0],
      ['dnc add', outbound(['dnc', 'add', '13800138001', '--data', data]), 0],
      ['dnc import', outbound(['dnc', 'import', dncFile, '--data', data]), 0],
      ['dnc list', outbound(['dnc', 'list', '--data', data]), 0],
      [
        'trunk add',
        outbound(
          [
            'trunk',
            'add',
            'main',
            '--uri',
            'ws://127.0.0.1:5066/ws',
            '--domain',
            'pbx.test',
            '--data',
            data,
          ],
          '',
        ),
        0,
      ],
      ['trunk list', outbound(['trunk', 'list', '--data', data]), 0],
      [
        'campaign create',
        outbound([
          'campaign',
          'create',
          'spring',
          '--list',
          'people',
          '--flow',
          'appointment-confirm-en',
          '--trunk',
          'main',
          '--data',
          data,
        ]),
        0,
      ],
      ['campaign start', outbound(['campaign', 'start', 'spring', '--data', data]), 0],
      ['campaign list', outbound(['campaign', 'list', '--data', data]), 0],
      ['campaign status', outbound(['campaign', 'status', 'spring', '--data', data]), 0],
      ['call (usage mistake)', outbound(['call', '12ab', 'extra', '--data', data]), 2],
      ['unknown command', outbound(['dial', '--data', data]), 2],
    ];
    for (const [name, run, code] of runs) {
      expect(run.code, `${name}: ${run.stderr}`).toBe(code);
      expect(nodeWarnings(run.stderr), `${name} printed a Node warning`).toEqual([]);
    }

    // outbound serve, started and stopped: its stderr too (it trains the flows at start).
    const served = await serve(data);
    const stopped = await served.stop();
    expect(stopped.code, served.stderr()).toBe(0);
    expect(nodeWarnings(served.stderr()), 'serve printed a Node warning').toEqual([]);
  });

  it('would catch one: the check sees the warning plain node:wasi prints', () => {
    expect(
      nodeWarnings(
        '(node:123) ExperimentalWarning: WASI is an experimental feature and might change at any time\n',
      ),
    ).toHaveLength(1);
    expect(
      nodeWarnings('2026-12-06T15:05:41.794Z outbound warn: Trunk passwords are encrypted …\n'),
    ).toEqual([]);
  });
});
