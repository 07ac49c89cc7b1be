// `npm run bench [suite…]`: runs bench/run.ts under tsx (suites import the engine's TypeScript).
import { spawnSync } from 'node:child_process';
const result = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
