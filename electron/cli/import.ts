/**
 * `outbound import FILE --list NAME [--region CN] [--map column=field …]`: a CSV or XLSX file into a
 * contact list, straight through the store (read whole, then stored in short transactions; see
 * engine/contacts/import.ts for what a failure leaves). It
 * holds the workspace's lock while it writes (engine/workspace): beside a running engine it is
 * refused, naming that engine, instead of holding the database's write lock under it.
 *
 * Exit 0 when the file was read, even with rejected rows (each is printed with its row number and
 * reason: the file is fine, some rows are not); 1 when the file cannot be imported at all (empty,
 * unreadable, no phone column); 2 for a usage mistake.
 */
import { mkdir } from 'node:fs/promises';

import {
  importContactsFromFile,
  ImportError,
  type ImportResult,
  targetOf,
} from '../engine/contacts/index.js';
import { silentLogger } from '../engine/log.js';
import { keyStoreDnc } from '../engine/retention/index.js';
import { openKeyFileSecretBox } from '../engine/secrets/index.js';
import { openStore, StoreError } from '../engine/store/index.js';
import {
  lockWorkspace,
  WorkspaceInUseError,
  type WorkspaceLock,
} from '../engine/workspace/index.js';
import type { Output } from './output.js';
import { UsageError } from './usage.js';

export interface ImportCommandOptions {
  dataDir: string;
  list?: string;
  region?: string;
  map: string[];
  /** Where readable progress goes (a terminal); none when not interactive. */
  progressStream?: { write(text: string): unknown; isTTY?: boolean };
}

/** Progress is printed at most this often: a million-row file would otherwise flood the output. */
const PROGRESS_INTERVAL_MS = 1_000;

export async function importCommand(
  args: string[],
  options: ImportCommandOptions,
  out: Output,
): Promise<number> {
  const [file, ...extra] = args;
  if (file === undefined)
    throw new UsageError('import needs a FILE: outbound import contacts.csv --list NAME');
  if (extra.length > 0)
    throw new UsageError(`import takes one FILE (got also "${extra.join(' ')}")`);
  if (options.list === undefined || options.list.trim() === '')
    throw new UsageError(
      'import needs --list NAME, the contact list to import into (created when missing)',
    );
  if (options.region !== undefined && !/^[A-Za-z]{2}$/.test(options.region)) {
    throw new UsageError(
      `--region is a two-letter region code such as CN, US or GB (got "${options.region}")`,
    );
  }
  const map = parseMap(options.map);

  let lock: WorkspaceLock | null = null;
  let lockFailure: unknown = null;
  // 0700 as the engine makes it; openStore names the reason of a failure.
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 }).catch(() => undefined);
  try {
    lock = await lockWorkspace(options.dataDir, 'outbound import');
  } catch (error) {
    if (error instanceof WorkspaceInUseError) {
      out.error(error.code, error.message);
      return 1;
    }
    lockFailure = error; // the folder is unusable: the store's checks say why
  }
  let store;
  try {
    // The shared PostgreSQL store when --database / OUTBOUND_DATABASE names one (cli/main.ts).
    store = await openStore({ dataDir: options.dataDir, database: process.env.OUTBOUND_DATABASE });
    if (!lock) {
      await store.close();
      throw lockFailure;
    }
  } catch (error) {
    await lock?.release();
    if (error instanceof StoreError) {
      out.error(error.code, error.message);
      return 1;
    }
    throw error;
  }
  // Numbers erased on request (retention/) are refused row by row: the store needs their key.
  try {
    await keyStoreDnc(store, openKeyFileSecretBox(options.dataDir, silentLogger));
  } catch (error) {
    await store.close();
    await lock.release();
    out.error('DNC_KEY', (error as Error).message);
    return 1;
  }
  let lastProgress = performance.now();
  const tty = options.progressStream?.isTTY === true && !out.json;
  try {
    const result = await importContactsFromFile(store, {
      file,
      listName: options.list,
      region: options.region?.toUpperCase(),
      map,
      onRejected(row) {
        out.record(
          { event: 'import.rejected', ...row },
          `row ${row.row}: ${row.reason}${row.raw ? `  [${row.raw}]` : ''}`,
        );
      },
      onProgress(progress) {
        const now = performance.now();
        if (now - lastProgress < PROGRESS_INTERVAL_MS) return;
        lastProgress = now;
        const percent =
          progress.totalBytes > 0
            ? Math.floor((progress.bytesRead / progress.totalBytes) * 100)
            : 100;
        if (out.json) out.record({ event: 'import.progress', ...progress }, '');
        else if (tty)
          options.progressStream?.write(
            `\r${progress.rowsRead.toLocaleString('en-US')} rows read (${percent}%)`,
          );
      },
    });
    if (tty) options.progressStream?.write('\r\x1b[K');
    const { rejected: _kept, ...summary } = result;
    out.record({ event: 'import.done', ...summary }, describe(result));
    return 0;
  } catch (error) {
    if (error instanceof ImportError) {
      out.error(
        error.code,
        `${error.message}${/Nothing was imported/.test(error.message) ? '' : ' Nothing was imported.'}`,
      );
      return 1;
    }
    throw error;
  } finally {
    await store.close();
    await lock.release();
  }
}

/** `--map "手机号码=phone"` → column → field. The column is the header as written in the file. */
export function parseMap(entries: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of entries) {
    const at = entry.lastIndexOf('=');
    if (at <= 0 || at === entry.length - 1) {
      throw new UsageError(
        `--map takes column=field, e.g. --map "手机号码=phone" or --map "Level=vip_level" (got "${entry}")`,
      );
    }
    const column = entry.slice(0, at).trim();
    if (map.has(column)) throw new UsageError(`--map: column "${column}" is mapped twice`);
    const field = entry.slice(at + 1).trim();
    try {
      targetOf(field);
    } catch (error) {
      throw new UsageError(`--map ${entry}: ${(error as Error).message}`);
    }
    map.set(column, field);
  }
  return map;
}

function describe(result: ImportResult): string {
  const lines = [
    `${result.listCreated ? 'Created list' : 'List'} "${result.listName}" (region ${result.region}): ${result.accepted} accepted (${result.inserted} new, ${result.merged} merged), ${result.rejectedCount} rejected of ${result.rows} rows.`,
    `File: ${result.format === 'xlsx' ? 'XLSX' : `CSV, ${result.encoding}`}, ${result.bytes.toLocaleString('en-US')} bytes in ${(result.durationMs / 1000).toFixed(1)} s. Columns: ${result.columns.map((c) => `${c.header} → ${c.field}`).join(', ')}`,
  ];
  return lines.join('\n');
}
