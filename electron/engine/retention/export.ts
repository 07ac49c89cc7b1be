/**
 * An access export of one person's data (PIPL art. 45, the right of access): a zip with
 * README.txt, the contacts, calls (with their events) and transcript lines as JSON and CSV, the audit
 * entries about them, and the recordings as WAV. Recordings are read through `openRecording`, so an
 * encrypted recording goes in decrypted; without one, the stored file is copied as it is.
 *
 * The zip is streamed to the file (jszip's node stream), each recording read as a stream when the
 * zip gets to it, so a person with hours of recordings does not fill the engine's memory.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { stringify } from 'csv-stringify/sync';
import JSZip from 'jszip';

import { csvSafeCell } from '../csv-safe.js';
import type { Store } from '../store/types.js';
import { lastDigits, mentionsNumber, type NumberForms } from './number-forms.js';

export interface ExportDeps {
  store: Store;
  dataDir: string;
  /** A recording's audio as plain WAV (decrypting when it is encrypted at rest). */
  openRecording?: (callId: string, storedPath: string) => Promise<Readable>;
  now?: () => number;
}

export interface ExportReport {
  path: string;
  contacts: number;
  calls: number;
  utterances: number;
  audit: number;
  recordings: number;
  bytes: number;
}

function csv(rows: ReadonlyArray<Record<string, unknown>>): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0] ?? {});
  const cell = (v: unknown) =>
    csvSafeCell(v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
  return `\ufeff${stringify([columns, ...rows.map((r) => columns.map((c) => cell(r[c])))])}`;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function exportPerson(
  deps: ExportDeps,
  forms: NumberForms,
  outPath: string,
): Promise<ExportReport> {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const found = await store.privacy.findPerson(forms.literals, lastDigits(forms));
  const contacts = (await store.privacy.contactsByIds(found.contactIds)).map((c) => ({
    ...c,
    fields: JSON.parse(c.fields) as unknown,
    consentAt: iso(c.consentAt),
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  }));
  const calls = [];
  const utterances = [];
  for (const id of found.callIds) {
    const call = await store.calls.get(id);
    if (!call) continue;
    calls.push({
      id: call.id,
      number: call.number,
      campaign: call.campaignName,
      contact: call.contactName,
      state: call.state,
      outcome: call.outcome,
      disposition: call.dispositionCode,
      startedAt: iso(call.startedAt),
      answeredAt: iso(call.answeredAt),
      endedAt: iso(call.endedAt),
      endReason: call.endReason,
      events: (await store.calls.events(id)).map((e) => ({
        at: iso(e.at),
        type: e.type,
        data: e.data,
      })),
    });
    for (const u of await store.calls.utterances(id))
      utterances.push({
        callId: id,
        speaker: u.speaker,
        text: u.text,
        startMs: u.startMs,
        endMs: u.endMs,
        intent: u.intent,
      });
  }
  const auditRows = new Map<number, (typeof found.audit)[number]>();
  for (const a of found.audit)
    if (mentionsNumber(`${a.subject ?? ''} ${a.details}`, forms)) auditRows.set(a.id, a);
  for (const a of await store.privacy.auditBySubjects(found.callIds)) auditRows.set(a.id, a);
  const audit = [...auditRows.values()]
    .sort((a, b) => a.id - b.id)
    .map((a) => ({
      at: iso(a.at),
      actor: a.actor,
      action: a.action,
      subject: a.subject,
      details: JSON.parse(a.details) as unknown,
    }));

  const zip = new JSZip();
  const written = iso(now());
  zip.file(
    'README.txt',
    [
      `Personal data held for ${forms.e164}`,
      `Exported ${written} by Outbound Console (an access request under PIPL art. 45).`,
      '',
      'contacts.json / contacts.csv   the contact records with this number (every list)',
      "calls.json / calls.csv         the calls to it: times, outcome, disposition (calls.json also has each call's events)",
      'transcripts.json / .csv        what was said on those calls, by speaker, ms from the answer',
      'audit.json / audit.csv         the audit entries about this number and its calls',
      'recordings/<call id>.wav       the recordings of those calls (left: the customer, right: what the customer heard)',
      '',
      `Contacts: ${contacts.length}. Calls: ${calls.length}. Transcript lines: ${utterances.length}. Audit entries: ${audit.length}. Recordings: ${found.recordings.length}.`,
      '',
    ].join('\r\n'),
  );
  zip.file('contacts.json', JSON.stringify(contacts, null, 2));
  zip.file('contacts.csv', csv(contacts));
  zip.file('calls.json', JSON.stringify(calls, null, 2));
  zip.file('calls.csv', csv(calls.map(({ events: _events, ...rest }) => rest)));
  zip.file('transcripts.json', JSON.stringify(utterances, null, 2));
  zip.file('transcripts.csv', csv(utterances));
  zip.file('audit.json', JSON.stringify(audit, null, 2));
  zip.file('audit.csv', csv(audit));
  const dataDir = resolve(deps.dataDir);
  let recordings = 0;
  for (const r of found.recordings) {
    const stream = deps.openRecording
      ? await deps.openRecording(r.callId, r.path)
      : createReadStream(resolve(dataDir, r.path));
    zip.file(`recordings/${r.callId}.wav`, stream, { binary: true });
    recordings++;
  }
  const out = resolve(outPath);
  await mkdir(dirname(out), { recursive: true });
  const partial = `${out}.partial`;
  try {
    await pipeline(
      zip.generateNodeStream({ type: 'nodebuffer', streamFiles: true, compression: 'DEFLATE' }),
      createWriteStream(partial, { mode: 0o600 }),
    );
    await rename(partial, out);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  const { size } = await stat(out);
  return {
    path: out,
    contacts: contacts.length,
    calls: calls.length,
    utterances: utterances.length,
    audit: audit.length,
    recordings,
    bytes: size,
  };
}
