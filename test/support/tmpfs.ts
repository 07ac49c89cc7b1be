/**
 * Small tmpfs file systems for full-disk tests: mount one (needs root), fill it to a few bytes of
 * free space, unmount it. Tests skip, saying why, where mounting is not allowed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why tmpfs cannot be mounted here, or null when it can (probed once with a throwaway mount). */
export const tmpfsUnavailable: string | null = probe();

function probe(): string | null {
  if (process.platform !== 'linux') return 'full-disk tests mount a tmpfs, which needs Linux';
  if (process.getuid?.() !== 0) return 'full-disk tests mount a tmpfs, which needs root';
  const dir = mkdtempSync(join(tmpdir(), 'outbound-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `mounting a tmpfs failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Mounts a tmpfs of `bytes` at `dir` (an existing, empty folder). */
export function mountTmpfs(dir: string, bytes: number): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' });
}

/** Unmounts `dir` (lazily, so a file still open in a failed test cannot keep it mounted). */
export function unmountTmpfs(dir: string): void {
  execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
}

/** Free bytes on the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const fs = await statfs(dir);
  return fs.bavail * fs.bsize;
}

/** Writes `<dir>/<name>` until only about `leaveBytes` are free on its file system. */
export async function fillDisk(
  dir: string,
  leaveBytes: number,
  name = 'filler.bin',
): Promise<string> {
  const path = join(dir, name);
  const handle = await open(path, 'w');
  try {
    const chunk = Buffer.alloc(64 * 1024, 0x55);
    for (;;) {
      const free = (await freeBytes(dir)) - leaveBytes;
      if (free <= 0) break;
      await handle.write(chunk, 0, Math.min(chunk.length, free));
    }
  } finally {
    await handle.close();
  }
  return path;
}
