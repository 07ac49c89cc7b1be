/** The store: transactional call writes and History's list query on a realistically full database. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { openStore } from '../electron/engine/store/index.js';
import { type BenchRow, type BenchSuite, ms, perSecond, time } from './harness.js';

const CALLS = 20_000;
const EVENTS_PER_CALL = 6;

const suite: BenchSuite = {
  title: 'Store (SQLite, WAL)',
  method: `Each write is one transaction: a call, ${EVENTS_PER_CALL} events and two utterances (what a short bot call stores). Then History's queries against ${CALLS.toLocaleString('en-US')} stored calls: the newest page, an outcome filter, and a transcript text search.`,
  async run() {
    const dataDir = await mkdtemp(join(tmpdir(), 'outbound-bench-store-'));
    const store = await openStore({ dataDir });
    try {
      let n = 0;
      const writeCall = () =>
        store.transaction(async (tx) => {
          const id = `bench-${n++}`;
          const startedAt = 1_700_000_000_000 + n * 1_000;
          await tx.calls.create({ id, number: `+86138${String(n).padStart(8, '0')}`, startedAt });
          for (let e = 0; e < EVENTS_PER_CALL - 1; e++)
            await tx.calls.appendEvent(id, { at: startedAt + e * 100, type: `milestone-${e}` });
          await tx.calls.addUtterance(id, {
            speaker: 'bot',
            text: '您好，这里是还款提醒，请问您方便吗？',
            startMs: 0,
            endMs: 2_000,
          });
          await tx.calls.addUtterance(id, {
            speaker: 'customer',
            text: n % 7 === 0 ? '我明天还' : '我已经还了',
            startMs: 2_500,
            endMs: 3_400,
            intent: 'paid',
            confidence: 0.9,
          });
          await tx.calls.update(id, {
            state: 'done',
            outcome: n % 3 === 0 ? 'busy' : 'completed',
            endedAt: startedAt + 30_000,
          });
        });
      const writes = await time(writeCall, 2_000, 200);
      const started = process.hrtime.bigint();
      const remaining = CALLS - n;
      for (let i = 0; i < remaining; i++) await writeCall();
      const bulkSeconds = Number(process.hrtime.bigint() - started) / 1e9;

      const newest = await time(() => store.calls.list({ limit: 50, offset: 0 }), 200);
      const byOutcome = await time(
        () => store.calls.list({ limit: 50, offset: 0, outcome: 'busy' }),
        200,
      );
      const search = await time(
        () => store.calls.list({ limit: 50, offset: 0, search: '明天' }),
        50,
      );
      const rows: BenchRow[] = [
        {
          name: 'write one call (1 transaction)',
          values: {
            median: ms(writes.medianMs),
            p95: ms(writes.p95Ms),
            throughput: perSecond(remaining / bulkSeconds),
          },
        },
        {
          name: `History: newest 50 of ${CALLS.toLocaleString('en-US')}`,
          values: { median: ms(newest.medianMs), p95: ms(newest.p95Ms) },
        },
        {
          name: 'History: filter by outcome',
          values: { median: ms(byOutcome.medianMs), p95: ms(byOutcome.p95Ms) },
        },
        {
          name: 'History: transcript text search',
          values: { median: ms(search.medianMs), p95: ms(search.p95Ms) },
        },
      ];
      return rows;
    } finally {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
export default suite;
