/** node:wasi loads without its experimental warning, and every other warning still prints. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { isWasiExperimentalWarning } from './quiet-wasi.js';

const MODULE = fileURLToPath(new URL('./quiet-wasi.ts', import.meta.url));

/** A fresh Node process (node:wasi is loaded once per process) running `script` as ESM through tsx. */
function runNode(script: string) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('quiet node:wasi', () => {
  it('loads WASI with no warning on stderr; another warning, even an experimental one, still prints', () => {
    const run = runNode(`
      import { loadWasi } from ${JSON.stringify(MODULE)};
      const { WASI } = loadWasi();
      new WASI({ version: 'preview1', args: [] });
      process.emitWarning('something else is experimental', 'ExperimentalWarning');
      process.emitWarning('an old call', 'DeprecationWarning');
      console.log('loaded', typeof WASI);
    `);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('loaded function');
    expect(run.stderr).not.toContain('WASI is an experimental feature');
    expect(run.stderr).toContain('ExperimentalWarning: something else is experimental');
    expect(run.stderr).toContain('DeprecationWarning: an old call');
  });

  it('shows that plain node:wasi does warn (what the filter is for)', () => {
    const run = runNode(`await import('node:wasi');`);
    expect(run.stderr).toContain('ExperimentalWarning: WASI is an experimental feature');
  });

  it('matches only that warning, in each form emitWarning takes', () => {
    const text = 'WASI is an experimental feature and might change at any time';
    expect(isWasiExperimentalWarning(text, 'ExperimentalWarning')).toBe(true);
    expect(isWasiExperimentalWarning(text, { type: 'ExperimentalWarning' })).toBe(true);
    const error = new Error(text);
    error.name = 'ExperimentalWarning';
    expect(isWasiExperimentalWarning(error)).toBe(true);
    expect(isWasiExperimentalWarning(text, 'DeprecationWarning')).toBe(false);
    expect(isWasiExperimentalWarning(text)).toBe(false);
    expect(
      isWasiExperimentalWarning('Fetch is an experimental feature', 'ExperimentalWarning'),
    ).toBe(false);
  });
});
