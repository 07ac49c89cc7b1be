import { describe, expect, it } from 'vitest';

import type { LiveCall } from '../../api/contract.js';
import { applyCallUpdate, applyCallUpdates, latencyBand, liveDurationMs } from './liveCalls.js';

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
    const list = applyCallUpdate(
      [call('b', { startedAt: 2_000 })],
      call('a', { startedAt: 1_000 }),
    );
    expect(list.map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('updates a call in place', () => {
    const list = applyCallUpdate(
      [call('a'), call('b')],
      call('a', { state: 'bot', lastUtterance: '你好' }),
    );
    expect(list.map((c) => [c.id, c.state])).toEqual([
      ['a', 'bot'],
      ['b', 'ringing'],
    ]);
  });

  it('drops calls that ended', () => {
    expect(
      applyCallUpdate([call('a'), call('b')], call('a', { state: 'done', endedAt: 9_000 })).map(
        (c) => c.id,
      ),
    ).toEqual(['b']);
    expect(applyCallUpdate([], call('x', { state: 'done' }))).toEqual([]);
  });
});

describe('liveDurationMs', () => {
  it('counts from the answer when there is one', () => {
    expect(liveDurationMs(call('a', { startedAt: 1_000 }), 4_000)).toBe(3_000);
    expect(liveDurationMs(call('a', { startedAt: 1_000, answeredAt: 2_000 }), 4_000)).toBe(2_000);
  });
});

describe('applyCallUpdates (one batch per frame)', () => {
  it("applies the last update of each call and keeps unchanged calls' objects", () => {
    const a = call('a', { startedAt: 1_000 });
    const b = call('b', { startedAt: 2_000 });
    const next = applyCallUpdates(
      [a, b],
      [call('a', { state: 'answered' }), call('a', { state: 'bot', lastUtterance: 'hi' })],
    );
    expect(next.map((c) => [c.id, c.state])).toEqual([
      ['a', 'bot'],
      ['b', 'ringing'],
    ]);
    expect(next[1]).toBe(b); // memoized rows skip it
  });

  it('adds new calls in start order, drops ended ones, and ignores a call that began and ended in the batch', () => {
    const next = applyCallUpdates(
      [call('b', { startedAt: 2_000 }), call('c', { startedAt: 3_000 })],
      [
        call('a', { startedAt: 1_000 }),
        call('c', { state: 'done', endedAt: 9_000 }),
        call('x', { startedAt: 500 }),
        call('x', { startedAt: 500, state: 'done' }),
      ],
    );
    expect(next.map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('returns the same list for an empty batch', () => {
    const list = [call('a')];
    expect(applyCallUpdates(list, [])).toBe(list);
  });

  it('scales to 100 calls with many updates (one pass)', () => {
    const calls = Array.from({ length: 100 }, (_, i) => call(`c${i}`, { startedAt: i }));
    const updates = Array.from({ length: 500 }, (_, i) =>
      call(`c${i % 100}`, { startedAt: i % 100, state: 'bot', lastUtterance: `u${i}` }),
    );
    const next = applyCallUpdates(calls, updates);
    expect(next).toHaveLength(100);
    expect(next[3]?.lastUtterance).toBe('u403');
  });
});

describe('latencyBand', () => {
  it('is good under 800 ms, fair under 1.5 s, slow from there', () => {
    expect(latencyBand(0)).toBe('good');
    expect(latencyBand(799)).toBe('good');
    expect(latencyBand(800)).toBe('fair');
    expect(latencyBand(1_499)).toBe('fair');
    expect(latencyBand(1_500)).toBe('slow');
  });
});
