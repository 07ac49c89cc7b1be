/**
 * `outbound trunk add|list|remove` as a user runs them, against the built CLI: readable and JSON
 * output, passwords from a file or stdin (never argv), errors that name the option, exit codes.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openStore } from '../../electron/engine/store/index.js';
import { jsonLines, outbound } from '../support/cli-run.js';
import { assertBuilt } from '../support/serve.js';

const PASSWORD = 'correct horse battery staple';

describe('outbound trunk', () => {
  let scratch: string;
  let data: string;
  const inData = (...args: string[]) => [...args, '--data', data];

  beforeAll(async () => {
    assertBuilt();
    scratch = await mkdtemp(join(tmpdir(), 'outbound-cli-trunks-'));
    data = join(scratch, 'data');
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('lists no trunks in a new workspace, and says how to add one', () => {
    const run = outbound(inData('trunk', 'list'));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/No trunks yet\. Add one with: outbound trunk add NAME/);
  });

  it('adds a trunk with its password from a file, stored encrypted', async () => {
    const file = join(scratch, 'password.txt');
    await writeFile(file, `${PASSWORD}\n`, { mode: 0o600 });
    const run = outbound(
      inData(
        'trunk',
        'add',
        'main',
        '--uri',
        'wss://pbx.example.com:8089/ws',
        '--domain',
        'pbx.example.com',
        '--user',
        '1001',
        '--password-file',
        file,
        '--register',
        '--caller-id',
        '+8602100000000',
      ),
    );
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Added trunk "main": wss://pbx.example.com:8089/ws');
    expect(run.stdout).toContain('password stored encrypted');
    expect(run.stdout).not.toContain(PASSWORD);

    if (process.platform !== 'win32')
      expect((await stat(join(data, 'secret.key'))).mode & 0o777).toBe(0o600);
    const store = await openStore({ dataDir: data });
    try {
      const trunk = await store.trunks.getByName('main');
      expect(trunk).toMatchObject({
        username: '1001',
        register: true,
        role: 'primary',
        maxConcurrentCalls: 30,
      });
      expect(trunk?.passwordCipher).toMatch(/^v1:/);
      expect(trunk?.passwordCipher).not.toContain(PASSWORD);
      // The CLI acts as the workspace's local admin.
      expect(
        (await store.audit.list()).map((a) => [a.actor, a.role, a.source, a.action, a.subject]),
      ).toContainEqual(['local-admin', 'admin', 'cli', 'trunks.create', 'main']);
    } finally {
      await store.close();
    }
    expect(await readFile(join(data, 'outbound.db'))).not.toContain(Buffer.from(PASSWORD));
  });

  it('reads the password from stdin with --password-file -, and adds a backup trunk as JSON', () => {
    const run = outbound(
      inData(
        'trunk',
        'add',
        'carrier-b',
        '--uri',
        'ws://10.0.0.5:5066',
        '--domain',
        '10.0.0.5',
        '--user',
        'acct',
        '--password-file',
        '-',
        '--backup',
        '--max-calls',
        '5',
        '--transfer-mode',
        'refer',
        '--json',
      ),
      `${PASSWORD}\r\n`,
    );
    expect(run.code).toBe(0);
    const [line] = jsonLines(run);
    expect(line).toMatchObject({
      event: 'trunk.added',
      trunk: {
        name: 'carrier-b',
        role: 'backup',
        maxConcurrentCalls: 5,
        transferMode: 'refer',
        hasPassword: true,
        register: false,
      },
    });
    expect(run.stdout).not.toContain(PASSWORD);
    expect(run.stdout).not.toContain('v1:');
  });

  it('lists trunks as a table, primary first, with health "not connected"', () => {
    const run = outbound(inData('trunk', 'list'));
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^NAME\s+URI\s+DOMAIN\s+USER\s+REGISTER\s+ROLE\s+MAX CALLS\s+TRANSFER\s+HEALTH$/,
    );
    expect(lines[1]).toMatch(
      /^main\s+wss:\/\/pbx\.example\.com:8089\/ws\s+pbx\.example\.com\s+1001\s+yes\s+primary\s+30\s+bridge\s+not connected$/,
    );
    expect(lines[2]).toMatch(
      /^carrier-b\s+ws:\/\/10\.0\.0\.5:5066\s+10\.0\.0\.5\s+acct\s+no\s+backup\s+5\s+refer\s+not connected$/,
    );
    expect(run.stdout).not.toContain(PASSWORD);
  });

  it('lists trunks as one JSON line, without passwords', () => {
    const run = outbound(inData('trunk', 'list', '--json'));
    expect(run.code).toBe(0);
    const [line, ...more] = jsonLines(run);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ event: 'trunks', secretStorage: 'key-file' });
    const trunks = line!.trunks as Array<Record<string, unknown>>;
    expect(
      trunks.map((t) => [t.name, t.hasPassword, (t.health as { state: string }).state]),
    ).toEqual([
      ['main', true, 'idle'],
      ['carrier-b', true, 'idle'],
    ]);
    expect(run.stdout).not.toContain(PASSWORD);
    expect(run.stdout).not.toMatch(/passwordCipher|v1:/);
  });

  it('never takes a password from the command line, and says why', () => {
    const run = outbound(
      inData(
        'trunk',
        'add',
        'x',
        '--uri',
        'wss://a.example.com',
        '--domain',
        'a.example.com',
        '--user',
        'u',
        '--password',
        'secret',
      ),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /--password is not accepted: .*visible to other users.*shell history.*--password-file/,
    );
    expect(outbound(['help']).stdout).toMatch(
      /Never on the command line: arguments are visible to every user/,
    );
  });

  it.each([
    [
      'a sip: uri',
      ['--uri', 'sip:pbx.example.com', '--domain', 'pbx.example.com'],
      /--uri: must start with ws:\/\/ or wss:\/\/ \(got sip:pbx\.example\.com\)/,
    ],
    [
      'a domain with a port',
      ['--uri', 'wss://a.example.com', '--domain', 'a.example.com:5060'],
      /--domain: must be a host name or IP address/,
    ],
    [
      'too many calls',
      ['--uri', 'wss://a.example.com', '--domain', 'a.example.com', '--max-calls', '501'],
      /--max-calls: must be at most 500/,
    ],
    [
      'calls that are not a number',
      ['--uri', 'wss://a.example.com', '--domain', 'a.example.com', '--max-calls', 'many'],
      /--max-calls must be a whole number/,
    ],
    [
      'an unknown transfer mode',
      ['--uri', 'wss://a.example.com', '--domain', 'a.example.com', '--transfer-mode', 'blind'],
      /--transfer-mode must be bridge or refer \(got "blind"\)/,
    ],
    [
      'a bad caller ID',
      ['--uri', 'wss://a.example.com', '--domain', 'a.example.com', '--caller-id', '021 555'],
      /--caller-id: must be digits/,
    ],
    ['a missing --uri', ['--domain', 'a.example.com'], /trunk add needs --uri/],
    ['a missing --domain', ['--uri', 'wss://a.example.com'], /trunk add needs --domain/],
    [
      'a password without a user',
      ['--uri', 'wss://a.example.com', '--domain', 'a.example.com', '--password-file', '-'],
      /--password-file needs --user/,
    ],
  ])('refuses %s with exit code 2, naming the option', (_case, options, pattern) => {
    const run = outbound(inData('trunk', 'add', 'bad', ...options), 'pw\n');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(pattern);
  });

  it('reports a refused value as a JSON error line with the field and option', () => {
    const run = outbound(
      inData(
        'trunk',
        'add',
        'bad',
        '--uri',
        'http://a.example.com',
        '--domain',
        'a.example.com',
        '--json',
      ),
    );
    expect(run.code).toBe(2);
    expect(jsonLines(run).at(-1)).toMatchObject({
      event: 'error',
      code: 'INVALID_PARAMS',
      field: 'uri',
      option: '--uri',
      message: expect.stringMatching(/^--uri: must start with ws:\/\//),
    });
  });

  it('refuses a name that is taken, and an empty or unreadable password file, with exit code 1 or 2', async () => {
    const taken = outbound(
      inData(
        'trunk',
        'add',
        'main',
        '--uri',
        'wss://b.example.com',
        '--domain',
        'b.example.com',
        '--json',
      ),
    );
    expect(taken.code).toBe(1);
    expect(jsonLines(taken).at(-1)).toMatchObject({
      event: 'error',
      code: 'CONFLICT',
      field: 'name',
      message: expect.stringMatching(/A trunk named "main" already exists/),
    });

    const empty = join(scratch, 'empty.txt');
    await writeFile(empty, '\n');
    const emptyRun = outbound(
      inData(
        'trunk',
        'add',
        'e',
        '--uri',
        'wss://b.example.com',
        '--domain',
        'b.example.com',
        '--user',
        'u',
        '--password-file',
        empty,
      ),
    );
    expect(emptyRun.code).toBe(2);
    expect(emptyRun.stderr).toMatch(/--password-file: .*empty\.txt is empty/);

    const missing = outbound(
      inData(
        'trunk',
        'add',
        'e',
        '--uri',
        'wss://b.example.com',
        '--domain',
        'b.example.com',
        '--user',
        'u',
        '--password-file',
        join(scratch, 'nope.txt'),
      ),
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--password-file: cannot read .*nope\.txt/);
  });

  it('explains usage mistakes in trunk commands with exit code 2', () => {
    expect(outbound(inData('trunk')).stderr).toMatch(
      /trunk needs a subcommand: add, list or remove/,
    );
    expect(outbound(inData('trunk', 'rename', 'a')).code).toBe(2);
    expect(outbound(inData('trunk', 'add')).stderr).toMatch(/trunk add needs a NAME/);
    expect(outbound(inData('trunk', 'remove')).stderr).toMatch(/trunk remove needs the NAME/);
    const misplaced = outbound(inData('trunk', 'list', '--uri', 'wss://a'));
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toMatch(/--uri is an option of "trunk add"/);
  });

  it('removes a trunk, and says NOT_FOUND (exit 1) for one that does not exist', () => {
    const run = outbound(inData('trunk', 'remove', 'carrier-b'));
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('Removed trunk "carrier-b".');
    const again = outbound(inData('trunk', 'remove', 'carrier-b', '--json'));
    expect(again.code).toBe(1);
    expect(jsonLines(again).at(-1)).toMatchObject({
      event: 'error',
      code: 'NOT_FOUND',
      message: 'No trunk named "carrier-b".',
    });
    // Only "main" is left: none of the refused trunks above was stored.
    const [list] = jsonLines(outbound(inData('trunk', 'list', '--json')));
    expect((list!.trunks as Array<{ name: string }>).map((t) => t.name)).toEqual(['main']);
  });

  it('refuses a data folder it cannot use, naming it (exit 1)', async () => {
    const notADir = join(scratch, 'a-file');
    await writeFile(notADir, 'not a folder');
    const run = outbound(['trunk', 'list', '--data', notADir, '--json']);
    expect(run.code).toBe(1);
    expect(jsonLines(run).at(-1)).toMatchObject({
      code: 'DATA_DIR_UNWRITABLE',
      message: expect.stringContaining(notADir),
    });
  });
});
