/**
 * The purge on a real store (SQLite and PostgreSQL) and real recording files: per kind, rows a day either side of the
 * boundary, and only those past it go. The dry run predicts exactly what the purge then removes.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { expect, it } from 'vitest';

import { DEFAULT_SETTINGS, type Settings } from '../api/contract.js';
import { ENGINE_ACTOR } from '../audit/index.js';
import { silentLogger } from '../log.js';
import { openKeyFileSecretBox } from '../secrets/index.js';
import {
  describeBackends,
  type TestStore,
  type TestStoreFactory,
} from '../store/testing/backends.js';
import { useTempDirs } from '../store/testing/temp.js';
import { DAY_MS, purge } from './purge.js';
import { purgeDue, RetentionService } from './service.js';

const tempDir = useTempDirs();
const T0 = Date.UTC(2027, 0, 15, 12);
const SETTINGS: Settings = {
  ...DEFAULT_SETTINGS,
  retentionRecordingsDays: 30,
  retentionTranscriptsDays: 60,
  retentionCallsDays: 90,
  retentionContactsDays: 120,
  retentionAuditDays: 365,
};

interface World {
  store: TestStore;
  dataDir: string;
  recordingsDir: string;
  clock: { now: number };
}

async function world(openStore: TestStoreFactory): Promise<World> {
  const clock = { now: T0 };
  const store = await openStore({ now: () => clock.now });
  // The SQLite file's folder; a folder of its own beside a PostgreSQL store.
  const dataDir = store.path.endsWith('outbound.db')
    ? store.path.replace(/[/\\]outbound\.db$/, '')
    : await tempDir();
  const recordingsDir = join(dataDir, 'recordings');
  await mkdir(recordingsDir, { recursive: true });
  return { store, dataDir, recordingsDir, clock };
}

/** A finished call started `days` ago, with a recording made then and two transcript lines. */
async function call(
  w: World,
  id: string,
  days: number,
  options: { state?: 'done' | 'ringing'; contactId?: number; recording?: boolean } = {},
) {
  const at = T0 - days * DAY_MS;
  w.clock.now = at;
  await w.store.calls.create({
    id,
    number: '+8613800000000',
    startedAt: at,
    state: options.state ?? 'done',
    ...(options.contactId ? { contactId: options.contactId } : {}),
  });
  await w.store.calls.addUtterance(id, { speaker: 'bot', text: 'hello', startMs: 0, endMs: 500 });
  await w.store.calls.addUtterance(id, {
    speaker: 'customer',
    text: 'hi',
    startMs: 600,
    endMs: 900,
  });
  if (options.recording !== false) {
    const path = join(w.recordingsDir, `${id}.wav`);
    await writeFile(path, Buffer.alloc(1000, 1));
    await w.store.calls.addRecording({
      callId: id,
      path: `recordings/${id}.wav`,
      channels: 2,
      sampleRate: 16000,
      durationMs: 1000,
      bytes: 1000,
    });
  }
  w.clock.now = T0;
}

async function contact(w: World, listId: number, phone: string, days: number): Promise<number> {
  w.clock.now = T0 - days * DAY_MS;
  await w.store.contacts.upsertContacts(listId, [{ phone }]);
  w.clock.now = T0;
  const found = await w.store.contacts.contactByPhone(listId, phone);
  return found!.id;
}

async function setUp(w: World) {
  // Recordings (30 days): A's goes, B's stays.
  await call(w, 'A-31d', 31);
  await call(w, 'B-29d', 29);
  // Transcripts (60 days): C's go, D's stay.
  await call(w, 'C-61d', 61);
  await call(w, 'D-59d', 59);
  // Calls (90 days): E goes whole, F stays; G is older but not finished, so it stays.
  await call(w, 'E-91d', 91);
  await call(w, 'F-89d', 89);
  await call(w, 'G-91d-open', 91, { state: 'ringing', recording: false });
  // A crash's leftovers beside E's recording go with it.
  await mkdir(join(w.recordingsDir, 'E-91d.parts'));
  await writeFile(join(w.recordingsDir, 'E-91d.parts', 'segment-000001.wav'), 'x');
  // Contacts (120 days): K1 goes; K2 is younger; K3 is old but was called since.
  const list = await w.store.contacts.createList({ name: 'people' });
  await contact(w, list.id, '+8613900000001', 121);
  await contact(w, list.id, '+8613900000002', 119);
  const k3 = await contact(w, list.id, '+8613900000003', 121);
  await call(w, 'H-10d', 10, { contactId: k3, recording: false });
  // Audit (365 days).
  await w.store.audit.add({ actor: 'x', action: 'dnc.add', subject: 'old', at: T0 - 366 * DAY_MS });
  await w.store.audit.add({
    actor: 'x',
    action: 'dnc.add',
    subject: 'kept',
    at: T0 - 364 * DAY_MS,
  });
  return list.id;
}

