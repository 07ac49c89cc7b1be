/**
 * The soak's end checks, against the workspace's store and recordings after the engine stopped:
 * every call closed with an outcome and a reason; every answered call with a playable recording
 * as long as the call (within 1 s; a call cut by a `kill -9` may lose up to 0.5 s more); no
 * contact dialled twice in one attempt slot (nor two calls of one contact at once); no lease left
 * (every lease column the schema has); and the least-squares slope of a resource over calls.
 */
import { join } from 'node:path';

import sqlite3 from 'sqlite3';

import { silentLogger } from '../../electron/engine/log.js';
import {
  openRecording,
  openRecordingKeys,
  type RecordingKeys,
} from '../../electron/engine/recording/index.js';
import { openKeyFileSecretBox } from '../../electron/engine/secrets/index.js';

export interface StoredCall {
  id: string;
  campaign: string | null;
  contactId: number | null;
  attempt: number;
  number: string;
  state: string;
  outcome: string | null;
  endReason: string | null;
  sipCode: number | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  trunk: string | null;
  recordingPath: string | null;
  recordingMs: number | null;
  events: string[];
}

type Problem = { callId: string; check: string; detail: string };

interface RecordingCheck {
  callId: string;
  callMs: number;
  recordingMs: number | null;
  /** recordingMs − callMs (null: no recording). */
  diffMs: number | null;
  playable: boolean;
  error?: string;
}

export interface VerifyResult {
  calls: StoredCall[];
  problems: Problem[];
  /** Audio a full disk kept from being written (calls with a recording_error): the fault's own loss, not a bug. */
  diskLosses: Array<{ callId: string; lostMs: number }>;
  recordings: RecordingCheck[];
  leasesLeft: Array<Record<string, unknown>>;
  leaseColumns: string[];
}

function all<T>(db: sqlite3.Database, sql: string, params: unknown[] = []): Promise<T[]> {
  return new Promise((resolve, reject) =>
    db.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows as T[]))),
  );
}

