/**
 * Preview dialing's dialer part on a real SQLite store (dialer/preview.ts): a preview campaign
 * leases one contact per free agent and dials nothing; the agent's Dial places that lease with
 * their id; Skip settles the contact as its reason says (later: the retry policy's no_answer wait;
 * wrong number: finished; do not call: finished and on the DNC list), audited; a preview nobody
 * acts on expires back to the campaign; another agent cannot act on it.
 */
import { afterEach, describe, expect, it } from 'vitest';

import type { AgentPreview } from '../api/preview.js';
import { silentLogger } from '../log.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { useTestStores } from '../store/testing/temp.js';
import { Dialer } from './dialer.js';
import type { DialerLine, DialRequest } from './ports.js';
import { PreviewDesk, PreviewError, type PreviewRouting } from './preview.js';

const testStore = useTestStores();
const MIN = 60_000;
const allDay = [['00:00', '24:00']];
const everyDay = Object.fromEntries(
  ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, allDay]),
);

class FakeLine implements DialerLine {
  readonly dialed: DialRequest[] = [];
  private readonly listeners = new Set<(callId: string) => void>();
  constructor(private readonly store: SqliteStore) {}
  liveByTrunk(): Map<number, number> {
    return new Map();
  }
  liveTotal(): number {
    return 0;
  }
  async dial(request: DialRequest): Promise<void> {
    this.dialed.push(request);
    await this.store.calls.update(request.callId, { state: 'dialing' });
  }
  onCallEnded(listener: (callId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async end(callId: string, at: number): Promise<void> {
    await this.store.calls.update(callId, { state: 'done', outcome: 'no_answer', endedAt: at });
    for (const listener of this.listeners) listener(callId);
  }
}

/** Routing's part in memory: who is free, who is held for which call. */
class FakeRouting implements PreviewRouting {
  readonly holds = new Map<number, string>();
  constructor(readonly free: number[]) {}
  previewAgents(): Promise<number[]> {
    return Promise.resolve(this.free.filter((id) => !this.holds.has(id)));
  }
  reservePreview(agentId: number, callId: string): Promise<boolean> {
    if (this.holds.has(agentId)) return Promise.resolve(false);
    this.holds.set(agentId, callId);
    return Promise.resolve(true);
  }
  releasePreview(agentId: number, callId: string): Promise<void> {
    if (this.holds.get(agentId) === callId) this.holds.delete(agentId);
    return Promise.resolve();
  }
}

const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function setup(agents: number[], timeoutMs = 60_000) {
  const store = await testStore();
  const clock = { now: Date.parse('2026-11-25T04:00:00Z') };
  const list = await store.contacts.createList({ name: 'Leads', defaultRegion: 'CN' });
  await store.contacts.upsertContacts(
    list.id,
    [0, 1, 2].map((i) => ({
      phone: `+86138001380${i}0`,
      name: `C${i}`,
      fields: { plan: `p${i}` },
    })),
  );
  const trunk = await store.trunks.create({
    name: 'main',
    uri: 'ws://127.0.0.1:1',
    domain: 'example.test',
    username: null,
    passwordCipher: null,
    register: false,
    callerId: null,
    maxConcurrentCalls: 10,
    role: 'primary',
  });
  const created = await store.campaignContacts.createCampaign({
    name: 'Renewals',
    listId: list.id,
    flowId: null,
    flowVersion: null,
    dialingMode: 'preview',
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
  });
  await store.campaigns.setStatus(created.id, 'running');
  const line = new FakeLine(store);
  const routing = new FakeRouting(agents);
  const events: Array<{ event: string; data: unknown }> = [];
  const desk = new PreviewDesk({
    store,
    routing,
    log: silentLogger,
    emit: (event: string, data: unknown) => events.push({ event, data }),
    timeoutMs: () => Promise.resolve(timeoutMs),
    onReleased: () => undefined,
    now: () => clock.now,
  });
  const dialer = new Dialer({
    store,
    line,
    log: silentLogger,
    now: () => clock.now,
    maxDesktopCalls: () => Promise.resolve(50),
    trunkLimits: async () =>
      new Map(
        (await store.trunks.list()).map((t) => [t.id, { name: t.name, maxConcurrentCalls: 10 }]),
      ),
    onCampaignChanged: () => undefined,
  });
  dialer.setPreviewPort(desk);
  stops.push(
    () => desk.close(),
    () => dialer.stop(),
  );
  const campaign = (await store.campaignContacts.getCampaign(created.id))!;
  const contacts = async () =>
    (await store.campaignContacts.contacts(campaign.id, { limit: 10, offset: 0 })).contacts;
  return { store, clock, line, routing, events, desk, dialer, campaign, contacts };
}

const previews = (events: Array<{ event: string; data: unknown }>) =>
  events.filter((e) => e.event === 'agent.preview').map((e) => e.data as AgentPreview);

describe('preview dialing', () => {
  it('leases one contact per free agent, shows it with its fields and history, and dials nothing', async () => {
    const s = await setup([7, 8]);
    // An earlier call to the first contact's number, for the history.
    await s.store.calls.create({
      id: 'old-1',
      number: '+8613800138000',
      startedAt: s.clock.now - 3_600_000,
    });
    await s.store.calls.update('old-1', {
      state: 'done',
      outcome: 'busy',
      endedAt: s.clock.now - 3_590_000,
    });
    const result = await s.dialer.pass(s.campaign);
    expect(result).toMatchObject({ leased: 2 });
    expect(s.line.dialed).toEqual([]);
    const shown = previews(s.events);
    expect(shown.map((p) => p.agentId)).toEqual([7, 8]);
    expect(shown[0]).toMatchObject({
      campaignName: 'Renewals',
      contact: { name: 'C0', phone: '+8613800138000', fields: { plan: 'p0' } },
      attempt: 1,
      state: 'waiting',
      expiresAt: s.clock.now + 60_000,
    });
    expect(shown[0]!.history).toEqual([
      expect.objectContaining({ callId: 'old-1', outcome: 'busy' }),
    ]);
    expect([...s.routing.holds.keys()]).toEqual([7, 8]);
    expect(s.desk.current(7)?.callId).toBe(shown[0]!.callId);
    // Both agents hold a contact: no more leases.
    expect(await s.dialer.pass(s.campaign)).toBeNull();
  });

  it("dials on the agent's click with the agent's id, and a call nobody answered frees the agent and is retried", async () => {
    const s = await setup([7]);
    await s.dialer.pass(s.campaign);
    const [preview] = previews(s.events);
    expect(() => s.desk.dial(8, preview!.callId)).toThrow(PreviewError);
    expect(s.desk.dial(7, preview!.callId)).toEqual({ callId: preview!.callId });
    await expect.poll(() => s.line.dialed.length).toBe(1);
    expect(s.line.dialed[0]).toMatchObject({ callId: preview!.callId, agentId: 7 });
    expect(s.desk.current(7)?.state).toBe('dialing');
    expect(() => s.desk.dial(7, preview!.callId)).toThrow(/being dialed/);
    await s.line.end(preview!.callId, s.clock.now + 30_000);
    s.desk.callEnded(preview!.callId);
    await expect.poll(() => s.routing.holds.size).toBe(0);
    expect(s.events.at(-1)).toEqual({
      event: 'agent.previewEnded',
      data: { callId: preview!.callId, agentId: 7, reason: 'call_ended' },
    });
    await s.dialer.settleEnded();
    const contact = (await s.contacts()).find((c) => c.phone === preview!.contact.phone)!;
    expect(contact).toMatchObject({ status: 'pending', attempts: 1, lastOutcome: 'no_answer' });
  });

  it('skips with a reason: later is retried without an attempt, wrong number finished, do-not-call listed; all audited', async () => {
    const s = await setup([7]);
    const skip = async (reason: 'later' | 'wrong_number' | 'do_not_call') => {
      await s.dialer.pass(s.campaign);
      const preview = s.desk.current(7)!;
      const result = await s.desk.skip(7, preview.callId, reason, 'asked', 'ann');
      expect(s.routing.holds.size).toBe(0);
      expect(await s.store.calls.get(preview.callId)).toBeNull(); // never dialed: no call row
      return { preview, result };
    };
    const later = await skip('later');
    expect(later.result).toEqual({ status: 'pending', nextAt: s.clock.now + 60 * MIN });
    const wrong = await skip('wrong_number');
    expect(wrong.result).toEqual({ status: 'done', nextAt: null });
    const dnc = await skip('do_not_call');
    const byPhone = new Map((await s.contacts()).map((c) => [c.phone, c]));
    expect(byPhone.get(later.preview.contact.phone)).toMatchObject({
      status: 'pending',
      attempts: 0,
    });
    expect(byPhone.get(wrong.preview.contact.phone)).toMatchObject({
      status: 'done',
      doneReason: 'skipped in preview: wrong number',
    });
    expect(byPhone.get(dnc.preview.contact.phone)).toMatchObject({ status: 'done' });
    expect((await s.store.dnc.list()).map((e) => e.phone)).toEqual([dnc.preview.contact.phone]);
    const audit = await s.store.audit.list({ actions: ['calls.previewSkip'] });
    expect(audit.map((a) => (a.details as { reason: string }).reason).sort()).toEqual([
      'do_not_call',
      'later',
      'wrong_number',
    ]);
    expect(audit[0]).toMatchObject({ actor: 'ann' });
    // Every contact is settled or waiting: nothing left to preview now.
    expect(await s.dialer.pass(s.campaign)).toMatchObject({ leased: 0 });
  });

  it('gives a preview nobody acts on back to the campaign after the timeout', async () => {
    const s = await setup([7], 40);
    await s.dialer.pass(s.campaign);
    const [preview] = previews(s.events);
    await expect
      .poll(() => s.events.some((e) => e.event === 'agent.previewEnded'), { timeout: 2_000 })
      .toBe(true);
    expect(s.events.at(-1)?.data).toEqual({
      callId: preview!.callId,
      agentId: 7,
      reason: 'expired',
    });
    expect(s.routing.holds.size).toBe(0);
    expect(await s.store.calls.get(preview!.callId)).toBeNull();
    const contact = (await s.contacts()).find((c) => c.phone === preview!.contact.phone)!;
    expect(contact).toMatchObject({ status: 'pending', attempts: 0 });
    await expect(s.desk.skip(7, preview!.callId, 'later', undefined, 'ann')).rejects.toThrow(
      PreviewError,
    );
    // The same contact is shown again (it is due at once).
    await s.dialer.pass(s.campaign);
    expect(s.desk.current(7)?.contact.phone).toBe(preview!.contact.phone);
  });
});
