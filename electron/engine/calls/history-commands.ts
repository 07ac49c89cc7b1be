/**
 * History's commands: `calls.export` (a page of CSV for the filter calls.list takes) and
 * `calls.recording` (a call's recording as the player needs it: format, peaks per channel and the
 * media path the transport serves it under). `recordingFile` is what the transports use to find
 * the file behind `recordings/<callId>`.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

import type { CommandHandlers } from '../api/dispatcher.js';
import { ApiError } from '../api/errors.js';
import { RECORDING_PEAKS_MAX, RECORDING_PEAKS_PER_SECOND } from '../api/history.js';
import { type Actor, AuditLog, requestActor, writeAudit } from '../audit/index.js';
import { readPeaks } from '../recording/peaks.js';
import type { Store } from '../store/types.js';
import { exportCsv, exportRow } from './history-export.js';

export interface HistoryCommandDeps {
  store: Store;
  dataDir: string;
  /** Who exports or opens a recording, for the audit trail (each page of calls.export is an entry). */
  actor: Actor;
  /** Where recordings opened are audited (default: one over `store`). */
  audit?: AuditLog;
}

/** The media path of a call's recording under the transport's media root. */
export function recordingMediaPath(callId: string): string {
  return `recordings/${encodeURIComponent(callId)}`;
}

/**
 * The absolute path of a call's finished recording, or null when the call has none (or the stored
 * path would leave the data folder, which only a tampered database could make it do).
 */
export async function recordingFile(
  store: Store,
  dataDir: string,
  callId: string,
): Promise<{ path: string; bytes: number } | null> {
  const recording = await store.calls.recording(callId);
  if (!recording) return null;
  const root = resolve(dataDir);
  const path = resolve(root, recording.path);
  const inside = relative(root, path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return null;
  try {
    const info = await stat(path);
    return info.isFile() ? { path, bytes: info.size } : null;
  } catch {
    return null;
  }
}

export function historyCommandHandlers({
  store,
  dataDir,
  actor,
  audit = new AuditLog(store),
}: HistoryCommandDeps): Pick<CommandHandlers, 'calls.export' | 'calls.recording'> {
  return {
    'calls.export': async ({ limit, offset, ...filter }, context) => {
      const { calls, total } = await store.calls.list({ ...filter, limit, offset });
      const rows = [];
      for (const call of calls) rows.push(exportRow(call, await store.calls.utterances(call.id)));
      const next = offset + calls.length;
      // Every page is an entry: pages can be asked for in any order, so none may go unrecorded.
      await writeAudit(store, requestActor(context, actor), {
        action: 'calls.export',
        subject: null,
        details: { filter: { ...filter }, offset, rows: calls.length, total },
      });
      return {
        csv: exportCsv(rows, offset === 0),
        rows: calls.length,
        total,
        nextOffset: calls.length > 0 && next < total ? next : null,
      };
    },
    'calls.recording': async ({ id }, context) => {
      if (!(await store.calls.get(id))) throw new ApiError('NOT_FOUND', `No call with id "${id}"`);
      const file = await recordingFile(store, dataDir, id);
      if (!file)
        throw new ApiError(
          'NOT_FOUND',
          `Call "${id}" has no recording (recording was off, or the call was not answered)`,
        );
      await audit.recordingPlayed(requestActor(context, actor), id, 'recordings.play');
      const peaks = await readPeaks(file.path, {
        perSecond: RECORDING_PEAKS_PER_SECOND,
        maxBins: RECORDING_PEAKS_MAX,
      });
      return {
        callId: id,
        durationMs: peaks.durationMs,
        channels: peaks.channels,
        sampleRate: peaks.sampleRate,
        // The recorder's layout (recording/index.ts): the customer left, what went out to them right.
        channelRoles: peaks.peaks.map((_, index) => (index === 0 ? 'customer' : 'outgoing')),
        peaks: peaks.peaks,
        binMs: peaks.binMs,
        mediaPath: recordingMediaPath(id),
        bytes: file.bytes,
      };
    },
  };
}

/**
 * What a transport serves for a (decoded) media path (`recordings/<callId>`), or null. Both shells use it:
 * the headless server at GET /media/<path>, Electron's `outbound-media://` protocol.
 */
export async function resolveMediaPath(
  store: Store,
  dataDir: string,
  mediaPath: string,
): Promise<{ path: string; contentType: string } | null> {
  // The path arrives decoded (the transport decodes the URL once).
  const callId = /^recordings\/([^/]+)$/.exec(mediaPath)?.[1];
  if (!callId) return null;
  const file = await recordingFile(store, dataDir, callId);
  return file && { path: file.path, contentType: 'audio/wav' };
}
