// `npm run bench [suite…]`: builds the app (the call benchmarks run the built media host page),
// then runs bench/run.ts under tsx (suites import the engine's TypeScript).
import { spawnSync } from 'node:child_process';
import { BENCH_NEEDS, ensureSystemPackages, SYSTEM_NEEDS } from './system-deps.mjs';

const problem = ensureSystemPackages([...SYSTEM_NEEDS, ...BENCH_NEEDS]);
if (problem) {
  console.error(problem);
  process.exit(1);
}
const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', 'bench/run.ts', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
