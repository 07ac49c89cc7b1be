/**
 * The purge: deletes what is past its retention period (Settings' retention*Days), from the
 * database and the disk, and reports what it removed. Each kind goes in batches of `batchSize`
 * rows, one short transaction each, with a turn of the event loop between them, so calls and the
 * dialer keep running beside a purge of a large workspace.
 *
 * What "past retention" means, per kind (the day is 24 h; the age is from the call's start, the
 * recording's creation, the contact's last change, the entry's time):
 * - recordings: the audio file and its index row; the call record stays.
 * - transcripts: the transcript lines of finished calls.
 * - calls: finished call records with their events and state changes (and any recording and
 *   transcript still there).
 * - contacts: contacts not changed, not called and not waiting in a campaign within the period.
 * - audit: audit entries (never less than 365 days: the setting refuses it).
 * Open calls are never touched.
 */
import { rm } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';

import type { Settings } from '../api/contract.js';
import type {
  RetentionCounts,
  RetentionCutoffs,
  Store,
  StoredRecordingFile,
} from '../store/types.js';
import { RecordingsListing } from './files.js';

export const DAY_MS = 86_400_000;
export const DEFAULT_PURGE_BATCH = 500;

export interface PurgeReport {
  /** When the purge started (epoch ms). */
  at: number;
  dryRun: boolean;
  /** What started it: the daily timer, the start-up catch-up, or a person. */
  trigger: 'daily' | 'startup' | 'manual';
  /** The cut-offs used (epoch ms; null: kept forever). */
  cutoffs: RetentionCutoffs;
  removed: RetentionCounts;
  durationMs: number;
  /** Files that could not be deleted (the row is kept so the next purge tries again). */
  errors: string[];
}

export interface PurgeDeps {
  store: Store;
  dataDir: string;
  recordingsDir: string;
  now?: () => number;
  batchSize?: number;
}

export function cutoffsFor(settings: Settings, now: number): RetentionCutoffs {
  const before = (days: number | null) => (days === null ? null : now - days * DAY_MS);
  return {
    recordings: before(settings.retentionRecordingsDays),
    transcripts: before(settings.retentionTranscriptsDays),
    calls: before(settings.retentionCallsDays),
    contacts: before(settings.retentionContactsDays),
    audit: before(settings.retentionAuditDays),
  };
}

export async function purge(
  deps: PurgeDeps,
  settings: Settings,
  options: { dryRun?: boolean; trigger?: PurgeReport['trigger'] } = {},
): Promise<PurgeReport> {
  const now = deps.now ?? Date.now;
  const at = now();
  const cutoffs = cutoffsFor(settings, at);
  const report: PurgeReport = {
    at,
    dryRun: options.dryRun ?? false,
    trigger: options.trigger ?? 'manual',
    cutoffs,
    removed: { recordings: 0, recordingBytes: 0, transcripts: 0, calls: 0, contacts: 0, audit: 0 },
    durationMs: 0,
    errors: [],
  };
  if (report.dryRun) {
    report.removed = await deps.store.privacy.countBefore(cutoffs);
    report.durationMs = now() - at;
    return report;
  }
  const batch = deps.batchSize ?? DEFAULT_PURGE_BATCH;
  const { store } = deps;
  const failed = new Set<string>();

  /** Deletes the files, then the rows of those whose files are gone. */
  const dropRecordings = async (files: StoredRecordingFile[]): Promise<string[]> => {
    const gone: string[] = [];
    if (files.length === 0) return gone;
    const listing = await RecordingsListing.read(deps.dataDir, deps.recordingsDir);
    for (const file of files) {
      try {
        for (const path of listing.filesOf(file)) await rm(path, { recursive: true, force: true });
        gone.push(file.callId);
        report.removed.recordings++;
        report.removed.recordingBytes += file.bytes;
      } catch (error) {
        failed.add(file.callId);
        report.errors.push(`recording of call ${file.callId}: ${(error as Error).message}`);
      }
    }
    return gone;
  };

  if (cutoffs.recordings !== null) {
    for (;;) {
      const files = (
        await store.privacy.recordingsBefore(cutoffs.recordings, batch + failed.size)
      ).filter((f) => !failed.has(f.callId));
      if (files.length === 0) break;
      await store.privacy.deleteRecordingRows(await dropRecordings(files));
      await nextTurn();
    }
  }
  if (cutoffs.transcripts !== null) {
    for (;;) {
      const n = await store.privacy.deleteUtterancesBefore(cutoffs.transcripts, batch);
      report.removed.transcripts += n;
      if (n < batch) break;
      await nextTurn();
    }
  }
  if (cutoffs.calls !== null) {
    for (;;) {
      const { callIds, recordings } = await store.privacy.callsBefore(
        cutoffs.calls,
        batch + failed.size,
      );
      const wanted = callIds.filter((id) => !failed.has(id));
      if (wanted.length === 0) break;
      const gone = new Set(await dropRecordings(recordings.filter((r) => !failed.has(r.callId))));
      const withRecording = new Set(recordings.map((r) => r.callId));
      const deletable = wanted.filter((id) => !withRecording.has(id) || gone.has(id));
      report.removed.calls += await store.privacy.deleteCalls(deletable);
      await nextTurn();
    }
  }
  if (cutoffs.contacts !== null) {
    for (;;) {
      const n = await store.privacy.deleteContactsBefore(cutoffs.contacts, batch);
      report.removed.contacts += n;
      if (n < batch) break;
      await nextTurn();
    }
  }
  if (cutoffs.audit !== null) {
    for (;;) {
      const n = await store.privacy.deleteAuditBefore(cutoffs.audit, batch);
      report.removed.audit += n;
      if (n < batch) break;
      await nextTurn();
    }
  }
  report.durationMs = now() - at;
  return report;
}
