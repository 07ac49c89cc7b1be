/**
 * <data>/server.json: where a running `outbound serve` listens, so one-shot commands on the same
 * workspace (e.g. `outbound campaign start`) can reach it instead of failing on its lock. Written
 * when the server listens (mode 0600: the token is a credential), removed when it stops; a file
 * left by a killed server is ignored because its process is gone.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ServerFile {
  pid: number;
  host: string;
  port: number;
  token: string;
  /** Opens the API as the workspace's local admin (the CLI runs as it; issue 13). */
  adminToken?: string;
}

const FILE = 'server.json';

export async function writeServerFile(
  dataDir: string,
  info: Omit<ServerFile, 'pid'>,
): Promise<void> {
  await writeFile(join(dataDir, FILE), `${JSON.stringify({ pid: process.pid, ...info })}\n`, {
    mode: 0o600,
  });
}

export async function removeServerFile(dataDir: string): Promise<void> {
  await rm(join(dataDir, FILE), { force: true });
}

/** The running server of this workspace, or null (no file, unreadable, or its process is gone). */
export async function readServerFile(dataDir: string): Promise<ServerFile | null> {
  let info: ServerFile;
  try {
    info = JSON.parse(await readFile(join(dataDir, FILE), 'utf8')) as ServerFile;
  } catch {
    return null;
  }
  if (
    typeof info.pid !== 'number' ||
    typeof info.port !== 'number' ||
    typeof info.token !== 'string' ||
    typeof info.host !== 'string'
  )
    return null;
  try {
    process.kill(info.pid, 0);
  } catch (error) {
    // EPERM: alive but another user's; ESRCH: gone.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  return info;
}
