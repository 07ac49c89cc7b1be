/**
 * `outbound flow eval` as a user runs it (the built CLI): a typed test set through a flow file
 * and through a flow saved in a workspace, the human report and the --json one, a set in the
 * held-out sets' format (library lines in a part of their own and the whole set, false accepts
 * over none lines and over offtopic-tagged lines apart), and a malformed test set refused with
 * every bad line named.
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

/** The held-out sets' format, made up for this test: flow:<id>/<node> targets, library lines, tags. */
const TAGGED = [
  '# text<TAB>expected<TAB>target<TAB>tags',
  "no I can't make it\treschedule\tflow:appointment-confirm-en/confirm\tneg=confirm",
  'operator please\tagent\tflow:appointment-confirm-en/confirm\t',
  'the octopus painted a tractor\tnone\tflow:appointment-confirm-en/confirm\tofftopic',
  'is this the water board\tnone\tflow:appointment-confirm-en/confirm\t',
  'yes\taffirm\tlibrary\t',
  'stop calling me\topt_out\tlibrary\t',
  'purple elephants dance quietly\tnone\tlibrary\tofftopic',
  'talk to a person please\tagent\tlibrary\tpolite',
  '我不还\trefuse\tflow:bill-reminder-zh/ask_pay\tneg',
].join('\n');

beforeAll(async () => {
  assertBuilt();
  scratch = await mkdtemp(join(tmpdir(), 'outbound-cli-eval-'));
  await writeFile(join(scratch, 'set.tsv'), SET);
  await writeFile(join(scratch, 'tagged.tsv'), TAGGED);
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
    expect(run.stdout).toMatch(
      /false accepts\s+\d+\.\d %\s+\(\d of 1 lines expecting none acted on: off-topic, or no intent covers them\)/,
    );
    // No line is tagged offtopic: the off-topic figure is not invented from the none lines.
    expect(run.stdout).toMatch(
      /off-topic false accepts\s+-\s+\(no line is tagged offtopic: tag off-topic lines in the fourth column for this figure\)/,
    );
    expect(run.stdout).not.toContain('common-answer library on its own');
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
    expect(report).toMatchObject({
      lines: 5,
      inScope: 4,
      offTopic: 1,
      offTopicTagged: 0,
      offTopicFalseAcceptRate: null,
      library: null,
      whole: null,
    });
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

  it("reads the held-out sets' format: library lines, offtopic tags and neg= tags, in three parts", () => {
    const run = outbound(['flow', 'eval', APPOINTMENT, '--text', join(scratch, 'tagged.tsv')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('(1 line for other flows skipped)');
    expect(run.stdout).toContain(
      'appointment-confirm-en (en), text test set: 4 lines for its questions',
    );
    expect(run.stdout).toContain('common-answer library on its own (en): 4 lines');
    expect(run.stdout).toContain("whole set (the flow's questions and the library): 8 lines");
    expect(run.stdout).toMatch(
      /off-topic false accepts\s+\d+\.\d %\s+\(\d of 1 lines tagged offtopic acted on\)/,
    );
    expect(run.stdout).toMatch(
      /false accepts\s+\d+\.\d %\s+\(\d of 2 lines expecting none acted on/,
    );
    expect(run.stdout).toContain('library/opt_out');

    const json = outbound([
      'flow',
      'eval',
      APPOINTMENT,
      '--text',
      join(scratch, 'tagged.tsv'),
      '--json',
    ]);
    expect(json.code, json.stderr).toBe(0);
    const records = jsonLines(json);
    expect(records.find((r) => r['event'] === 'skipped')).toMatchObject({ lines: 1 });
    const report = records.find((r) => r['event'] === 'report') as {
      lines: number;
      offTopic: number;
      offTopicTagged: number;
      negated: number;
      items: Array<{ line: number; nodeId: string; offTopic: boolean; negated: boolean }>;
      library: {
        lines: number;
        offTopic: number;
        offTopicTagged: number;
        items: Array<{ line: number; nodeId: string; expected: string; got: string }>;
      };
      whole: { lines: number; offTopic: number; offTopicTagged: number; negated: number };
    };
    expect(report).toMatchObject({ lines: 4, offTopic: 2, offTopicTagged: 1 });
    expect(report.items.map((i) => [i.line, i.offTopic])).toEqual([
      [2, false],
      [3, false],
      [4, true],
      [5, false],
    ]);
    expect(report.items[0]?.negated).toBe(true);
    expect(report.library).toMatchObject({ lines: 4, offTopic: 1, offTopicTagged: 1 });
    expect(report.library.items.map((i) => [i.line, i.nodeId, i.expected])).toEqual([
      [6, 'library', 'affirm'],
      [7, 'library', 'opt_out'],
      [8, 'library', 'none'],
      [9, 'library', 'agent'],
    ]);
    // Plain common answers: the library alone understands them.
    expect(report.library.items.map((i) => i.got)).toEqual(['affirm', 'opt_out', 'none', 'agent']);
    expect(report.whole).toMatchObject({
      lines: 8,
      offTopic: 3,
      offTopicTagged: 2,
      negated: report.negated + (report.library as unknown as { negated: number }).negated,
    });
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
