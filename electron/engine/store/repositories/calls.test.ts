import { describe, expect, it } from 'vitest';

import { describeBackends } from '../testing/backends.js';
import type { JsonObject } from '../types.js';

describeBackends('call repository', (testStore) => {
  it('creates a queued first attempt with a "created" event, in one go', async () => {
    const store = await testStore();
    const call = await store.calls.create({ id: 'c1', number: '+8613800138000', startedAt: 1_000 });
    expect(call).toEqual({
      id: 'c1',
      campaignId: null,
      contactId: null,
      trunkId: null,
      number: '+8613800138000',
      attempt: 1,
      state: 'queued',
      outcome: null,
      dispositionCode: null,
      sipCode: null,
      sipReason: null,
      agentId: null,
      flowId: null,
      flowVersion: null,
      startedAt: 1_000,
      answeredAt: null,
      endedAt: null,
      endReason: null,
      queueId: null,
      transferReason: null,
      notes: null,
      callbackAt: null,
    });
    expect(await store.calls.get('c1')).toEqual({ ...call, contactName: null, campaignName: null });
    expect(await store.calls.events('c1')).toEqual([
      {
        id: expect.any(Number),
        callId: 'c1',
        at: 1_000,
        type: 'created',
        data: { state: 'queued' },
      },
    ]);
    await expect(
      store.calls.create({ id: 'c1', number: '+1', startedAt: 1 }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'A call with id "c1" already exists.',
    });
    expect(await store.calls.events('c1')).toHaveLength(1);
    expect(await store.calls.get('missing')).toBeNull();
  });

  it('applies changes together with their event', async () => {
    const store = await testStore();
    await store.calls.create({
      id: 'c1',
      number: '+8613800138000',
      startedAt: 1_000,
      attempt: 2,
      state: 'dialing',
    });
    const updated = await store.calls.update(
      'c1',
      {
        state: 'done',
        outcome: 'busy',
        sipCode: 486,
        sipReason: 'Busy Here',
        endedAt: 4_000,
        endReason: 'busy',
        contactId: undefined,
      },
      { at: 4_000, type: 'state', data: { from: 'ringing', to: 'done' } },
    );
    expect(updated).toMatchObject({
      state: 'done',
      outcome: 'busy',
      sipCode: 486,
      sipReason: 'Busy Here',
      endedAt: 4_000,
      endReason: 'busy',
      attempt: 2,
    });
    expect(await store.calls.get('c1')).toMatchObject(updated);
    expect((await store.calls.events('c1')).map((e) => [e.type, e.data])).toEqual([
      ['created', { state: 'dialing' }],
      ['state', { from: 'ringing', to: 'done' }],
    ]);
    // An event alone, or nothing at all, is fine too.
    await store.calls.update('c1', {}, { at: 5_000, type: 'note' });
    expect((await store.calls.events('c1')).at(-1)).toMatchObject({ type: 'note', data: {} });
    expect(await store.calls.update('c1', {})).toMatchObject({ state: 'done' });
  });

  it('writes neither the change nor the event when either fails', async () => {
    const store = await testStore();
    await store.calls.create({ id: 'c1', number: '+8613800138000', startedAt: 1_000 });
    const badEvent = {
      at: 2_000,
      type: 'state',
      data: ['not', 'an', 'object'] as unknown as JsonObject,
    };
    await expect(store.calls.update('c1', { state: 'dialing' }, badEvent)).rejects.toMatchObject({
      code: 'SQLITE',
    });
    expect(await store.calls.get('c1')).toMatchObject({ state: 'queued' });
    expect(await store.calls.events('c1')).toHaveLength(1);
  });

  it('refuses unknown fields, bad values and missing calls', async () => {
    const store = await testStore();
    await store.calls.create({ id: 'c1', number: '+8613800138000', startedAt: 1_000 });
    const sneaky = { state: 'dialing', startedAt: 5 } as unknown as { state: 'dialing' };
    await expect(store.calls.update('c1', sneaky)).rejects.toThrow(
      'calls.update cannot change "startedAt"',
    );
    // @ts-expect-error: the state machine refuses what the types would
    await expect(store.calls.update('c1', { state: 'exploded' })).rejects.toMatchObject({
      code: 'ILLEGAL_TRANSITION',
    });
    await expect(store.calls.update('nope', { state: 'ringing' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Call "nope" does not exist.',
    });
    await expect(store.calls.update('nope', {}, { at: 1, type: 'x' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Call "nope" does not exist.',
    });
    await expect(store.calls.appendEvent('nope', { at: 1, type: 'x' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Call "nope" does not exist.',
    });
    expect(await store.calls.get('c1')).toMatchObject({ state: 'queued', startedAt: 1_000 });
  });

  it('keeps events in the order they were appended', async () => {
    const store = await testStore();
    await store.calls.create({ id: 'c1', number: '+1', startedAt: 1 });
    await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        store.calls.appendEvent('c1', { at: 10 - i, type: `e${i}`, data: { i } }),
      ),
    );
    expect((await store.calls.events('c1')).map((e) => e.type)).toEqual([
      'created',
      'e1',
      'e2',
      'e3',
      'e4',
      'e5',
    ]);
  });

  it('stores utterances (ordered by start) and one recording per call', async () => {
    const store = await testStore({ now: () => 9_000 });
    await store.calls.create({ id: 'c1', number: '+8613800138000', startedAt: 1_000 });
    const answer = await store.calls.addUtterance('c1', {
      speaker: 'customer',
      text: '是的',
      intent: 'yes',
      confidence: 0.93,
      startMs: 2_400,
      endMs: 2_900,
    });
    const prompt = await store.calls.addUtterance('c1', {
      speaker: 'bot',
      text: '您好，请问是王先生吗？',
      startMs: 0,
      endMs: 2_600,
      cutAtMs: 2_450,
      nodeId: 'greet',
    });
    expect(answer).toEqual({
      id: answer.id,
      callId: 'c1',
      speaker: 'customer',
      text: '是的',
      intent: 'yes',
      confidence: 0.93,
      startMs: 2_400,
      endMs: 2_900,
      cutAtMs: null,
      nodeId: null,
    });
    expect(prompt.nodeId).toBe('greet');
    expect(await store.calls.utterances('c1')).toEqual([prompt, answer]);
    await expect(
      store.calls.addUtterance('nope', { speaker: 'bot', text: 'x', startMs: 0, endMs: 1 }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      store.calls.addUtterance('c1', {
        speaker: 'bot',
        text: 'x',
        startMs: 0,
        endMs: 1,
        confidence: 1.5,
      }),
    ).rejects.toMatchObject({ code: 'SQLITE' });

    expect(await store.calls.recording('c1')).toBeNull();
    const recording = await store.calls.addRecording({
      callId: 'c1',
      path: 'recordings/c1.wav',
      channels: 2,
      sampleRate: 16_000,
      durationMs: 30_500,
      bytes: 1_952_044,
    });
    expect(recording).toEqual({
      id: recording.id,
      callId: 'c1',
      path: 'recordings/c1.wav',
      channels: 2,
      sampleRate: 16_000,
      durationMs: 30_500,
      bytes: 1_952_044,
      createdAt: 9_000,
    });
    // Read with its call's seat (null: a call placed before seats, or by no seat).
    expect(await store.calls.recording('c1')).toEqual({ ...recording, seatId: null });
    await expect(
      store.calls.addRecording({ ...recording, path: 'again.wav' }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'Call "c1" already has a recording.',
    });
  });

  it('validates every state change against the state machine and keeps each with its time', async () => {
    const store = await testStore();
    await store.calls.create({ id: 'c1', number: '+8613800138000', startedAt: 1_000 });
    await store.calls.update('c1', { state: 'dialing' }, { at: 1_100, type: 'dial' });
    await expect(
      store.calls.update('c1', { state: 'agent' }, { at: 1_200, type: 'x' }),
    ).rejects.toMatchObject({
      code: 'ILLEGAL_TRANSITION',
      message:
        'Call c1 cannot go from "dialing" to "agent" (from "dialing" it may go to "ringing", "answered", "done")',
    });
    await expect(store.calls.update('c1', { state: 'done' })).rejects.toThrow(
      'Call c1 cannot end ("dialing" → "done") without an outcome',
    );
    await store.calls.update(
      'c1',
      { state: 'answered', answeredAt: 1_500 },
      { at: 1_500, type: 'answered' },
    );
    await store.calls.update('c1', { state: 'bot' }, { at: 1_600, type: 'state_bot' });
    await store.calls.update(
      'c1',
      { state: 'done', outcome: 'completed', endReason: 'customer hung up' },
      { at: 9_000, type: 'ended' },
    );
    await expect(store.calls.update('c1', { state: 'bot' })).rejects.toThrow('("done" is final)');
    await expect(
      store.calls.update('c1', { state: 'done', outcome: 'busy' }),
    ).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    expect(await store.calls.get('c1')).toMatchObject({ state: 'done', outcome: 'completed' });
    expect(await store.calls.transitions('c1')).toEqual([
      { from: null, to: 'queued', at: 1_000, reason: null },
      { from: 'queued', to: 'dialing', at: 1_100, reason: null },
      { from: 'dialing', to: 'answered', at: 1_500, reason: null },
      { from: 'answered', to: 'bot', at: 1_600, reason: null },
      { from: 'bot', to: 'done', at: 9_000, reason: 'customer hung up' },
    ]);
  });

  it('lists unfinished calls oldest first', async () => {
    const store = await testStore();
    await store.calls.create({ id: 'b', number: '+1', startedAt: 2, state: 'bot' });
    await store.calls.create({ id: 'a', number: '+1', startedAt: 1, state: 'dialing' });
    await store.calls.create({ id: 'done', number: '+1', startedAt: 0 });
    await store.calls.update('done', { state: 'done', outcome: 'completed' });
    expect((await store.calls.unfinished()).map((c) => c.id)).toEqual(['a', 'b']);
  });

  describe('list', () => {
    async function historyStore() {
      const store = await testStore();
      const list = await store.contacts.createList({ name: 'Leads' });
      await store.contacts.upsertContacts(list.id, [
        { phone: '+8613800138000', name: '王伟' },
        { phone: '+12025550100', name: 'John 100%_Smith' },
      ]);
      const [wang, john] = await store.contacts.contacts(list.id);
      const renewals = await store.campaigns.create({ name: 'Renewals', listId: list.id });
      const survey = await store.campaigns.create({ name: 'Survey' });
      await store.calls.create({
        id: 'c1',
        number: wang!.phone,
        contactId: wang!.id,
        campaignId: renewals.id,
        startedAt: 1_000,
      });
      await store.calls.create({
        id: 'c2',
        number: john!.phone,
        contactId: john!.id,
        campaignId: renewals.id,
        startedAt: 2_000,
      });
      await store.calls.create({
        id: 'c3',
        number: '+447700900123',
        campaignId: survey.id,
        startedAt: 3_000,
      });
      await store.calls.create({ id: 'c4', number: '+447700900999', startedAt: 3_000 });
      await store.calls.update('c1', { state: 'done', outcome: 'completed' });
      await store.calls.update('c2', { state: 'done', outcome: 'busy' });
      await store.calls.update('c3', { state: 'done', outcome: 'completed' });
      await store.calls.addUtterance('c3', {
        speaker: 'customer',
        text: 'Please call me back tomorrow',
        startMs: 0,
        endMs: 900,
      });
      return { store, renewals, survey };
    }

    it('returns calls newest first with contact and campaign names and the total', async () => {
      const { store } = await historyStore();
      const { calls, total } = await store.calls.list({ limit: 10, offset: 0 });
      expect(total).toBe(4);
      expect(calls.map((c) => [c.id, c.contactName, c.campaignName])).toEqual([
        ['c4', null, null],
        ['c3', null, 'Survey'],
        ['c2', 'John 100%_Smith', 'Renewals'],
        ['c1', '王伟', 'Renewals'],
      ]);
      expect(calls[3]).toMatchObject({
        state: 'done',
        outcome: 'completed',
        number: '+8613800138000',
      });
    });

    it('pages, keeping the total of everything that matches', async () => {
      const { store } = await historyStore();
      const page = await store.calls.list({ limit: 2, offset: 1 });
      expect(page.calls.map((c) => c.id)).toEqual(['c3', 'c2']);
      expect(page.total).toBe(4);
      expect(await store.calls.list({ limit: 2, offset: 10 })).toEqual({ calls: [], total: 4 });
    });

    it('filters by outcome and campaign', async () => {
      const { store, renewals } = await historyStore();
      const ids = async (filter: object) =>
        (await store.calls.list({ limit: 10, offset: 0, ...filter })).calls.map((c) => c.id);
      expect(await ids({ outcome: 'completed' })).toEqual(['c3', 'c1']);
      expect(await ids({ campaignId: renewals.id })).toEqual(['c2', 'c1']);
      expect(await ids({ campaignId: renewals.id, outcome: 'completed' })).toEqual(['c1']);
      expect((await store.calls.list({ limit: 10, offset: 0, outcome: 'machine' })).total).toBe(0);
    });

    it('searches the number, the contact name and the transcript', async () => {
      const { store } = await historyStore();
      const search = async (text: string) => {
        const result = await store.calls.list({ limit: 10, offset: 0, search: text });
        expect(result.total).toBe(result.calls.length);
        return result.calls.map((c) => c.id);
      };
      expect(await search('13800138')).toEqual(['c1']);
      expect(await search('王')).toEqual(['c1']);
      expect(await search('  john ')).toEqual(['c2']);
      expect(await search('call me BACK')).toEqual(['c3']);
      expect(await search('+44770090')).toEqual(['c4', 'c3']);
      expect(await search('')).toEqual(['c4', 'c3', 'c2', 'c1']);
    });

    it('treats % and _ in the search as plain characters', async () => {
      const { store } = await historyStore();
      const ids = async (search: string) =>
        (await store.calls.list({ limit: 10, offset: 0, search })).calls.map((c) => c.id);
      expect(await ids('100%_')).toEqual(['c2']);
      expect(await ids('%')).toEqual(['c2']);
      expect(await ids('_')).toEqual(['c2']);
      expect(await ids('n 1')).toEqual(['c2']);
      expect(await ids('n_1')).toEqual([]);
      expect(await ids('\\')).toEqual([]);
    });
  });
});
