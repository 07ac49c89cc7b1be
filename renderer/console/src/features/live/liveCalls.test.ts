import { describe, expect, it } from 'vitest';
import type { LiveCall } from '../../api/contract.js';
import { applyCallUpdate, liveDurationMs } from './liveCalls.js';

function call(id: string, patch: Partial<LiveCall> = {}): LiveCall {
  return {
    id,
    number: '+8613800000000',
    contactName: null,
    campaignId: 1,
    campaignName: 'Renewals',
    state: 'ringing',
    outcome: null,
    disposition: null,
    sipCode: null,
    startedAt: 1_000,
    answeredAt: null,
    endedAt: null,
    durationMs: null,
    lastUtterance: null,
    ...patch,
  };
}

describe('applyCallUpdate', () => {
  it('adds new calls, oldest first', () => {
    const list = applyCallUpdate([call('b', { startedAt: 2_000 })], call('a', { startedAt: 1_000 }));
    expect(list.map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('updates a call in place', () => {
    const list = applyCallUpdate([call('a'), call('b')], call('a', { state: 'bot', lastUtterance: '你好' }));
    expect(list.map((c) => [c.id, c.state])).toEqual([
      ['a', 'bot'],
      ['b', 'ringing'],
    ]);
  });

  it('drops calls that ended', () => {
    expect(applyCallUpdate([call('a'), call('b')], call('a', { state: 'done', endedAt: 9_000 })).map((c) => c.id)).toEqual(['b']);
    expect(applyCallUpdate([], call('x', { state: 'done' }))).toEqual([]);
  });
});

describe('liveDurationMs', () => {
  it('counts from the answer when there is one', () => {
    expect(liveDurationMs(call('a', { startedAt: 1_000 }), 4_000)).toBe(3_000);
    expect(liveDurationMs(call('a', { startedAt: 1_000, answeredAt: 2_000 }), 4_000)).toBe(2_000);
  });
});
