/**
 * Erasure of one person on request (PIPL art. 47, the right to deletion). Given a number in any
 * format, it finds every contact and call with it (any stored format) and:
 * - deletes the contacts (their campaign rows go with them), the calls with their events, state
 *   changes, transcript lines, labels and recording rows;
 * - rewrites, with the number replaced by "[erased]", other rows whose text mentions it (contact
 *   fields, call notes, transcript lines and call events of other calls) and the audit entries
 *   that mention it (kept, anonymised: the audit trail must still say what was done);
 * - replaces a DNC entry for it by a keyed hash (dnc-key.ts), and adds one if there was none, so
 *   the person is never called again;
 * - then deletes the files: the recordings (every file named after the call), labelled clips, and
 *   the lines of import rejects and log files that hold it (an uploaded import file that holds it is
 *   deleted whole);
 * - and folds the WAL into the database file, truncated, with SQLite's secure_delete on (set for
 *   every connection by the store), so freed pages do not keep the number.
 * The database part is one transaction; files are deleted after it commits, so a failure never
 * leaves rows pointing at deleted audio. A call to the number still in progress refuses the erasure.
 */
import { open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

import { type Actor, writeAudit } from '../audit/index.js';
import type { EraseCounts, ErasePlan, Store } from '../store/types.js';
import type { DncDigest } from './dnc-key.js';
import { RecordingsListing } from './files.js';
import {
  lastDigits,
  mentionsNumber,
  type NumberForms,
  scrubJson,
  scrubNumber,
} from './number-forms.js';

export interface EraseDeps {
  store: Store;
  dataDir: string;
  recordingsDir: string;
  /** Where labelled clips live (`utterance_labels.clip_path` is relative to it). */
  phraseRecordingsDir: string;
  digest: DncDigest;
}

export interface EraseReport {
  /** The first 12 hex digits of the number's keyed hash: names the erasure without the number. */
  reference: string;
  counts: EraseCounts;
  files: { deleted: number; bytes: number; scrubbed: number };
  /** Files that could not be deleted or scrubbed, by path relative to the data folder. */
  errors: string[];
}

export class EraseConflictError extends Error {
  override readonly name = 'EraseConflictError';
}

// Text files in the workspace that may hold a number: import uploads and rejects, logs, exports.
const SCRUBBED_EXTENSIONS = /\.(csv|tsv|txt|log|json|jsonl|ndjson)$/i;
// Never scanned: the database (erased by SQL) and the audio folders (deleted by call and label).
const SKIPPED_TOP = new Set(['recordings', 'phrase-recordings']);
// Binary files found holding the number here are deleted whole: uploads wait for an import, and
// caches are rebuilt on demand (personal prompts are never cached on disk, so none should match).
const DELETABLE_TOP = new Set(['imports', 'cache']);
const MAX_SCRUB_BYTES = 256 * 1024 * 1024;

export async function erasePerson(
  deps: EraseDeps,
  forms: NumberForms,
  actor: Actor,
): Promise<EraseReport> {
  const { store } = deps;
  const phones = forms.literals;
  if (await store.privacy.hasOpenCall(phones))
    throw new EraseConflictError(
      'A call to this number is in progress: erase it after the call has ended.',
    );
  const found = await store.privacy.findPerson(phones, lastDigits(forms));
  const digest = deps.digest(forms.e164);
  const reference = digest.slice(0, 12);
  const scrubRows = <T extends { text: string }>(rows: T[], json: boolean) =>
    rows
      .filter((r) => mentionsNumber(r.text, forms))
      .map((r) => ({ ...r, text: json ? scrubJson(r.text, forms) : scrubNumber(r.text, forms) }));
  const plan: ErasePlan = {
    contactIds: found.contactIds,
    callIds: found.callIds,
    contactFields: scrubRows(found.contactFields, true),
    callNotes: scrubRows(found.callNotes, false),
    utterances: scrubRows(found.utterances, false),
    callEvents: scrubRows(found.callEvents, true),
    audit: found.audit
      .filter((a) => mentionsNumber(`${a.subject ?? ''} ${a.details}`, forms))
      .map((a) => ({
        ...a,
        subject: a.subject === null ? null : scrubNumber(a.subject, forms),
        details: scrubJson(a.details, forms),
      })),
    dncPhones: phones,
    dncDigest: digest,
  };
  const counts = await store.transaction(async (tx) => {
    const done = await tx.privacy.erase(plan);
    await writeAudit(tx, actor, {
      action: 'privacy.erase',
      subject: `erasure ${reference}`,
      details: { ...done },
    });
    return done;
  });
  const report: EraseReport = {
    reference,
    counts,
    files: { deleted: 0, bytes: 0, scrubbed: 0 },
    errors: [],
  };
  const dataDir = resolve(deps.dataDir);
  const remove = async (path: string) => {
    try {
      const size = await sizeOf(path);
      await rm(path, { recursive: true, force: true });
      report.files.deleted++;
      report.files.bytes += size;
    } catch (error) {
      report.errors.push(`${relative(dataDir, path)}: ${(error as Error).message}`);
    }
  };
  const listing = await RecordingsListing.read(dataDir, deps.recordingsDir);
  const recorded = new Map(found.recordings.map((r) => [r.callId, r.path]));
  for (const callId of found.callIds)
    for (const path of listing.filesOf({ callId, path: recorded.get(callId) ?? '' }))
      await remove(path);
  for (const clip of found.labelClips) await remove(resolve(deps.phraseRecordingsDir, clip));
  await scrubFiles(dataDir, forms, report);
  await store.privacy.checkpoint();
  return report;
}

async function sizeOf(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isDirectory()) return s.size;
    let total = 0;
    for (const name of await readdir(path)) total += await sizeOf(join(path, name));
    return total;
  } catch {
    return 0;
  }
}

