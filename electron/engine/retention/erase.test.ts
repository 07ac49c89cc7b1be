/**
 * Erasure of one person, end to end on a real engine with a real SQLite workspace: contacts
 * imported from a CSV, calls with events, transcripts, notes, recordings (and a crash's leftover
 * parts), a labelled clip, DNC and audit entries, import rejects, a log file. After the erasure,
 * every file under the workspace (the database with its -wal and -shm, recordings, caches, logs,
 * imports; binary too) is searched for the number in every format, for a Chinese and an English
 * number; the other person's data is intact; the DNC check (dnc commands, the dialer's query,
 * the import) still refuses the number. The access export is checked on the same data first.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import JSZip from 'jszip';
import { afterEach, describe, expect, it } from 'vitest';

import { encodeWav } from '../audio/index.js';
import { ERASED_REASON, importContactsFromFile } from '../contacts/import.js';
import { Engine } from '../engine.js';
import { CallRecorder } from '../recording/index.js';

const dirs: string[] = [];
const engines: Engine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const CN_FORMS = [
  '13812345678',
  '+8613812345678',
  '8613812345678',
  '138 1234 5678',
  '138-1234-5678',
];
const US_FORMS = ['2015550123', '+12015550123', '12015550123', '(201) 555-0123', '201-555-0123'];

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

/** Every (file, form) where a form of the number is found in a file's bytes. */
async function findForms(dataDir: string, forms: string[]): Promise<string[]> {
  const found: string[] = [];
  for await (const path of files(dataDir)) {
    const bytes = await readFile(path);
    for (const form of forms)
      if (bytes.includes(Buffer.from(form))) found.push(`${relative(dataDir, path)}: ${form}`);
  }
  return found;
}

function wav(seconds: number, seed: number): Buffer {
  const samples = new Int16Array(16_000 * seconds).map((_, i) =>
    Math.round(Math.sin(i / (seed + 3)) * 8000),
  );
  return encodeWav({ sampleRate: 16_000, channels: [samples, samples] });
}

