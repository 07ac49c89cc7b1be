/**
 * The headless secret box: AES-256-GCM with a random 32-byte key kept in `<dataDir>/secret.key`.
 *
 * The key file is created once, with mode 0600, and reused by every later open (the CLI, `outbound
 * serve` and the desktop app's fallback share it). Its protection is the file's permissions only:
 * whoever can read it as this user (or as an administrator) can decrypt the stored passwords.
 *
 * If the file's mode lets group or others read it (a copy without -p, a backup restore, a loose
 * umask on an old version), opening fixes it to 0600 and logs a warning saying the passwords may
 * have been exposed. We fix rather than refuse: refusing would stop the whole app, including the
 * commands that let the user replace those passwords, over something we can repair ourselves.
 * When the mode cannot be changed (the file belongs to someone else), opening fails.
 * Windows has no POSIX modes; the file inherits the user profile folder's ACL there.
 *
 * Cipher text: `v1:` + base64(iv[12] | tag[16] | data). A wrong key or an altered value fails the
 * GCM tag check and raises SecretDecryptError ("the key file changed").
 *
 * Synchronous on purpose: the file is a few bytes, read once, and SecretBox.decrypt is synchronous.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

import type { Logger } from '../log.js';
import {
  foreignCipherReason,
  KEY_FILE_PREFIX,
  type SecretBox,
  SecretBoxError,
  SecretDecryptError,
} from './secret-box.js';

export const KEY_FILE_NAME = 'secret.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Binds cipher texts to this format, so a v1 value can never be read as something else. */
const AAD = Buffer.from('outbound-console secret v1');

export interface KeyFileSecretBox extends SecretBox {
  readonly kind: 'key-file';
  /** The key file's absolute path. */
  readonly path: string;
  /** True when this open created the key (the first run in this data folder). */
  readonly created: boolean;
  /** What protects the secrets, for people: the key file and its permissions only. */
  readonly warning: string;
}

export interface KeyFileOptions {
  /** Create the key when the file is missing (default true). False: a missing file is an error. */
  create?: boolean;
}

export function headlessSecretsWarning(path: string): string {
  return (
    `Trunk passwords are encrypted with the key in ${path}, which is protected only by its file permissions (0600): ` +
    'anyone who can read that file as you, or as an administrator, can decrypt them. The desktop app uses the operating system’s keychain instead.'
  );
}

/**
 * Opens (or creates) the key file in `dataDir` and returns a box using it. Logs the headless
 * warning (as a warning when the key is new, else as info) and returns it as `warning`.
 * Throws SecretBoxError when the key file is damaged, unreadable or cannot be created.
 */
export function openKeyFileSecretBox(
  dataDir: string,
  log: Logger,
  options: KeyFileOptions = {},
): KeyFileSecretBox {
  const path = join(dataDir, KEY_FILE_NAME);
  let created = false;
  let key = readKey(path, log);
  if (key === null) {
    if (options.create === false)
      throw new SecretBoxError('KEY_FILE_UNREADABLE', `The key file ${path} is missing.`);
    created = createKey(path);
    key = readKey(path, log);
    if (key === null)
      throw new SecretBoxError(
        'KEY_FILE_UNREADABLE',
        `The key file ${path} vanished right after it was created.`,
      );
  }
  const warning = headlessSecretsWarning(path);
  if (created) log.warn(warning, { keyFile: path });
  else log.info(warning, { keyFile: path });
  return keyFileBox(key, path, created, warning);
}

function keyFileBox(
  key: Buffer,
  path: string,
  created: boolean,
  warning: string,
): KeyFileSecretBox {
  return {
    kind: 'key-file',
    path,
    created,
    warning,
    encrypt(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(AAD);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return KEY_FILE_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
    },
    decrypt(text) {
      if (!text.startsWith(KEY_FILE_PREFIX))
        throw new SecretDecryptError(foreignCipherReason(text));
      const body = text.slice(KEY_FILE_PREFIX.length);
      const bytes = Buffer.from(body, 'base64');
      if (bytes.length < IV_BYTES + TAG_BYTES || bytes.toString('base64') !== body) {
        throw new SecretDecryptError('the stored value is damaged');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(AAD);
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([
          decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch (error) {
        // GCM's tag check failed: another key wrote it, or the value was altered.
        throw new SecretDecryptError(`the key file changed (${path})`, { cause: error });
      }
    },
  };
}

/** The key, or null when the file does not exist. Repairs a group/other-readable mode (see top). */
function readKey(path: string, log: Logger): Buffer | null {
  let mode: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile())
      throw new SecretBoxError(
        'KEY_FILE_INVALID',
        `${path} is not a file; move it away so the app can create its key file there.`,
      );
    mode = stat.mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (error instanceof SecretBoxError) throw error;
    throw new SecretBoxError(
      'KEY_FILE_UNREADABLE',
      `The key file ${path} cannot be read: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    try {
      chmodSync(path, 0o600);
    } catch (error) {
      throw new SecretBoxError(
        'KEY_FILE_UNREADABLE',
        `The key file ${path} can be read by other users (mode ${mode.toString(8).padStart(4, '0')}) and its mode cannot be changed to 0600: ${(error as Error).message}. Fix it with "chmod 600 ${path}".`,
        { cause: error },
      );
    }
    log.warn(
      `The key file ${path} could be read by other users (mode ${mode.toString(8).padStart(4, '0')}); it is now 0600. ` +
        'Anyone who read it could decrypt the stored trunk passwords: consider changing them.',
      { keyFile: path },
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SecretBoxError(
      'KEY_FILE_UNREADABLE',
      `The key file ${path} cannot be read: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const encoded = text.trim();
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== encoded) {
    throw new SecretBoxError(
      'KEY_FILE_INVALID',
      `The key file ${path} is damaged (it should hold ${KEY_BYTES} random bytes in base64). ` +
        'Move it away and start again: a new key is made, and every stored trunk password must then be entered again.',
    );
  }
  return key;
}

/**
 * Writes a new random key. The content is written to a private temporary file first and then
 * hard-linked into place, so another process opening the folder at the same moment sees either no
 * key file or a complete one, never half of one; the first link wins and the loser reads it.
 * Returns false when another process created it first.
 */
function createKey(path: string): boolean {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const content = `${randomBytes(KEY_BYTES).toString('base64')}\n`;
  try {
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temporary, path);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
      // A file system without hard links: exclusive create, then write.
      const fd2 = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd2, content);
        fsyncSync(fd2);
      } finally {
        closeSync(fd2);
      }
      return true;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new SecretBoxError(
      'KEY_FILE_UNWRITABLE',
      `The key file ${path} cannot be created: ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // Never created, or already gone.
    }
  }
}
