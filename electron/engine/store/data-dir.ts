/**
 * Checks made before SQLite touches anything: the data directory is writable, and an existing
 * database file at least looks like SQLite. Nothing here modifies an existing file.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { corruptMessage } from './errors.js';
import { StoreError } from './types.js';

/** Creates `dir` if needed and proves it is writable by creating and deleting a probe file. */
export async function ensureWritableDir(dir: string): Promise<void> {
  try {
    // 0700: only this user may read the workspace (secrets/permissions.ts fixes older ones).
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const probe = join(dir, `.outbound-write-probe-${process.pid}-${randomUUID()}`);
    const handle = await open(probe, 'wx');
    await handle.close();
    await rm(probe);
  } catch (error) {
    throw new StoreError(
      'DATA_DIR_UNWRITABLE',
      `The data directory ${dir} cannot be used: ${await osReason(dir, error)}. ` +
        'Choose a directory you can write to (--data), or fix its permissions.',
      { cause: error },
    );
  }
}

export type FileKind = 'missing' | 'empty' | 'sqlite';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** What is at `path`; throws CORRUPT for anything that is not a SQLite file. */
export async function inspectFile(path: string): Promise<FileKind> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 'missing';
    throw new StoreError(
      'SQLITE',
      `The database file ${path} cannot be read: ${await osReason(path, error)}.`,
      { cause: error },
    );
  }
  try {
    const header = Buffer.alloc(SQLITE_MAGIC.length);
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    if (bytesRead === 0) return 'empty';
    if (bytesRead < header.length || !header.equals(SQLITE_MAGIC)) {
      throw new StoreError('CORRUPT', corruptMessage(path, 'it is not a SQLite database'));
    }
    return 'sqlite';
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError('CORRUPT', corruptMessage(path, await osReason(path, error)), {
      cause: error,
    });
  } finally {
    await handle.close();
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

const OS_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  ENOTDIR: 'part of the path is a file, not a directory',
  EISDIR: 'it is a directory',
  ENAMETOOLONG: 'the path is too long',
};

async function osReason(path: string, error: unknown): Promise<string> {
  const code = errorCode(error);
  if (code === 'EEXIST' && !(await isDirectory(path)))
    return 'it is a file, not a directory (EEXIST)';
  const reason = code ? OS_REASONS[code] : undefined;
  if (reason) return `${reason} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
