/**
 * Contact import: 1,000,000 generated contacts from one CSV file (UTF-8, Chinese names, numbers in
 * mixed formats, a custom amount and tags), through the same service `outbound import` uses: time
 * and peak RSS, sampled while it runs. The file lives in a temp dir and is removed afterwards.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { importContactsFromFile } from '../electron/engine/contacts/index.js';
import { openStore } from '../electron/engine/store/index.js';
import { type BenchRow, type BenchSuite, perSecond } from './harness.js';

const CONTACTS = Number(process.env.OUTBOUND_BENCH_IMPORT_ROWS ?? 1_000_000);
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';

/** Also used by import-beside.bench.ts. */
export async function writeCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('姓名,手机号,金额,标签,地区\n');
  for (let i = 0; i < rows; i++) {
    const digits = `13${i % 10}${String(i).padStart(8, '0')}`;
    const phone =
      i % 3 === 0
        ? digits
        : i % 3 === 1
          ? `+86 ${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`
          : `0086-${digits}`;
    const line = `${SURNAMES[i % SURNAMES.length]}先生${i},${phone},${(i % 5_000) + 0.5},${i % 7 === 0 ? '"vip,complaint"' : ''},北京\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const suite: BenchSuite = {
  title: 'Contact import (CSV)',
  method: `${CONTACTS.toLocaleString('en-US')} generated contacts in one UTF-8 CSV (name, number in three formats, amount, tags, region) imported into a new list (read into a staging table 1,000 rows per statement, pacing itself to half the thread at most, then merged 1,000 rows per transaction): wall time, rows per second, and the process's peak RSS sampled every 50 ms during the import (and its growth over the RSS before it).`,
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'outbound-bench-import-'));
    const store = await openStore({ dataDir: join(dir, 'data') });
    try {
      const file = join(dir, 'contacts.csv');
      await writeCsv(file, CONTACTS);
      const bytes = (await stat(file)).size;
      global.gc?.();
      const baseline = process.memoryUsage.rss();
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage.rss());
      }, 50);
      const started = process.hrtime.bigint();
      const result = await importContactsFromFile(store, { file, listName: 'bench' });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage.rss());
      if (result.accepted !== CONTACTS)
        throw new Error(
          `expected ${CONTACTS} accepted, got ${result.accepted} (${result.rejectedCount} rejected: ${JSON.stringify(result.rejected.slice(0, 3))})`,
        );
      const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
      const rows: BenchRow[] = [
        {
          name: `import ${CONTACTS.toLocaleString('en-US')} contacts (${mb(bytes)} CSV)`,
          values: {
            time: `${seconds.toFixed(1)} s`,
            throughput: perSecond(CONTACTS / seconds),
            'peak RSS': mb(peak),
            'RSS growth': mb(peak - baseline),
          },
        },
      ];
      return rows;
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
export default suite;
