import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { Logger } from '../log.js';
import { useTempDirs } from '../store/testing/temp.js';
import {
  KEY_FILE_NAME,
  KEY_FILE_PREFIX,
  openKeyFileSecretBox,
  type SecretBox,
  SecretBoxError,
  SecretDecryptError,
  withKeyFileFallback,
} from './index.js';

const tempDir = useTempDirs();
const posix = process.platform !== 'win32';

function recordingLog(): Logger & { lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  return {
    lines,
    info: (message) => lines.push(['info', message]),
    warn: (message) => lines.push(['warn', message]),
    error: (message) => lines.push(['error', message]),
  };
}

function decryptError(box: SecretBox, cipher: string): SecretDecryptError {
  try {
    box.decrypt(cipher);
  } catch (error) {
    expect(error).toBeInstanceOf(SecretDecryptError);
    return error as SecretDecryptError;
  }
  throw new Error('decrypt did not fail');
}

describe('key-file secret box', () => {
  it('round-trips text, with a version prefix and a fresh IV each time', async () => {
    const box = openKeyFileSecretBox(await tempDir(), recordingLog());
    expect(box.kind).toBe('key-file');
    for (const plain of ['s3cret', '', 'pässwörd 密码 🔑', 'x'.repeat(256)]) {
      const cipher = box.encrypt(plain);
      expect(cipher.startsWith(KEY_FILE_PREFIX)).toBe(true);
      expect(cipher).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
      if (plain !== '') expect(cipher).not.toContain(plain);
      expect(box.decrypt(cipher)).toBe(plain);
    }
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it.runIf(posix)(
    'creates the key file with mode 0600 and warns that only its permissions protect it',
    async () => {
      const dir = await tempDir();
      const log = recordingLog();
      const box = openKeyFileSecretBox(dir, log);
      expect(box.path).toBe(join(dir, KEY_FILE_NAME));
      expect(box.created).toBe(true);
      expect(statSync(box.path).mode & 0o777).toBe(0o600);
      expect(Buffer.from(readFileSync(box.path, 'utf8').trim(), 'base64')).toHaveLength(32);
      expect(box.warning).toMatch(/protected only by its file permissions/);
      expect(box.warning).toContain(box.path);
      expect(log.lines).toEqual([['warn', box.warning]]);
    },
  );

  it('reuses the key across opens, and only the first open creates it', async () => {
    const dir = await tempDir();
    const first = openKeyFileSecretBox(dir, recordingLog());
    const cipher = first.encrypt('hunter2');
    const before = readFileSync(first.path, 'utf8');
    const log = recordingLog();
    const second = openKeyFileSecretBox(dir, log);
    expect(second.created).toBe(false);
    expect(second.decrypt(cipher)).toBe('hunter2');
    expect(readFileSync(second.path, 'utf8')).toBe(before);
    expect(log.lines.map(([level]) => level)).toEqual(['info']);
  });

  it('detects an altered cipher text', async () => {
    const box = openKeyFileSecretBox(await tempDir(), recordingLog());
    const cipher = box.encrypt('hunter2');
    const bytes = Buffer.from(cipher.slice(3), 'base64');
    for (const at of [0, 12, 28, bytes.length - 1]) {
      const altered = Buffer.from(bytes);
      altered[at] = altered[at]! ^ 0x01;
      expect(decryptError(box, `v1:${altered.toString('base64')}`).reason).toMatch(
        /the key file changed/,
      );
    }
    expect(decryptError(box, 'v1:AAAA').reason).toBe('the stored value is damaged');
    expect(decryptError(box, 'v1:not base64!').reason).toBe('the stored value is damaged');
    expect(decryptError(box, 'os1:AAAA').reason).toMatch(/desktop app/);
    expect(decryptError(box, 'plain-text').reason).toMatch(/not in a format/);
  });

  it('refuses cipher text from another key with "the key file changed"', async () => {
    const a = openKeyFileSecretBox(await tempDir(), recordingLog());
    const b = openKeyFileSecretBox(await tempDir(), recordingLog());
    const error = decryptError(b, a.encrypt('hunter2'));
    expect(error.reason).toBe(`the key file changed (${b.path})`);
  });

  it.runIf(posix)(
    'fixes a key file others can read, and warns that the passwords may have leaked',
    async () => {
      const dir = await tempDir();
      const cipher = openKeyFileSecretBox(dir, recordingLog()).encrypt('hunter2');
      const path = join(dir, KEY_FILE_NAME);
      chmodSync(path, 0o644);
      const log = recordingLog();
      const box = openKeyFileSecretBox(dir, log);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(box.decrypt(cipher)).toBe('hunter2');
      const [level, message] = log.lines[0]!;
      expect(level).toBe('warn');
      expect(message).toMatch(/could be read by other users \(mode 0644\); it is now 0600/);
    },
  );

  it('refuses a damaged key file with a message that names it and says what to do', async () => {
    const dir = await tempDir();
    const path = join(dir, KEY_FILE_NAME);
    writeFileSync(path, 'too short\n', { mode: 0o600 });
    let error: unknown;
    try {
      openKeyFileSecretBox(dir, recordingLog());
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SecretBoxError);
    expect(error).toMatchObject({ code: 'KEY_FILE_INVALID' });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/Move it away/);
    expect(readFileSync(path, 'utf8')).toBe('too short\n');
  });

  it('can open an existing key only, without creating one', async () => {
    const dir = await tempDir();
    expect(() => openKeyFileSecretBox(dir, recordingLog(), { create: false })).toThrow(
      /is missing/,
    );
    await mkdir(join(dir, KEY_FILE_NAME));
    expect(() => openKeyFileSecretBox(dir, recordingLog())).toThrow(/is not a file/);
  });
});

describe('withKeyFileFallback', () => {
  /** A stand-in for the desktop box: reversible, clearly not the key file's format. */
  const osBox: SecretBox = {
    kind: 'os-keychain',
    encrypt: (plain) => `os1:${Buffer.from(plain).toString('hex')}`,
    decrypt: (cipher) => Buffer.from(cipher.slice(4), 'hex').toString(),
  };

  it('encrypts with the shell’s box and still reads what the key file wrote', async () => {
    const dir = await tempDir();
    const headless = openKeyFileSecretBox(dir, recordingLog()).encrypt('from-the-cli');
    const box = withKeyFileFallback(osBox, dir, recordingLog());
    expect(box.kind).toBe('os-keychain');
    expect(box.encrypt('x')).toBe('os1:78');
    expect(box.decrypt('os1:78')).toBe('x');
    expect(box.decrypt(headless)).toBe('from-the-cli');
  });

  it('never creates a key file, and says so when the one that wrote a value is gone', async () => {
    const other = openKeyFileSecretBox(await tempDir(), recordingLog()).encrypt('lost');
    const dir = await tempDir();
    const box = withKeyFileFallback(osBox, dir, recordingLog());
    expect(decryptError(box, other).reason).toMatch(/key file \(secret\.key\), which is missing/);
    expect(() => statSync(join(dir, KEY_FILE_NAME))).toThrow();
  });
});
