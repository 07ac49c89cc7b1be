/**
 * `outbound flow eval` as a user runs it (the built CLI): a typed test set through a flow file
 * and through a flow saved in a workspace, the human report and the --json one, and a malformed
 * test set refused with every bad line named.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { jsonLines, outbound } from '../support/cli-run.js';
import { assertBuilt, ROOT } from '../support/serve.js';

const APPOINTMENT = join(ROOT, 'electron', 'engine', 'dialog', 'samples', 'appointment.en.json');
let scratch: string;

/** A small set written for this test (not the held-out sets under test/eval/). */
const SET = [
  '# text<TAB>expected<TAB>node',
  'talk to a person please\tagent\tconfirm',
  'stop calling me\topt_out\tconfirm',
  'operator\tagent\tconfirm',
  'tomorrow morning\ttime\task_new_time',
  'the octopus painted a tractor\tnone\tconfirm',
].join('\n');

beforeAll(async () => {
  assertBuilt();
  scratch = await mkdtemp(join(tmpdir(), 'outbound-cli-eval-'));
  await writeFile(join(scratch, 'set.tsv'), SET);
  await writeFile(
    join(scratch, 'bad.tsv'),
    'talk to a person\tagent\tconfirm\njust text\nyes\tmaybe\tconfirm\n',
  );
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('outbound flow eval', () => {
  it('reports accuracy, accepted-correct, false accepts, per intent and the confusion matrix', () => {
    const run = outbound(['flow', 'eval', APPOINTMENT, '--text', join(scratch, 'set.tsv')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('appointment-confirm-en (en), text test set: 5 lines');
    expect(run.stdout).toMatch(/intent accuracy\s+\d+\.\d %/);
    expect(run.stdout).toMatch(/false accepts\s+\d+\.\d %\s+\(\d of 1 off-topic lines acted on\)/);
    expect(run.stdout).toContain('confusion (rows: expected, columns: got)');
    expect(run.stdout).toContain('confirm/agent');

    const json = outbound([
      'flow',
      'eval',
      APPOINTMENT,
      '--text',
      join(scratch, 'set.tsv'),
      '--json',
    ]);
    expect(json.code, json.stderr).toBe(0);
    const report = jsonLines(json).find((r) => r['event'] === 'report') as {
      lines: number;
      inScope: number;
      offTopic: number;
      labels: string[];
      confusion: number[][];
      items: Array<{ line: number; expected: string; got: string; nodeId: string }>;
    };
    expect(report).toMatchObject({ lines: 5, inScope: 4, offTopic: 1 });
    expect(report.items.map((i) => [i.line, i.nodeId, i.expected])).toEqual([
      [2, 'confirm', 'agent'],
      [3, 'confirm', 'opt_out'],
      [4, 'confirm', 'agent'],
      [5, 'ask_new_time', 'time'],
      [6, 'confirm', 'none'],
    ]);
    // Plain answers the flow lists (or nearly): understood.
    expect(report.items.slice(0, 4).map((i) => i.got)).toEqual([
      'agent',
      'opt_out',
      'agent',
      'time',
    ]);
    expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(5);
    expect(report.labels.at(-1)).toBe('none');
  });

  it('evaluates a flow saved in the workspace by name', () => {
    const data = join(scratch, 'ws');
    const saved = outbound(['flow', 'save', APPOINTMENT, '--data', data]);
    expect(saved.code, saved.stderr).toBe(0);
    const run = outbound([
      'flow',
      'eval',
      'appointment-confirm-en',
      '--data',
      data,
      '--text',
      join(scratch, 'set.tsv'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('appointment-confirm-en v1 (en), text test set: 5 lines');
  });

  it('refuses a malformed set, naming each bad line (exit 2), and asks for --text or --audio', () => {
    const run = outbound(['flow', 'eval', APPOINTMENT, '--text', join(scratch, 'bad.tsv')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(
      'error: line 2: expected text<TAB>expected[<TAB>node[<TAB>tags]], got 1 column',
    );
    expect(run.stdout).toContain(
      'error: line 3: "maybe" is not an intent of question "confirm" (confirm, reschedule, call_later, agent, opt_out, or none)',
    );
    const none = outbound(['flow', 'eval', APPOINTMENT]);
    expect(none.code).toBe(2);
    expect(none.stderr + none.stdout).toContain(
      'flow eval takes one of --text FILE.tsv or --audio DIR',
    );
    const many = outbound([
      'flow',
      'eval',
      APPOINTMENT,
      '--text',
      join(scratch, 'x.tsv'),
      '--node',
      'nope',
    ]);
    expect(many.code).toBe(2);
  });
});
