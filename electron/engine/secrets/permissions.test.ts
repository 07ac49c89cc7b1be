import { chmod, mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { useTempDirs } from '../store/testing/temp.js';
import { secureWorkspace } from './permissions.js';

const tempDir = useTempDirs();
const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

describe.runIf(process.platform !== 'win32')('secureWorkspace', () => {
  it('narrows folders to 0700 and files to 0600, keeps read-only files read-only, leaves links alone', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'recordings', 'c.parts'), { recursive: true });
    await writeFile(join(dir, 'outbound.db'), 'db');
    await writeFile(join(dir, 'recordings', 'c.wav'), 'x');
    await writeFile(join(dir, 'recordings', 'c.parts', 'segment-000001.enc'), 'x');
    await writeFile(join(dir, 'readonly.txt'), 'r');
    const outside = join(await tempDir(), 'outside.txt');
    await writeFile(outside, 'o');
    await chmod(outside, 0o644);
    await symlink(outside, join(dir, 'link'));
    await chmod(join(dir, 'recordings'), 0o755);
    await chmod(join(dir, 'recordings', 'c.parts'), 0o775);
    await chmod(join(dir, 'outbound.db'), 0o644);
    await chmod(join(dir, 'recordings', 'c.wav'), 0o666);
    await chmod(join(dir, 'recordings', 'c.parts', 'segment-000001.enc'), 0o640);
    await chmod(join(dir, 'readonly.txt'), 0o444);
    await chmod(dir, 0o755);

    const report = await secureWorkspace(dir);
    expect(report.failed).toEqual([]);
    expect(await mode(dir)).toBe(0o700);
    expect(await mode(join(dir, 'recordings'))).toBe(0o700);
    expect(await mode(join(dir, 'recordings', 'c.parts'))).toBe(0o700);
    expect(await mode(join(dir, 'outbound.db'))).toBe(0o600);
    expect(await mode(join(dir, 'recordings', 'c.wav'))).toBe(0o600);
    expect(await mode(join(dir, 'recordings', 'c.parts', 'segment-000001.enc'))).toBe(0o600);
    expect(await mode(join(dir, 'readonly.txt'))).toBe(0o400);
    expect(await mode(outside)).toBe(0o644); // not followed
    expect(report.fixed).toContainEqual({
      path: join(dir, 'outbound.db'),
      from: '0644',
      to: '0600',
    });
    expect(report.fixed).toHaveLength(7);

    // A second pass has nothing to do.
    expect((await secureWorkspace(dir)).fixed).toEqual([]);
  });
});
