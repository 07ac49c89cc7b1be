import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ABANDON_AFTER_MS, type AbandonableCall, connectOrAbandon } from './abandon.js';
import { GREETING_ALLOWANCE_MS } from './greeting.js';

/** Without a greeting clock, the greeting is taken to end this long after the answer. */
const DEADLINE_MS = GREETING_ALLOWANCE_MS + ABANDON_AFTER_MS;

/** A live call as CallSession shows it, recording what was done to it. */
function fakeCall(answeredAt: number) {
  const done: string[] = [];
  const call: AbandonableCall & { outcome: string | null; played: number } = {
    callId: 'c1',
    answeredAt,
    isUp: true,
    state: 'transferring',
    outcome: null,
    played: 0,
    note: (type, data) => done.push(`${type}: ${data.reason}`),
    setDisposition: async (code) => void done.push(`disposition ${code}`),
    setAnsweredOutcome: (outcome) => {
      call.outcome = outcome;
    },
    play: async (frames) => {
      call.played += frames.length;
      done.push(`played at ${Date.now() - answeredAt} ms`);
    },
    hangup: async (reason) => void done.push(`hangup: ${reason}`),
  };
  return { call, done };
}

describe('a predictive call finds an agent within 2 s of the greeting or is abandoned', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it('goes to the agent who takes it in time', async () => {
    const { call, done } = fakeCall(Date.now());
    const result = connectOrAbandon(call, {
      queue: 'sales',
      handoff: new Promise((resolve) => setTimeout(() => resolve(true), 800)),
      withdraw: () => done.push('withdrawn'),
      message: async () => [new Int16Array(320)],
      onError: () => undefined,
    });
    await vi.advanceTimersByTimeAsync(DEADLINE_MS + 1000);
    expect(await result).toBe('taken');
    expect(done).toEqual([]);
    expect(call.outcome).toBeNull();
  });

  it('is withdrawn from the queue at the answer + 1 s + 2 s, hears the message at once, and ends abandoned', async () => {
    const { call, done } = fakeCall(Date.now() - 300); // answered 300 ms before the handoff began
    let settle: (taken: boolean) => void = () => undefined;
    const result = connectOrAbandon(call, {
      queue: 'sales',
      handoff: new Promise((resolve) => (settle = resolve)),
      withdraw: () => {
        done.push(`withdrawn at ${Date.now() - (call.answeredAt ?? 0)} ms`);
        settle(false); // routing.withdraw settles the transfer as not taken
      },
      message: async () => [new Int16Array(320), new Int16Array(320)],
      onError: () => undefined,
    });
    await vi.advanceTimersByTimeAsync(DEADLINE_MS);
    expect(await result).toBe('abandoned');
    expect(call.outcome).toBe('abandoned');
    expect(call.played).toBe(2);
    expect(done).toEqual([
      `withdrawn at ${DEADLINE_MS} ms`,
      `transfer_unanswered: no agent within 2 s of the answer + 1 s (predictive): abandoned ${DEADLINE_MS} ms after the answer, ${ABANDON_AFTER_MS} ms after the greeting's end`,
      'disposition abandoned',
      `played at ${DEADLINE_MS} ms`,
      'hangup: abandoned: no agent within 2 s of the answer + 1 s (predictive); the information message was played',
    ]);
  });

  it('keeps an agent whose accept was under way when the time ran out', async () => {
    const { call, done } = fakeCall(Date.now());
    let settle: (taken: boolean) => void = () => undefined;
    const result = connectOrAbandon(call, {
      queue: 'sales',
      handoff: new Promise((resolve) => (settle = resolve)),
      // The accept already left the queue: withdrawing finds nothing, and the takeover completes.
      withdraw: () => setTimeout(() => settle(true), 150),
      message: async () => [new Int16Array(320)],
      onError: () => undefined,
    });
    await vi.advanceTimersByTimeAsync(DEADLINE_MS + 200);
    expect(await result).toBe('taken');
    expect(done).toEqual([]);
  });
});
