/**
 * The audit trail over every transport: changes made through the API are listed by audit.list
 * with who and from where, its filters and paging, audit.export's CSV pages (each one itself an
 * entry), and that the contract holds no command that could change or delete an entry — each
 * reply validated by the client against the contract on the way back.
 */
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';

import { type AuditSource, COMMAND_NAMES } from '../../electron/engine/api/contract.js';
import {
  API_TRANSPORTS,
  apiError,
  signInAs,
  useContractEngine,
} from '../support/api-transports.js';

describe('the contract', () => {
  it('reads the audit trail and changes nothing in it: audit.list and audit.export only', () => {
    expect(COMMAND_NAMES.filter((name) => name.startsWith('audit.')).sort()).toEqual([
      'audit.export',
      'audit.list',
    ]);
  });
});

/** Where each transport's requests come from, as the audit trail names it. */
const SOURCES: Record<string, AuditSource> = {
  'in-process': 'cli',
  'websocket (headless)': 'ws',
  'websocket (headless), PostgreSQL store': 'ws',
  'electron ipc (stand-ins)': 'ipc',
};

describe.each(API_TRANSPORTS)('The audit trail over %s', (name, makeHarness) => {
  const h = useContractEngine(makeHarness, 'outbound-audit-contract-');
  let me: { username: string; userId: number; role: string };

  beforeAll(async () => {
    // The harness signed in as an admin; in-process requests are the CLI's local admin.
    me = await h.api.request('auth.whoami');
  });

  it('lists the changes made through the API, newest first, with who and from where', async () => {
    await h.api.request('trunks.create', {
      name: 'main',
      uri: 'ws://127.0.0.1:5066',
      domain: '127.0.0.1',
    });
    await h.api.request('trunks.update', { name: 'main', changes: { maxConcurrentCalls: 3 } });
    await h.api.request('dnc.add', { numbers: ['+8613800000009'] });
    await h.api.request('settings.update', { changes: { wrapUpMs: 15_000 } });
    const all = await h.api.request('audit.list', {});
    expect(all.entries.slice(0, 4).map((e) => [e.action, e.subject])).toEqual([
      ['settings.update', null],
      // A signed-in admin sees the number masked (the default); the CLI's local admin, raw.
      ['dnc.add', me.username === 'local-admin' ? '+8613800000009' : '+86138****0009'],
      ['trunks.update', 'main'],
      ['trunks.create', 'main'],
    ]);
    // The CLI's local admin (in-process, or a client holding the server's token) is from the CLI.
    const source = me.username === 'local-admin' ? 'cli' : SOURCES[name];
    for (const entry of all.entries.slice(0, 4))
      expect(entry).toMatchObject({
        actor: me.username,
        actorId: me.userId > 0 ? me.userId : null,
        role: me.role,
        source,
        address: source === 'ws' ? expect.stringMatching(/127\.0\.0\.1|::1/) : null,
      });
    expect(all.entries[2]?.details).toMatchObject({ maxConcurrentCalls: 3 });
  });

  it('filters by kind, action, actor, subject and time, and pages with the total', async () => {
    const trunks = await h.api.request('audit.list', { kind: 'trunks' });
    expect(trunks.total).toBe(2);
    expect(trunks.entries.map((e) => e.action)).toEqual(['trunks.update', 'trunks.create']);
    const actor = trunks.entries[0]!.actor;
    expect(
      (await h.api.request('audit.list', { action: 'trunks.create', actor })).entries,
    ).toHaveLength(1);
    expect(
      (await h.api.request('audit.list', { subject: '+8613800000009' })).entries.map(
        (e) => e.action,
      ),
    ).toEqual(['dnc.add']);
    const at = trunks.entries[1]!.at;
    expect((await h.api.request('audit.list', { kind: 'trunks', to: at })).total).toBe(0);
    expect((await h.api.request('audit.list', { kind: 'trunks', from: at })).total).toBe(2);
    const second = await h.api.request('audit.list', { kind: 'trunks', limit: 1, offset: 1 });
    expect(second).toMatchObject({ total: 2, entries: [{ action: 'trunks.create' }] });
    expect(await apiError(h.api.request('audit.list', { limit: 501 }))).toMatchObject({
      code: 'INVALID_PARAMS',
      field: 'limit',
    });
    expect(
      await apiError(h.api.request('audit.list', { kind: 'nonsense' as 'trunks' })),
    ).toMatchObject({ code: 'INVALID_PARAMS', field: 'kind' });
  });

  it('exports CSV pages, the header once, and audits each page', async () => {
    const to = Date.now() + 1;
    const first = await h.api.request('audit.export', { kind: 'trunks', to, limit: 1 });
    expect(first).toMatchObject({ rows: 1, total: 2, nextOffset: 1 });
    const second = await h.api.request('audit.export', { kind: 'trunks', to, limit: 1, offset: 1 });
    expect(second).toMatchObject({ rows: 1, total: 2, nextOffset: null });
    const records = parse(first.csv + second.csv, { columns: true }) as Array<
      Record<string, string>
    >;
    expect(records.map((r) => [r.action, r.subject])).toEqual([
      ['trunks.update', 'main'],
      ['trunks.create', 'main'],
    ]);
    expect(Object.keys(records[0]!)).toEqual([
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
    ]);
    const exports = await h.api.request('audit.list', { action: 'audit.export' });
    expect(exports.entries.map((e) => e.details)).toEqual([
      { filter: { kind: 'trunks', to }, offset: 1, rows: 1, total: 2 },
      { filter: { kind: 'trunks', to }, offset: 0, rows: 1, total: 2 },
    ]);
  });

  it('audits the Reports page’s CSV export too', async () => {
    const { fileName, rows } = await h.api.request('kpi.reportCsv', {
      from: '2026-12-01',
      to: '2026-12-03',
    });
    const [entry] = (await h.api.request('audit.list', { action: 'reports.export' })).entries;
    expect(entry).toMatchObject({
      actor: me.username,
      subject: fileName,
      details: { from: '2026-12-01', to: '2026-12-03', rows },
    });
  });

  it('is for admins only: an agent and a supervisor are refused, naming the role needed', async () => {
    if (name === 'in-process') return; // the CLI's local admin is always an admin
    for (const role of ['agent', 'supervisor'] as const) {
      await h.api.request('auth.signOut');
      await signInAs(h.engine, h.api, role);
      for (const command of ['audit.list', 'audit.export'] as const)
        expect(await apiError(h.api.request(command, {}))).toMatchObject({
          code: 'FORBIDDEN',
          message: expect.stringContaining('admin') as unknown,
        });
      await h.api.request('auth.signOut');
      await signInAs(h.engine, h.api, 'admin');
    }
    // The refusals changed nothing; the sign-ins and sign-outs are in the trail.
    const auth = await h.api.request('audit.list', { kind: 'auth' });
    expect(auth.entries.map((e) => [e.action, e.actor]).slice(0, 3)).toEqual([
      ['auth.signIn', 'test-admin'],
      ['auth.signOut', 'test-supervisor'],
      ['auth.signIn', 'test-supervisor'],
    ]);
  });
});
