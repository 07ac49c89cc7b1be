/**
 * What a call's end means: SIP codes and JsSIP causes → the call's outcome, whether the same call
 * should be retried at once on the backup trunk, and a reason a person can read.
 *
 *   486/600/603 → busy · 404/484/604 → invalid number · 408/480/487 from the far end or our ring
 *   timeout → no answer · 5xx, 401/403/407 (the trunk refuses us), a request timeout with no
 *   response at all (the trunk itself is silent) or the transport down → retry on the backup trunk,
 *   then failed · 488/606 → failed (no media both sides accept).
 */
import type { CallOutcome } from '../api/contract.js';
import type { LineStatus } from '../api/line-status.js';

export interface FailureFacts {
  sipCode: number | null;
  sipReason: string | null;
  originator: 'local' | 'remote' | 'system' | null;
  /** JsSIP's cause ("Busy", "Connection Error", "Request Timeout", "Canceled", …). */
  cause: string | null;
  /** Our own ring timer fired (we sent CANCEL). */
  ringTimedOut: boolean;
  /** Someone asked to hang up before the answer. */
  canceledBy: string | null;
}

export interface FailureVerdict {
  outcome: CallOutcome;
  /** The trunk failed, not the number: try the same call on the backup trunk. */
  trunkFault: boolean;
  reason: string;
}

function sip(facts: FailureFacts): string {
  return facts.sipCode ? `${facts.sipCode}${facts.sipReason ? ` ${facts.sipReason}` : ''}` : '';
}

export function classifyFailure(facts: FailureFacts, ringTimeoutMs: number): FailureVerdict {
  const code = facts.sipCode;
  if (facts.ringTimedOut)
    return {
      outcome: 'no_answer',
      trunkFault: false,
      reason: `no answer within ${Math.round(ringTimeoutMs / 1000)} s (ring timeout, call canceled)`,
    };
  if (facts.canceledBy)
    return {
      outcome: 'no_answer',
      trunkFault: false,
      reason: `canceled before answer by ${facts.canceledBy}`,
    };
  if (code !== null) {
    if (code === 486 || code === 600 || code === 603)
      return { outcome: 'busy', trunkFault: false, reason: `busy (${sip(facts)})` };
    if (code === 404 || code === 484 || code === 604)
      return {
        outcome: 'invalid_number',
        trunkFault: false,
        reason: `the number does not exist (${sip(facts)})`,
      };
    if (code === 408 || code === 480 || code === 487)
      return { outcome: 'no_answer', trunkFault: false, reason: `no answer (${sip(facts)})` };
    if (code === 401 || code === 407 || code === 403) {
      return {
        outcome: 'failed',
        trunkFault: true,
        reason: `the trunk refused our credentials (${sip(facts)}): check the trunk's username and password`,
      };
    }
    if (code === 488 || code === 606) {
      return {
        outcome: 'failed',
        trunkFault: false,
        reason: `the far end refused the call's media (${sip(facts)}): no codec or transport both sides accept`,
      };
    }
    if (code >= 500 && code <= 599)
      return { outcome: 'failed', trunkFault: true, reason: `the trunk failed (${sip(facts)})` };
    return { outcome: 'failed', trunkFault: false, reason: `the call failed (${sip(facts)})` };
  }
  switch (facts.cause) {
    case 'Connection Error':
      return {
        outcome: 'failed',
        trunkFault: true,
        reason: "the trunk's WebSocket connection is down",
      };
    case 'Request Timeout':
      return {
        outcome: 'failed',
        trunkFault: true,
        reason: 'the trunk did not answer the INVITE (SIP request timeout)',
      };
    case 'Authentication Error':
      return {
        outcome: 'failed',
        trunkFault: true,
        reason: "the trunk refused our credentials: check the trunk's username and password",
      };
    case 'Bad Media Description':
    case 'Incompatible SDP':
    case 'Missing SDP':
      return {
        outcome: 'failed',
        trunkFault: false,
        reason: `the call's media could not be set up (${facts.cause})`,
      };
    case 'WebRTC Error':
      return {
        outcome: 'failed',
        trunkFault: false,
        reason: "the media host could not set up the call's audio (WebRTC error)",
      };
    default:
      return {
        outcome: 'failed',
        trunkFault: false,
        reason: `the call failed (${facts.cause ?? 'unknown cause'})`,
      };
  }
}

