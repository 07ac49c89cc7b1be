/** The per-connection masked view: by role and settings, per command result and event, DTMF runs. */
import { describe, expect, it } from 'vitest';

import type { CommandResult, EventData } from '../api/contract.js';
import { DEFAULT_SETTINGS } from '../api/contract.js';
import { maskCallEvents, Masker, maskingPolicyOf, PrivacyView, type Viewer } from './index.js';

const AGENT: Viewer = { role: 'agent', source: 'ws' };
const SUPERVISOR: Viewer = { role: 'supervisor', source: 'ipc' };
const ADMIN: Viewer = { role: 'admin', source: 'ws' };
const CLI: Viewer = { role: 'admin', source: 'cli' };

const summary = {
  id: 'c1',
  number: '+8613812345678',
  contactName: '张三丰',
  campaignId: 1,
  campaignName: 'Renewals',
  state: 'done' as const,
  outcome: 'completed' as const,
  disposition: null,
  sipCode: 200,
  startedAt: 1,
  answeredAt: 2,
  endedAt: 3,
  durationMs: 1,
};

describe('PrivacyView', () => {
  const view = new PrivacyView(() => maskingPolicyOf(DEFAULT_SETTINGS));

  it('masks every role by default, never the in-process local admin', () => {
    expect(view.masks(AGENT)).toBe(true);
    expect(view.masks(SUPERVISOR)).toBe(true);
    expect(view.masks(ADMIN)).toBe(true);
    expect(view.masks(CLI)).toBe(false);
    expect(view.masks(null)).toBe(false);
  });

  it('follows the settings per role', () => {
    const open = new PrivacyView(() =>
      maskingPolicyOf({ ...DEFAULT_SETTINGS, maskForSupervisor: false, maskForAdmin: false }),
    );
    expect(open.masks(AGENT)).toBe(true);
    expect(open.masks(SUPERVISOR)).toBe(false);
    const result: CommandResult<'calls.list'> = { calls: [summary], total: 1 };
    expect(open.result(SUPERVISOR, 'calls.list', result)).toBe(result);
  });

  it('masks calls.get: number, name, transcript, event data, and leaves the rest', () => {
    const detail: CommandResult<'calls.get'> = {
      call: summary,
      events: [
        { at: 10, type: 'dial', data: { number: '+8613812345678', trunk: 'main' } },
        {
          at: 20,
          type: 'intent',
          data: { intent: 'affirm', text: '我的卡号是6222021234567890128' },
        },
      ],
      transitions: [{ from: null, to: 'dialing', at: 1, reason: null }],
      utterances: [
        {
          speaker: 'customer',
          text: '我的手机是幺三八一二三四五六七八',
          intent: null,
          confidence: null,
          startMs: 0,
          endMs: 1,
          cutAtMs: null,
          nodeId: 'n1',
        },
      ],
      recording: null,
    };
    const seen = view.result(SUPERVISOR, 'calls.get', detail);
    expect(seen.call).toMatchObject({ id: 'c1', number: '+86138****5678', contactName: '张*丰' });
    expect(seen.events[0]!.data).toEqual({ number: '+86138****5678', trunk: 'main' });
    expect(seen.events[1]!.data.text).toBe('我的卡号是622202*********0128');
    expect(seen.utterances[0]!.text).toBe('我的手机是138****5678');
    // The store's copy is untouched.
    expect(detail.call.number).toBe('+8613812345678');
    expect(view.result(CLI, 'calls.get', detail)).toBe(detail);
  });

  it('masks events: the live call, a transcript line, an offer; a key pressed live is *', () => {
    const live: EventData<'call.updated'> = { ...summary, lastUtterance: 'call me on 13812345678' };
    expect(view.event(AGENT, 'call.updated', live)).toMatchObject({
      number: '+86138****5678',
      lastUtterance: 'call me on 138****5678',
    });
    const key: EventData<'call.event'> = {
      callId: 'c1',
      at: 1,
      type: 'dtmf_in',
      data: { trunk: 'main', detail: '5' },
    };
    expect(view.event(SUPERVISOR, 'call.event', key).data.detail).toBe('*');
    const offer: EventData<'agent.offer'> = {
      callId: 'c1',
      agentId: 1,
      offeredAt: 1,
      expiresAt: 2,
      context: {
        contact: {
          name: 'John Smith',
          phone: '+8613812345678',
          fields: { email: 'john@x.com', tier: 'gold' },
        },
        campaign: 'Renewals',
        queue: { name: 'sales', labelEn: 'Sales', labelZh: '销售' },
        reason: 'asked for a person',
        lastIntent: null,
        transcript: [
          { speaker: 'customer', text: 'my id is 11010519491231002X', intent: null, startMs: 0 },
        ],
      },
    };
    const heard = view.event(AGENT, 'agent.offer', offer);
    expect(heard.context.contact).toEqual({
      name: 'J**n S***h',
      phone: '+86138****5678',
      fields: { email: 'j***@x.com', tier: 'gold' },
    });
    expect(heard.context.transcript[0]!.text).toBe('my id is 110105********002X');
    // Events that carry nothing personal go through as they are.
    const status: EventData<'engine.status'> = { state: 'ready', at: 1 };
    expect(view.event(AGENT, 'engine.status', status)).toBe(status);
  });

  it('masks names only when the name rule is on', () => {
    const names = new PrivacyView(() => maskingPolicyOf({ ...DEFAULT_SETTINGS, maskNames: false }));
    const seen = names.result(AGENT, 'calls.list', { calls: [summary], total: 1 });
    expect(seen.calls[0]).toMatchObject({ number: '+86138****5678', contactName: '张三丰' });
  });
});

describe('maskCallEvents (History)', () => {
  const m = new Masker({ names: true, amounts: false });
  const key = (at: number, detail: string) => ({
    at,
    type: 'dtmf_in',
    data: { trunk: 't', detail },
  });

  it('keeps a menu choice of 1–4 keys and hides a keyed-in number', () => {
    const events = [
      key(1_000, '1'),
      { at: 2_000, type: 'intent', data: { intent: 'pay' } as Record<string, unknown> },
      // A card number keyed in: 16 keys, under a second apart.
      ...'6222021234561234'.split('').map((d, i) => key(10_000 + i * 400, d)),
      key(30_000, '2'),
      key(30_500, '#'),
    ];
    const masked = maskCallEvents(events, m);
    const details = masked.filter((e) => e.type === 'dtmf_in').map((e) => e.data.detail);
    expect(details[0]).toBe('1');
    expect(details.slice(1, 17)).toEqual(new Array(16).fill('*'));
    expect(details.slice(17)).toEqual(['2', '#']);
  });

  it('masks digits fields by what they hold', () => {
    expect(m.digits('12')).toBe('12');
    expect(m.digits('6222021234567890128')).toBe('622202*********0128');
    expect(m.digits('123456')).toBe('****56');
    expect(m.phone('12345678')).toBe('****5678');
    expect(m.phone('10086')).toBe('*0086');
    expect(m.phone('110')).toBe('110');
  });
});
