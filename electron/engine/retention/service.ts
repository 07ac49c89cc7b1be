/**
 * `RetentionService`: the engine's retention job and the person-level requests.
 * - The daily purge: a check every hour asks whether 24 h have passed since the last purge (by the
 *   stored report's time), so a machine that slept, or a clock set back or forward, purges at the
 *   next check instead of waiting out a 24 h timer that drifted; a clock set back before the last
 *   purge purges too (the stored time is then in the future). At start, one purge runs at once
 *   when a day has passed. Only the long-running shells run it (`start({ daily: true })`).
 * - Purge on demand, erasure, access export (erase.ts, export.ts), each audited.
 * - The DNC key: loaded at start and handed to the store, so every DNC check consults the hashes.
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

import type { Settings } from '../api/contract.js';
import { type Actor, writeAudit } from '../audit/index.js';
import { normalizePhone } from '../dialer/phone.js';
import type { Logger } from '../log.js';
import type { SecretBox } from '../secrets/index.js';
import type { Store } from '../store/types.js';
import { type DncDigest, loadDncDigest } from './dnc-key.js';
import { erasePerson, type EraseReport } from './erase.js';
import { exportPerson } from './export.js';
import { type NumberForms, numberForms } from './number-forms.js';
import { DAY_MS, purge, type PurgeReport } from './purge.js';

const LAST_PURGE = 'lastPurge';
export const PURGE_CHECK_MS = 3_600_000;
const EXPORT_TTL_MS = 3_600_000;
/** Base64 of 384 KiB: every message stays far under the transports' 1 MiB. */
export const EXPORT_CHUNK_BYTES = 384 * 1024;

export interface RetentionDeps {
  store: Store;
  dataDir: string;
  recordingsDir: string;
  phraseRecordingsDir: string;
  secrets: SecretBox;
  settings: () => Promise<Settings>;
  log: Logger;
  /** The engine's own actor, for the daily purge's audit entry. */
  engineActor: Actor;
  openRecording?: (callId: string, storedPath: string) => Promise<Readable>;
  now?: () => number;
  batchSize?: number;
}

/**
 * Whether the daily purge is due: never run, a day or more since the last, or the last one's time
 * is in the future (the clock was set back: waiting for it could skip purges for as long).
 */
export function purgeDue(lastAt: number | null, now: number): boolean {
  return lastAt === null || now - lastAt >= DAY_MS || lastAt > now;
}

/** A request the service refuses, with the field it names (the API maps it to INVALID_PARAMS / CONFLICT). */
export class RetentionRequestError extends Error {
  override readonly name = 'RetentionRequestError';
  constructor(
    readonly code: 'INVALID_NUMBER' | 'NOT_CONFIRMED' | 'CALL_IN_PROGRESS' | 'BUSY' | 'NOT_FOUND',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

interface PendingExport {
  path: string;
  fileName: string;
  bytes: number;
  timer: NodeJS.Timeout;
}

export class RetentionService {
  private digest: DncDigest | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PurgeReport> | null = null;
  private busy: Promise<unknown> = Promise.resolve();
  private readonly exports = new Map<string, PendingExport>();
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly deps: RetentionDeps) {
    this.now = deps.now ?? Date.now;
  }

  get exportsDir(): string {
    return join(this.deps.dataDir, 'exports');
  }

  /** Loads the DNC key into the store; with `daily`, purges now if a day has passed and checks hourly. */
  async start(options: { daily: boolean }): Promise<void> {
    try {
      this.digest = await loadDncDigest(this.deps.store, this.deps.secrets);
      this.deps.store.dnc.keyWith(this.digest);
    } catch (error) {
      this.deps.log.error(
        'The do-not-call key cannot be read: numbers erased on request are not checked until it can',
        { error: error instanceof Error ? error.message : String(error) },
      );
    }
    // Exports left by an earlier run are never fetched now.
    await rm(this.exportsDir, { recursive: true, force: true }).catch(() => undefined);
    if (!options.daily) return;
    this.timer = setInterval(() => this.checkDaily('daily'), PURGE_CHECK_MS);
    this.timer.unref();
    this.checkDaily('startup');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const [id, pending] of this.exports) {
      clearTimeout(pending.timer);
      this.exports.delete(id);
    }
    await this.running?.catch(() => undefined);
    await this.busy.catch(() => undefined);
  }

