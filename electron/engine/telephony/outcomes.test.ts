import { describe, expect, it } from 'vitest';

import { classifyFailure, describeHangup, type FailureFacts } from './outcomes.js';

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
