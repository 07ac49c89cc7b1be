/**
 * `outbound dnc add|import|list|remove`: the do-not-call list, through the same API commands the
 * console uses (dnc.add / dnc.list / dnc.remove): sent to a running `outbound serve`, else on an
 * engine started for the command (see engine.ts).
 *
 * Numbers are stored as E.164; one without a country code is read in --region, else the
 * workspace's default region (Settings, CN unless changed). `dnc import` reports every bad line
 * with its line number and reason and stores the good numbers in one transaction: a file is never
 * half-imported. Exit codes: 0 done (an import with some bad lines too), 1 nothing importable or a
 * failure, 2 usage mistake (including a number or region the command refuses).
 */
import { readFile } from 'node:fs/promises';

import iconv from 'iconv-lite';

import type { DncEntryView } from '../engine/api/index.js';
import { detectEncoding } from '../engine/contacts/index.js';
import { assertRegion, parseDncFile } from '../engine/dialer/index.js';
import type { Logger } from '../engine/index.js';
import { type ApiRequest, withWorkspaceApi } from './engine.js';
import type { Output } from './output.js';
import { UsageError } from './usage.js';

export interface DncCommandOptions {
  dataDir: string;
  version: string;
  log: Logger;
  reason?: string;
  region?: string;
}

/** dnc.list pages at most this many; `dnc list` reads them all page by page. */
const PAGE = 10_000;

export async function dncCommand(
  args: string[],
  options: DncCommandOptions,
  out: Output,
): Promise<number> {
  const [sub, ...rest] = args;
  if (options.region !== undefined) {
    try {
      assertRegion(options.region);
    } catch (error) {
      throw new UsageError(`--region ${(error as Error).message}`);
    }
  }
  if (sub !== 'add' && options.reason !== undefined)
    throw new UsageError(`--reason is an option of "dnc add", not of "dnc ${sub ?? ''}"`.trimEnd());
  if (sub === 'add' || sub === 'remove') {
    const [number, ...extra] = rest;
    if (number === undefined)
      throw new UsageError(`dnc ${sub} needs a NUMBER, e.g. outbound dnc ${sub} 13800138000`);
    if (extra.length > 0)
      throw new UsageError(`dnc ${sub} takes one NUMBER (got also "${extra.join(' ')}")`);
    const region = options.region === undefined ? {} : { region: options.region };
    if (sub === 'add') {
      return withEngine(options, out, async (request) => {
        const reason = options.reason === undefined ? {} : { reason: options.reason };
        const result = (await request('dnc.add', { numbers: [number], ...reason, ...region })) as {
          numbers: string[];
          added: number;
        };
        const phone = result.numbers[0] ?? number;
        out.record(
          { event: 'dnc.added', phone, added: result.added === 1 },
          result.added === 1
            ? `Added ${phone} to the do-not-call list.`
            : `${phone} was already on the do-not-call list (its first reason and date are kept).`,
        );
        return 0;
      });
    }
    return withEngine(options, out, async (request) => {
      const result = (await request('dnc.remove', { number, ...region })) as {
        phone: string;
        removed: boolean;
      };
      out.record(
        { event: 'dnc.removed', phone: result.phone, removed: result.removed },
        result.removed
          ? `Removed ${result.phone} from the do-not-call list.`
          : `${result.phone} was not on the do-not-call list.`,
      );
      return 0;
    });
  }
  if (sub === 'import') {
    const [file, ...extra] = rest;
    if (file === undefined)
      throw new UsageError(
        'dnc import needs a FILE: one number per line, or a CSV with a phone column',
      );
    if (extra.length > 0)
      throw new UsageError(`dnc import takes one FILE (got also "${extra.join(' ')}")`);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      out.error('FAILED', `cannot read ${file}: ${(error as Error).message}`);
      return 1;
    }
    return withEngine(options, out, async (request) => {
      const region = assertRegion(
        options.region ??
          ((await request('settings.get')) as { defaultRegion: string }).defaultRegion,
      );
      let parsed;
      try {
        // GBK/GB18030 files from Chinese Excel read like UTF-8 ones (the contact import's detection).
        const text =
          detectEncoding(bytes, true) === 'gb18030'
            ? iconv.decode(bytes, 'gb18030')
            : bytes.toString('utf8');
        parsed = parseDncFile(text, region);
      } catch (error) {
        out.error('FAILED', `${file}: ${(error as Error).message}`);
        return 1;
      }
      for (const bad of parsed.rejected)
        out.record({ event: 'dnc.rejected', ...bad }, `line ${bad.line}: ${bad.reason}`);
      if (parsed.entries.length === 0) {
        out.error(
          'FAILED',
          `${file}: no line holds a valid number (${parsed.rejected.length} rejected); nothing was imported`,
        );
        return 1;
      }
      const result = (await request('dnc.add', {
        numbers: parsed.entries.map((e) =>
          e.reason === null ? e.phone : { number: e.phone, reason: e.reason },
        ),
        source: 'import',
      })) as { added: number; alreadyListed: number };
      const summary = {
        file,
        format: parsed.format,
        region,
        added: result.added,
        alreadyListed: result.alreadyListed,
        duplicates: parsed.duplicates,
        rejected: parsed.rejected.length,
      };
      out.record(
        { event: 'dnc.imported', ...summary },
        `Imported ${file}: ${result.added} added, ${result.alreadyListed} already listed, ${parsed.duplicates} duplicate lines merged, ${parsed.rejected.length} lines rejected.`,
      );
      return 0;
    });
  }
  if (sub === 'list') {
    if (rest.length > 0)
      throw new UsageError(`dnc list takes no arguments (got "${rest.join(' ')}")`);
    if (options.region !== undefined)
      throw new UsageError(
        '--region is an option of "dnc add", "dnc import" and "dnc remove", not of "dnc list"',
      );
    return withEngine(options, out, async (request) => {
      const entries: DncEntryView[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = (
          (await request('dnc.list', { limit: PAGE, offset })) as { entries: DncEntryView[] }
        ).entries;
        entries.push(...page);
        if (page.length < PAGE) break;
      }
      out.record({ event: 'dnc', count: entries.length, entries }, formatTable(entries));
      return 0;
    });
  }
  throw new UsageError(
    sub === undefined
      ? 'dnc needs a subcommand: add, import, list or remove'
      : `unknown dnc subcommand "${sub}" (use add, import, list or remove)`,
  );
}

