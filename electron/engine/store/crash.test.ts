import { stat } from 'node:fs/promises';

import { describe, expect, it } from 'vitest';

import { openSqliteStore } from './sqlite-store.js';
import { killAndWait, spawnScript } from './testing/child.js';
import { sleep, useTempDirs } from './testing/temp.js';

const tempDir = useTempDirs();

const ROUNDS = 3;
const COMMITS_BEFORE_KILL = 30;
const EVENTS_PER_CALL = 20;

/** Starts the writer, lets it commit a while, SIGKILLs it; returns the ids it reported committed. */
async function writeAndKill(dataDir: string, prefix: string): Promise<string[]> {
  const writer = spawnScript('crash-writer.ts', [dataDir, prefix, String(EVENTS_PER_CALL)]);
  try {
    let commits = 0;
    await writer.waitForLine(
      (line) => line.startsWith('committed ') && ++commits >= COMMITS_BEFORE_KILL,
    );
    await sleep(Math.random() * 20); // land the kill at a different point each round
  } finally {
    const { signal } = await killAndWait(writer);
    expect(signal).toBe('SIGKILL'); // killed mid-run, not exited on its own
  }
  return writer.lines
    .filter((line) => line.startsWith('committed '))
    .map((line) => line.slice('committed '.length));
}

describe('a process killed while writing', () => {
  it('leaves only whole transactions, and every one it reported committed', async () => {
    const dataDir = await tempDir();
    const committed = new Set<string>();

    for (let round = 0; round < ROUNDS; round++) {
      const ids = await writeAndKill(dataDir, `round${round}`);
      expect(ids.length).toBeGreaterThanOrEqual(COMMITS_BEFORE_KILL);
      ids.forEach((id) => committed.add(id));
      // The kill left a write-ahead log behind that opening must recover from.
      expect((await stat(`${dataDir}/outbound.db-wal`)).size).toBeGreaterThan(0);

      const store = await openSqliteStore({ dataDir });
      try {
        expect(await store.database.all('PRAGMA quick_check')).toEqual([{ quick_check: 'ok' }]);
        const { calls, total } = await store.calls.list({ limit: 100_000, offset: 0 });
        expect(total).toBe(calls.length);
        expect(total).toBeGreaterThanOrEqual(committed.size);

        const stored = new Set(calls.map((call) => call.id));
        for (const id of committed)
          expect(stored.has(id), `committed call ${id} survives`).toBe(true);

        for (const call of calls) {
          const events = await store.calls.events(call.id);
          expect(events.map((e) => e.type)).toEqual([
            'created',
            ...Array<string>(EVENTS_PER_CALL).fill('step'),
          ]);
          expect(await store.calls.utterances(call.id)).toEqual([
            expect.objectContaining({ text: `utterance of ${call.id}` }),
          ]);
        }
        const written = await store.database.all<{ subject: string }>(
          "SELECT subject FROM audit_log WHERE action = 'call.written' ORDER BY subject",
        );
        expect(written.map((row) => row.subject)).toEqual([...stored].sort());
        // Events, utterances and audit rows exist only for calls that exist: nothing half-written.
        expect(await store.database.get('SELECT count(*) AS n FROM call_events')).toEqual({
          n: total * (EVENTS_PER_CALL + 1),
        });
        expect(await store.database.get('SELECT count(*) AS n FROM utterances')).toEqual({
          n: total,
        });
      } finally {
        await store.close();
      }
    }
  }, 60_000);
});
