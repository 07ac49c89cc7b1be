/**
 * `outbound`, the command line of the headless engine (built to out/cli.js).
 * Only this entry file knows where it sits in out/, so it resolves the renderer folder here.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import packageJson from '../../package.json';
import { runCli } from './main.js';

const outDir = dirname(fileURLToPath(import.meta.url));

const code = await runCli(process.argv.slice(2), {
  version: packageJson.version,
  rendererDir: join(outDir, 'renderer'),
});
process.exitCode = code;
