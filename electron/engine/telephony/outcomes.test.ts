import { describe, expect, it } from 'vitest';

import { DEFAULT_RETRY_POLICY } from '../api/campaigns.js';
import { LINE_STATUSES } from '../api/line-status.js';
import {
  callEndTime,
  classifyFailure,
  describeHangup,
  type FailureFacts,
  lineStatusVerdict,
} from './outcomes.js';

const facts = (overrides: Partial<FailureFacts>): FailureFacts => ({
  sipCode: null,
  sipReason: null,
  originator: 'remote',
  cause: null,
  ringTimedOut: false,
  canceledBy: null,
  ...overrides,
});

describe('classifyFailure', () => {
  it.each([
    [486, 'busy', false],
    [600, 'busy', false],
    [603, 'busy', false],
    [404, 'invalid_number', false],
    [484, 'invalid_number', false],
    [604, 'invalid_number', false],
    [408, 'no_answer', false],
    [480, 'no_answer', false],
    [503, 'failed', true],
    [500, 'failed', true],
    [401, 'failed', true],
    [407, 'failed', true],
    [403, 'failed', true],
    [488, 'failed', false],
    [420, 'failed', false],
  ] as const)('SIP %i → %s (trunk fault: %s)', (sipCode, outcome, trunkFault) => {
    expect(classifyFailure(facts({ sipCode }), 30_000)).toMatchObject({ outcome, trunkFault });
  });

  it('our ring timeout is no answer, whatever came back', () => {
    const verdict = classifyFailure(
      facts({ ringTimedOut: true, sipCode: 487, originator: 'local', cause: 'Canceled' }),
      30_000,
    );
    expect(verdict).toEqual({
      outcome: 'no_answer',
      trunkFault: false,
      reason: 'no answer within 30 s (ring timeout, call canceled)',
    });
  });

  it("a silent trunk or a dropped WebSocket is the trunk's fault, not the number's", () => {
    expect(
      classifyFailure(facts({ cause: 'Request Timeout', originator: 'system' }), 30_000),
    ).toMatchObject({ outcome: 'failed', trunkFault: true });
    expect(
      classifyFailure(facts({ cause: 'Connection Error', originator: 'system' }), 30_000),
    ).toMatchObject({ outcome: 'failed', trunkFault: true });
  });

  it('says what to do about refused credentials', () => {
    expect(classifyFailure(facts({ sipCode: 401, sipReason: 'Unauthorized' }), 30_000).reason).toBe(
      "the trunk refused our credentials (401 Unauthorized): check the trunk's username and password",
    );
  });
});

describe('describeHangup', () => {
  it('names who ended an answered call', () => {
    expect(describeHangup('remote', 'Terminated', null)).toBe('customer hung up');
    expect(describeHangup('local', 'Terminated', 'the WAV has played')).toBe('the WAV has played');
    expect(describeHangup('system', 'RTP Timeout', null)).toBe(
      'dead line (no audio from the far end)',
    );
  });

  it('a dialog JsSIP gave up on (soak: 9 calls after a proxy restart) is a dropped call, not "engine hung up"', () => {
    expect(describeHangup('local', 'Dialog Error', null)).toBe('call dropped (Dialog Error)');
    expect(describeHangup('local', 'Connection Error', null)).toBe(
      'call dropped (Connection Error)',
    );
    // Our own hang-up keeps its reason, with or without one given.
    expect(describeHangup('local', 'Dialog Error', 'bot: flow ended')).toBe('bot: flow ended');
    expect(describeHangup('local', 'Terminated', null)).toBe('engine hung up');
  });
});

describe('lineStatusVerdict (announcements heard in early media)', () => {
  it('maps every status to an outcome the retry policy knows: empty and suspended never retried, powered off and unreachable later, busy by the busy rule', () => {
    const outcomes = Object.fromEntries(
      LINE_STATUSES.map((s) => [s, lineStatusVerdict(s, 'x').outcome]),
    );
    expect(outcomes).toEqual({
      empty_number: 'invalid_number',
      suspended: 'invalid_number',
      powered_off: 'no_answer',
      unreachable: 'no_answer',
      barred: 'no_answer',
      busy: 'busy',
    });
    const retry = DEFAULT_RETRY_POLICY.retryAfterMs;
    expect(retry.invalid_number).toBeUndefined();
    expect(retry.no_answer).toBeGreaterThan(0);
    expect(retry.busy).toBeGreaterThan(0);
    expect(lineStatusVerdict('powered_off', '您拨打的电话已关机').reason).toBe(
      'the phone is powered off (operator announcement: "您拨打的电话已关机")',
    );
  });
});

describe('callEndTime', () => {
  it("is the media host's time of the hang-up, as the answer time is, not when a lagging engine heard of it", () => {
    // Soak: the line ended at 140_460, the engine got the news 2.5 s later; the recording stops with the line.
    expect(callEndTime(142_974, 140_460, 128_114, 14_800)).toBe(140_460);
    // No host time (the engine hung up itself): the answer plus what the monotonic clock measured.
    expect(callEndTime(142_974, undefined, 128_114, 14_860)).toBe(142_974);
  });

  it('a wall clock that jumped mid-call does not lengthen the call: the monotonic length wins', () => {
    // Soak: the clock jumped +1 h during a 12 s call; it was stored 3,612 s long.
    const hour = 3_600_000;
    expect(callEndTime(100_000 + hour, 100_000 + hour, 88_000, 12_000)).toBe(100_000);
    expect(callEndTime(100_000 + hour, 100_000, 88_000, 12_000)).toBe(100_000);
  });

  it('an unanswered call ends at the host time when plausible, else now', () => {
    expect(callEndTime(100_000, 99_000, null, null)).toBe(99_000);
    expect(callEndTime(100_000, 100_500, null, null)).toBe(100_000);
    expect(callEndTime(100_000, 60_000, null, null)).toBe(100_000);
  });
});
