import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';

import {
  AUDIT_ACTION_NAMES,
  AUDIT_ACTIONS,
  AUDIT_KINDS,
  auditActionsOfKind,
} from '../api/audit.js';
import { cliPrincipal, type Principal } from '../auth/index.js';
import { useTestStores } from '../store/testing/temp.js';
import {
  AuditLog,
  auditQuery,
  ENGINE_ACTOR,
  RECORDING_PLAY_WINDOW_MS,
  writeAudit,
} from './audit-log.js';

const testStore = useTestStores();

const ANA: Principal = {
  userId: 3,
  name: 'ana',
  role: 'supervisor',
  source: 'ws',
  address: '127.0.0.1',
};

describe('the audit actions', () => {
  it('each have a kind from the list, and every kind has actions', () => {
    for (const action of AUDIT_ACTION_NAMES) expect(AUDIT_KINDS).toContain(AUDIT_ACTIONS[action]);
    for (const kind of AUDIT_KINDS) expect(auditActionsOfKind(kind).length).toBeGreaterThan(0);
    expect(auditActionsOfKind('supervision')).toEqual([
      'supervision.start',
      'supervision.mode',
      'supervision.end',
    ]);
  });

  it('turn a filter into a store query: a kind is its actions, an action must be of the kind', () => {
    expect(auditQuery({ kind: 'trunks' })).toEqual({
      actions: ['trunks.create', 'trunks.update', 'trunks.remove'],
    });
    expect(auditQuery({ kind: 'trunks', action: 'trunks.update', actor: 'ana' })).toEqual({
      actor: 'ana',
      actions: ['trunks.update'],
    });
    expect(auditQuery({ kind: 'trunks', action: 'dnc.add' })).toEqual({ actions: [] });
    expect(auditQuery({ action: 'old.name', from: 1, to: 2, subject: 's' })).toEqual({
      actions: ['old.name'],
      from: 1,
      to: 2,
      subject: 's',
    });
  });
});

