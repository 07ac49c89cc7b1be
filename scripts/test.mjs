/**
 * `npm test`: the whole suite on a fresh machine. Installs the Debian packages the tests need
 * (as root) or stops with the command to run; type-checks; lints (ESLint, then Prettier's check,
 * then knip for exports and files nothing uses); builds; then runs every test (unit, contract,
 * store, end-to-end in Chromium). Ends with one "N passed, N failed" line.
 */
import { spawnSync } from 'node:child_process';
import { ensureSystemPackages } from './system-deps.mjs';

const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function fail(step, message) {
  console.error(`\nnpm test stopped at "${step}": ${message}`);
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}

function step(name, command, args) {
  const t = Date.now();
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) fail(name, `exit code ${result.status ?? result.signal}`);
  console.log(`✔ ${name} (${seconds(t)})`);
}

const t = Date.now();
console.log('▶ system packages');
const problem = ensureSystemPackages();
if (problem) fail('system packages', problem);
console.log(`✔ system packages (${seconds(t)})`);

step('typecheck', 'npx', ['tsc', '-p', 'tsconfig.node.json', '--noEmit']);
step('typecheck (renderer)', 'npx', ['tsc', '-p', 'tsconfig.web.json', '--noEmit']);
step('lint', 'npx', ['eslint', '.']);
step('format check', 'npx', ['prettier', '--check', '.']);
step('dead code', 'npx', ['knip']);
step('build', 'npx', ['electron-vite', 'build']);

console.log('\n▶ tests (vitest: unit, contract, store, e2e)');
console.log(`(set-up took ${seconds(started)}; vitest closes with the "N passed, N failed" line)`);
const tests = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], {
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
process.exit(tests.status ?? 1);
