/**
 * After a crash: calls the last run left open are closed with a recorded reason, and their
 * recordings (segments written while the call ran) are finalized and indexed, so History shows
 * what happened and keeps what was heard.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

import type { Logger } from '../log.js';
import { PARTS_SUFFIX, type RecordingKeys, recoverRecordings } from '../recording/index.js';
import type { Store } from '../store/types.js';

export interface RecoveryReport {
  closedCalls: number;
  recoveredRecordings: number;
  unrecoverable: Array<{ callId: string; error: string }>;
}

export async function closeInterruptedCalls(
  store: Store,
  dataDir: string,
  recordingsDir: string,
  log: Logger,
  /** The recording keys: recovery seals a torn recording's end, and encrypts old plaintext parts. */
  keys: () => RecordingKeys,
  /** This engine's seat: on a store other seats share, their live calls are never closed here. */
  seatId?: string,
): Promise<RecoveryReport> {
  const report: RecoveryReport = { closedCalls: 0, recoveredRecordings: 0, unrecoverable: [] };
  let recovered: Awaited<ReturnType<typeof recoverRecordings>> = [];
  // Read before recovery joins (and removes) the parts: when each call last wrote audio.
  const lastWrites = await lastPartWrites(recordingsDir);
  try {
    recovered = await recoverRecordings(recordingsDir, keys(), log);
  } catch (error) {
    // Unreadable recording keys (or folder) must not keep the calls open: the parts stay on disk
    // for the next start, and the calls are closed below all the same.
    log.error('Recovering the recordings left by the last run failed; their parts are kept', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
  const byCall = new Map<string, (typeof recovered)[number]>();
  for (const item of recovered) byCall.set(item.callId, item);
  const open = await store.calls.unfinished(seatId === undefined ? {} : { seatId });
  const now = Date.now();
  for (const call of open) {
    const recording = byCall.get(call.id);
    byCall.delete(call.id);
    const endedAt = await lastSignOfLife(
      store,
      call,
      recording && recording.error === undefined ? recording.durationMs : undefined,
      lastWrites.get(call.id),
      now,
    );
    await store.transaction(async (tx) => {
      // A call in wrap-up had already ended (outcome and end time stored): only the agent's form is missing.
      const wrapUp = call.state === 'wrap_up';
      await tx.calls.update(
        call.id,
        wrapUp
          ? {
              state: 'done',
              endReason: `${call.endReason ?? 'ended'}; the app stopped before the agent's wrap-up was submitted`,
            }
          : {
              state: 'done',
              outcome: call.answeredAt === null ? 'failed' : 'completed',
              endedAt,
              endReason:
                'the app stopped during the call (crash or power loss); closed when it started again',
            },
        { at: now, type: 'closed_after_crash', data: { previousState: call.state } },
      );
      if (recording && recording.error === undefined) {
        await tx.calls.addRecording({
          callId: call.id,
          path: relative(dataDir, recording.path),
          channels: recording.channels,
          sampleRate: recording.sampleRate,
          durationMs: recording.durationMs,
          bytes: recording.bytes,
        });
        report.recoveredRecordings++;
      }
    });
    report.closedCalls++;
  }
  // Recordings of calls that were already closed (the crash hit between the two): index if missing.
  for (const [callId, recording] of byCall) {
    if (recording.error !== undefined) {
      report.unrecoverable.push({ callId, error: recording.error });
      continue;
    }
    const call = await store.calls.get(callId);
    if (!call) {
      // Only a second engine beside a live one could make these (before the workspace lock):
      // kept for whoever needs the audio, never indexed, and said once at start.
      log.warn('A recording belongs to no call in the store; it is kept but not indexed', {
        callId,
        path: recording.path,
      });
      continue;
    }
    if (!(await store.calls.recording(callId))) {
      await store.calls.addRecording({
        callId,
        path: relative(dataDir, recording.path),
        channels: recording.channels,
        sampleRate: recording.sampleRate,
        durationMs: recording.durationMs,
        bytes: recording.bytes,
      });
      report.recoveredRecordings++;
    }
    // A campaign call the dialer closed at this start (it runs first, before the recordings are
    // joined) ended at its last event; its recording can show it lived longer (an agent talking
    // 9 s without an event), as it does for the calls closed above. Only calls a crash cut while
    // under way: one in wrap-up had its real end stored already.
    if (call.state === 'done' && call.answeredAt !== null && call.endedAt !== null) {
      const crash = (await store.calls.events(callId)).findLast(
        (e) => e.type === 'closed_after_crash',
      );
      if (crash && crash.data.previousState !== 'wrap_up') {
        const endedAt = await lastSignOfLife(
          store,
          call,
          recording.durationMs,
          lastWrites.get(callId),
          now,
        );
        if (endedAt > call.endedAt) await store.calls.update(callId, { endedAt });
      }
    }
  }
  if (report.closedCalls || report.recoveredRecordings || report.unrecoverable.length)
    log.warn('Closed calls interrupted by the last stop', { ...report });
  return report;
}

/**
 * When an interrupted call really ended: the last thing it left behind (its last stored event,
 * the end of its recovered recording), not the moment the app started again. Closing it "now"
 * made its length include the time the app was down (a 10 s call killed and restarted 40 s later
 * lasted 50 s against a 10 s recording), inflating talk time in History and the KPIs.
 *
 * The recording's end, counted from the answer, is capped by the last write of its parts: its
 * first frame can have been captured before the engine heard of the answer (frames in flight on
 * a busy link), so answer + length can overshoot the crash by that much, while no audio can have
 * been written after the process died.
 */
async function lastSignOfLife(
  store: Store,
  call: { id: string; startedAt: number; answeredAt: number | null },
  /** Length of its recovered recording, if one was. */
  recordingMs: number | undefined,
  /** When its recording's parts were last written (file times), if any were. */
  lastWriteAt: number | undefined,
  now: number,
): Promise<number> {
  let last = await lastEventAt(store, call);
  if (call.answeredAt !== null && recordingMs !== undefined) {
    const recordedEnd = call.answeredAt + recordingMs;
    last = Math.max(
      last,
      lastWriteAt === undefined ? recordedEnd : Math.min(recordedEnd, lastWriteAt),
    );
  }
  return Math.min(last, now);
}

/**
 * The last time a call was seen alive in the store: its start, its answer, its last event. The
 * dialer's own crash recovery ends the campaign calls it closes here (it runs before the
 * recordings are recovered).
 */
export async function lastEventAt(
  store: Pick<Store, 'calls'>,
  call: { id: string; startedAt: number; answeredAt: number | null },
): Promise<number> {
  let last = Math.max(call.startedAt, call.answeredAt ?? 0);
  // A closed_after_crash event is stamped at the restart, not by the call.
  for (const event of await store.calls.events(call.id))
    if (event.type !== 'closed_after_crash') last = Math.max(last, event.at);
  return last;
}

/** The latest modification time of the files in each `<callId>.parts` folder (best effort). */
async function lastPartWrites(recordingsDir: string): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  let names: string[];
  try {
    names = await readdir(recordingsDir);
  } catch {
    return result; // no folder, or unreadable: recovery reports that itself
  }
  for (const name of names) {
    if (!name.endsWith(PARTS_SUFFIX) || name.length === PARTS_SUFFIX.length) continue;
    const dir = join(recordingsDir, name);
    try {
      let latest = 0;
      for (const file of await readdir(dir))
        latest = Math.max(latest, (await stat(join(dir, file))).mtimeMs);
      if (latest > 0) result.set(name.slice(0, -PARTS_SUFFIX.length), Math.round(latest));
    } catch {
      // Not a folder, or gone meanwhile: no cap for that call.
    }
  }
  return result;
}
