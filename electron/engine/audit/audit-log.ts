/**
 * The audit trail's one door for writers: who (an `AuditActor`: a signed-in user's principal, the
 * CLI's local admin, or the engine itself), what (a typed `AuditAction` from api/audit.ts, a
 * subject, details) and when (the store's clock). `writeAudit` writes inside a caller's
 * transaction (the change and its entry commit together); `AuditLog` adds what needs state or
 * reads: sign-ins, recordings played (one entry per person, call and 10 minutes, since a player
 * fetches a file in many ranges), and audit.list / audit.export.
 */
import { stringify } from 'csv-stringify/sync';

import {
  type AuditAction,
  auditActionsOfKind,
  type AuditEntry,
  type AuditFilter,
  type AuditSource,
} from '../api/audit.js';
import type { Principal, Role } from '../auth/index.js';
import { csvSafeCell } from '../csv-safe.js';
import { readingBeside } from '../store/index.js';
import type {
  AuditQuery,
  AuditRecord,
  AuditRepository,
  JsonObject,
  NewAudit,
  Store,
} from '../store/types.js';

/**
 * Who did something. A `Principal` (auth/) is one; so is the engine acting on its own. A userId of
 * 0 or null is no stored user (the CLI's local admin, the engine) and is stored as NULL.
 */
export interface AuditActor {
  userId: number | null;
  name: string;
  role: Role | null;
  source: AuditSource;
  address?: string;
}

/** The engine acting on its own: the dialer completing a campaign, a flow's opt-out, samples. */
export const ENGINE_ACTOR: AuditActor = Object.freeze({
  userId: null,
  name: 'engine',
  role: null,
  source: 'engine',
});

/**
 * An actor as the services take it: an `AuditActor`, or only a name (tests and tools that have no
 * principal; stored with source "engine" and no user id).
 */
export type Actor = AuditActor | string;

export function auditActor(actor: Actor): AuditActor {
  return typeof actor === 'string'
    ? { userId: null, name: actor, role: null, source: 'engine' }
    : actor;
}

/**
 * Who sent a request, for its entries: the request's principal (the role map let the command
 * through, so a non-public one always has one), else `fallback` (a handler called without a
 * request context: tests, the engine itself).
 */
export function requestActor(
  context: { principal: Principal | null } | undefined,
  fallback: Actor,
): Actor {
  return context?.principal ?? fallback;
}

/** What was done: the action, what it was done to, and anything worth keeping about it. */
export interface AuditEvent {
  action: AuditAction;
  subject: string | null;
  details?: JsonObject;
}

/** The store row for an actor's event. */
export function auditRecord(who: Actor, event: AuditEvent): NewAudit {
  const actor = auditActor(who);
  return {
    actor: actor.name,
    actorId: actor.userId !== null && actor.userId > 0 ? actor.userId : null,
    role: actor.role,
    source: actor.source,
    address: actor.address ?? null,
    action: event.action,
    subject: event.subject,
    details: event.details ?? {},
  };
}

/** Writes one entry through `target`: the store, or a transaction's repositories. */
export function writeAudit(
  target: { audit: AuditRepository },
  actor: Actor,
  event: AuditEvent,
): Promise<void> {
  return target.audit.add(auditRecord(actor, event));
}

/** A recording played again by the same person within this window is not a new entry. */
export const RECORDING_PLAY_WINDOW_MS = 10 * 60_000;

export const AUDIT_CSV_COLUMNS = [
  'id',
  'at',
  'actor',
  'actor_id',
  'role',
  'source',
  'address',
  'action',
  'subject',
  'details',
] as const;

/** One audit entry as a CSV row: ISO 8601 UTC time, details as JSON; each cell injection-guarded. */
export function auditCsvRow(entry: AuditRecord): string[] {
  return [
    String(entry.id),
    new Date(entry.at).toISOString(),
    entry.actor,
    entry.actorId === null ? '' : String(entry.actorId),
    entry.role ?? '',
    entry.source,
    entry.address ?? '',
    entry.action,
    entry.subject ?? '',
    JSON.stringify(entry.details),
  ].map(csvSafeCell);
}

/** CSV text (CRLF, RFC 4180) for the entries, with the header row when `header` is set. */
export function auditCsv(entries: readonly AuditRecord[], header: boolean): string {
  const rows = entries.map(auditCsvRow);
  return stringify(header ? [[...AUDIT_CSV_COLUMNS], ...rows] : rows, {
    record_delimiter: 'windows',
  });
}

