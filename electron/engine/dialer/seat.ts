/**
 * This engine's seat: the name its campaign leases and calls carry when several engines share one
 * store (issue 16). It is made once per workspace (`<data>/seat.json`: the host's name and a
 * random suffix) and kept, so an engine restarted after a crash is the same seat and takes its
 * own leases back at once; the reaper of another seat only ever takes a seat's leases after they
 * expire. An admin may name the seat (`OUTBOUND_SEAT_ID`, or the engine's `seatId` option).
 *
 * The lease expiry (how long a dead seat's contacts wait before another seat's reaper takes them)
 * is `OUTBOUND_LEASE_EXPIRY_MS` or the `leaseExpiryMs` option; default 60 s.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_LEASE_EXPIRY_MS } from './dialer.js';

export const SEAT_FILE = 'seat.json';
const SEAT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export class SeatConfigError extends Error {
  override readonly name = 'SeatConfigError';
}

/** Checks a seat id an admin gave: letters, digits, '.', '_' and '-', 1 to 100 characters. */
export function checkSeatId(id: string, source: string): string {
  if (!SEAT_ID.test(id))
    throw new SeatConfigError(
      `${source}: "${id}" is not a usable seat id (1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit)`,
    );
  return id;
}

/**
 * The workspace's seat id: the one given, else the one stored in `<data>/seat.json`, else a new
 * one (the host name and 8 random hex digits), stored 0600 for the next start.
 */
export async function loadSeatId(dataDir: string, given?: string): Promise<string> {
  if (given !== undefined && given !== '') return checkSeatId(given, 'The seat id given');
  const file = join(dataDir, SEAT_FILE);
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as { id?: unknown };
    if (typeof stored.id === 'string') return checkSeatId(stored.id, file);
    throw new SeatConfigError(`${file} has no "id"; remove the file to make a new seat id`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (error instanceof SeatConfigError) throw error;
      throw new SeatConfigError(
        `${file} cannot be read (${(error as Error).message}); remove it to make a new seat id`,
      );
    }
  }
  const host =
    hostname()
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 40) || 'seat';
  const id = `${host}-${randomBytes(4).toString('hex')}`;
  // 'wx': two starts racing on a new workspace never give it two ids (the workspace lock prevents
  // that already; this keeps the file honest on its own).
  await writeFile(file, `${JSON.stringify({ id, createdAt: new Date().toISOString() })}\n`, {
    mode: 0o600,
    flag: 'wx',
  }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const kept = JSON.parse(await readFile(file, 'utf8')) as { id: string };
  return checkSeatId(kept.id, file);
}

/** The lease expiry from the option or `OUTBOUND_LEASE_EXPIRY_MS` (at least 200 ms). */
export function leaseExpiryFrom(given: number | undefined, env: string | undefined): number {
  if (given !== undefined) return checkExpiry(given, 'The lease expiry given');
  if (env === undefined || env === '') return DEFAULT_LEASE_EXPIRY_MS;
  return checkExpiry(Number(env), `OUTBOUND_LEASE_EXPIRY_MS="${env}"`);
}

function checkExpiry(ms: number, source: string): number {
  if (!Number.isInteger(ms) || ms < 200 || ms > 3_600_000)
    throw new SeatConfigError(
      `${source} is not a usable lease expiry (whole milliseconds from 200 to 3600000)`,
    );
  return ms;
}

/**
 * The seat's own configuration, kept beside its id in `<data>/seat.json` and read at start (the
 * store is opened from it, so it cannot live in the store): the shared database's connection
 * string ('' for the SQLite file in the data folder) and the recordings share ('' for none).
 */
export interface SeatFileConfig {
  database: string;
  recordingsShare: string;
}

/** Reads the seat's configuration; a missing file or field is '' (the defaults). */
export async function readSeatConfig(dataDir: string): Promise<SeatFileConfig> {
  const file = join(dataDir, SEAT_FILE);
  let stored: Record<string, unknown>;
  try {
    stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    // No file, or a data "folder" that is not one (the store's own checks then name the folder).
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { database: '', recordingsShare: '' };
    throw new SeatConfigError(
      `${file} cannot be read (${(error as Error).message}); fix or remove it`,
    );
  }
  const text = (key: keyof SeatFileConfig): string => {
    const value = stored[key];
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string')
      throw new SeatConfigError(`${file}: "${key}" must be a string (it is ${typeof value})`);
    return value;
  };
  return { database: text('database'), recordingsShare: text('recordingsShare') };
}

/**
 * Saves changes to the seat's configuration (0600, written whole then renamed, so a crash leaves
 * the old file or the new one). The file's id is kept, or made first when there is none.
 */
export async function writeSeatConfig(
  dataDir: string,
  changes: Partial<SeatFileConfig>,
): Promise<SeatFileConfig> {
  await loadSeatId(dataDir);
  const file = join(dataDir, SEAT_FILE);
  const stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const next: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(changes) as Array<[keyof SeatFileConfig, string]>) {
    if (value === '') delete next[key];
    else next[key] = value;
  }
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
  return readSeatConfig(dataDir);
}
