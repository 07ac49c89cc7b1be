/**
 * `npm run bench`: runs every suite in bench/*.bench.ts and writes docs/BENCHMARKS.md with the
 * machine and the date. Suites report medians and percentiles, never a single run.
 * `npm run bench -- NAME …` runs only the suites whose file names contain a NAME and replaces
 * just their sections, keeping the others' (each section says when and under what load it ran).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { BenchSuite } from './harness.js';

const root = join(import.meta.dirname, '..');
const only = process.argv.slice(2);
const files = (await readdir(import.meta.dirname))
  .filter((f) => f.endsWith('.bench.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();

const stamp = (): string =>
  `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at its start.`;

const sections = new Map<string, string>();
for (const file of files) {
  const suite = (await import(pathToFileURL(join(import.meta.dirname, file)).href))
    .default as BenchSuite;
  const started = stamp();
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
  sections.set(suite.title, `## ${suite.title}\n\n${started}\n\n${suite.method}\n\n${table}\n`);
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const machine = [
  `- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  `- Machine: ${platform()} ${release()}, ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} GiB free at start), load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
  `- Node ${process.version}`,
].join('\n');

// A partial run keeps the sections of the suites it did not run, in their order.
const path = join(root, 'docs', 'BENCHMARKS.md');
let body = [...sections.values()];
if (only.length > 0) {
  const previous = await readFile(path, 'utf8').catch(() => '');
  // Sections written before the per-section stamp ran on the date in the file's header.
  const previousDate = /^- Date: (.+)$/m.exec(previous)?.[1];
  const kept = previous
    .split(/^(?=## )/m)
    .slice(1)
    .map((section) => {
      const title = section.slice(3, section.indexOf('\n'));
      const fresh = sections.get(title);
      sections.delete(title);
      if (fresh) return fresh;
      const old = section.replace(/\n*$/, '\n');
      if (/^Run /m.test(old) || !previousDate) return old;
      return old.replace('\n\n', `\n\nRun ${previousDate}.\n\n`);
    });
  body = [...kept, ...sections.values()];
}

const doc = `# Benchmarks

Written by \`npm run bench\` (bench/run.ts); do not edit by hand. The machine is shared and noisy:
figures are medians and percentiles over many samples, and comparisons are ratios measured in the
same run.

${machine}${only.length > 0 ? `\n- Partial run: ${files.join(', ')}; other sections are from earlier runs` : ''}

${body.join('\n')}`;
await writeFile(path, doc);
process.stdout.write(`Wrote docs/BENCHMARKS.md (${files.length} suites)\n`);
