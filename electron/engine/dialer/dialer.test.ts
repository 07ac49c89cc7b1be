import { afterEach, describe, expect, it } from 'vitest';

import type { CallOutcome, CampaignWait } from '../api/contract.js';
import { silentLogger } from '../log.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { useTestStores } from '../store/testing/temp.js';
import type { DialingCampaignRecord, NewDialingCampaign } from '../store/types.js';
import { Dialer, settlementFor } from './dialer.js';
import { explainContact } from './explain.js';
import type { AgentCapacity, DialerLine, DialRequest } from './ports.js';

const testStore = useTestStores();
const MIN = 60_000;
const allDay = [['00:00', '24:00']];
const everyDay = {
  sun: allDay,
  mon: allDay,
  tue: allDay,
  wed: allDay,
  thu: allDay,
  fri: allDay,
  sat: allDay,
};

/** A line that places nothing: it records the requests and ends calls when the test says so. */
class FakeLine implements DialerLine {
  readonly dialed: DialRequest[] = [];
  readonly live = new Map<string, number>();
  refuse = false;
  /** What a campaign waits for before it may dial (null: ready), and who hears it become ready. */
  wait: CampaignWait | null = null;
  readonly readinessListeners = new Set<(campaignId: number) => void>();
  private listeners = new Set<(callId: string) => void>();
  readiness(): CampaignWait | null {
    return this.wait;
  }
  onReadinessChange(listener: (campaignId: number) => void): () => void {
    this.readinessListeners.add(listener);
    return () => this.readinessListeners.delete(listener);
  }
  constructor(private readonly store: SqliteStore) {}
  liveByTrunk(): Map<number, number> {
    const m = new Map<number, number>();
    for (const t of this.live.values()) m.set(t, (m.get(t) ?? 0) + 1);
    return m;
  }
  liveTotal(): number {
    return this.live.size;
  }
  async dial(request: DialRequest): Promise<void> {
    if (this.refuse) throw new Error('no media host');
    this.dialed.push(request);
    this.live.set(request.callId, request.trunk.id);
    await this.store.calls.update(request.callId, { state: 'dialing' });
  }
  async end(
    callId: string,
    outcome: CallOutcome,
    at: number,
    changes: { dispositionCode?: string; callbackAt?: number } = {},
  ): Promise<void> {
    await this.store.calls.update(callId, { state: 'done', outcome, endedAt: at, ...changes });
    this.live.delete(callId);
    for (const l of this.listeners) l(callId);
  }
  onCallEnded(listener: (callId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const dialers: Dialer[] = [];
afterEach(async () => {
  await Promise.all(dialers.splice(0).map((d) => d.stop()));
});

interface Setup {
  store: SqliteStore;
  line: FakeLine;
  dialer: Dialer;
  clock: { now: number };
  campaign: DialingCampaignRecord;
  trunkId: number;
  contactIds: number[];
  refresh(): Promise<DialingCampaignRecord>;
}

async function setup(
  options: {
    contacts?: Array<{ phone: string; timeZone?: string }>;
    campaign?: Partial<NewDialingCampaign>;
    trunkMax?: number;
    desktopMax?: number;
    capacity?: AgentCapacity;
    now?: number;
  } = {},
): Promise<Setup> {
  const store = await testStore();
  const clock = { now: options.now ?? Date.parse('2026-11-25T04:00:00Z') };
  const list = await store.contacts.createList({ name: 'Leads', defaultRegion: 'CN' });
  const contacts: Array<{ phone: string; timeZone?: string }> =
    options.contacts ?? Array.from({ length: 5 }, (_, i) => ({ phone: `+861380013800${i}` }));
  await store.contacts.upsertContacts(
    list.id,
    contacts.map((c, i) => ({
      phone: c.phone,
      name: `C${i}`,
      ...(c.timeZone ? { timeZone: c.timeZone } : {}),
    })),
  );
  const contactIds = (await store.contacts.contacts(list.id)).map((c) => c.id);
  const trunk = await store.trunks.create({
    name: 'main',
    uri: 'ws://127.0.0.1:1',
    domain: 'example.test',
    username: null,
    passwordCipher: null,
    register: false,
    callerId: null,
    maxConcurrentCalls: options.trunkMax ?? 10,
    role: 'primary',
  });
  const campaign = await store.campaignContacts.createCampaign({
    name: 'Renewals',
    listId: list.id,
    flowId: null,
    flowVersion: null,
    dialingMode: 'agentless',
    linesPerAgent: 2,
    queue: 'default',
    maxConcurrentCalls: 10,
    schedule: { timeZone: 'Asia/Shanghai', windows: everyDay, excludedDates: [] },
    retryPolicy: {
      maxAttempts: 3,
      retryAfterMs: { busy: 10 * MIN, no_answer: 60 * MIN, failed: 5 * MIN },
      dailyCapPerNumber: 3,
    },
    trunkIds: [trunk.id],
    ...options.campaign,
  } as NewDialingCampaign);
  await store.campaigns.setStatus(campaign.id, 'running');
  const line = new FakeLine(store);
  const dialer = new Dialer({
    store,
    line,
    log: silentLogger,
    now: () => clock.now,
    maxDesktopCalls: async () => options.desktopMax ?? 50,
    trunkLimits: async () =>
      new Map(
        (await store.trunks.list()).map((t) => [
          t.id,
          { name: t.name, maxConcurrentCalls: t.maxConcurrentCalls },
        ]),
      ),
    onCampaignChanged: () => undefined,
    ...(options.capacity ? { capacity: options.capacity } : {}),
  });
  dialers.push(dialer);
  const refresh = async () => (await store.campaignContacts.getCampaign(campaign.id))!;
  return {
    store,
    line,
    dialer,
    clock,
    campaign: await refresh(),
    trunkId: trunk.id,
    contactIds,
    refresh,
  };
}

const settle = async (s: Setup) => s.dialer.settleEnded();

describe('the dialer (real SQLite)', () => {
  it('leases each callable contact once, with its queued call row in the same transaction, even with passes running at once', async () => {
    const s = await setup({
      contacts: Array.from({ length: 30 }, (_, i) => ({
        phone: `+86138001380${String(i).padStart(2, '0')}`,
      })),
      campaign: { maxConcurrentCalls: 200 } as Partial<NewDialingCampaign>,
      trunkMax: 200,
      desktopMax: 200,
    });
    const results = await Promise.all([
      s.dialer.pass(s.campaign, { dial: false }),
      s.dialer.pass(s.campaign, { dial: false }),
      s.dialer.pass(s.campaign, { dial: false }),
    ]);
    expect(results.reduce((sum, r) => sum + (r?.leased ?? 0), 0)).toBe(30);
    const calls: Array<{ contact_id: number; state: string; attempt: number; n: number }> =
      await s.store.database.all<{ contact_id: number; state: string; attempt: number; n: number }>(
        'SELECT contact_id, state, attempt, count(*) OVER (PARTITION BY contact_id) AS n FROM calls',
      );
    expect(calls).toHaveLength(30);
    expect(calls.every((c) => c.n === 1 && c.state === 'queued' && c.attempt === 1)).toBe(true);
    const leases: Array<{ status: string; lease_call_id: string }> = await s.store.database.all<{
      status: string;
      lease_call_id: string;
    }>('SELECT status, lease_call_id FROM campaign_contacts');
    expect(leases.every((l) => l.status === 'leased' && l.lease_call_id)).toBe(true);
  });

  it('obeys the campaign, trunk and desktop limits', async () => {
    const s = await setup({ trunkMax: 2 });
    await s.dialer.pass(s.campaign);
    expect(s.line.dialed).toHaveLength(2);
    const t = await setup({ desktopMax: 1 });
    await t.dialer.pass(t.campaign);
    expect(t.line.dialed).toHaveLength(1);
    const u = await setup({ campaign: { maxConcurrentCalls: 3 } as Partial<NewDialingCampaign> });
    await u.dialer.pass(u.campaign);
    await u.dialer.pass(u.campaign);
    expect(u.line.dialed).toHaveLength(3);
  });

  it('gives progressive one line per available agent and power floor(available × linesPerAgent)', async () => {
    const agents = { n: 2 };
    const capacity: AgentCapacity = { available: () => agents.n, onChange: () => () => undefined };
    const p = await setup({
      capacity,
      campaign: { dialingMode: 'progressive' } as Partial<NewDialingCampaign>,
    });
    expect((await p.dialer.lines(p.campaign)).free).toBe(2);
    await p.dialer.pass(p.campaign);
    expect(p.line.dialed).toHaveLength(2);
    expect((await p.dialer.lines(p.campaign)).free).toBe(0); // both lines ringing, nobody with an agent yet
    const w = await setup({
      capacity,
      campaign: { dialingMode: 'power', linesPerAgent: 1.5 } as Partial<NewDialingCampaign>,
    });
    agents.n = 3;
    expect((await w.dialer.lines(w.campaign)).free).toBe(4);
    agents.n = 0;
    expect((await w.dialer.lines(w.campaign)).free).toBe(0);
  });

  it('paces a predictive campaign, counts its answered calls in the window at settlement, and keeps the window over a restart', async () => {
    const capacity: AgentCapacity = { available: () => 2, onChange: () => () => undefined };
    const p = await setup({
      capacity,
      contacts: Array.from({ length: 8 }, (_, i) => ({ phone: `+86138001380${10 + i}` })),
      campaign: { dialingMode: 'predictive' } as Partial<NewDialingCampaign>,
    });
    // No call seen yet: the answer rate could be anything, so one line per ready agent.
    expect(p.dialer.pacing(p.campaign.id)).toBeNull();
    await p.dialer.pass(p.campaign);
    expect(p.line.dialed).toHaveLength(2);
    expect(p.dialer.pacing(p.campaign.id)).toMatchObject({ fallback: true, agentsReady: 2 });
    const [taken, dropped] = p.line.dialed;
    const at = p.clock.now;
    await p.store.calls.update(taken!.callId, { answeredAt: at + 5_000 });
    await p.store.calls.update(dropped!.callId, { answeredAt: at + 6_000 });
    await p.line.end(taken!.callId, 'transferred', at + 60_000);
    await p.line.end(dropped!.callId, 'abandoned', at + 15_000);
    await settle(p);
    const rows = await p.store.campaignContacts.abandonmentMinutes(p.campaign.id, 0);
    expect(rows.reduce((n, r) => n + r.answered, 0)).toBe(2);
    expect(rows.reduce((n, r) => n + r.abandoned, 0)).toBe(1);
    // The abandoned number rests 72 h: the contact is not leased again (only fresh ones are).
    await p.dialer.pass(p.campaign);
    expect(p.line.dialed.slice(2).map((r) => r.number)).not.toContain(dropped!.number);

    // Another dialer on the same store (a restart) reads the window back: 1 of 2 abandoned.
    const again = new Dialer({
      store: p.store,
      line: p.line,
      log: silentLogger,
      now: () => p.clock.now,
      maxDesktopCalls: async () => 50,
      trunkLimits: async () => new Map([[p.trunkId, { name: 'main', maxConcurrentCalls: 10 }]]),
      onCampaignChanged: () => undefined,
      capacity,
    });
    dialers.push(again);
    await again.lines(await p.refresh());
    expect(again.pacing(p.campaign.id)).toMatchObject({
      answered: 2,
      abandoned: 1,
      abandonRate: 0.5,
      fallback: true,
      reason: expect.stringMatching(/nears the cap/),
    });
  });

  it('retries at the configured time after the outcome, and finishes the contact when attempts are used up', async () => {
    const s = await setup({ contacts: [{ phone: '+8613800138000' }] });
    const t0 = s.clock.now;
    await s.dialer.pass(s.campaign);
    const first = s.line.dialed[0]!;
    await s.line.end(first.callId, 'busy', t0 + 20_000);
    await settle(s);
    expect(
      await s.store.campaignContacts.contact(s.campaign.id, first.contact.contactId),
    ).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastOutcome: 'busy',
      nextAt: t0 + 20_000 + 10 * MIN,
    });
    s.clock.now = t0 + 20_000 + 10 * MIN - 1;
    expect(await s.dialer.pass(s.campaign)).toMatchObject({ leased: 0 });
    s.clock.now = t0 + 20_000 + 10 * MIN;
    expect(await s.dialer.pass(s.campaign)).toMatchObject({ leased: 1 });
    expect(s.line.dialed[1]).toMatchObject({ attempt: 2 });
    await s.line.end(s.line.dialed[1]!.callId, 'no_answer', s.clock.now + 30_000);
    await settle(s);
    s.clock.now += 30_000 + 60 * MIN;
    await s.dialer.pass(s.campaign);
    await s.line.end(s.line.dialed[2]!.callId, 'busy', s.clock.now + 1000);
    await settle(s);
    expect(
      await s.store.campaignContacts.contact(s.campaign.id, first.contact.contactId),
    ).toMatchObject({ status: 'done', attempts: 3, doneReason: 'all 3 attempts used' });
    // Nothing left: the campaign completes.
    await s.dialer.pass(s.campaign);
    expect((await s.refresh()).status).toBe('completed');
  });

  it('dials due callbacks before contacts that have waited longer', async () => {
    const s = await setup({
      contacts: [
        { phone: '+8613800138000' },
        { phone: '+8613800138001' },
        { phone: '+8613800138002' },
      ],
      campaign: { maxConcurrentCalls: 1 } as Partial<NewDialingCampaign>,
    });
    const t0 = s.clock.now;
    await s.dialer.pass(s.campaign);
    const first = s.line.dialed[0]!;
    expect(first.contact.contactId).toBe(s.contactIds[0]);
    // The flow promised a callback 5 minutes on.
    await s.line.end(first.callId, 'completed', t0 + 60_000, { callbackAt: t0 + 5 * MIN });
    await settle(s);
    expect(
      await s.store.campaignContacts.contact(s.campaign.id, first.contact.contactId),
    ).toMatchObject({ status: 'pending', callbackAt: t0 + 5 * MIN, callbackSource: 'flow' });
    s.clock.now = t0 + 5 * MIN;
    await s.dialer.pass(s.campaign);
    expect(s.line.dialed[1]!.contact.contactId).toBe(first.contact.contactId);
  });

  it('checks the DNC list at dial time and writes a flow’s opt-out to it', async () => {
    const s = await setup({ contacts: [{ phone: '+8613800138000' }, { phone: '+8613800138001' }] });
    await s.store.dnc.add([{ phone: '+8613800138001', source: 'api' }]);
    await s.dialer.pass(s.campaign);
    expect(s.line.dialed.map((d: DialRequest) => d.number)).toEqual(['+8613800138000']);
    expect(await s.store.campaignContacts.contact(s.campaign.id, s.contactIds[1]!)).toMatchObject({
      status: 'done',
      doneReason: 'number is on the do-not-call list',
    });
    await s.line.end(s.line.dialed[0]!.callId, 'completed', s.clock.now + 1000, {
      dispositionCode: 'opted_out',
    });
    await settle(s);
    expect(await s.store.dnc.has('+8613800138000')).toBe(true);
    expect((await s.store.dnc.list()).find((d) => d.phone === '+8613800138000')).toMatchObject({
      source: 'flow',
      reason: `opted out on call ${s.line.dialed[0]!.callId}`,
    });
  });

  it('a campaign that requires consent skips contacts without a consent record, and explains why', async () => {
    const s = await setup({
      contacts: [{ phone: '+8613800138000' }, { phone: '+8613800138001' }],
      campaign: { requireConsent: true } as Partial<NewDialingCampaign>,
    });
    expect(s.campaign.requireConsent).toBe(true);
    await s.store.contacts.upsertContacts(s.campaign.listId!, [
      { phone: '+8613800138000', consentSource: 'web form', consentAt: s.clock.now - 86_400_000 },
    ]);
    await s.dialer.pass(s.campaign);
    expect(s.line.dialed.map((d: DialRequest) => d.number)).toEqual(['+8613800138000']);
    expect(await s.store.campaignContacts.contact(s.campaign.id, s.contactIds[1]!)).toMatchObject({
      status: 'done',
      consentAt: null,
      doneReason: 'the campaign requires consent and the contact has no consent record',
    });
    const without = await s.store.contacts.contactByPhone(s.campaign.listId!, '+8613800138001');
    expect(await explainContact(s.store, s.campaign, without!, new Date(s.clock.now))).toEqual({
      callable: false,
      zone: 'Asia/Shanghai',
      reasons: [{ code: 'no_consent' }],
    });
    // Turned off, the same contact is callable (the setting is stored, not only held in memory).
    const off = await s.store.campaignContacts.updateCampaign(s.campaign.id, {
      requireConsent: false,
    });
    expect(off.requireConsent).toBe(false);
    expect(await explainContact(s.store, off, without!, new Date(s.clock.now))).toMatchObject({
      callable: true,
    });
  });

  it('counts the per-number daily cap across campaigns', async () => {
    const s = await setup({
      contacts: [{ phone: '+8613800138000' }],
      campaign: {
        retryPolicy: { maxAttempts: 5, retryAfterMs: { busy: 0 }, dailyCapPerNumber: 2 },
      } as Partial<NewDialingCampaign>,
    });
    // Another campaign called the same number twice today.
    for (const id of ['x1', 'x2']) {
      await s.store.calls.create({
        id,
        number: '+8613800138000',
        startedAt: s.clock.now - 60 * MIN,
      });
      await s.store.calls.update(id, {
        state: 'done',
        outcome: 'busy',
        endedAt: s.clock.now - 59 * MIN,
      });
    }
    const result = await s.dialer.pass(s.campaign);
    expect(result).toMatchObject({ leased: 0, deferred: 1 });
    const row = await s.store.campaignContacts.contact(s.campaign.id, s.contactIds[0]!);
    // Deferred to the next local midnight in Shanghai (UTC+8): 2026-11-25 16:00 UTC.
    expect(row?.nextAt).toBe(Date.parse('2026-11-25T16:00:00Z'));
  });

  it('does not call a contact whose local time is outside the window while the machine’s clock is inside it (frozen clock, TZ set)', async () => {
    const previous = process.env.TZ;
    process.env.TZ = 'Asia/Shanghai';
    try {
      const nine = [['09:00', '20:00']];
      const s = await setup({
        contacts: [
          { phone: '+12025550100', timeZone: 'America/New_York' },
          { phone: '+8613800138000' },
        ],
        campaign: {
          schedule: {
            timeZone: 'Asia/Shanghai',
            windows: { mon: nine, tue: nine, wed: nine, thu: nine, fri: nine },
            excludedDates: [],
          },
        } as Partial<NewDialingCampaign>,
        // Wednesday 10:00 in Shanghai (machine time, inside the window) = Tuesday 21:00 in New York.
        now: Date.parse('2026-11-25T02:00:00Z'),
      });
      expect(new Date(s.clock.now).getHours()).toBe(10); // the machine's own clock reads 10:00
      await s.dialer.pass(s.campaign);
      expect(s.line.dialed.map((d) => d.number)).toEqual(['+8613800138000']);
      // Deferred to 09:00 Wednesday in New York, and explainable with the real reason.
      const ny = await s.store.campaignContacts.contact(s.campaign.id, s.contactIds[0]!);
      expect(ny).toMatchObject({ status: 'pending', nextAt: Date.parse('2026-11-25T14:00:00Z') });
    } finally {
      if (previous === undefined) delete process.env.TZ;
      else process.env.TZ = previous;
    }
  });

  it('after a crash: a never-dialed lease is released uncounted, a dialed one is closed as failed and retried after the failed delay', async () => {
    const s = await setup({ contacts: [{ phone: '+8613800138000' }, { phone: '+8613800138001' }] });
    await s.dialer.pass(s.campaign, { dial: false });
    const leases = await s.store.campaignContacts.leases({ includeOpen: true });
    expect(leases).toHaveLength(2);
    const [never, dialed] = leases;
    await s.store.calls.update(dialed!.call.id, { state: 'dialing' });
    // … the process dies here; a new dialer starts on the same file.
    const result = await s.dialer.recover();
    expect(result).toEqual({ released: 1, closed: 1, settled: 1 });
    // Once, at the start: a second recovery (or one beside a running dialer) would release live leases.
    await expect(s.dialer.recover()).rejects.toThrow(/runs once/);
    expect(await s.store.calls.get(never!.call.id)).toBeNull();
    expect(await s.store.campaignContacts.contact(s.campaign.id, never!.contactId)).toMatchObject({
      status: 'pending',
      attempts: 0,
      leaseCallId: null,
    });
    const closed = await s.store.calls.get(dialed!.call.id);
    expect(closed).toMatchObject({ state: 'done', outcome: 'failed' });
    expect(closed?.endReason).toMatch(/app stopped during the call/);
    expect(await s.store.campaignContacts.contact(s.campaign.id, dialed!.contactId)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastOutcome: 'failed',
      nextAt: s.clock.now + 5 * MIN,
    });
    // Not re-dialed at once: only the released contact is leased now.
    await s.dialer.pass(s.campaign);
    expect(s.line.dialed.map((d) => d.contact.contactId)).toEqual([never!.contactId]);
  });

  it('after a crash: a call in wrap-up keeps its outcome and end (it had ended), and its contact is settled with them', async () => {
    const s = await setup({ contacts: [{ phone: '+8613800138000' }] });
    await s.dialer.pass(s.campaign, { dial: false });
    const [lease] = await s.store.campaignContacts.leases({ includeOpen: true });
    const endedAt = s.clock.now - 4_000;
    await s.store.calls.update(lease!.call.id, { state: 'dialing' });
    await s.store.calls.update(lease!.call.id, {
      state: 'answered',
      answeredAt: s.clock.now - 30_000,
    });
    await s.store.calls.update(lease!.call.id, { state: 'agent' });
    await s.store.calls.update(lease!.call.id, {
      state: 'wrap_up',
      outcome: 'transferred',
      endedAt,
      endReason: 'hung up by console',
    });
    // … the process dies before the agent's form; a new dialer starts on the same file.
    expect(await s.dialer.recover()).toEqual({ released: 0, closed: 1, settled: 1 });
    const closed = await s.store.calls.get(lease!.call.id);
    expect(closed).toMatchObject({ state: 'done', outcome: 'transferred', endedAt });
    expect(closed?.endReason).toMatch(/^hung up by console; the app stopped before/);
    expect(await s.store.campaignContacts.contact(s.campaign.id, lease!.contactId)).toMatchObject({
      lastOutcome: 'transferred',
      leaseCallId: null,
    });
  });

  it('leases nothing while the campaign waits for its flow, says why, and dials as soon as the line is ready', async () => {
    const changed: number[] = [];
    const s = await setup({ contacts: [{ phone: '+8613800138000' }, { phone: '+8613800138001' }] });
    s.line.wait = {
      reason: 'flow_training',
      flow: 'confirm',
      flowVersion: 1,
      question: 2,
      questions: 3,
      error: null,
      since: s.clock.now,
      message: "waiting for the flow's phrase models: question 2 of 3",
    };
    const dialer = new Dialer({
      store: s.store,
      line: s.line,
      log: silentLogger,
      now: () => s.clock.now,
      pollMs: 60_000, // only wakes move it on
      maxDesktopCalls: async () => 50,
      trunkLimits: async () =>
        new Map(
          (await s.store.trunks.list()).map((t) => [
            t.id,
            { name: t.name, maxConcurrentCalls: 10 },
          ]),
        ),
      onCampaignChanged: (id) => changed.push(id),
    });
    dialers.push(dialer);
    dialer.start();
    await dialer.tick();
    expect(dialer.waiting(s.campaign.id)?.message).toBe(
      "waiting for the flow's phrase models: question 2 of 3",
    );
    expect(changed).toContain(s.campaign.id);
    expect(await s.store.campaignContacts.leases({ includeOpen: true })).toEqual([]);
    expect(s.line.dialed).toEqual([]);
    // Ready: the line says so, the dialer wakes and leases at once.
    s.line.wait = null;
    for (const listener of s.line.readinessListeners) listener(s.campaign.id);
    for (let i = 0; i < 50 && s.line.dialed.length < 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(s.line.dialed).toHaveLength(2);
    expect(dialer.waiting(s.campaign.id)).toBeNull();
  });

  it('releases a lease the line refused, uncounted, and backs off', async () => {
    const s = await setup({ contacts: [{ phone: '+8613800138000' }] });
    s.line.refuse = true;
    await s.dialer.pass(s.campaign);
    await new Promise((r) => setTimeout(r, 50));
    expect(await s.store.campaignContacts.contact(s.campaign.id, s.contactIds[0]!)).toMatchObject({
      status: 'pending',
      attempts: 0,
    });
    expect((await s.store.calls.list({ limit: 10, offset: 0 })).total).toBe(0);
  });

  it('settles by outcome: completed and final dispositions end, callbacks win, unretried outcomes end', () => {
    const call = {
      id: 'c',
      number: '+8613800138000',
      outcome: 'busy',
      dispositionCode: null,
      callbackAt: null,
      agentId: null,
      endedAt: 1000,
      startedAt: 0,
    };
    const lease = (changes: object, final = false) =>
      ({
        campaignId: 1,
        contactId: 1,
        attempts: 0,
        dispositionFinal: final,
        call: { ...call, ...changes },
      }) as unknown as Parameters<typeof settlementFor>[0];
    const retry = { maxAttempts: 2, retryAfterMs: { busy: 500 }, dailyCapPerNumber: 3 };
    expect(settlementFor(lease({}), retry, 2000)).toMatchObject({
      status: 'pending',
      nextAt: 1500,
    });
    expect(settlementFor(lease({ outcome: 'no_answer' }), retry, 2000)).toMatchObject({
      status: 'done',
      doneReason: 'last call ended "no_answer", which is not retried',
    });
    expect(settlementFor(lease({ outcome: 'completed' }), retry, 2000)).toMatchObject({
      status: 'done',
      doneReason: 'completed',
    });
    expect(
      settlementFor(lease({ outcome: 'completed', dispositionCode: 'paid' }, true), retry, 2000),
    ).toMatchObject({ status: 'done', doneReason: 'final disposition paid' });
    expect(
      settlementFor(lease({ outcome: 'completed', callbackAt: 9000, agentId: 3 }), retry, 2000),
    ).toMatchObject({ status: 'pending', nextAt: 9000, callbackSource: 'agent' });
  });
});
