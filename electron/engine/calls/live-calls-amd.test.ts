/** The Live wall's answering-machine detection: an `amd` call event lays its decision over the live call. */
import { describe, expect, it } from 'vitest';

import type { LiveCall } from '../api/contract.js';
import { EventHub } from '../events/index.js';
import { LiveCalls } from './live-calls.js';

const base: LiveCall = {
  id: 'c1',
  number: '+8613800000000',
  contactName: null,
  campaignId: null,
  campaignName: null,
  state: 'bot',
  outcome: null,
  disposition: null,
  sipCode: null,
  startedAt: 1_000,
  answeredAt: 2_000,
  endedAt: null,
  durationMs: null,
  lastUtterance: null,
};

describe('LiveCalls and AMD', () => {
  it('shows the last decision with its time, a revision replacing the first, and keeps it through updates', () => {
    const hub = new EventHub();
    const published: LiveCall[] = [];
    hub.subscribe((message) => {
      if (message.event === 'call.updated') published.push(message.data as LiveCall);
    });
    const live = new LiveCalls(hub);
    live.upsert(base);
    const amd = (data: Record<string, unknown>) =>
      live.noteCallEvent({ callId: 'c1', type: 'amd', data });
    amd({ result: 'human', reason: 'short_greeting', atMs: 1_320, revised: false });
    expect(published.at(-1)?.amd).toEqual({ result: 'human', atMs: 1_320, revised: false });
    amd({ result: 'machine', reason: 'long_greeting', atMs: 2_600, revised: true });
    expect(published.at(-1)?.amd).toEqual({ result: 'machine', atMs: 2_600, revised: true });
    live.upsert({ ...base, state: 'transferring' });
    expect(published.at(-1)).toMatchObject({ state: 'transferring', amd: { result: 'machine' } });
    const count = published.length;
    amd({ result: 'robot', atMs: 1, revised: false }); // not a result the wall knows: ignored
    expect(published).toHaveLength(count);
  });
});
