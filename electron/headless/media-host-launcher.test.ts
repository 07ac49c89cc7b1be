import { mkdir, mkdtemp, readdir, rm, symlink, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { sweepStaleProfiles } from './media-host-launcher.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function profile(name: string, lockPid?: number, ageMs = 0): Promise<void> {
  const path = join(dir, name);
  await mkdir(path);
  if (lockPid !== undefined) await symlink(`somehost-${lockPid}`, join(path, 'SingletonLock'));
  const at = (Date.now() - ageMs) / 1000;
  await utimes(path, at, at);
}

describe('sweepStaleProfiles', () => {
  it('removes the profiles of dead Chromiums and old unlocked ones, and keeps live, fresh and other folders', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sweep-'));
    // A pid far above Linux's default pid_max is never a live process.
    await profile('outbound-media-host-dead', 99_999_999);
    await profile('outbound-media-host-live', process.pid);
    await profile('outbound-media-host-old', undefined, 3_600_000);
    await profile('outbound-media-host-starting');
    await profile('someone-else', 99_999_999);
    const removed = await sweepStaleProfiles(dir);
    expect(removed.map((p) => p.slice(dir.length + 1)).sort()).toEqual([
      'outbound-media-host-dead',
      'outbound-media-host-old',
    ]);
    expect((await readdir(dir)).sort()).toEqual([
      'outbound-media-host-live',
      'outbound-media-host-starting',
      'someone-else',
    ]);
  });

  it('finds nothing to do in a folder that does not exist', async () => {
    expect(await sweepStaleProfiles(join(tmpdir(), 'no-such-folder-for-sweep'))).toEqual([]);
  });
});
