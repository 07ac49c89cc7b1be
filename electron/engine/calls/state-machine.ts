/**
 * The call state machine (DESIGN.md §2): which state may follow which.
 *
 *   queued → dialing → ringing → answered → bot → transferring → agent → wrap_up → done
 *
 * with shortcuts a real call takes (an answer without a 180, a human-first campaign handing the
 * answered call straight to an agent, a transfer nobody took going back to the bot) and `done`
 * reachable from every live state, because a call can end at any moment (hang-up, failure, crash).
 * `done` needs an outcome. Nothing leaves `done`.
 *
 * The store checks every state change against this table in the transaction that writes it and
 * records it in call_transitions with its time, so no code path can skip a step silently.
 */
import type { CallOutcome, CallState } from '../api/contract.js';

export const CALL_TRANSITIONS: Readonly<Record<CallState, readonly CallState[]>> = {
  queued: ['dialing', 'done'],
  dialing: ['ringing', 'answered', 'done'],
  ringing: ['answered', 'done'],
  answered: ['bot', 'transferring', 'agent', 'done'],
  bot: ['transferring', 'done'],
  // An offer nobody accepted in time goes back to the bot's fallback.
  transferring: ['agent', 'bot', 'done'],
  // The customer or the agent hung up: the agent fills in the wrap-up form (or the call just ends).
  agent: ['wrap_up', 'done'],
  wrap_up: ['done'],
  done: [],
};

export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  readonly code = 'ILLEGAL_TRANSITION';
  constructor(
    readonly callId: string,
    readonly from: CallState,
    readonly to: CallState,
    detail?: string,
  ) {
    super(
      detail ??
        `Call ${callId} cannot go from "${from}" to "${to}"` +
          (CALL_TRANSITIONS[from].length
            ? ` (from "${from}" it may go to ${CALL_TRANSITIONS[from].map((s) => `"${s}"`).join(', ')})`
            : ` ("${from}" is final)`),
    );
  }
}

export function canTransition(from: CallState, to: CallState): boolean {
  return CALL_TRANSITIONS[from].includes(to);
}

/** Throws IllegalTransitionError unless `from → to` is allowed and a call ending has an outcome. */
export function assertTransition(
  callId: string,
  from: CallState,
  to: CallState,
  outcome: CallOutcome | null,
): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(callId, from, to);
  if (to === 'done' && outcome === null)
    throw new IllegalTransitionError(
      callId,
      from,
      to,
      `Call ${callId} cannot end ("${from}" → "done") without an outcome`,
    );
}
