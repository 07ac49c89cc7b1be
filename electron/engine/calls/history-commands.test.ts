import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';

import { encodeWav } from '../audio/index.js';
import { csvSafeCell } from '../csv-safe.js';
import { encryptPlainRecordings } from '../recording/migrate.js';
import { binFramesFor, readPeaks } from '../recording/peaks.js';
import { testKeys } from '../recording/testing/keys.js';
import { useTestStores } from '../store/testing/temp.js';
import {
  historyCommandHandlers,
  recordingFile,
  resolveRecordingMedia,
} from './history-commands.js';
import { EXPORT_COLUMNS, transcriptCell, transcriptTime } from './history-export.js';
import { MediaGrants } from './media-grants.js';

const testStore = useTestStores();

async function historyStore() {
  const store = await testStore();
  const list = await store.contacts.createList({ name: 'Leads' });
  await store.contacts.upsertContacts(list.id, [
    { phone: '+8613800138000', name: '=HYPERLINK("x")' },
  ]);
  const [contact] = await store.contacts.contacts(list.id);
  const campaign = await store.campaigns.create({ name: 'Renewals', listId: list.id });
  await store.calls.create({
    id: 'c1',
    number: '+8613800138000',
    contactId: contact!.id,
    campaignId: campaign.id,
    startedAt: Date.UTC(2026, 10, 1, 9),
  });
  await store.calls.create({
    id: 'c2',
    number: '+12025550100',
    startedAt: Date.UTC(2026, 10, 2, 9),
  });
  await store.calls.create({
    id: 'c3',
    number: '+12025550101',
    startedAt: Date.UTC(2026, 10, 3, 9),
  });
  await store.calls.update('c1', {
    state: 'done',
    outcome: 'completed',
    dispositionCode: 'opted_out',
    answeredAt: Date.UTC(2026, 10, 1, 9, 0, 5),
    endedAt: Date.UTC(2026, 10, 1, 9, 1, 0),
  });
  await store.calls.update('c2', {
    state: 'done',
    outcome: 'busy',
    dispositionCode: 'busy',
    endedAt: Date.UTC(2026, 10, 2, 9, 0, 10),
  });
  await store.calls.update('c3', {
    state: 'done',
    outcome: 'completed',
    dispositionCode: 'completed',
    endedAt: Date.UTC(2026, 10, 3, 9, 0, 30),
  });
  await store.calls.addUtterance('c1', {
    speaker: 'bot',
    text: 'Hello, is this a good time, "really"?',
    startMs: 300,
    endMs: 2_000,
  });
  await store.calls.addUtterance('c1', {
    speaker: 'customer',
    text: 'no, stop calling me',
    startMs: 2_500,
    endMs: 3_400,
    intent: 'opt_out',
    confidence: 0.9,
  });
  await store.calls.addUtterance('c1', {
    speaker: 'customer',
    text: '',
    startMs: 75_300,
    endMs: 76_000,
  });
  return { store, campaign };
}

describe('History filters in the store', () => {
  it('finds calls by disposition and by a start-time range (from inclusive, to exclusive)', async () => {
    const { store } = await historyStore();
    const ids = async (filter: object) =>
      (await store.calls.list({ limit: 10, offset: 0, ...filter })).calls.map((c) => c.id);
    expect(await ids({ disposition: 'opted_out' })).toEqual(['c1']);
    expect(await ids({ disposition: 'voicemail' })).toEqual([]);
    expect(await ids({ from: Date.UTC(2026, 10, 2) })).toEqual(['c3', 'c2']);
    expect(await ids({ to: Date.UTC(2026, 10, 2, 9) })).toEqual(['c1']);
    expect(await ids({ from: Date.UTC(2026, 10, 2, 9), to: Date.UTC(2026, 10, 3, 9) })).toEqual([
      'c2',
    ]);
    expect(
      await ids({ from: Date.UTC(2026, 10, 1), outcome: 'completed', search: 'stop calling' }),
    ).toEqual(['c1']);
  });
});

describe('calls.export', () => {
  it('writes a header and one row per call with its transcript, readable by a CSV parser', async () => {
    const { store } = await historyStore();
    const handlers = historyCommandHandlers({ store, dataDir: '/nowhere', actor: 'test' });
    const page = await handlers['calls.export']({
      limit: 10,
      offset: 0,
      outcome: 'completed',
      unmasked: true,
    });
    expect(page).toMatchObject({ rows: 2, total: 2, nextOffset: null });
    const records = parse(page.csv, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(records[0]!)).toEqual([...EXPORT_COLUMNS]);
    expect(records.map((r) => r.call_id)).toEqual(['c3', 'c1']);
    const c1 = records[1]!;
    expect(c1).toMatchObject({
      started_at: '2026-11-01T09:00:00.000Z',
      duration_s: '55.0',
      contact: `'=HYPERLINK("x")`,
      campaign: 'Renewals',
      outcome: 'completed',
      disposition: 'opted_out',
    });
    expect(c1.transcript!.split('\n')).toEqual([
      '[0:00.3] Bot: Hello, is this a good time, "really"?',
      '[0:02.5] Customer: no, stop calling me {opt_out}',
      '[1:15.3] Customer: (not understood)',
    ]);
    expect(page.csv).toContain('\r\n');
  });

  it('pages: the header only on the first page, nextOffset until the last', async () => {
    const { store } = await historyStore();
    const handlers = historyCommandHandlers({ store, dataDir: '/nowhere', actor: 'test' });
    const first = await handlers['calls.export']({ limit: 2, offset: 0 });
    expect(first).toMatchObject({ rows: 2, total: 3, nextOffset: 2 });
    const second = await handlers['calls.export']({ limit: 2, offset: 2 });
    expect(second).toMatchObject({ rows: 1, total: 3, nextOffset: null });
    expect(second.csv.startsWith('call_id')).toBe(false);
    const all = parse(first.csv + second.csv, { columns: true }) as Array<Record<string, string>>;
    expect(all.map((r) => r.call_id)).toEqual(['c3', 'c2', 'c1']);
  });

  it('formats transcript times and neutralizes formula-looking text', () => {
    expect(transcriptTime(0)).toBe('0:00.0');
    expect(transcriptTime(9_960)).toBe('0:10.0');
    expect(transcriptTime(600_040)).toBe('10:00.0');
    expect(transcriptCell([])).toBe('');
    expect(csvSafeCell('+1 (555)')).toBe("'+1 (555)");
    expect(csvSafeCell('-5')).toBe("'-5");
    expect(csvSafeCell('Ann')).toBe('Ann');
  });
});

