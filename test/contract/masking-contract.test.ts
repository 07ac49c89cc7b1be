/**
 * Masking over the real transports (issue 15 §1): an agent's console hears a masked number,
 * name and transcript (an offer), a supervisor reads History masked (calls.get, call.utterance,
 * the CSV export) and unmasks one field of one call, which the audit trail records with the user,
 * the call and the field but never the value; agents may not unmask, only admins export unmasked
 * (audited), and an admin's setting turns masking off for a role at once. In-process requests are
 * the workspace's local admin and see raw values (checked once here).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { OutboundApi } from '../../electron/engine/api/client.js';
import type { EventData } from '../../electron/engine/api/contract.js';
import { Engine } from '../../electron/engine/index.js';
import {
  API_TRANSPORTS,
  apiError,
  quietLog,
  signInAs,
  type TransportHarness,
} from '../support/api-transports.js';

const TRANSPORTS = API_TRANSPORTS.filter(([name]) => name !== 'in-process');
const NUMBER = '+8613812345678';
const CARD = '6222021234567890128';
const CALL = 'masked-call';

describe.each(TRANSPORTS)('masking over %s', (_name, makeHarness) => {
  let engine: Engine;
  let dataDir: string;
  const harnesses: TransportHarness[] = [];
  const connect = async (): Promise<OutboundApi> => {
    const harness = await makeHarness(engine);
    harnesses.push(harness);
    return harness.api;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'outbound-masking-'));
    engine = await Engine.start({
      dataDir,
      transport: 'in-process',
      version: '0.0.0-test',
      log: quietLog,
    });
    const { store } = engine;
    const list = await store.contacts.createList({ name: 'masked' });
    await store.contacts.upsertContacts(list.id, [{ phone: NUMBER, name: '张三丰' }]);
    const [contact] = await store.contacts.contacts(list.id);
    await store.calls.create({
      id: CALL,
      number: NUMBER,
      contactId: contact!.id,
      startedAt: 1_000,
    });
    await store.calls.update(CALL, {
      state: 'done',
      outcome: 'completed',
      answeredAt: 2_000,
      endedAt: 60_000,
    });
    await store.calls.addUtterance(CALL, {
      speaker: 'customer',
      text: `卡号是${CARD}，手机幺三八一二三四五六七八`,
      startMs: 1_000,
      endMs: 4_000,
    });
  });
  afterAll(async () => {
    for (const harness of harnesses) await harness.close();
    await engine.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("shows an agent's offer masked, and refuses the agent's unmask", async () => {
    const agent = await connect();
    const { user } = await signInAs(engine, agent, 'agent');
    const heard: Array<EventData<'agent.offer'>> = [];
    const off = agent.on('agent.offer', (offer) => heard.push(offer));
    engine.events.emit('agent.offer', {
      callId: CALL,
      agentId: user.agentId!,
      offeredAt: 1,
      expiresAt: 2,
      context: {
        contact: {
          name: '张三丰',
          phone: NUMBER,
          fields: { email: 'zsf@example.com', tier: 'gold' },
        },
        campaign: 'Renewals',
        queue: { name: 'sales', labelEn: 'Sales', labelZh: '销售' },
        reason: 'customer asked for a person',
        lastIntent: null,
        transcript: [{ speaker: 'customer', text: `我的卡号是${CARD}`, intent: null, startMs: 0 }],
      },
    });
    await expect.poll(() => heard.length).toBe(1);
    off();
    expect(heard[0]!.context.contact).toEqual({
      name: '张*丰',
      phone: '+86138****5678',
      fields: { email: 'z***@example.com', tier: 'gold' },
    });
    expect(heard[0]!.context.transcript[0]!.text).toBe('我的卡号是622202*********0128');
    expect(JSON.stringify(heard)).not.toContain('13812345678');
    const refused = await apiError(
      agent.request('privacy.unmask', { callId: CALL, field: 'number' }),
    );
    expect(refused.code).toBe('FORBIDDEN');
  });

  it('shows History masked to a supervisor, who unmasks one field of one call, audited', async () => {
    const supervisor = await connect();
    const { user } = await signInAs(engine, supervisor, 'supervisor');
    const detail = await supervisor.request('calls.get', { id: CALL });
    expect(detail.call).toMatchObject({ number: '+86138****5678', contactName: '张*丰' });
    expect(detail.utterances[0]!.text).toBe('卡号是622202*********0128，手机138****5678');
    const list = await supervisor.request('calls.list', {});
    expect(JSON.stringify(list)).not.toContain('13812345678');

    // A live transcript line is masked on its way too.
    const lines: string[] = [];
    const off = supervisor.on('call.utterance', (u) => lines.push(u.text));
    engine.events.emit('call.utterance', {
      callId: CALL,
      at: 5_000,
      speaker: 'customer',
      text: 'my number is one three eight one two three four five six seven eight',
      intent: null,
      confidence: null,
      startMs: 4_000,
      endMs: 5_000,
      cutAtMs: null,
      nodeId: null,
    });
    await expect.poll(() => lines).toEqual(['my number is 138****5678']);
    off();

    expect(await supervisor.request('privacy.unmask', { callId: CALL, field: 'number' })).toEqual({
      value: NUMBER,
    });
    expect(
      await supervisor.request('privacy.unmask', { callId: CALL, field: 'utterance.0' }),
    ).toEqual({ value: `卡号是${CARD}，手机幺三八一二三四五六七八` });
    const [entry] = await engine.store.audit.list({ actions: ['privacy.unmask'], limit: 1 });
    expect(entry).toMatchObject({
      actor: user.username,
      role: 'supervisor',
      subject: CALL,
      details: { field: 'utterance.0' },
    });
    const all = await engine.store.audit.list({ actions: ['privacy.unmask'] });
    expect(all.map((e) => e.details.field)).toEqual(['utterance.0', 'number']);
    expect(JSON.stringify(all)).not.toContain('13812345678');
    expect(JSON.stringify(all)).not.toContain(CARD);
    const missing = await apiError(
      supervisor.request('privacy.unmask', { callId: CALL, field: 'utterance.9' }),
    );
    expect(missing).toMatchObject({ code: 'NOT_FOUND', field: 'field' });
    expect(
      (await apiError(supervisor.request('privacy.unmask', { callId: CALL, field: 'password' })))
        .code,
    ).toBe('INVALID_PARAMS');
  });

  it('exports masked; only an admin exports unmasked, and that page is audited so', async () => {
    const supervisor = await connect();
    await signInAs(engine, supervisor, 'supervisor');
    const masked = await supervisor.request('calls.export', {});
    expect(masked.csv).toContain('+86138****5678');
    expect(masked.csv).toContain('张*丰');
    expect(masked.csv).toContain('622202*********0128');
    expect(masked.csv).not.toContain('13812345678');
    expect(masked.csv).not.toContain(CARD);
    const refused = await apiError(supervisor.request('calls.export', { unmasked: true }));
    expect(refused).toMatchObject({ code: 'FORBIDDEN', field: 'unmasked' });

    const admin = await connect();
    await signInAs(engine, admin, 'admin');
    const raw = await admin.request('calls.export', { unmasked: true });
    expect(raw.csv).toContain(NUMBER);
    expect(raw.csv).toContain(CARD);
    const [entry] = await engine.store.audit.list({ actions: ['calls.export'], limit: 1 });
    expect(entry).toMatchObject({ role: 'admin', details: { unmasked: true } });
  });

  it("follows the admin's setting per role at once; the local admin always sees raw values", async () => {
    const supervisor = await connect();
    await signInAs(engine, supervisor, 'supervisor');
    const admin = await connect();
    await signInAs(engine, admin, 'admin');
    expect((await admin.request('calls.get', { id: CALL })).call.number).toBe('+86138****5678');
    await admin.request('settings.update', { changes: { maskForSupervisor: false } });
    expect((await supervisor.request('calls.get', { id: CALL })).call.number).toBe(NUMBER);
    expect((await admin.request('calls.get', { id: CALL })).call.number).toBe('+86138****5678');
    await admin.request('settings.update', { changes: { maskForSupervisor: true } });
    expect((await supervisor.request('calls.get', { id: CALL })).call.number).toBe(
      '+86138****5678',
    );
    expect(
      ((await engine.request('calls.get', { id: CALL })) as { call: { number: string } }).call
        .number,
    ).toBe(NUMBER);
  });
});