async function setUp() {
  const dataDir = await mkdtemp(join(tmpdir(), 'outbound-erase-'));
  dirs.push(dataDir);
  const engine = await Engine.start({ dataDir, transport: 'in-process', version: 'test' });
  engines.push(engine);
  const { store } = engine;
  // Contacts: A (Chinese mobile, with an alternative number field in another format), B, and U (US).
  const csv = join(dataDir, 'people.csv');
  await writeFile(
    csv,
    'phone,name,alt\n138 1234 5678,Zhang San,138-1234-5678\n13900001111,Li Si,\n+1 (201) 555-0123,John Doe,\n',
  );
  const imported = await importContactsFromFile(store, { file: csv, listName: 'people' });
  expect(imported.inserted).toBe(3);
  await rm(csv);
  const list = await store.contacts.getListByName('people');
  const contacts = await store.contacts.contacts(list!.id);
  const idOf = (phone: string) => contacts.find((c) => c.phone === phone)!.id;
  const recordingsDir = join(dataDir, 'recordings');
  await mkdir(recordingsDir, { recursive: true });
  const place = async (
    id: string,
    number: string,
    contactId: number,
    text: string,
    viaRecorder = false,
  ) => {
    const at = Date.now() - 3_600_000;
    await store.calls.create({ id, number, startedAt: at, contactId, state: 'done' });
    await store.calls.update(id, { notes: `customer asked to use ${text}`, endedAt: at + 60_000 });
    await store.calls.appendEvent(id, {
      at: at + 1000,
      type: 'dtmf',
      data: { digits: number.slice(-11) },
    });
    await store.calls.addUtterance(id, {
      speaker: 'customer',
      text: `我的号码是 ${text}`,
      startMs: 0,
      endMs: 2000,
    });
    if (viaRecorder) {
      // The engine's own recorder: encrypted at rest with the workspace's recording keys.
      const recorder = await CallRecorder.create({
        dir: recordingsDir,
        callId: id,
        keys: engine.recordingKeys,
      });
      for (let seq = 0; seq < 50; seq++) {
        const left = new Int16Array(320).map((_, i) =>
          Math.round(Math.sin((seq * 320 + i) / 9) * 6000),
        );
        recorder.push({ seq, timestampMs: at + seq * 20, left, right: left });
      }
      const done = await recorder.finish();
      await store.calls.addRecording({
        callId: id,
        path: relative(dataDir, done.path),
        channels: 2,
        sampleRate: done.sampleRate,
        durationMs: done.durationMs,
        bytes: done.bytes,
      });
      return;
    }
    await writeFile(join(recordingsDir, `${id}.wav`), wav(1, id.length));
    await store.calls.addRecording({
      callId: id,
      path: `recordings/${id}.wav`,
      channels: 2,
      sampleRate: 16_000,
      durationMs: 1000,
      bytes: (await stat(join(recordingsDir, `${id}.wav`))).size,
    });
  };
  await place('call-a1', '+8613812345678', idOf('+8613812345678'), '138 1234 5678');
  await place('call-a2', '+8613812345678', idOf('+8613812345678'), '13812345678', true);
  // B mentions A's number: B's call stays, the mention goes.
  await place('call-b1', '+8613900001111', idOf('+8613900001111'), 'my friend 138-1234-5678');
  await place('call-u1', '+12015550123', idOf('+12015550123'), '(201) 555-0123');
  // A crash's leftover parts of A's call, with the number in its meta.json.
  await mkdir(join(recordingsDir, 'call-a1.parts'));
  await writeFile(join(recordingsDir, 'call-a1.parts', 'meta.json'), '{"number":"+8613812345678"}');
  // A labelled clip cut from A's call.
  const flow = (await store.flows.list())[0]!;
  const clip = 'labelled/1/ask/yes/call-a1-0.wav';
  await mkdir(join(dataDir, 'phrase-recordings', 'labelled/1/ask/yes'), { recursive: true });
  await writeFile(join(dataDir, 'phrase-recordings', clip), wav(1, 7));
  await store.labels.put({
    callId: 'call-a1',
    startMs: 0,
    endMs: 2000,
    flowId: flow.id,
    flowVersion: flow.latestVersion ?? 1,
    nodeId: 'ask',
    intent: 'yes',
    clipPath: clip,
    clipMs: 1000,
    source: 'history',
    labelledBy: 'admin',
  });
  // The number on the DNC list, by the API (audited with the number as its subject).
  await engine.request('dnc.add', { numbers: ['138 1234 5678'] });
  await engine.request('dnc.add', { numbers: ['+1 201-555-0123'] });
  // Files: an import's rejected rows, an upload, a log.
  await mkdir(join(dataDir, 'imports'), { recursive: true });
  await writeFile(
    join(dataDir, 'imports', 'x.rejects.csv'),
    'row,reason,raw\n3,bad,"138-1234-5678,Zhang"\n4,bad,"13900001111,Li"\n5,bad,"201-555-0123"\n',
  );
  await writeFile(
    join(dataDir, 'imports', 'y.upload'),
    Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from('8613812345678')]),
  );
  await mkdir(join(dataDir, 'logs'), { recursive: true });
  await writeFile(
    join(dataDir, 'logs', 'engine.log'),
    'started\ndialing +8613812345678\ndialing +8613900001111\ndialing +12015550123\nstopped\n',
  );
  return { engine, dataDir, store, recordingsDir };
}