describeBackends('purge', (openStore) => {
  it('removes per kind exactly what is past its retention, and the dry run says so first', async () => {
    const w = await world(openStore);
    const listId = await setUp(w);
    const deps = {
      store: w.store,
      dataDir: w.dataDir,
      recordingsDir: w.recordingsDir,
      now: () => T0,
      batchSize: 2,
    };

    const dry = await purge(deps, SETTINGS, { dryRun: true });
    const report = await purge(deps, SETTINGS);
    expect(report.removed).toEqual({
      // A, C, D, E (with its call), F: recordings made more than 30 days ago.
      recordings: 5,
      recordingBytes: 5000,
      // C, F, and E's before E itself went: lines of calls started more than 60 days ago.
      transcripts: 6,
      calls: 1,
      contacts: 1,
      audit: 1,
    });
    expect(dry.removed).toEqual(report.removed);
    expect(report.errors).toEqual([]);

    const calls = (await w.store.calls.list({ limit: 50, offset: 0 })).calls
      .map((c) => c.id)
      .sort();
    expect(calls).toEqual(['A-31d', 'B-29d', 'C-61d', 'D-59d', 'F-89d', 'G-91d-open', 'H-10d']);
    expect(await w.store.calls.recording('A-31d')).toBeNull();
    expect(await w.store.calls.recording('B-29d')).not.toBeNull();
    expect(await w.store.calls.utterances('C-61d')).toEqual([]);
    expect(await w.store.calls.utterances('D-59d')).toHaveLength(2);
    expect(await w.store.calls.utterances('A-31d')).toHaveLength(2);
    expect(await w.store.calls.utterances('G-91d-open')).toHaveLength(2);
    expect((await readdir(w.recordingsDir)).sort()).toEqual(['B-29d.wav']);
    const phones = (await w.store.contacts.contacts(listId)).map((c) => c.phone).sort();
    expect(phones).toEqual(['+8613900000002', '+8613900000003']);
    const audit = await w.store.audit.list({});
    expect(audit.map((a) => a.subject)).toEqual(['kept']);

    // A second purge finds nothing more.
    const again = await purge(deps, SETTINGS);
    expect(again.removed).toEqual({
      recordings: 0,
      recordingBytes: 0,
      transcripts: 0,
      calls: 0,
      contacts: 0,
      audit: 0,
    });
  });

  it('keeps everything a "keep forever" setting covers', async () => {
    const w = await world(openStore);
    await setUp(w);
    const deps = {
      store: w.store,
      dataDir: w.dataDir,
      recordingsDir: w.recordingsDir,
      now: () => T0,
    };
    const report = await purge(deps, { ...DEFAULT_SETTINGS, retentionAuditDays: 36_500 });
    expect(report.removed).toEqual({
      recordings: 0,
      recordingBytes: 0,
      transcripts: 0,
      calls: 0,
      contacts: 0,
      audit: 0,
    });
    expect(await readdir(w.recordingsDir)).toHaveLength(7);
  });

  it('the service audits each purge, keeps the last report and runs at start when a day has passed', async () => {
    const w = await world(openStore);
    await setUp(w);
    await w.store.settings.setMany({ retentionRecordingsDays: 30 });
    const service = new RetentionService({
      store: w.store,
      dataDir: w.dataDir,
      recordingsDir: w.recordingsDir,
      phraseRecordingsDir: join(w.dataDir, 'phrase-recordings'),
      secrets: openKeyFileSecretBox(w.dataDir, silentLogger),
      settings: async () => SETTINGS,
      log: silentLogger,
      engineActor: ENGINE_ACTOR,
      now: () => T0,
    });
    await service.start({ daily: true });
    await expect.poll(() => service.lastPurge(), { timeout: 10_000 }).not.toBeNull();
    const last = await service.lastPurge();
    expect(last?.trigger).toBe('startup');
    expect(last?.removed.calls).toBe(1);
    const entries = (await w.store.audit.list({})).filter((e) => e.action === 'privacy.purge');
    expect(entries.map((e) => e.subject)).toEqual(['startup']);
    expect(entries[0]?.subject).toBe('startup');
    expect(entries[0]?.details).toMatchObject({ recordings: 5, calls: 1, audit: 1 });
    expect(await service.nextPurgeAt()).toBe(T0 + DAY_MS);
    await service.stop();
  });

  it('is due after a day, and at once when the clock went back before the last purge', () => {
    expect(purgeDue(null, T0)).toBe(true);
    expect(purgeDue(T0 - DAY_MS + 1, T0)).toBe(false);
    expect(purgeDue(T0 - DAY_MS, T0)).toBe(true);
    expect(purgeDue(T0 + 60_000, T0)).toBe(true);
  });
});