/** The API's filter as a store query: a kind becomes its list of actions. */
export function auditQuery(filter: AuditFilter): AuditQuery {
  const query: AuditQuery = {};
  if (filter.actor !== undefined) query.actor = filter.actor;
  if (filter.subject !== undefined) query.subject = filter.subject;
  if (filter.from !== undefined) query.from = filter.from;
  if (filter.to !== undefined) query.to = filter.to;
  if (filter.kind !== undefined) {
    const ofKind: string[] = auditActionsOfKind(filter.kind);
    // Both given: the action must also be of the kind.
    query.actions =
      filter.action === undefined ? ofKind : ofKind.filter((a) => a === filter.action);
  } else if (filter.action !== undefined) {
    query.actions = [filter.action];
  }
  return query;
}

function toEntry(record: AuditRecord): AuditEntry {
  return record;
}

export interface AuditLogOptions {
  /** Epoch ms, for the recording-play window (tests move it). */
  now?: () => number;
}

export class AuditLog {
  private readonly now: () => number;
  /** Last entry per person and recording, for the play window. */
  private readonly played = new Map<string, number>();

  constructor(
    private readonly store: Store,
    options: AuditLogOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Writes one entry on its own (not part of another change's transaction). */
  record(actor: Actor, event: AuditEvent): Promise<void> {
    return writeAudit(this.store, actor, event);
  }

  /** A successful sign-in: the principal it produced, from its source and address. */
  signIn(principal: Principal, details: JsonObject = {}): Promise<void> {
    return this.record(principal, { action: 'auth.signIn', subject: principal.name, details });
  }

  /**
   * A refused sign-in: the name typed (known or not), where from, and why (`reason`: e.g.
   * "wrong password", "locked out", "disabled"). Never the password.
   */
  signInFailed(attempt: {
    name: string;
    source: Principal['source'];
    address?: string;
    reason: string;
    userId?: number | null;
  }): Promise<void> {
    return this.record(
      {
        userId: attempt.userId ?? null,
        name: attempt.name,
        role: null,
        source: attempt.source,
        ...(attempt.address === undefined ? {} : { address: attempt.address }),
      },
      { action: 'auth.signInFailed', subject: attempt.name, details: { reason: attempt.reason } },
    );
  }

  signOut(principal: Principal, details: JsonObject = {}): Promise<void> {
    return this.record(principal, { action: 'auth.signOut', subject: principal.name, details });
  }

  /**
   * A call's recording was opened for playback (`recordings.play`: calls.recording, by a person)
   * or its audio served (`recordings.fetch`: a shell's media route, by address). One entry per
   * actor, address, call and action in RECORDING_PLAY_WINDOW_MS: a player asks for a file in many
   * ranges (start, seeks), and each is the same listening. Returns whether it wrote one.
   */
  async recordingPlayed(
    actor: Actor,
    callId: string,
    action: 'recordings.play' | 'recordings.fetch' = 'recordings.play',
  ): Promise<boolean> {
    const who = auditActor(actor);
    const at = this.now();
    const key = JSON.stringify([who.userId, who.name, who.source, who.address, callId, action]);
    const last = this.played.get(key);
    if (last !== undefined && at - last < RECORDING_PLAY_WINDOW_MS) return false;
    this.played.set(key, at);
    if (this.played.size > 1_000) {
      for (const [k, t] of this.played)
        if (at - t >= RECORDING_PLAY_WINDOW_MS) this.played.delete(k);
    }
    try {
      await this.record(who, { action, subject: callId });
    } catch (error) {
      // Not written: the next request must try again.
      this.played.delete(key);
      throw error;
    }
    return true;
  }

  /** A page of entries, newest first, with the filter's total. */
  async list(
    filter: AuditFilter,
    page: { limit: number; offset: number },
  ): Promise<{ entries: AuditEntry[]; total: number }> {
    const query = auditQuery(filter);
    // The Audit page reads committed entries beside the writer's queue.
    const [records, total] = await readingBeside(() =>
      Promise.all([this.store.audit.list({ ...query, ...page }), this.store.audit.count(query)]),
    );
    return { entries: records.map(toEntry), total };
  }

  /**
   * A page of the trail as CSV (the header on offset 0). The page's own entry (`audit.export`,
   * with the filter and the rows it held) is written after the read, so it is never in it.
   */
  async exportPage(
    actor: Actor,
    filter: AuditFilter,
    page: { limit: number; offset: number },
  ): Promise<{ csv: string; rows: number; total: number; nextOffset: number | null }> {
    const query = auditQuery(filter);
    const [records, total] = await readingBeside(() =>
      Promise.all([this.store.audit.list({ ...query, ...page }), this.store.audit.count(query)]),
    );
    await this.record(actor, {
      action: 'audit.export',
      subject: null,
      details: { filter: { ...filter }, offset: page.offset, rows: records.length, total },
    });
    const next = page.offset + records.length;
    return {
      csv: auditCsv(records, page.offset === 0),
      rows: records.length,
      total,
      nextOffset: records.length > 0 && next < total ? next : null,
    };
  }
}
