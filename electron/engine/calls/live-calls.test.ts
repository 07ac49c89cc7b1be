import { describe, expect, it } from 'vitest';

import type { LiveCall } from '../api/contract.js';
import { EventHub } from '../events/index.js';
import { LiveCalls } from './live-calls.js';

function call(patch: Partial<LiveCall> = {}): LiveCall {
  return {
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
    ...patch,
  };
}

describe('LiveCalls extras', () => {
  it('puts the bot reply latency of a bot_prompt on the call and keeps it through later updates', () => {
    const hub = new EventHub();
    const published: LiveCall[] = [];
    hub.subscribe((message) => {
      if (message.event === 'call.updated') published.push(message.data as LiveCall);
    });
    const live = new LiveCalls(hub);
    live.upsert(call());
    live.noteCallEvent({ callId: 'c1', type: 'bot_prompt', data: { renderMs: 5 } }); // the greeting answers nothing
    expect(published).toHaveLength(1);
    live.noteCallEvent({ callId: 'c1', type: 'bot_prompt', data: { sinceSpeechEndMs: 612.4 } });
    expect(published.at(-1)).toMatchObject({ id: 'c1', botLatencyMs: 612 });
    live.upsert(call({ lastUtterance: 'yes' }));
    expect(live.get('c1')).toMatchObject({ botLatencyMs: 612, lastUtterance: 'yes' });
    live.patch('c1', { agentName: 'Ann' });
    expect(live.list()[0]).toMatchObject({ botLatencyMs: 612, agentName: 'Ann' });
    // Events of calls not live, and other event types, change nothing.
    live.noteCallEvent({ callId: 'zz', type: 'bot_prompt', data: { sinceSpeechEndMs: 1 } });
    live.noteCallEvent({ callId: 'c1', type: 'speech_end', data: { sinceSpeechEndMs: 1 } });
    expect(live.get('c1')?.botLatencyMs).toBe(612);
    // The end forgets the call and its extras.
    live.upsert(call({ state: 'done', endedAt: 9_000 }));
    expect(live.size).toBe(0);
    live.upsert(call({ id: 'c1' }));
    expect(live.get('c1')?.botLatencyMs).toBeUndefined();
  });
});