/** Why an answered call ended, in words. */
/** JsSIP's causes for a session it ended itself because the dialog or its transport failed. */
const JSSIP_DROP_CAUSES = new Set([
  'Dialog Error',
  'Request Timeout',
  'Connection Error',
  'Internal Error',
  'RTP Timeout',
]);

export function describeHangup(
  originator: 'local' | 'remote' | 'system' | null,
  cause: string | null,
  localReason: string | null,
): string {
  if (originator === 'remote') return 'customer hung up';
  if (originator === 'local' && localReason) return localReason;
  // JsSIP ends a call itself, as "local", when the dialog breaks (a re-INVITE answered 408 or 481
  // after a proxy restart, the WebSocket gone): nobody hung up, the call dropped.
  if (originator === 'local' && cause !== null && JSSIP_DROP_CAUSES.has(cause))
    return `call dropped (${cause})`;
  if (originator === 'local') return 'engine hung up';
  if (cause === 'RTP Timeout') return 'dead line (no audio from the far end)';
  return `call dropped (${cause ?? 'unknown cause'})`;
}

/**
 * What an operator announcement heard in the early media (telephony/early-media.ts) means for the
 * call and the retry policy: an empty or suspended number is `invalid_number` (never retried);
 * powered off, unreachable and barred are `no_answer` (retried later, by the no-answer rule);
 * busy is `busy` (the busy rule).
 */
export function lineStatusVerdict(
  status: LineStatus,
  phrase: string,
): { outcome: CallOutcome; reason: string } {
  const heard = `operator announcement: "${phrase}"`;
  switch (status) {
    case 'empty_number':
      return { outcome: 'invalid_number', reason: `the number does not exist (${heard})` };
    case 'suspended':
      return { outcome: 'invalid_number', reason: `the number is suspended (${heard})` };
    case 'powered_off':
      return { outcome: 'no_answer', reason: `the phone is powered off (${heard})` };
    case 'unreachable':
      return { outcome: 'no_answer', reason: `the phone cannot be reached (${heard})` };
    case 'barred':
      return { outcome: 'no_answer', reason: `the number does not take calls now (${heard})` };
    case 'busy':
      return { outcome: 'busy', reason: `busy (${heard})` };
  }
}

/** How far the media host's account of a call's length may stray from the engine's monotonic one. */
const MAX_HOST_END_LAG_MS = 30_000;

/**
 * A call's end time. Answered: its answer time plus its length, and the length is the media
 * host's (hang-up time less answer time, both its milestones: the engine hears of them late under
 * load, by 2.5 s in a soak, and the recording stops with the line) unless that strays more than
 * 30 s from what the engine's monotonic clock measured since it heard of the answer, as it does
 * when a wall clock jumped mid-call (then the monotonic length). Not answered: the host's time
 * of the end when plausible, else now.
 */
export function callEndTime(
  now: number,
  hostEndedAt: number | undefined,
  answeredAt: number | null,
  /** Monotonic ms since the engine heard of the answer (null: not answered). */
  sinceAnswerMs: number | null,
): number {
  if (answeredAt !== null && sinceAnswerMs !== null) {
    const hostLength = hostEndedAt === undefined ? null : hostEndedAt - answeredAt;
    if (
      hostLength !== null &&
      hostLength >= 0 &&
      Math.abs(hostLength - sinceAnswerMs) <= MAX_HOST_END_LAG_MS
    )
      return answeredAt + hostLength;
    return answeredAt + Math.max(0, Math.round(sinceAnswerMs));
  }
  if (hostEndedAt === undefined || hostEndedAt > now || now - hostEndedAt > MAX_HOST_END_LAG_MS)
    return now;
  return hostEndedAt;
}
