/**
 * Engines started at the same moment on one new, empty PostgreSQL database (issue 16: seats of a
 * call center switched on together). Each of the three migrates under the advisory lock or finds
 * the work done, all start, and all use the one do-not-call key stored first (before, each made
 * its own and the last to write won: the others hashed erased numbers under a key no one else
 * had, until their next start).
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, expect, it } from 'vitest';

import { sharedPostgres } from '../../../test/support/postgres.js';
import { Engine } from '../engine.js';
import { silentLogger } from '../log.js';
import { openKeyFileSecretBox } from '../secrets/index.js';
import { openPostgresStore } from '../store/postgres/store.js';
import { loadDncDigest } from './dnc-key.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  await (await sharedPostgres()).stop();
});

async function seatDirs(n: number): Promise<string[]> {
  const made: string[] = [];
  for (let i = 0; i < n; i++) made.push(await mkdtemp(join(tmpdir(), `outbound-seat-${i}-`)));
  dirs.push(...made);
  // Seats sharing a database share the key file that seals stored secrets (docs/POSTGRES.md).
  openKeyFileSecretBox(made[0]!, silentLogger);
  for (const dir of made.slice(1))
    await copyFile(join(made[0]!, 'secret.key'), join(dir, 'secret.key'));
  return made;
}

it('three engines started at once on one empty database all start, on one schema and one DNC key', async () => {
  const url = await (await sharedPostgres()).createDatabase();
  const dataDirs = await seatDirs(3);
  const engines = await Promise.all(
    dataDirs.map((dataDir, i) =>
      Engine.start({
        dataDir,
        database: url,
        seatId: `seat-${i}`,
        transport: 'in-process',
        version: 'test',
      }),
    ),
  );
  try {
    expect(new Set(engines.map((e) => e.store.schemaVersion)).size).toBe(1);
    const box = openKeyFileSecretBox(dataDirs[0]!, silentLogger);
    const digests = await Promise.all(engines.map((e) => loadDncDigest(e.store, box)));
    expect(new Set(digests.map((digest) => digest('+8613800138000'))).size).toBe(1);
  } finally {
    await Promise.all(engines.map((e) => e.stop()));
  }
}, 120_000);

it('the DNC key made by stores racing on a new database is one key', async () => {
  const url = await (await sharedPostgres()).createDatabase();
  const [dir] = await seatDirs(1);
  const box = openKeyFileSecretBox(dir!, silentLogger);
  const stores = await Promise.all([0, 1, 2, 3].map(() => openPostgresStore({ url })));
  try {
    const digests = await Promise.all(stores.map((store) => loadDncDigest(store, box)));
    expect(new Set(digests.map((digest) => digest('+8613800138000'))).size).toBe(1);
  } finally {
    await Promise.all(stores.map((store) => store.close()));
  }
}, 60_000);
