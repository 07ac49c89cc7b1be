/**
 * `outbound`, the command line of the headless engine (built to out/cli.js).
 * Only this entry file knows where it sits in out/, so it resolves the renderer folder here.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import packageJson from '../../package.json';
import { armTestFaults, createStderrLogger, installFatalHandlers } from '../engine/index.js';
import { runCli } from './main.js';

const outDir = dirname(fileURLToPath(import.meta.url));

// An error that escapes everything ends live calls with a reason, finishes their recordings,
// closes the store and exits 1 (see engine/fatal.ts), in every command, `outbound serve` included.
installFatalHandlers({
  log: createStderrLogger(),
  where: ['outbound', ...process.argv.slice(2)].join(' '),
});
armTestFaults(); // only with OUTBOUND_TEST_FAULTS set (end-to-end tests of the path above)

const code = await runCli(process.argv.slice(2), {
  version: packageJson.version,
  rendererDir: join(outDir, 'renderer'),
});
process.exitCode = code;
