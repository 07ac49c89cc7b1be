import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { useTempDirs } from '../store/testing/temp.js';
import { DEFAULT_LEASE_EXPIRY_MS } from './dialer.js';
import {
  leaseExpiryFrom,
  loadSeatId,
  readSeatConfig,
  SEAT_FILE,
  SeatConfigError,
  writeSeatConfig,
} from './seat.js';

const tempDir = useTempDirs();

describe('the seat id', () => {
  it('is made once per workspace (host name and a random suffix, 0600) and kept across starts', async () => {
    const dir = await tempDir();
    const first = await loadSeatId(dir);
    expect(first).toMatch(/^[a-z0-9][a-z0-9.-]*-[0-9a-f]{8}$/);
    expect(await loadSeatId(dir)).toBe(first);
    expect((await stat(join(dir, SEAT_FILE))).mode & 0o777).toBe(0o600);
    expect(await loadSeatId(await tempDir())).not.toBe(first);
  });

  it('takes an admin’s id over the stored one, and refuses an unusable id or file, naming it', async () => {
    const dir = await tempDir();
    expect(await loadSeatId(dir, 'desk-07')).toBe('desk-07');
    await expect(loadSeatId(dir, 'desk 07')).rejects.toThrow(/"desk 07" is not a usable seat id/);
    await writeFile(join(dir, SEAT_FILE), '{"nope":1}');
    await expect(loadSeatId(dir)).rejects.toThrow(SeatConfigError);
    await writeFile(join(dir, SEAT_FILE), 'not json');
    await expect(loadSeatId(dir)).rejects.toThrow(/seat\.json cannot be read/);
    // Nothing is overwritten: the admin decides.
    expect(await readFile(join(dir, SEAT_FILE), 'utf8')).toBe('not json');
  });

  it('reads the lease expiry from the option, else the environment, else 60 s', () => {
    expect(leaseExpiryFrom(undefined, undefined)).toBe(DEFAULT_LEASE_EXPIRY_MS);
    expect(leaseExpiryFrom(undefined, '1500')).toBe(1500);
    expect(leaseExpiryFrom(2000, '1500')).toBe(2000);
    expect(() => leaseExpiryFrom(undefined, 'soon')).toThrow(/OUTBOUND_LEASE_EXPIRY_MS="soon"/);
    expect(() => leaseExpiryFrom(50, undefined)).toThrow(/200 to 3600000/);
  });
});

describe('the seat configuration (seat.json)', () => {
  it('reads missing fields as the defaults, keeps the id when saving, and refuses a field that is not a string', async () => {
    const dir = await tempDir();
    expect(await readSeatConfig(dir)).toEqual({ database: '', recordingsShare: '' });
    // Saving into a workspace with no seat.json makes its id first.
    const saved = await writeSeatConfig(dir, { database: 'postgres://u:pw@db/outbound' });
    expect(saved).toEqual({ database: 'postgres://u:pw@db/outbound', recordingsShare: '' });
    const id = await loadSeatId(dir);
    await writeSeatConfig(dir, { recordingsShare: '/mnt/seats' });
    await writeSeatConfig(dir, { database: '' });
    expect(await readSeatConfig(dir)).toEqual({ database: '', recordingsShare: '/mnt/seats' });
    expect(await loadSeatId(dir)).toBe(id);
    expect((await stat(join(dir, SEAT_FILE))).mode & 0o777).toBe(0o600);
    await writeFile(join(dir, SEAT_FILE), JSON.stringify({ id, database: 5 }));
    await expect(readSeatConfig(dir)).rejects.toThrow(/"database" must be a string/);
  });

  it('reads a data "folder" that is a file as no configuration, so the store names the folder', async () => {
    const file = join(await tempDir(), 'a-file');
    await writeFile(file, 'not a folder');
    expect(await readSeatConfig(file)).toEqual({ database: '', recordingsShare: '' });
  });
});
