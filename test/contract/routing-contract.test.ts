/**
 * Routing and agents over every transport, on a real engine and SQLite file: agent status with its
 * events, profile edits, queues, routing rules (checked, errors naming the field), dispositions,
 * and the offer / wrap-up / mute / devices commands refusing what does not apply.
 * (Offers and takeovers on real calls: test/e2e/agent-takeover.test.ts.)
 */
import { describe, expect, it } from 'vitest';

import type { EventData } from '../../electron/engine/api/contract.js';
import { API_TRANSPORTS, apiError, useContractEngine } from '../support/api-transports.js';

describe.each(API_TRANSPORTS)('routing API over %s', (_name, makeHarness) => {
  const h = useContractEngine(makeHarness, 'outbound-routing-');

  it('agents sign on and off with a timestamp and an agent.state event; profile edits are checked; busy rules refuse', async () => {
    const ann = await h.api.request('agents.create', {
      username: 'ann',
      displayName: 'Ann',
      skills: [],
    });
    const states: Array<EventData<'agent.state'>> = [];
    const off = h.api.on('agent.state', (s) => states.push(s));
    const before = Date.now();
    const available = await h.api.request('agents.setStatus', {
      agentId: ann.id,
      status: 'available',
    });
    expect(available).toMatchObject({
      id: ann.id,
      status: 'available',
      callId: null,
      deadline: null,
    });
    expect(available.statusChangedAt).toBeGreaterThanOrEqual(before);
    await expect.poll(() => states.length).toBe(1);
    expect(states[0]).toMatchObject({ id: ann.id, status: 'available' });
    off();
    const updated = await h.api.request('agents.update', {
      agentId: ann.id,
      displayName: 'Ann Lee',
      skills: ['vip', 'complaint'],
    });
    expect(updated).toMatchObject({
      displayName: 'Ann Lee',
      skills: ['vip', 'complaint'],
      status: 'available',
    });
    const listed = await h.api.request('agents.states', {});
    expect(listed.agents.find((a) => a.id === ann.id)).toMatchObject({
      displayName: 'Ann Lee',
      status: 'available',
    });
    expect(
      await apiError(h.api.request('agents.update', { agentId: ann.id, displayName: '  ' })),
    ).toMatchObject({ code: 'INVALID_PARAMS', field: 'displayName' });
    expect(
      await apiError(h.api.request('agents.setStatus', { agentId: 9999, status: 'away' })),
    ).toMatchObject({ code: 'NOT_FOUND', field: 'agentId' });
    expect(
      await apiError(
        h.api.request('agents.setStatus', { agentId: ann.id, status: 'on_call' as 'away' }),
      ),
    ).toMatchObject({ code: 'INVALID_PARAMS', field: 'status' });
  });

  it('queues: the three seeded ones, create (unique name, offer window within the wait), update', async () => {
    const { queues } = await h.api.request('queues.list', {});
    expect(queues.map((q) => q.name).sort()).toEqual(['complaint', 'default', 'priority']);
    expect(queues.find((q) => q.name === 'priority')).toMatchObject({
      skills: ['vip'],
      fallback: 'callback_offer',
      system: true,
    });
    const billing = await h.api.request('queues.create', {
      name: 'billing',
      labelEn: 'Billing',
      labelZh: '账单',
      skills: ['billing'],
      offerTimeoutMs: 10_000,
      waitTimeoutMs: 20_000,
      fallback: 'voicemail',
    });
    expect(billing).toMatchObject({ name: 'billing', priority: 0, system: false });
    expect(
      await apiError(
        h.api.request('queues.create', {
          name: 'billing',
          labelEn: 'B',
          labelZh: 'B',
          skills: [],
          offerTimeoutMs: 10_000,
          waitTimeoutMs: 20_000,
          fallback: 'voicemail',
        }),
      ),
    ).toMatchObject({ code: 'CONFLICT', field: 'name' });
    expect(
      await apiError(
        h.api.request('queues.create', {
          name: 'slow',
          labelEn: 'S',
          labelZh: 'S',
          skills: [],
          offerTimeoutMs: 30_000,
          waitTimeoutMs: 20_000,
          fallback: 'voicemail',
        }),
      ),
    ).toMatchObject({ code: 'INVALID_PARAMS', field: 'offerTimeoutMs' });
    expect(
      await apiError(
        h.api.request('queues.create', {
          name: 'Bad Name',
          labelEn: 'S',
          labelZh: 'S',
          skills: [],
          offerTimeoutMs: 1000,
          waitTimeoutMs: 2000,
          fallback: 'voicemail',
        }),
      ),
    ).toMatchObject({ code: 'INVALID_PARAMS', field: 'name' });
    const changed = await h.api.request('queues.update', {
      name: 'billing',
      changes: { waitTimeoutMs: 60_000, fallback: 'callback_offer' },
    });
    expect(changed).toMatchObject({
      waitTimeoutMs: 60_000,
      fallback: 'callback_offer',
      offerTimeoutMs: 10_000,
    });
    expect(
      await apiError(h.api.request('queues.update', { name: 'nowhere', changes: { priority: 1 } })),
    ).toMatchObject({ code: 'NOT_FOUND', field: 'name' });
  });

  it("routing rules: the defaults, a checked replacement naming the bad rule's field", async () => {
    expect((await h.api.request('routing.rules.get', {})).rules).toEqual([
      { field: 'vip_level', operator: '>', value: '3', queue: 'priority' },
      { field: 'tags', operator: 'has_tag', value: 'complaint', queue: 'complaint' },
    ]);
    expect(
      await apiError(
        h.api.request('routing.rules.set', {
          rules: [{ field: 'vip_level', operator: '>=', value: 'gold', queue: 'priority' }],
        }),
      ),
    ).toMatchObject({ code: 'INVALID_PARAMS', field: 'rules.0.value' });
    expect(
      await apiError(
        h.api.request('routing.rules.set', {
          rules: [
            { field: 'tags', operator: 'has_tag', value: 'x', queue: 'priority' },
            { field: 'a', operator: '=', value: '1', queue: 'nowhere' },
          ],
        }),
      ),
    ).toMatchObject({ code: 'INVALID_PARAMS', field: 'rules.1.queue' });
    expect(
      await apiError(
        h.api.request('routing.rules.set', {
          rules: [{ field: 'a', operator: 'like' as '=', value: '1', queue: 'default' }],
        }),
      ),
    ).toMatchObject({ code: 'INVALID_PARAMS', field: 'rules.0.operator' });
    const rules = [
      { field: 'amount', operator: '>=' as const, value: '10000', queue: 'billing' },
      { field: 'vip_level', operator: '>' as const, value: '3', queue: 'priority' },
    ];
    expect((await h.api.request('routing.rules.set', { rules })).rules).toEqual(rules);
    expect((await h.api.request('routing.rules.get', {})).rules).toEqual(rules);
  });

  it('dispositions list the system and agent codes; offers, accept, mute, wrap-up and devices refuse what does not apply', async () => {
    const { dispositions } = await h.api.request('dispositions.list', {});
    expect(dispositions.filter((d) => d.kind === 'agent').map((d) => d.code)).toEqual([
      'resolved',
      'interested',
      'not_interested',
      'follow_up',
    ]);
    expect(dispositions.some((d) => d.code === 'callback_scheduled' && d.kind === 'system')).toBe(
      true,
    );
    const { agents } = await h.api.request('agents.states', {});
    const ann = agents[0]!;
    expect(await h.api.request('agents.offer', { agentId: ann.id })).toEqual({ offer: null });
    expect(
      await apiError(h.api.request('agents.accept', { callId: 'no-call', agentId: ann.id })),
    ).toMatchObject({ code: 'CONFLICT' });
    expect(
      await apiError(h.api.request('agents.decline', { callId: 'no-call', agentId: ann.id })),
    ).toMatchObject({ code: 'CONFLICT' });
    expect(
      await apiError(h.api.request('calls.mute', { callId: 'no-call', muted: true })),
    ).toMatchObject({ code: 'CONFLICT' });
    expect(
      await apiError(h.api.request('calls.wrapUp', { callId: 'no-call', disposition: 'resolved' })),
    ).toMatchObject({ code: 'NOT_FOUND' });
    expect(
      await apiError(h.api.request('calls.wrapUp', { callId: 'x', disposition: '' })),
    ).toMatchObject({ code: 'INVALID_PARAMS', field: 'disposition' });
    expect(await h.api.request('routing.fallbacks', { campaignId: null })).toEqual({
      total: 0,
      byFallback: {},
    });
    // This engine has no media host (no launcher): devices are listed by the media host.
    expect(await apiError(h.api.request('devices.list', {}))).toMatchObject({
      code: 'UNAVAILABLE',
    });
  });
});