describe('erasure of one person', () => {
  it('leaves no row, file or cache entry with the number, and the DNC check still refuses it', async () => {
    const { engine, dataDir, store, recordingsDir } = await setUp();
    expect(await findForms(dataDir, CN_FORMS)).not.toEqual([]);

    const report = (await engine.request('privacy.erase', {
      number: '138-1234-5678',
      confirm: '+86 138 1234 5678',
    })) as { reference: string; counts: Record<string, number>; errors: string[] };
    expect(report.errors).toEqual([]);
    expect(report.counts).toMatchObject({
      contacts: 1,
      calls: 2,
      recordings: 2,
      labels: 1,
      dnc: 1,
    });
    expect(report.counts.audit).toBeGreaterThanOrEqual(1);
    await engine.request('privacy.erase', { number: '+1 (201) 555-0123', confirm: '+12015550123' });

    // Nothing in the workspace holds either number, in any format, while the engine runs…
    expect(await findForms(dataDir, [...CN_FORMS, ...US_FORMS])).toEqual([]);
    expect((await stat(join(dataDir, 'outbound.db-wal'))).size).toBe(0);

    // …while B's data is intact (only the mention of A's number went).
    expect(await store.calls.get('call-b1')).not.toBeNull();
    expect((await store.calls.utterances('call-b1'))[0]?.text).toBe(
      '我的号码是 my friend [erased]',
    );
    expect((await readdir(recordingsDir)).sort()).toEqual(['call-b1.wav']);
    const log = await readFile(join(dataDir, 'logs', 'engine.log'), 'utf8');
    expect(log).toBe('started\ndialing +8613900001111\nstopped\n');
    const rejects = await readFile(join(dataDir, 'imports', 'x.rejects.csv'), 'utf8');
    expect(rejects).toBe('row,reason,raw\n4,bad,"13900001111,Li"\n');
    const list = await store.contacts.getListByName('people');
    expect((await store.contacts.contacts(list!.id)).map((c) => c.phone)).toEqual([
      '+8613900001111',
    ]);

    // The audit trail keeps what was done, without the number.
    const audit = (await engine.request('audit.list', { limit: 100 })) as {
      entries: Array<{ action: string; subject: string | null }>;
    };
    expect(audit.entries.filter((e) => e.action === 'dnc.add').map((e) => e.subject)).toEqual([
      '[erased]',
      '[erased]',
    ]);
    expect(
      audit.entries.filter((e) => e.action === 'privacy.erase').map((e) => e.subject),
    ).toContain(`erasure ${report.reference}`);

    // The DNC check still refuses it: the store's check, the dialer's query, dnc.add, the import.
    expect(await store.dnc.has('+8613812345678')).toBe(true);
    expect(await store.dnc.has('+12015550123')).toBe(true);
    expect(await store.dnc.has('+8613900001111')).toBe(false);
    expect([
      ...(await store.campaignContacts.dncAmong(['+8613812345678', '+8613900001111'])),
    ]).toEqual(['+8613812345678']);
    expect(await engine.request('dnc.add', { numbers: ['13812345678'] })).toMatchObject({
      added: 0,
      alreadyListed: 1,
    });
    const again = join(dataDir, 'again.csv');
    await writeFile(again, 'phone,name\n138 1234 5678,Zhang San\n13700002222,Wang Wu\n');
    const reimport = await importContactsFromFile(store, { file: again, listName: 'people' });
    await rm(again);
    expect(reimport.inserted).toBe(1);
    expect(reimport.rejected).toEqual([{ row: 2, reason: ERASED_REASON, raw: '' }]);
    const dncList = (await engine.request('dnc.list', {})) as { entries: Array<{ phone: string }> };
    expect(dncList.entries.map((e) => e.phone)).toEqual([]);

    // And after the engine stops, the database files hold neither number either.
    await engine.stop();
    expect(await findForms(dataDir, [...CN_FORMS, ...US_FORMS])).toEqual([]);
  });

  it("exports a person's data as a zip, fetched in chunks and then deleted", async () => {
    const { engine, dataDir, store } = await setUp();
    // Their consent record is theirs too (schema 11).
    const list = await store.contacts.getListByName('people');
    await store.contacts.upsertContacts(list!.id, [
      { phone: '+8613812345678', consentSource: 'web form', consentAt: Date.UTC(2026, 0, 5, 2) },
    ]);
    const made = (await engine.request('privacy.export', { number: '13812345678' })) as {
      exportId: string;
      bytes: number;
      calls: number;
      recordings: number;
    };
    expect(made).toMatchObject({ calls: 2, recordings: 2, contacts: 1 });
    const parts: Buffer[] = [];
    for (let offset = 0; ;) {
      const chunk = (await engine.request('privacy.exportChunk', {
        exportId: made.exportId,
        offset,
      })) as {
        data: string;
        done: boolean;
      };
      const bytes = Buffer.from(chunk.data, 'base64');
      parts.push(bytes);
      offset += bytes.length;
      if (chunk.done) break;
    }
    const zip = await JSZip.loadAsync(Buffer.concat(parts));
    expect(Object.keys(zip.files).sort()).toEqual([
      'README.txt',
      'audit.csv',
      'audit.json',
      'calls.csv',
      'calls.json',
      'contacts.csv',
      'contacts.json',
      'recordings/',
      'recordings/call-a1.wav',
      'recordings/call-a2.wav',
      'transcripts.csv',
      'transcripts.json',
    ]);
    expect(await zip.file('README.txt')!.async('string')).toContain('+8613812345678');
    const contacts = JSON.parse(await zip.file('contacts.json')!.async('string')) as Array<{
      name: string;
      consentSource: string | null;
      consentAt: string | null;
    }>;
    expect(contacts.map((c) => [c.name, c.consentSource, c.consentAt])).toEqual([
      ['Zhang San', 'web form', '2026-01-05T02:00:00.000Z'],
    ]);
    const transcripts = await zip.file('transcripts.csv')!.async('string');
    expect(transcripts).toContain('我的号码是 138 1234 5678');
    const audio = await zip.file('recordings/call-a1.wav')!.async('nodebuffer');
    expect(audio.equals(await readFile(join(dataDir, 'recordings', 'call-a1.wav')))).toBe(true);
    // The recorder's recording is encrypted on disk and decrypted into the zip.
    const stored = await readFile(join(dataDir, 'recordings', 'call-a2.wav'));
    expect(stored.subarray(0, 4).toString()).not.toBe('RIFF');
    const decrypted = await zip.file('recordings/call-a2.wav')!.async('nodebuffer');
    expect(decrypted.subarray(0, 4).toString()).toBe('RIFF');
    expect(decrypted.length).toBe(44 + 50 * 320 * 2 * 2);
    const audit = JSON.parse(await zip.file('audit.json')!.async('string')) as Array<{
      action: string;
    }>;
    expect(audit.map((a) => a.action)).toContain('dnc.add');
    // Read to the end: the file is gone, and asking again names the reason.
    expect(await readdir(join(dataDir, 'exports'))).toEqual([]);
    await expect(
      engine.request('privacy.exportChunk', { exportId: made.exportId, offset: 0 }),
    ).rejects.toThrow(/No such export/);
    const entries = (await engine.request('audit.list', { limit: 100 })) as {
      entries: Array<{ action: string }>;
    };
    expect(entries.entries.map((e) => e.action)).toContain('privacy.export');
  });

  it('refuses a confirmation that is another number, and a number with a call in progress', async () => {
    const { engine, store } = await setUp();
    await expect(
      engine.request('privacy.erase', { number: '13812345678', confirm: '13812345679' }),
    ).rejects.toThrow(/confirm: is not the same number/);
    await store.calls.create({
      id: 'live',
      number: '+8613812345678',
      startedAt: Date.now(),
      state: 'ringing',
    });
    await expect(
      engine.request('privacy.erase', { number: '13812345678', confirm: '13812345678' }),
    ).rejects.toThrow(/in progress/);
    expect(await store.calls.get('call-a1')).not.toBeNull();
  });
});
