/**
 * `npm start`: builds, then starts the desktop app where Electron can run, or the same console
 * headless on 127.0.0.1 where it cannot (no display, or no Electron binary). Says which and why.
 *   npm start -- --headless      force headless
 *   npm start -- --port 8080 --data DIR   passed on to `outbound serve`
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const forceHeadless = args.includes('--headless') || process.env.OUTBOUND_HEADLESS === '1';
const passOn = args.filter((arg) => arg !== '--headless');

console.log('Building the app (electron-vite build)…');
const build = spawnSync('npx', ['electron-vite', 'build'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  shell: process.platform === 'win32',
});
if (build.status !== 0) {
  console.error('The build failed; see the errors above.');
  process.exit(1);
}

const electron = findElectronBinary();
const display = hasDisplay();
let reason;
if (forceHeadless) reason = 'headless mode was asked for (--headless or OUTBOUND_HEADLESS=1)';
else if (!display) reason = 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)';
else if (!electron)
  reason =
    'the Electron binary is not installed (node_modules/electron/dist is missing; run "npx install-electron --no" on a machine with network access)';

if (reason === undefined) {
  console.log(`Starting the desktop app with Electron (${electron}).`);
  const child = spawn(electron, [root, ...passOn], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(`Starting the console headless on 127.0.0.1, because ${reason}.`);
  const child = spawn(process.execPath, [join(root, 'out', 'cli.js'), 'serve', ...passOn], {
    cwd: root,
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}

function findElectronBinary() {
  const dir = join(root, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

function hasDisplay() {
  if (process.platform === 'win32' || process.platform === 'darwin') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}