  /** When the daily purge runs next (null when this engine does not run it). */
  async nextPurgeAt(): Promise<number | null> {
    if (!this.timer) return null;
    const last = await this.lastPurge();
    return last ? Math.max(last.at + DAY_MS, this.now()) : this.now();
  }

  async lastPurge(): Promise<PurgeReport | null> {
    const stored = await this.deps.store.privacy.getState(LAST_PURGE);
    return stored && typeof stored === 'object' ? (stored as PurgeReport) : null;
  }

  erasedCount(): Promise<number> {
    return this.deps.store.privacy.countDncDigests();
  }

  private checkDaily(trigger: 'daily' | 'startup'): void {
    if (this.stopped || this.running) return;
    void (async () => {
      try {
        const last = await this.lastPurge();
        if (!purgeDue(last?.at ?? null, this.now())) return;
        await this.purge({ trigger, actor: this.deps.engineActor });
      } catch (error) {
        this.deps.log.error('The retention purge failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    })();
  }

  /** Runs a purge (one at a time: a second request waits for and gets the running one's report). */
  purge(options: {
    dryRun?: boolean;
    trigger: PurgeReport['trigger'];
    actor: Actor;
  }): Promise<PurgeReport> {
    if (options.dryRun) return this.runPurge(options);
    if (this.running) return this.running;
    const run = this.exclusive(() => this.runPurge(options));
    this.running = run;
    const clear = () => {
      if (this.running === run) this.running = null;
    };
    run.then(clear, clear);
    return run;
  }

  private async runPurge(options: {
    dryRun?: boolean;
    trigger: PurgeReport['trigger'];
    actor: Actor;
  }): Promise<PurgeReport> {
    const settings = await this.deps.settings();
    const report = await purge(
      {
        store: this.deps.store,
        dataDir: this.deps.dataDir,
        recordingsDir: this.deps.recordingsDir,
        now: this.now,
        ...(this.deps.batchSize ? { batchSize: this.deps.batchSize } : {}),
      },
      settings,
      { dryRun: options.dryRun ?? false, trigger: options.trigger },
    );
    if (report.dryRun) return report;
    await this.deps.store.transaction(async (tx) => {
      await tx.privacy.setState(LAST_PURGE, report);
      await writeAudit(tx, options.actor, {
        action: 'privacy.purge',
        subject: options.trigger,
        details: { ...report.removed, errors: report.errors.length, durationMs: report.durationMs },
      });
    });
    if (report.errors.length > 0)
      this.deps.log.warn('The retention purge could not delete some files', {
        errors: report.errors.length,
        first: report.errors[0],
      });
    return report;
  }

  /** Reads a number as the dnc commands do (E.164 with the workspace's region); never logs it. */
  async forms(number: string, region?: string, field = 'number'): Promise<NumberForms> {
    const country = (region ?? (await this.deps.settings()).defaultRegion).toUpperCase();
    const n = normalizePhone(number, country as Parameters<typeof normalizePhone>[1]);
    if (!n.ok) throw new RetentionRequestError('INVALID_NUMBER', n.reason, field);
    return numberForms(n.e164);
  }

  async erase(input: {
    number: string;
    region?: string;
    confirm: string;
    actor: Actor;
  }): Promise<EraseReport> {
    const forms = await this.forms(input.number, input.region);
    const again = await this.forms(input.confirm, input.region, 'confirm');
    if (again.e164 !== forms.e164)
      throw new RetentionRequestError(
        'NOT_CONFIRMED',
        'is not the same number: type the number to erase a second time',
        'confirm',
      );
    const digest = this.digest;
    if (!digest)
      throw new RetentionRequestError(
        'BUSY',
        'The do-not-call key cannot be read, so the number could not be kept on the do-not-call list: nothing was erased. See the engine log.',
      );
    return this.exclusive(async () => {
      // Pending exports may hold the person's data: they go too.
      for (const id of [...this.exports.keys()]) await this.dropExport(id);
      try {
        return await erasePerson(
          {
            store: this.deps.store,
            dataDir: this.deps.dataDir,
            recordingsDir: this.deps.recordingsDir,
            phraseRecordingsDir: this.deps.phraseRecordingsDir,
            digest,
          },
          forms,
          input.actor,
        );
      } catch (error) {
        if (error instanceof Error && error.name === 'EraseConflictError')
          throw new RetentionRequestError('CALL_IN_PROGRESS', error.message);
        throw error;
      }
    });
  }

  async export(input: { number: string; region?: string; actor: Actor }) {
    const forms = await this.forms(input.number, input.region);
    const id = randomBytes(16).toString('hex');
    const path = join(this.exportsDir, `${id}.zip`);
    const report = await this.exclusive(() =>
      exportPerson(
        {
          store: this.deps.store,
          dataDir: this.deps.dataDir,
          now: this.now,
          ...(this.deps.openRecording ? { openRecording: this.deps.openRecording } : {}),
        },
        forms,
        path,
      ),
    );
    await writeAudit(this.deps.store, input.actor, {
      action: 'privacy.export',
      subject: `access ${this.digest ? this.digest(forms.e164).slice(0, 12) : 'request'}`,
      details: {
        contacts: report.contacts,
        calls: report.calls,
        utterances: report.utterances,
        audit: report.audit,
        recordings: report.recordings,
        bytes: report.bytes,
      },
    });
    const timer = setTimeout(() => void this.dropExport(id), EXPORT_TTL_MS);
    timer.unref();
    const fileName = `personal-data-${forms.national.slice(-4)}-${new Date(this.now()).toISOString().slice(0, 10)}.zip`;
    this.exports.set(id, { path, fileName, bytes: report.bytes, timer });
    const { path: _path, ...counts } = report;
    return { exportId: id, fileName, ...counts };
  }

  /** One base64 chunk of a built export; the file is deleted once its last chunk is read. */
  async exportChunk(exportId: string, offset: number) {
    const pending = this.exports.get(exportId);
    if (!pending)
      throw new RetentionRequestError(
        'NOT_FOUND',
        'No such export (it is deleted an hour after it was made, or once fully read): export again.',
        'exportId',
      );
    if (offset > pending.bytes)
      throw new RetentionRequestError(
        'INVALID_NUMBER',
        `is past the end (${pending.bytes} bytes)`,
        'offset',
      );
    const length = Math.min(EXPORT_CHUNK_BYTES, pending.bytes - offset);
    const buffer = Buffer.alloc(length);
    const handle = await open(pending.path, 'r');
    try {
      await handle.read(buffer, 0, length, offset);
    } finally {
      await handle.close();
    }
    const done = offset + length >= pending.bytes;
    if (done) await this.dropExport(exportId);
    return { data: buffer.toString('base64'), offset, bytes: pending.bytes, done };
  }

  private async dropExport(id: string): Promise<void> {
    const pending = this.exports.get(id);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.exports.delete(id);
    await rm(pending.path, { force: true });
  }

  /** Purges, erasures and exports run one at a time (an erasure never races a purge's files). */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.busy.then(work, work);
    this.busy = next.catch(() => undefined);
    return next;
  }

  /** Whether every export file is gone (tests). */
  async exportsLeft(): Promise<number> {
    try {
      const names = await readdir(this.exportsDir);
      let n = 0;
      for (const name of names) if ((await stat(join(this.exportsDir, name))).isFile()) n++;
      return n;
    } catch {
      return 0;
    }
  }
}