describe('AuditLog', () => {
  it('stores who, from where, what; the CLI and the engine are no stored user', async () => {
    const store = await testStore({ now: () => 1_000 });
    await writeAudit(store, ANA, {
      action: 'supervision.start',
      subject: 'call-1',
      details: { mode: 'listen' },
    });
    await writeAudit(store, cliPrincipal(), { action: 'dnc.remove', subject: '+8613800000000' });
    await writeAudit(store, ENGINE_ACTOR, { action: 'campaigns.completed', subject: 'Spring' });
    await writeAudit(store, 'a-test', { action: 'settings.update', subject: null });
    const entries = (await store.audit.list()).reverse();
    expect(entries.map(({ id: _id, at: _at, ...rest }) => rest)).toEqual([
      {
        actor: 'ana',
        actorId: 3,
        role: 'supervisor',
        source: 'ws',
        address: '127.0.0.1',
        action: 'supervision.start',
        subject: 'call-1',
        details: { mode: 'listen' },
      },
      {
        actor: 'local-admin',
        actorId: null,
        role: 'admin',
        source: 'cli',
        address: null,
        action: 'dnc.remove',
        subject: '+8613800000000',
        details: {},
      },
      {
        actor: 'engine',
        actorId: null,
        role: null,
        source: 'engine',
        address: null,
        action: 'campaigns.completed',
        subject: 'Spring',
        details: {},
      },
      {
        actor: 'a-test',
        actorId: null,
        role: null,
        source: 'engine',
        address: null,
        action: 'settings.update',
        subject: null,
        details: {},
      },
    ]);
  });

  it('records sign-ins and refusals, never with a password', async () => {
    const store = await testStore();
    const log = new AuditLog(store);
    await log.signInFailed({
      name: 'nobody',
      source: 'ws',
      address: '127.0.0.2',
      reason: 'wrong name or password',
    });
    await log.signIn(ANA);
    await log.signOut(ANA);
    expect(
      (await store.audit.list()).reverse().map((e) => [e.action, e.actor, e.address, e.details]),
    ).toEqual([
      ['auth.signInFailed', 'nobody', '127.0.0.2', { reason: 'wrong name or password' }],
      ['auth.signIn', 'ana', '127.0.0.1', {}],
      ['auth.signOut', 'ana', '127.0.0.1', {}],
    ]);
  });

  it('writes one recordings.play per person and call in the window, and retries one not written', async () => {
    let now = 1_000_000;
    const store = await testStore();
    const log = new AuditLog(store, { now: () => now });
    expect(await log.recordingPlayed(ANA, 'call-1')).toBe(true);
    now += 5_000; // a seek: the same listening
    expect(await log.recordingPlayed(ANA, 'call-1')).toBe(false);
    expect(await log.recordingPlayed(ANA, 'call-2')).toBe(true);
    expect(await log.recordingPlayed({ ...ANA, userId: 4, name: 'bo' }, 'call-1')).toBe(true);
    expect(await log.recordingPlayed(ANA, 'call-1', 'recordings.fetch')).toBe(true);
    now += RECORDING_PLAY_WINDOW_MS;
    expect(await log.recordingPlayed(ANA, 'call-1')).toBe(true);
    const plays = (await store.audit.list({ actions: ['recordings.play', 'recordings.fetch'] }))
      .reverse()
      .map((e) => [e.action, e.actor, e.subject]);
    expect(plays).toEqual([
      ['recordings.play', 'ana', 'call-1'],
      ['recordings.play', 'ana', 'call-2'],
      ['recordings.play', 'bo', 'call-1'],
      ['recordings.fetch', 'ana', 'call-1'],
      ['recordings.play', 'ana', 'call-1'],
    ]);
    // The store refuses the write (closed): no entry, so the next request tries again.
    const closed = await testStore();
    const failing = new AuditLog(closed, { now: () => now });
    await closed.close();
    await expect(failing.recordingPlayed(ANA, 'call-9')).rejects.toThrow();
    const reopened = new AuditLog(store, { now: () => now });
    expect(await reopened.recordingPlayed(ANA, 'call-9')).toBe(true);
  });

  it('lists a filtered page with its total', async () => {
    const store = await testStore();
    const log = new AuditLog(store);
    for (let i = 0; i < 5; i++)
      await writeAudit(store, ANA, { action: 'trunks.update', subject: `t${i}` });
    await writeAudit(store, cliPrincipal(), { action: 'dnc.add', subject: '+1' });
    const page = await log.list({ kind: 'trunks' }, { limit: 2, offset: 1 });
    expect(page.total).toBe(5);
    expect(page.entries.map((e) => e.subject)).toEqual(['t3', 't2']);
    expect(
      (await log.list({ actor: 'local-admin' }, { limit: 10, offset: 0 })).entries,
    ).toHaveLength(1);
  });

  it('exports CSV pages (header first, cells guarded against formulas) and audits each page', async () => {
    let now = 10_000;
    const store = await testStore({ now: () => now });
    const log = new AuditLog(store);
    await writeAudit(
      store,
      { ...ANA, name: '=HYPERLINK("x")' },
      {
        action: 'dnc.add',
        subject: '+8613800000000',
        details: { source: 'agent', note: 'a, "quoted"\nline' },
      },
    );
    now += 1;
    await writeAudit(store, ANA, { action: 'settings.update', subject: null });
    now += 1;
    const first = await log.exportPage(cliPrincipal(), { to: now }, { limit: 1, offset: 0 });
    expect(first).toMatchObject({ rows: 1, total: 2, nextOffset: 1 });
    // The export's own entry is not in what it exported (it is written after the read, at `to` or later).
    const second = await log.exportPage(cliPrincipal(), { to: now }, { limit: 1, offset: 1 });
    expect(second).toMatchObject({ rows: 1, total: 2, nextOffset: null });
    expect(second.csv.startsWith('id,')).toBe(false);
    const records = parse(first.csv + second.csv, { columns: true }) as Array<
      Record<string, string>
    >;
    expect(records.map((r) => r.action)).toEqual(['settings.update', 'dnc.add']);
    expect(records[1]).toMatchObject({
      at: new Date(10_000).toISOString(),
      actor: `'=HYPERLINK("x")`,
      actor_id: '3',
      role: 'supervisor',
      source: 'ws',
      address: '127.0.0.1',
      subject: `'+8613800000000`,
      details: JSON.stringify({ source: 'agent', note: 'a, "quoted"\nline' }),
    });
    const exports = await store.audit.list({ actions: ['audit.export'] });
    expect(exports.reverse().map((e) => [e.actor, e.source, e.details])).toEqual([
      ['local-admin', 'cli', { filter: { to: now }, offset: 0, rows: 1, total: 2 }],
      ['local-admin', 'cli', { filter: { to: now }, offset: 1, rows: 1, total: 2 }],
    ]);
  });
});
