/**
 * Every probe in SYSTEM_NEEDS is a path that one of its listed Debian packages ships: `dpkg -S` on
 * the literal path names that package. Guards against the fresh-machine bug where a probe was a
 * link made by another package's maintainer script, so `npm test` installed the listed package
 * and still found the probe missing. Needs dpkg and the packages installed (`npm test` installs
 * them first); otherwise each check is skipped with the reason.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { BENCH_NEEDS, installCommand, SYSTEM_NEEDS } from './system-deps.mjs';

const hasDpkg = spawnSync('dpkg-query', ['--version'], { stdio: 'ignore' }).status === 0;

/** Whether dpkg has the package installed ("install ok installed"). */
function installed(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === 'install ok installed';
}

/**
 * The packages that ship exactly this path, per `dpkg -S` (architecture qualifiers dropped). A
 * pattern without wildcards is matched whole by dpkg, but the lines are filtered to the literal
 * path anyway, and diversion notes are ignored.
 */
function owners(path) {
  const r = spawnSync('dpkg', ['-S', path], { encoding: 'utf8' });
  const found = [];
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('diversion ')) continue;
    const at = line.lastIndexOf(': ');
    if (at < 0 || line.slice(at + 2) !== path) continue;
    for (const pkg of line.slice(0, at).split(', ')) found.push(pkg.split(':')[0]);
  }
  return found;
}

describe('system packages: each probe is shipped by a package listed for it (dpkg -S)', () => {
  if (!hasDpkg) {
    it('dpkg not found: not checked', ({ skip }) => {
      console.warn('[system-deps] dpkg-query is not on PATH: probe ownership is checked on Debian');
      skip('dpkg-query is not on PATH: probe ownership can only be checked on Debian');
    });
  }

  for (const need of hasDpkg ? [...SYSTEM_NEEDS, ...BENCH_NEEDS] : []) {
    it(`${need.probe} ← ${need.packages.join(' | ')}`, ({ skip }) => {
      const absent = need.packages.filter((pkg) => !installed(pkg));
      if (absent.length > 0) {
        console.warn(
          `[system-deps] skipped ${need.probe}: ${absent.join(', ')} not installed (${installCommand(absent)})`,
        );
        skip(`${absent.join(', ')} not installed`);
      }
      // Installed, so the probe must be there: a missing probe is the very bug this guards.
      let stat;
      try {
        stat = lstatSync(need.probe);
      } catch {
        throw new Error(
          `${need.packages.join(', ')} installed, but the probe ${need.probe} does not exist: npm test would install and then still miss it`,
        );
      }
      expect(stat.isDirectory(), `${need.probe} is a directory, not a file`).toBe(false);
      const by = owners(need.probe);
      expect(
        by.some((pkg) => need.packages.includes(pkg)),
        `dpkg -S ${need.probe} names ${by.length > 0 ? by.join(', ') : 'no package'}; listed: ${need.packages.join(', ')}`,
      ).toBe(true);
    });
  }
});