/** Runs `work` on the workspace's API (see engine.ts); a refusal names the argument or option. */
function withEngine(
  options: DncCommandOptions,
  out: Output,
  work: (request: ApiRequest) => Promise<number>,
): Promise<number> {
  return withWorkspaceApi(options, out, work, (error) => {
    if (error.code !== 'INVALID_PARAMS') {
      out.error(error.code, error.message);
      return 1;
    }
    // "numbers.0: invalid phone number …" → "NUMBER: invalid phone number …"
    const option =
      error.field?.startsWith('numbers') || error.field === 'number'
        ? 'NUMBER'
        : error.field === 'region'
          ? '--region'
          : error.field;
    const marker = `${error.field ?? ''}: `;
    const at = error.message.indexOf(marker);
    const message =
      error.field === undefined || at === -1
        ? error.message
        : error.message.slice(at + marker.length);
    out.error(
      'INVALID_PARAMS',
      option ? `${option}: ${message}` : message,
      error.field === undefined ? undefined : { field: error.field, option },
    );
    return 2;
  });
}

function formatTable(entries: DncEntryView[]): string {
  if (entries.length === 0)
    return 'The do-not-call list is empty. Add a number with: outbound dnc add NUMBER [--reason R]';
  const header = ['PHONE', 'SOURCE', 'ADDED', 'REASON'];
  const rows = entries.map((e) => [
    e.phone,
    e.source,
    new Date(e.createdAt).toISOString().replace('T', ' ').slice(0, 16),
    e.reason ?? '-',
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
