/**
 * `outbound dnc add|import|list|remove` as a user runs them, against the built CLI: numbers to
 * E.164, bad lines named by number and reason, nothing half-imported, errors that name the
 * argument or option, exit codes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openStore } from '../../electron/engine/store/index.js';
import { jsonLines, outbound } from '../support/cli-run.js';
import { assertBuilt, serve } from '../support/serve.js';

describe('outbound dnc', () => {
  let scratch: string;
  let data: string;
  const inData = (...args: string[]) => [...args, '--data', data];

  beforeAll(async () => {
    assertBuilt();
    scratch = await mkdtemp(join(tmpdir(), 'outbound-cli-dnc-'));
    data = join(scratch, 'data');
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('starts empty and says how to add a number', () => {
    const run = outbound(inData('dnc', 'list'));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /do-not-call list is empty\. Add a number with: outbound dnc add NUMBER/,
    );
  });

  it('adds numbers as E.164 with the default region or --region, once', () => {
    const added = outbound(inData('dnc', 'add', '138 0013 8000', '--reason', 'asked twice'));
    expect(added.stderr).not.toMatch(/error/);
    expect(added.code).toBe(0);
    expect(added.stdout).toBe('Added +8613800138000 to the do-not-call list.\n');
    const again = outbound(inData('dnc', 'add', '+86 138-0013-8000', '--json'));
    expect(again.code).toBe(0);
    expect(jsonLines(again)[0]).toMatchObject({
      event: 'dnc.added',
      phone: '+8613800138000',
      added: false,
    });
    const us = outbound(inData('dnc', 'add', '(202) 555-0100', '--region', 'US', '--json'));
    expect(jsonLines(us)[0]).toMatchObject({
      event: 'dnc.added',
      phone: '+12025550100',
      added: true,
    });
  });

  it('refuses a bad number or region as a usage mistake, naming it', () => {
    const bad = outbound(inData('dnc', 'add', 'call-me-maybe'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/NUMBER: invalid phone number "call-me-maybe"/);
    const region = outbound(inData('dnc', 'add', '13800138000', '--region', 'XX'));
    expect(region.code).toBe(2);
    expect(region.stderr).toMatch(
      /--region must be a two-letter region code such as CN or US \(got "XX"\)/,
    );
    expect(outbound(inData('dnc', 'list', 'extra')).code).toBe(2);
    expect(outbound(inData('dnc', 'import')).stderr).toMatch(/dnc import needs a FILE/);
    expect(outbound(inData('dnc', 'frobnicate')).stderr).toMatch(
      /unknown dnc subcommand "frobnicate"/,
    );
  });

  it('imports a GBK CSV, reporting each bad line with its number and reason, storing the rest', async () => {
    const file = join(scratch, 'opt-out.csv');
    const csv =
      '姓名,手机号,原因\n王先生,139 0000 0000,投诉\n李女士,12345,\n张三,13900000000,\nAlex,+1 202 555 0100,\nBad,not-a-phone,\n赵六,13700137000,\n';
    await writeFile(file, iconv.encode(csv, 'gbk'));
    const run = outbound(inData('dnc', 'import', file, '--json'));
    expect(run.code).toBe(0);
    const lines = jsonLines(run);
    expect(lines.filter((l) => l.event === 'dnc.rejected').map((l) => [l.line, l.value])).toEqual([
      [3, '12345'],
      [6, 'not-a-phone'],
    ]);
    expect(lines.at(-1)).toMatchObject({
      event: 'dnc.imported',
      format: 'csv',
      region: 'CN',
      added: 2,
      alreadyListed: 1,
      duplicates: 1,
      rejected: 2,
    });
    const store = await openStore({ dataDir: data });
    try {
      expect((await store.dnc.list()).find((e) => e.phone === '+8613900000000')).toMatchObject({
        reason: '投诉',
        source: 'import',
      });
      expect(await store.dnc.has('+8613700137000')).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('imports nothing from a file without a phone column or without any valid number', async () => {
    const noPhone = join(scratch, 'no-phone.csv');
    await writeFile(noPhone, 'name,city\nWang,Beijing\n');
    const a = outbound(inData('dnc', 'import', noPhone));
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/no phone column: line 1/);
    const allBad = join(scratch, 'all-bad.txt');
    await writeFile(allBad, '123\nhello\n');
    const b = outbound(inData('dnc', 'import', allBad));
    expect(b.code).toBe(1);
    expect(b.stdout).toBe(
      'line 1: invalid phone number "123" (too short)\nline 2: invalid phone number "hello" (not a phone number)\n',
    );
    expect(b.stderr).toMatch(/no line holds a valid number \(2 rejected\); nothing was imported/);
    const missing = outbound(inData('dnc', 'import', join(scratch, 'nope.txt')));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.txt/);
  });

  it('lists every number newest first, in text and JSON, and removes one', () => {
    const list = outbound(inData('dnc', 'list', '--json'));
    expect(list.code).toBe(0);
    const [record] = jsonLines(list);
    expect(record).toMatchObject({ event: 'dnc', count: 4 });
    expect((record?.entries as Array<{ phone: string }>).map((e) => e.phone).sort()).toEqual([
      '+12025550100',
      '+8613700137000',
      '+8613800138000',
      '+8613900000000',
    ]);
    const text = outbound(inData('dnc', 'list'));
    expect(text.stdout.split('\n')[0]).toMatch(/^PHONE\s+SOURCE\s+ADDED\s+REASON$/);
    expect(text.stdout).toMatch(/\+8613800138000\s+api\s+\S+ \S+\s+asked twice/);
    const removed = outbound(inData('dnc', 'remove', '13800138000'));
    expect(removed.stdout).toBe('Removed +8613800138000 from the do-not-call list.\n');
    expect(jsonLines(outbound(inData('dnc', 'list', '--json')))[0]).toMatchObject({ count: 3 });
  });
});

describe('while outbound serve runs on the workspace', () => {
  it('dnc and trunk commands go to the server (it holds the database) instead of failing on its lock', async () => {
    assertBuilt();
    const scratch = await mkdtemp(join(tmpdir(), 'outbound-cli-served-'));
    const data = join(scratch, 'data');
    const served = await serve(data);
    try {
      const added = outbound([
        'dnc',
        'add',
        '13800138000',
        '--reason',
        'asked on the phone',
        '--data',
        data,
        '--json',
      ]);
      expect(added.stderr).not.toMatch(/error|lock/i);
      expect(added.code).toBe(0);
      expect(jsonLines(added)[0]).toMatchObject({
        event: 'dnc.added',
        phone: '+8613800138000',
        added: true,
      });
      expect(jsonLines(outbound(['dnc', 'list', '--data', data, '--json']))[0]).toMatchObject({
        count: 1,
      });
      // A loopback port nobody listens on: the server may try it, and finds it down.
      const trunk = outbound([
        'trunk',
        'add',
        'main',
        '--uri',
        'ws://127.0.0.1:9',
        '--domain',
        '127.0.0.1',
        '--data',
        data,
        '--json',
      ]);
      expect(trunk.stderr).not.toMatch(/error|lock/i);
      expect(trunk.code).toBe(0);
      const trunks = jsonLines(outbound(['trunk', 'list', '--data', data, '--json']))[0] as {
        trunks: Array<{ name: string }>;
      };
      expect(trunks.trunks.map((t) => t.name)).toEqual(['main']);
    } finally {
      const stopped = await served.stop();
      expect(stopped.code, served.stderr().slice(-3000)).toBe(0);
    }
    // What the server stored is the workspace's: read without it, it is all there.
    expect(jsonLines(outbound(['dnc', 'list', '--data', data, '--json']))[0]).toMatchObject({
      count: 1,
    });
    expect(
      (jsonLines(outbound(['trunk', 'list', '--data', data, '--json']))[0] as { trunks: unknown[] })
        .trunks,
    ).toHaveLength(1);
    await rm(scratch, { recursive: true, force: true });
  }, 60_000);
});