describe('calls.recording', () => {
  it('gives peaks per channel (customer left, outgoing right) and the media path', async () => {
    const { store } = await historyStore();
    const dataDir = join(store.path, '..');
    await mkdir(join(dataDir, 'recordings'), { recursive: true });
    const rate = 16_000;
    const left = new Float32Array(rate * 2); // 2 s: customer loud in the second half
    const right = new Float32Array(rate * 2); // bot loud in the first half
    for (let i = 0; i < rate; i++) right[i] = 0.5 * Math.sin(i / 5);
    for (let i = rate; i < 2 * rate; i++) left[i] = 0.8 * Math.sin(i / 7);
    await writeFile(
      join(dataDir, 'recordings', 'c1.wav'),
      encodeWav({ sampleRate: rate, channels: [left, right] }),
    );
    await store.calls.addRecording({
      callId: 'c1',
      path: 'recordings/c1.wav',
      channels: 2,
      sampleRate: rate,
      durationMs: 2_000,
      bytes: 0,
    });
    // Stored encrypted, as every recording is (this one by the start-up migration of plain files).
    const keys = testKeys();
    expect(
      (await encryptPlainRecordings(join(dataDir, 'recordings'), keys)).encrypted,
    ).toHaveLength(1);
    expect((await readFile(join(dataDir, 'recordings', 'c1.wav'))).includes('RIFF')).toBe(false);

    const grants = new MediaGrants();
    const handlers = historyCommandHandlers({
      store,
      dataDir,
      actor: 'test',
      grants,
      keys: () => keys,
    });
    const info = await handlers['calls.recording']({ id: 'c1' });
    expect(info).toMatchObject({
      callId: 'c1',
      durationMs: 2_000,
      channels: 2,
      sampleRate: rate,
      channelRoles: ['customer', 'outgoing'],
      binMs: 20,
      mediaPath: expect.stringMatching(/^recordings\/c1\/[A-Za-z0-9_-]{43}$/),
    });
    expect(info.peaks[0]).toHaveLength(100);
    expect(Math.max(...info.peaks[0]!.slice(0, 50))).toBe(0);
    expect(Math.min(...info.peaks[0]!.slice(55))).toBeGreaterThan(0.7);
    expect(Math.min(...info.peaks[1]!.slice(5, 50))).toBeGreaterThan(0.4);
    expect(Math.max(...info.peaks[1]!.slice(50))).toBe(0);
    expect(await recordingFile(store, dataDir, 'c1')).toMatchObject({
      path: join(dataDir, 'recordings', 'c1.wav'),
    });
    // The media path is served through its grant, for who asked; the bare call path is not.
    const media = await resolveRecordingMedia(store, dataDir, grants, info.mediaPath, keys);
    expect(media).toMatchObject({ callId: 'c1', actor: 'test', contentType: 'audio/wav' });
    expect(media!.reader.size).toBe(44 + 2 * rate * 4);
    expect(info.bytes).toBe(44 + 2 * rate * 4);
    expect((await media!.reader.read(0, 4)).toString('latin1')).toBe('RIFF');
    await media!.reader.close();
    expect(await resolveRecordingMedia(store, dataDir, grants, 'recordings/c1', keys)).toBeNull();
    // Another workspace's keys cannot read it: calls.recording says so, the route serves nothing.
    const elsewhere = historyCommandHandlers({
      store,
      dataDir,
      actor: 'test',
      grants,
      keys: () => testKeys(),
    });
    await expect(elsewhere['calls.recording']({ id: 'c1' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/encrypted for another key.*workspace key [0-9a-f]{16}/),
      details: { recordingKey: 'FOREIGN_KEY' },
    });
    expect(
      await resolveRecordingMedia(store, dataDir, grants, info.mediaPath, testKeys()),
    ).toBeNull();

    await expect(handlers['calls.recording']({ id: 'c2' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(handlers['calls.recording']({ id: 'nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('refuses a stored path that leaves the data folder', async () => {
    const { store } = await historyStore();
    await store.calls.addRecording({
      callId: 'c2',
      path: '../outside.wav',
      channels: 2,
      sampleRate: 16_000,
      durationMs: 1,
      bytes: 0,
    });
    expect(await recordingFile(store, join(store.path, '..'), 'c2')).toBeNull();
  });

  it('bounds the number of bins for long recordings', async () => {
    expect(binFramesFor(16_000 * 10, 16_000, 50, 16_000)).toBe(320);
    // One hour at 50 bins/s would be 180,000 bins: the bin grows to keep 16,000.
    const hour = 16_000 * 3_600;
    const bin = binFramesFor(hour, 16_000, 50, 16_000);
    expect(Math.ceil(hour / bin)).toBeLessThanOrEqual(16_000);
    expect(readPeaks).toBeTypeOf('function');
  });
});
