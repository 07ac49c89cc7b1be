/**
 * `npm run bench`: runs every suite in bench/*.bench.ts and writes docs/BENCHMARKS.md with the
 * machine and the date. Suites report medians and percentiles, never a single run.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { BenchSuite } from './harness.js';

const root = join(import.meta.dirname, '..');
const only = process.argv.slice(2);
const files = (await readdir(import.meta.dirname))
  .filter((f) => f.endsWith('.bench.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();

const sections: string[] = [];
for (const file of files) {
  const suite = (await import(pathToFileURL(join(import.meta.dirname, file)).href))
    .default as BenchSuite;
  process.stdout.write(`▶ ${suite.title}\n`);
  const rows = await suite.run();
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row.values)))];
  const table = [
    `| | ${columns.join(' | ')} |`,
    `|---|${columns.map(() => '---').join('|')}|`,
    ...rows.map(
      (row) => `| ${row.name} | ${columns.map((c) => row.values[c] ?? '').join(' | ')} |`,
    ),
  ].join('\n');
  process.stdout.write(`${table}\n\n`);
  sections.push(`## ${suite.title}\n\n${suite.method}\n\n${table}\n`);
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const machine = [
  `- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  `- Machine: ${platform()} ${release()}, ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} GiB free at start), load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
  `- Node ${process.version}`,
].join('\n');

const doc = `# Benchmarks

Written by \`npm run bench\` (bench/run.ts); do not edit by hand. The machine is shared and noisy:
figures are medians and percentiles over many samples, and comparisons are ratios measured in the
same run.

${machine}

${sections.join('\n')}`;
await writeFile(join(root, 'docs', 'BENCHMARKS.md'), doc);
process.stdout.write(`Wrote docs/BENCHMARKS.md (${files.length} suites)\n`);
