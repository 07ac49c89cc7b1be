/**
 * History's commands: `calls.export` (a page of CSV for the filter calls.list takes) and
 * `calls.recording` (a call's recording as the player needs it: format, peaks per channel and the
 * media path the transport serves it under, with a grant for the signed-in user: media-grants.ts).
 * `resolveRecordingMedia` is what the transports use to find the recording behind such a path.
 * Recordings are encrypted at rest: both decrypt through recording/reader.ts (peaks, and each
 * Range the player asks for), and a recording this workspace cannot decrypt (public-key mode
 * without the private key here) is refused with a message that says so.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';

import type { CommandHandlers } from '../api/dispatcher.js';
import { ApiError } from '../api/errors.js';
import { RECORDING_PEAKS_MAX, RECORDING_PEAKS_PER_SECOND } from '../api/history.js';
import { type Actor, AuditLog, requestActor, writeAudit } from '../audit/index.js';
import type { LiveSession } from '../auth/service.js';
import {
  joinRecordings,
  openRecording,
  RecordingKeyError,
  type RecordingKeys,
  type RecordingReader,
  RecordingReadError,
} from '../recording/index.js';
import { readPeaks } from '../recording/peaks.js';
import { readingBeside } from '../store/index.js';
import type { Store } from '../store/types.js';
import { exportCsv, type ExportMasking, exportRow } from './history-export.js';
import { MediaGrants, parseRecordingMediaPath, recordingMediaPath } from './media-grants.js';

export interface HistoryCommandDeps {
  store: Store;
  dataDir: string;
  /** Who exports or opens a recording, for the audit trail (each page of calls.export is an entry). */
  actor: Actor;
  /** Where recordings opened are audited (default: one over `store`). */
  audit?: AuditLog;
  /** Grants to fetch a recording over the media route (default: a fresh set). */
  grants?: MediaGrants;
  /** Whether a connection's sign-in still holds (its grants end with it); the engine's auth. */
  sessionAlive?: (session: LiveSession) => boolean;
  /** The workspace's recording keys (recordings are encrypted; recording/keys.ts); the engine's. */
  keys?: () => RecordingKeys;
  /** The masking settings' name and amount rules for masked exports (default: names masked, amounts not). */
  masking?: () => ExportMasking;
  /** Where other seats' recordings are read (default: nowhere, only this data folder). */
  share?: RecordingShare;
}

/**
 * Opens a call's recording for reading, as an ApiError when this workspace cannot: CONFLICT with
 * "encrypted for another key" when the key it needs is not here, or the file is damaged.
 */
export async function openCallRecording(
  path: string,
  callId: string,
  keys: RecordingKeys | null,
): Promise<RecordingReader> {
  try {
    return await openRecording(path, keys);
  } catch (error) {
    if (error instanceof RecordingKeyError)
      throw new ApiError(
        'CONFLICT',
        `The recording of call "${callId}" is encrypted for another key and cannot be played here: ${error.message}`,
        undefined,
        // History shows this as a state of the recording, not a failure (features/history).
        { recordingKey: error.code },
      );
    if (error instanceof RecordingReadError)
      throw new ApiError(
        'CONFLICT',
        `The recording of call "${callId}" cannot be read: ${error.message}`,
      );
    throw error;
  }
}

/**
 * Where this seat reads the recordings other seats made (issue 16 §4): recordings stay on the seat
 * that made them, in its `<data>/recordings` folder, which the admin shares (SMB, NFS) and mounts
 * on the other seats as `<share>/<seat id>`. The store knows which seat made each recording (its
 * call's seat) and its path in that seat's data folder.
 */
export interface RecordingShare {
  /** This engine's seat: a recording not in its own data folder is looked for under the share. */
  seatId: string;
  /** The folder holding every other seat's recordings folder as `<share>/<seat id>`; '' for none. */
  root: () => Promise<string>;
}

