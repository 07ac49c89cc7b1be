/**
 * The built `outbound` CLI as a user runs it: output formats, exit codes, and the bad-input cases
 * of the data directory (unwritable, corrupt, newer schema), each with a specific message and the
 * file left exactly as it was.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sqlite3 from 'sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { assertBuilt, CLI, ROOT, serve } from '../support/serve.js';

function outbound(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

function runSql(file: string, sql: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, (error) => {
      if (error) return reject(error);
      db.exec(sql, (execError) => db.close(() => (execError ? reject(execError) : resolve())));
    });
  });
}

describe('outbound CLI', () => {
  let scratch: string;

  beforeAll(async () => {
    assertBuilt();
    scratch = await mkdtemp(join(tmpdir(), 'outbound-cli-'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('prints its version as text and as a JSON line', async () => {
    const pkg = JSON.parse(
      await readFile(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'),
    ) as { version: string };
    expect(outbound(['version']).stdout.trim()).toBe(pkg.version);
    const line = JSON.parse(outbound(['version', '--json']).stdout) as {
      event: string;
      version: string;
    };
    expect(line).toMatchObject({ event: 'version', version: pkg.version });
  });

  it('explains usage mistakes with exit code 2', () => {
    const unknown = outbound(['dial']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "dial"/);
    const badPort = outbound(['serve', '--port', 'eighty']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/--port must be a number/);
    const json = outbound(['serve', '--bogus', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ event: 'error', code: 'USAGE' });
  });

  it('serves until SIGTERM, then stops cleanly', async () => {
    const served = await serve(join(scratch, 'clean'));
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    const { code, lines } = await served.stop();
    expect(code).toBe(0);
    expect(lines.at(-1)).toMatchObject({ event: 'stopped', signal: 'SIGTERM' });
  });

  it('refuses a data directory it cannot write, naming it', async () => {
    const notADir = join(scratch, 'a-file');
    await writeFile(notADir, 'not a folder');
    const result = outbound(['serve', '--data', notADir, '--json']);
    expect(result.code).toBe(1);
    const line = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
      code: string;
      message: string;
    };
    expect(line.code).toBe('DATA_DIR_UNWRITABLE');
    expect(line.message).toContain(notADir);
  });

  it('refuses a corrupt database file and leaves it untouched', async () => {
    const dir = join(scratch, 'corrupt');
    await rm(dir, { recursive: true, force: true });
    await (await import('node:fs/promises')).mkdir(dir);
    const file = join(dir, 'outbound.db');
    await writeFile(file, randomBytes(8192));
    const before = await sha256(file);
    const result = outbound(['serve', '--data', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toMatch(/not .*database|corrupt/i);
    expect(await sha256(file)).toBe(before);
  });

  it('refuses to start when a speech model file is missing or altered, naming it', async () => {
    const { cp } = await import('node:fs/promises');
    const models = join(scratch, 'models');
    await rm(models, { recursive: true, force: true });
    await cp(join(ROOT, 'native-models'), models, { recursive: true });
    const vad = join(models, 'vad', 'silero_vad.onnx');
    const bytes = await readFile(vad);
    bytes[4096] = bytes[4096]! ^ 0x55;
    await writeFile(vad, bytes);
    const altered = outbound(['trunk', 'list', '--data', join(scratch, 'models-data')], {
      ...process.env,
      OUTBOUND_MODELS_DIR: models,
    });
    expect(altered.code).toBe(1);
    expect(altered.stderr).toContain(`The model file ${vad} is not the one the app was built with`);
    await rm(vad);
    const missing = outbound(['trunk', 'list', '--data', join(scratch, 'models-data')], {
      ...process.env,
      OUTBOUND_MODELS_DIR: models,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      new RegExp(`${vad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*is missing`),
    );
  });

  it('refuses a database from a newer version and leaves it untouched', async () => {
    const dir = join(scratch, 'newer');
    const served = await serve(dir);
    await served.stop();
    const file = join(dir, 'outbound.db');
    await runSql(file, 'PRAGMA user_version = 999;');
    const before = await sha256(file);
    const result = outbound(['serve', '--data', dir, '--json']);
    expect(result.code).toBe(1);
    const line = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
      code: string;
      message: string;
    };
    expect(line.code).toBe('TOO_NEW');
    expect(line.message).toMatch(/newer version/);
    expect(await sha256(file)).toBe(before);
  });

  it('says so when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const result = outbound(['serve', '--data', join(scratch, 'port'), '--port', String(port)]);
    blocker.close();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`Port ${port} .* already in use`));
  });
});
