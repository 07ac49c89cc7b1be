/**
 * `outbound privacy purge|erase|export`: retention and personal-data requests (issue 15 §4,
 * retention/), through the same privacy.* commands as the Settings page: sent to a running
 * `outbound serve`, else on an engine started for the command (see engine.ts).
 *
 * - `privacy purge [--dry-run]`: delete now what is past each kind's retention (or say what would go).
 * - `privacy erase NUMBER`: erase one person's data. It cannot be undone, so the number is asked
 *   for a second time on a terminal; `--yes` confirms without asking (scripts), and without a
 *   terminal `--yes` is required.
 * - `privacy export NUMBER --out FILE.zip`: the person's data as a zip (an access request).
 *
 * Never prints the number it erased; the erasure is named by its reference (the keyed hash's first
 * 12 hex digits), as in the audit trail. Exit codes: 0 done, 1 refused or failed, 2 usage mistake.
 */
import { open, rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';

import type { EraseReportView, PurgeReportView } from '../engine/api/index.js';
import type { Logger } from '../engine/index.js';
import { type ApiRequest, withWorkspaceApi } from './engine.js';
import type { Output } from './output.js';
import { UsageError } from './usage.js';

export interface PrivacyCommandOptions {
  dataDir: string;
  version: string;
  log: Logger;
  region?: string;
  dryRun?: boolean;
  out?: string;
  yes?: boolean;
  /** Asks the question on the terminal and returns the answer; absent: no terminal. */
  ask?: (question: string) => Promise<string>;
}

const KINDS = ['recordings', 'transcripts', 'calls', 'contacts', 'audit'] as const;

export async function privacyCommand(
  args: string[],
  options: PrivacyCommandOptions,
  out: Output,
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'purge' && options.dryRun)
    throw new UsageError('--dry-run is an option of "privacy purge"');
  if (sub !== 'export' && options.out !== undefined)
    throw new UsageError('--out is an option of "privacy export"');
  if (sub === 'purge') {
    if (rest.length > 0)
      throw new UsageError(`privacy purge takes no arguments (got "${rest.join(' ')}")`);
    return withEngine(options, out, async (request) => {
      const report = (await request('privacy.purge', {
        dryRun: options.dryRun ?? false,
      })) as PurgeReportView;
      const r = report.removed;
      const kept = KINDS.filter((k) => report.cutoffs[k] === null);
      out.record(
        { event: report.dryRun ? 'privacy.purgePreview' : 'privacy.purged', ...report },
        [
          `${report.dryRun ? 'A purge now would delete' : 'Purged'}: ${r.recordings} recordings (${r.recordingBytes} bytes), ${r.transcripts} transcript lines, ${r.calls} calls, ${r.contacts} contacts, ${r.audit} audit entries (${report.durationMs} ms).`,
          ...(kept.length > 0 ? [`Kept forever (no retention set): ${kept.join(', ')}.`] : []),
          ...report.errors.map((e) => `Not deleted: ${e}`),
        ].join('\n'),
      );
      return report.errors.length > 0 ? 1 : 0;
    });
  }
  if (sub === 'erase' || sub === 'export') {
    const [number, ...extra] = rest;
    if (number === undefined)
      throw new UsageError(
        `privacy ${sub} needs a NUMBER, e.g. outbound privacy ${sub} 13800138000`,
      );
    if (extra.length > 0)
      throw new UsageError(`privacy ${sub} takes one NUMBER (got also "${extra.join(' ')}")`);
    const region = options.region === undefined ? {} : { region: options.region };
    if (sub === 'export') {
      if (options.out === undefined)
        throw new UsageError('privacy export needs --out FILE.zip, where the zip is written');
      const target = resolve(options.out);
      return withEngine(options, out, (request) => exportTo(request, number, region, target, out));
    }
    let confirm = number;
    if (!options.yes) {
      if (!options.ask)
        throw new UsageError(
          'privacy erase cannot be undone: run it on a terminal to confirm, or add --yes',
        );
      confirm = (
        await options.ask('Erasing cannot be undone. Type the number again to erase it: ')
      ).trim();
    }
    return withEngine(options, out, async (request) => {
      const report = (await request('privacy.erase', {
        number,
        confirm,
        ...region,
      })) as EraseReportView;
      const c = report.counts;
      out.record(
        { event: 'privacy.erased', ...report },
        [
          `Erased (reference ${report.reference}): ${c.contacts} contacts, ${c.calls} calls, ${c.recordings} recordings, ${c.utterances} transcript lines, ${c.labels} labelled clips; ${c.rewritten} other rows and ${c.audit} audit entries had the number removed; ${report.files.deleted} files deleted (${report.files.bytes} bytes), ${report.files.scrubbed} files scrubbed.`,
          'The number stays on the do-not-call list as a keyed hash.',
          ...report.errors.map((e) => `Not done: ${e}`),
        ].join('\n'),
      );
      return report.errors.length > 0 ? 1 : 0;
    });
  }
  throw new UsageError(
    sub === undefined
      ? 'privacy needs a subcommand: purge, erase or export'
      : `unknown privacy subcommand "${sub}" (purge, erase or export)`,
  );
}

async function exportTo(
  request: ApiRequest,
  number: string,
  region: { region?: string },
  target: string,
  out: Output,
): Promise<number> {
  const made = (await request('privacy.export', { number, ...region })) as {
    exportId: string;
    bytes: number;
    calls: number;
    recordings: number;
    contacts: number;
  };
  const partial = `${target}.partial`;
  const file = await open(partial, 'w', 0o600);
  try {
    for (let offset = 0; ;) {
      const chunk = (await request('privacy.exportChunk', { exportId: made.exportId, offset })) as {
        data: string;
        done: boolean;
      };
      const bytes = Buffer.from(chunk.data, 'base64');
      await file.write(bytes, 0, bytes.length, offset);
      offset += bytes.length;
      if (chunk.done) break;
    }
  } catch (error) {
    await file.close();
    await rm(partial, { force: true });
    throw error;
  }
  await file.close();
  await rename(partial, target);
  out.record(
    { event: 'privacy.exported', path: target, ...made },
    `Wrote ${target} (${made.bytes} bytes): ${made.contacts} contacts, ${made.calls} calls, ${made.recordings} recordings.`,
  );
  return 0;
}

function withEngine(
  options: PrivacyCommandOptions,
  out: Output,
  work: (request: ApiRequest) => Promise<number>,
): Promise<number> {
  return withWorkspaceApi(options, out, work, (error) => {
    const option =
      error.field === 'number' ? 'NUMBER: ' : error.field === 'confirm' ? 'the confirmation: ' : '';
    out.error(error.code, `${option}${error.message.replace(/^(number|confirm): /, '')}`);
    return error.code === 'INVALID_PARAMS' && error.field === 'number' ? 2 : 1;
  });
}

/** A question on the terminal (stderr, so --json output stays clean); null without one. */
export function terminalQuestion(): ((question: string) => Promise<string>) | undefined {
  if (!process.stdin.isTTY) return undefined;
  return async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  };
}
