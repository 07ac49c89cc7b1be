import { describe, expect, it } from 'vitest';

import { DEFAULT_RETRY_POLICY } from '../api/campaigns.js';
import { LINE_STATUSES } from '../api/line-status.js';
import {
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