/** Every call of the workspace, with its campaign, trunk, recording and event types. */
async function readCalls(dataDir: string): Promise<StoredCall[]> {
  const db = new sqlite3.Database(join(dataDir, 'outbound.db'), sqlite3.OPEN_READONLY);
  try {
    const rows = await all<Record<string, unknown>>(
      db,
      `SELECT c.id, k.name AS campaign, c.contact_id, c.attempt, c.number, c.state, c.outcome,
              c.end_reason, c.sip_code, c.started_at, c.answered_at, c.ended_at, t.name AS trunk,
              r.path AS recording_path, r.duration_ms AS recording_ms
         FROM calls c
         LEFT JOIN campaigns k ON k.id = c.campaign_id
         LEFT JOIN trunks t ON t.id = c.trunk_id
         LEFT JOIN recordings r ON r.call_id = c.id
        ORDER BY c.started_at, c.id`,
    );
    const events = await all<{ call_id: string; type: string }>(
      db,
      'SELECT call_id, type FROM call_events ORDER BY id',
    );
    const byCall = new Map<string, string[]>();
    for (const e of events) byCall.set(e.call_id, [...(byCall.get(e.call_id) ?? []), e.type]);
    return rows.map((r) => ({
      id: r.id as string,
      campaign: r.campaign as string | null,
      contactId: r.contact_id as number | null,
      attempt: r.attempt as number,
      number: r.number as string,
      state: r.state as string,
      outcome: r.outcome as string | null,
      endReason: r.end_reason as string | null,
      sipCode: r.sip_code as number | null,
      startedAt: r.started_at as number,
      answeredAt: r.answered_at as number | null,
      endedAt: r.ended_at as number | null,
      trunk: r.trunk as string | null,
      recordingPath: r.recording_path as string | null,
      recordingMs: r.recording_ms as number | null,
      events: byCall.get(r.id as string) ?? [],
    }));
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}

/** Leases still held, over whichever lease columns the schema has now (lease_call_id, lease_owner, lease_expires_at…). */
async function leftLeases(
  dataDir: string,
): Promise<{ columns: string[]; rows: Array<Record<string, unknown>> }> {
  const db = new sqlite3.Database(join(dataDir, 'outbound.db'), sqlite3.OPEN_READONLY);
  try {
    const columns = (
      await all<{ name: string }>(db, "SELECT name FROM pragma_table_info('campaign_contacts')")
    )
      .map((c) => c.name)
      .filter((name) => name.startsWith('lease'));
    const held = [`status = 'leased'`, ...columns.map((c) => `${c} IS NOT NULL`)].join(' OR ');
    const rows = await all<Record<string, unknown>>(
      db,
      `SELECT campaign_id, contact_id, status, ${columns.join(', ')} FROM campaign_contacts WHERE ${held}`,
    );
    return { columns, rows };
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}

/** Tolerance of a recording's length against its call's (the brief's 1 s). */
const RECORDING_TOLERANCE_MS = 1_000;
/** What a `kill -9` may lose beyond that: the recorder's unflushed last half second. */
const CRASH_LOSS_MS = 500;

export async function verify(dataDir: string): Promise<VerifyResult> {
  const calls = await readCalls(dataDir);
  const problems: Problem[] = [];
  for (const c of calls) {
    if (c.state !== 'done')
      problems.push({ callId: c.id, check: 'closed', detail: `state ${c.state}` });
    if (!c.outcome) problems.push({ callId: c.id, check: 'closed', detail: 'no outcome' });
    if (!c.endReason?.trim()) problems.push({ callId: c.id, check: 'closed', detail: 'no reason' });
    if (c.endedAt === null) problems.push({ callId: c.id, check: 'closed', detail: 'no end time' });
  }
  // One call per contact and attempt slot, and never two calls of one contact at once.
  const slots = new Map<string, StoredCall[]>();
  for (const c of calls) {
    if (c.contactId === null || c.campaign === null) continue;
    const key = `${c.campaign}/${c.contactId}`;
    slots.set(key, [...(slots.get(key) ?? []), c]);
  }
  for (const [key, list] of slots) {
    const attempts = new Set<number>();
    for (const c of list) {
      if (attempts.has(c.attempt))
        problems.push({
          callId: c.id,
          check: 'one call per attempt slot',
          detail: `${key} attempt ${c.attempt} dialled twice`,
        });
      attempts.add(c.attempt);
    }
    for (let i = 1; i < list.length; i++) {
      const before = list[i - 1]!;
      if (before.endedAt !== null && list[i]!.startedAt < before.endedAt)
        problems.push({
          callId: list[i]!.id,
          check: 'one call per attempt slot',
          detail: `${key}: started while ${before.id} was still open`,
        });
    }
  }
  const keys = recordingKeys(dataDir);
  const recordings: RecordingCheck[] = [];
  const diskLosses: VerifyResult['diskLosses'] = [];
  for (const c of calls) {
    if (c.answeredAt === null || c.endedAt === null) continue;
    const callMs = c.endedAt - c.answeredAt;
    if (!c.recordingPath) {
      recordings.push({ callId: c.id, callMs, recordingMs: null, diffMs: null, playable: false });
      problems.push({ callId: c.id, check: 'recording', detail: 'answered, no recording stored' });
      continue;
    }
    const check: RecordingCheck = {
      callId: c.id,
      callMs,
      recordingMs: null,
      diffMs: null,
      playable: false,
    };
    try {
      const reader = await openRecording(join(dataDir, c.recordingPath), keys);
      try {
        check.recordingMs = reader.durationMs;
        check.diffMs = reader.durationMs - callMs;
        // Playable: every chunk decrypts and authenticates, to the last byte.
        let position = 0;
        while (position < reader.size) {
          const chunk = await reader.read(position, 1 << 20);
          if (chunk.length === 0) break;
          position += chunk.length;
        }
        check.playable = position === reader.size && reader.complete;
        if (!check.playable) check.error = `read ${position} of ${reader.size} bytes`;
      } finally {
        await reader.close();
      }
    } catch (error) {
      check.error = error instanceof Error ? error.message : String(error);
    }
    recordings.push(check);
    if (!check.playable)
      problems.push({ callId: c.id, check: 'recording', detail: `not playable: ${check.error}` });
    else {
      const crashed = c.events.includes('closed_after_crash');
      const short = -check.diffMs!;
      const allowed = RECORDING_TOLERANCE_MS + (crashed ? CRASH_LOSS_MS : 0);
      if (short > allowed && c.events.includes('recording_error'))
        diskLosses.push({ callId: c.id, lostMs: short });
      else if (short > allowed || check.diffMs! > RECORDING_TOLERANCE_MS)
        problems.push({
          callId: c.id,
          check: 'recording length',
          detail: `recording ${check.recordingMs} ms, call ${callMs} ms (${check.diffMs! > 0 ? '+' : ''}${check.diffMs} ms${crashed ? ', closed after a crash' : ''})`,
        });
    }
  }
  const leases = await leftLeases(dataDir);
  for (const row of leases.rows)
    problems.push({
      callId: String(row.lease_call_id ?? ''),
      check: 'no lease left',
      detail: JSON.stringify(row),
    });
  return {
    calls,
    problems,
    diskLosses,
    recordings,
    leasesLeft: leases.rows,
    leaseColumns: leases.columns,
  };
}

function recordingKeys(dataDir: string): RecordingKeys {
  return openRecordingKeys(dataDir, openKeyFileSecretBox(dataDir, silentLogger, { create: false }));
}

/** Least-squares slope and intercept of y over x. */
export function linearFit(xs: number[], ys: number[]): { slope: number; intercept: number } {
  const n = xs.length;
  if (n < 2) return { slope: 0, intercept: ys[0] ?? 0 };
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/**
 * Least squares with two regressors, y = a + b1·x1 + b2·x2 (centred normal equations). When x2
 * does not vary (or moves with x1 exactly), the fit falls back to x1 alone and b2 is 0.
 */
export function linearFit2(
  x1: number[],
  x2: number[],
  ys: number[],
): { slope1: number; slope2: number; intercept: number } {
  const n = ys.length;
  if (n < 3) {
    const one = linearFit(x1, ys);
    return { slope1: one.slope, slope2: 0, intercept: one.intercept };
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / n;
  const m1 = mean(x1);
  const m2 = mean(x2);
  const my = mean(ys);
  let s11 = 0;
  let s22 = 0;
  let s12 = 0;
  let s1y = 0;
  let s2y = 0;
  for (let i = 0; i < n; i++) {
    const d1 = x1[i]! - m1;
    const d2 = x2[i]! - m2;
    const dy = ys[i]! - my;
    s11 += d1 * d1;
    s22 += d2 * d2;
    s12 += d1 * d2;
    s1y += d1 * dy;
    s2y += d2 * dy;
  }
  const det = s11 * s22 - s12 * s12;
  if (s22 === 0 || Math.abs(det) <= 1e-9 * s11 * s22) {
    const one = linearFit(x1, ys);
    return { slope1: one.slope, slope2: 0, intercept: one.intercept };
  }
  const slope1 = (s1y * s22 - s2y * s12) / det;
  const slope2 = (s2y * s11 - s1y * s12) / det;
  return { slope1, slope2, intercept: my - slope1 * m1 - slope2 * m2 };
}
