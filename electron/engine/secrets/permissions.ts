/**
 * POSIX permissions of the workspace: only the user running the app may read it. Folders are 0700
 * and files 0600 — the data folder, recordings, the database and its journal, logs, caches, keys.
 * Files this engine creates are made with those modes (umask can only narrow them); this pass, run
 * at every start, fixes whatever an older version, a copy or a restore left wider. Windows has no
 * POSIX modes (the profile folder's ACL protects the data there); the pass does nothing there.
 */
import { chmod, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export interface PermissionReport {
  /** Folders and files whose mode was narrowed, with the mode they had. */
  fixed: Array<{ path: string; from: string; to: string }>;
  /** Entries whose mode could not be changed (another owner), with why. */
  failed: Array<{ path: string; error: string }>;
  /** Entries looked at. */
  checked: number;
}

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

/**
 * Narrows every folder under `dataDir` (itself included) to 0700 and every file to 0600. Symbolic
 * links are left alone (their target may be outside the workspace). Never throws for one entry.
 */
export async function secureWorkspace(dataDir: string): Promise<PermissionReport> {
  const report: PermissionReport = { fixed: [], failed: [], checked: 0 };
  if (process.platform === 'win32') return report;
  const visit = async (path: string): Promise<void> => {
    let info;
    try {
      info = await lstat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        report.failed.push({ path, error: (error as Error).message });
      return;
    }
    if (info.isSymbolicLink()) return;
    const dir = info.isDirectory();
    if (!dir && !info.isFile()) return; // sockets, FIFOs: not data
    report.checked++;
    // Files only narrow (a read-only file stays read-only); folders need all three bits.
    const mode = info.mode & 0o777;
    const next = dir ? PRIVATE_DIR_MODE : mode & PRIVATE_FILE_MODE;
    if (next !== mode) {
      try {
        await chmod(path, next);
        report.fixed.push({ path, from: octal(mode), to: octal(next) });
      } catch (error) {
        report.failed.push({ path, error: (error as Error).message });
      }
    }
    if (!dir) return;
    let names: string[];
    try {
      names = await readdir(path);
    } catch (error) {
      report.failed.push({ path, error: (error as Error).message });
      return;
    }
    for (const name of names) await visit(join(path, name));
  };
  await visit(dataDir);
  return report;
}
