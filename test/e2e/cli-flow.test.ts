/** `outbound flow validate` and the typed test chat, as a user runs them (the built CLI). */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { assertBuilt, CLI, ROOT } from '../support/serve.js';

const SAMPLES = join(ROOT, 'electron', 'engine', 'dialog', 'samples');
let scratch: string;

function outbound(args: string[], input = '') {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    input,
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  assertBuilt();
  scratch = await mkdtemp(join(tmpdir(), 'outbound-cli-flow-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('outbound flow', () => {
  it('validates the shipped sample flows', () => {
    for (const file of ['bill-reminder.zh-CN.json', 'appointment.en.json']) {
      const run = outbound(['flow', 'validate', join(SAMPLES, file)]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/valid \(/);
    }
  });

  it('names every problem of a broken flow by node and field, with exit code 2', async () => {
    const broken = join(scratch, 'broken.json');
    await writeFile(
      broken,
      JSON.stringify({
        id: 'broken',
        name: 'Broken',
        language: 'en',
        start: 'greet',
        nodes: {
          greet: { kind: 'say', text: 'Hi', next: 'confrim' },
          confirm: { kind: 'ask', prompt: 'OK?', intents: [] },
        },
      }),
    );
    const run = outbound(['flow', 'validate', broken]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(
      'error: node "confirm": intents: an ask needs at least one intent',
    );
    expect(run.stderr).toMatch(/broken\.json: \d+ problems/);

    const badTarget = join(scratch, 'bad-target.json');
    await writeFile(
      badTarget,
      JSON.stringify({
        id: 'b',
        name: 'B',
        language: 'en',
        start: 'greet',
        nodes: {
          greet: { kind: 'say', text: 'Hi', next: 'confrim' },
          bye: { kind: 'hangup', disposition: 'done' },
        },
      }),
    );
    expect(outbound(['flow', 'validate', badTarget]).stdout).toContain(
      'error: node "greet": next: no node "confrim"',
    );
    const notJson = join(scratch, 'not.json');
    await writeFile(notJson, '{ nope');
    expect(outbound(['flow', 'validate', notJson]).stderr).toMatch(/not\.json: not JSON/);
  });

  it('chats through the Mandarin sample: 转人工 transfers, a key press schedules a callback', () => {
    const sample = join(SAMPLES, 'bill-reminder.zh-CN.json');
    const transfer = outbound(
      ['flow', 'chat', sample, '--contact', 'name=王先生', '--contact', 'amount=1280', '--json'],
      '转人工\n',
    );
    expect(transfer.code, transfer.stderr).toBe(0);
    const records = transfer.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const bot = records.filter((r) => r.event === 'bot');
    // The sample's AI and recording disclosure first, then the greeting by name.
    expect(bot[0]?.text).toBe('您好，本次通话由AI智能助理拨打，并将录音。');
    expect(bot[1]?.text).toContain('王先生');
    expect(records.some((r) => r.event === 'transfer')).toBe(true);
    expect(records.at(-1)).toMatchObject({ event: 'outcome', reason: 'transfer' });

    const callback = outbound(
      ['flow', 'chat', sample, '--contact', 'name=王先生', '--contact', 'amount=1280'],
      '#2\n明天下午三点\n',
    );
    expect(callback.code, callback.stderr).toBe(0);
    expect(callback.stdout).toMatch(/callback scheduled for/);
    expect(callback.stdout).toMatch(/outcome: hangup, disposition promise_to_pay/);
  });

  it('chats through a flow saved in the workspace, by name and version', () => {
    const data = join(scratch, 'workspace');
    // Any command that starts the engine installs the sample flows into a new workspace.
    expect(outbound(['trunk', 'list', '--data', data]).code).toBe(0);
    const contact = [
      '--contact',
      'name=Alex',
      '--contact',
      'appointment_date=Friday',
      '--contact',
      'appointment_time=3 pm',
    ];
    const run = outbound(
      ['flow', 'chat', 'appointment-confirm-en@1', '--data', data, ...contact, '--json'],
      'yes\n',
    );
    expect(run.code, run.stderr).toBe(0);
    const records = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ event: 'flow', name: 'appointment-confirm-en', version: 1 });
    expect(records.find((r) => r.event === 'answer')).toMatchObject({ intent: 'confirm' });
    expect(records.at(-1)).toMatchObject({
      event: 'outcome',
      reason: 'hangup',
      disposition: 'confirmed',
    });

    const missing = outbound(['flow', 'chat', 'no-such-flow', '--data', data]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No flow named "no-such-flow"');
  });
});
