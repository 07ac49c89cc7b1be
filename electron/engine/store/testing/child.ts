/** Runs the scripts in this folder as separate processes (with tsx), for lock and crash tests. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { type Child, spawnScriptAt } from '../../../../test/support/script-child.js';

export { type Child, killAndWait } from '../../../../test/support/script-child.js';

const here = dirname(fileURLToPath(import.meta.url));

export function spawnScript(script: string, args: string[]): Child {
  return spawnScriptAt(join(here, script), args);
}