/** The recordings folder inside a data folder, as stored paths begin (`recordings/…`). */
const RECORDINGS_FOLDER = 'recordings';
/** A seat id as seat.ts accepts it: also safe as one folder name. */
const SEAT_FOLDER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** `root/relativePath` when it stays inside `root` and is a file there; else null. */
async function fileInside(
  root: string,
  relativePath: string,
): Promise<{ path: string; bytes: number } | null> {
  const path = resolve(root, relativePath);
  const inside = relative(root, path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return null;
  try {
    const info = await stat(path);
    return info.isFile() ? { path, bytes: info.size } : null;
  } catch {
    return null;
  }
}

/**
 * The absolute path of a call's finished recording, or null when the call has none (or the stored
 * path would leave the data folder, which only a tampered database could make it do). A recording
 * another seat made (its call's seat is not this one) is read through the recordings share, when
 * one is set: `<share>/<seat>/<path below recordings/>`.
 */
export async function recordingFile(
  store: Store,
  dataDir: string,
  callId: string,
  share?: RecordingShare,
): Promise<{ path: string; bytes: number; seatId?: string } | null> {
  const recording = await store.calls.recording(callId);
  if (!recording) return null;
  return locate(dataDir, recording, share);
}

/** A recording file made on this seat or (through the share) on the seat named. */
async function locate(
  dataDir: string,
  recording: { path: string; seatId?: string | null },
  share?: RecordingShare,
): Promise<{ path: string; bytes: number; seatId?: string } | null> {
  const local = await fileInside(resolve(dataDir), recording.path);
  const seat = recording.seatId ?? null;
  if (!share || seat === null || seat === share.seatId || !SEAT_FOLDER.test(seat)) return local;
  // Made on another seat: its file is there, even when this folder has one by the same name (a
  // call a REFER moved between seats has a part on each, both named after the call).
  const root = (await share.root()).trim();
  const below = relative(RECORDINGS_FOLDER, recording.path);
  if (root === '' || below === '' || below.startsWith('..') || isAbsolute(below)) return local;
  const shared = await fileInside(resolve(root, seat), below);
  return shared ? { ...shared, seatId: seat } : local;
}

/**
 * A call's whole recording (issue 16 §3): its first part (`first`, already open) and the parts
 * other seats recorded after a REFER moved the call there (recording_parts), each read from this
 * data folder or through the recordings share, joined as one WAV (silence where the next part
 * started after the last one ended). Null, with every part closed, when a later part cannot be
 * found here: History then says where it is rather than play half a call.
 */
async function withLaterParts(
  first: RecordingReader,
  store: Store,
  dataDir: string,
  callId: string,
  keys: RecordingKeys | null,
  share?: RecordingShare,
): Promise<RecordingReader | { missing: string }> {
  const parts = await store.seats.recordingParts(callId);
  if (parts.length === 0) return first;
  const answeredAt = (await store.calls.get(callId))?.answeredAt ?? null;
  const frameBytes = 2 * first.channels;
  const joined: Array<{ reader: RecordingReader; gapBytes: number }> = [
    { reader: first, gapBytes: 0 },
  ];
  let endsAt = answeredAt === null ? null : answeredAt + first.durationMs;
  try {
    for (const part of parts) {
      const file = await locate(dataDir, part, share);
      if (!file)
        return {
          missing: `part ${part.part} of the recording of call "${callId}" was made on seat ${part.seatId ?? '?'} and cannot be found here (${part.path}): is that seat's recordings folder mounted in the recordings share?`,
        };
      const reader = await openCallRecording(file.path, callId, keys);
      const gapMs = endsAt === null ? 0 : part.startedAt - endsAt;
      joined.push({
        reader,
        gapBytes: gapMs > 0 ? Math.round((gapMs * first.sampleRate) / 1000) * frameBytes : 0,
      });
      endsAt = part.startedAt + reader.durationMs;
    }
    return joinRecordings(joined);
  } catch (error) {
    await Promise.all(joined.map((j) => j.reader.close().catch(() => undefined)));
    throw error;
  } finally {
    if (joined.length <= parts.length)
      await Promise.all(joined.map((j) => j.reader.close().catch(() => undefined)));
  }
}

/** A recording as a media route serves it: the WAV's bytes by range, decrypted as they are read. */
export interface MediaSource {
  contentType: string;
  size: number;
  stream(start: number, end: number): Readable;
  close(): Promise<void>;
}

export function historyCommandHandlers({
  store,
  dataDir,
  actor,
  audit = new AuditLog(store),
  grants = new MediaGrants(),
  sessionAlive,
  keys,
  masking,
  share,
}: HistoryCommandDeps): Pick<CommandHandlers, 'calls.export' | 'calls.recording'> {
  return {
    'calls.export': async ({ limit, offset, unmasked, ...filter }, context) => {
      // Masked unless an admin asks otherwise (issue 15): the in-process local admin is an admin.
      const role = context?.principal?.role ?? 'admin';
      if (unmasked && role !== 'admin')
        throw new ApiError(
          'FORBIDDEN',
          `An unmasked export needs the role admin (you are signed in as ${role})`,
          'unmasked',
          { needs: ['admin'], role },
        );
      const rules = unmasked ? undefined : (masking?.() ?? { names: true, amounts: false });
      // The page's reads beside the writer's queue (a page of 1,000 calls is 1,001 reads).
      const { calls, total, rows } = await readingBeside(async () => {
        const page = await store.calls.list({ ...filter, limit, offset });
        const lines = [];
        for (const call of page.calls)
          lines.push(exportRow(call, await store.calls.utterances(call.id), rules));
        return { ...page, rows: lines };
      });
      const next = offset + calls.length;
      // Every page is an entry: pages can be asked for in any order, so none may go unrecorded.
      await writeAudit(store, requestActor(context, actor), {
        action: 'calls.export',
        subject: null,
        details: {
          filter: { ...filter },
          offset,
          rows: calls.length,
          total,
          ...(unmasked ? { unmasked: true } : {}),
        },
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
      const file = await recordingFile(store, dataDir, id, share);
      if (!file) {
        // Stored, but made on another seat this one cannot reach: say where it is.
        const stored = await store.calls.recording(id);
        const seat = stored?.seatId ?? null;
        if (stored && share && seat !== null && seat !== share.seatId) {
          const root = (await share.root()).trim();
          throw new ApiError(
            'NOT_FOUND',
            root === ''
              ? `The recording of call "${id}" is on seat ${seat}, and this seat has no recordings share set (Settings, Seat: the folder where each seat's recordings folder is mounted as <share>/<seat id>)`
              : `The recording of call "${id}" is on seat ${seat}, but ${join(root, seat)} does not hold it (${stored.path}): is that seat's recordings folder mounted there?`,
          );
        }
        throw new ApiError(
          'NOT_FOUND',
          `Call "${id}" has no recording (recording was off, or the call was not answered)`,
        );
      }
      const who = requestActor(context, actor);
      await audit.recordingPlayed(who, id, 'recordings.play');
      // The audio itself is fetched over the media route with a grant for who asked here.
      const session = context?.connection.session ?? null;
      const grant = grants.mint(
        id,
        who,
        session && sessionAlive ? () => sessionAlive(session) : undefined,
      );
      const whole = await withLaterParts(
        await openCallRecording(file.path, id, keys?.() ?? null),
        store,
        dataDir,
        id,
        keys?.() ?? null,
        share,
      );
      if ('missing' in whole)
        throw new ApiError('NOT_FOUND', `The recording of call "${id}": ${whole.missing}`);
      const reader = whole;
      let peaks;
      try {
        peaks = await readPeaks(reader, {
          perSecond: RECORDING_PEAKS_PER_SECOND,
          maxBins: RECORDING_PEAKS_MAX,
        });
      } finally {
        await reader.close();
      }
      return {
        callId: id,
        durationMs: peaks.durationMs,
        channels: peaks.channels,
        sampleRate: peaks.sampleRate,
        // The recorder's layout (recording/index.ts): the customer left, what went out to them right.
        channelRoles: peaks.peaks.map((_, index) => (index === 0 ? 'customer' : 'outgoing')),
        peaks: peaks.peaks,
        binMs: peaks.binMs,
        mediaPath: recordingMediaPath(id, grant),
        bytes: reader.size,
      };
    },
  };
}

/**
 * What a transport serves for a (decoded) media path, `recordings/<callId>/<grant>`, and for whom
 * the grant was minted (the audit names them); null for any other path, a grant that is not good
 * for that call any more (media-grants.ts), or a call without a recording. Both shells use it: the
 * headless server at GET /media/<path>, Electron's `outbound-media://` protocol.
 */
export async function resolveRecordingMedia(
  store: Store,
  dataDir: string,
  grants: MediaGrants,
  mediaPath: string,
  keys: RecordingKeys | null,
  share?: RecordingShare,
): Promise<{ reader: RecordingReader; contentType: string; callId: string; actor: Actor } | null> {
  // The path arrives decoded (the transport decodes the URL once).
  const parsed = parseRecordingMediaPath(mediaPath);
  if (!parsed) return null;
  const actor = grants.use(parsed.callId, parsed.grant);
  if (!actor) return null;
  const file = await recordingFile(store, dataDir, parsed.callId, share);
  if (!file) return null;
  // A recording this workspace cannot decrypt is "no such media" here; calls.recording says why.
  const first = await openRecording(file.path, keys).catch((error: unknown) => {
    if (error instanceof RecordingKeyError || error instanceof RecordingReadError) return null;
    throw error;
  });
  if (!first) return null;
  const reader = await withLaterParts(first, store, dataDir, parsed.callId, keys, share).catch(
    (error: unknown) => {
      if (error instanceof ApiError) return null;
      throw error;
    },
  );
  if (!reader || 'missing' in reader) return null;
  return { reader, contentType: 'audio/wav', callId: parsed.callId, actor };
}