/** Every text file of the workspace that holds the number loses those lines. */
async function scrubFiles(dataDir: string, forms: NumberForms, report: EraseReport): Promise<void> {
  for await (const path of walk(dataDir, true)) {
    const name = relative(dataDir, path);
    try {
      const info = await stat(path);
      if (info.size === 0 || info.size > MAX_SCRUB_BYTES) continue;
      const text = SCRUBBED_EXTENSIONS.test(path);
      // Text is read line by line for the number in any format (every format holds its last four
      // digits); other files are matched on the number's literal forms.
      const needles = text ? [lastDigits(forms)] : forms.literals;
      if (!(await holdsAny(path, needles))) continue;
      if (!text) {
        // An import's uploaded spreadsheet: the person's row cannot be cut out, so the upload goes
        // (the admin uploads it again; the import refuses the erased number).
        if (DELETABLE_TOP.has(name.split(/[\\/]/)[0] ?? '')) {
          await rm(path, { force: true });
          report.files.deleted++;
          report.files.bytes += info.size;
        } else report.errors.push(`${name}: holds the number and is not a text file`);
        continue;
      }
      const lines = (await readFile(path, 'utf8')).split(/(?<=\n)/);
      const kept = lines.filter((line) => !mentionsNumber(line, forms));
      if (kept.length === lines.length) continue;
      await writeFile(path, kept.join(''));
      report.files.scrubbed++;
    } catch (error) {
      report.errors.push(`${name}: ${(error as Error).message}`);
    }
  }
}

async function* walk(dir: string, top: boolean): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (top && SKIPPED_TOP.has(entry.name)) continue;
    // The database and its WAL and shared-memory files are erased by SQL; the lock and key files hold no numbers.
    if (top && /^outbound\.db(-wal|-shm|-journal)?$/.test(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path, false);
    else if (entry.isFile()) yield path;
  }
}

/** True when the file's bytes hold one of `strings` (read in 1 MiB chunks). */
async function holdsAny(path: string, strings: readonly string[]): Promise<boolean> {
  const needles = strings.map((l) => Buffer.from(l, 'utf8'));
  const overlap = Math.max(...needles.map((n) => n.length));
  const handle = await open(path, 'r');
  try {
    const chunk = Buffer.alloc(1024 * 1024 + overlap);
    let carried = 0;
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, carried, chunk.length - carried, position);
      if (bytesRead === 0) return false;
      position += bytesRead;
      const view = chunk.subarray(0, carried + bytesRead);
      if (needles.some((n) => view.includes(n))) return true;
      carried = Math.min(overlap, view.length);
      view.copy(chunk, 0, view.length - carried);
    }
  } finally {
    await handle.close();
  }
}
