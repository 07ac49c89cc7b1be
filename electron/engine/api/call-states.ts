/**
 * A call's states and outcomes (DESIGN.md §2), shared by the contract, the store's CHECKs and the
 * state machine in calls/. Pure: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

export const CALL_STATES = [
  'queued',
  'dialing',
  'ringing',
  'answered',
  'bot',
  'transferring',
  'agent',
  'wrap_up',
  'done',
] as const;
export const CallState = z.enum(CALL_STATES);
export type CallState = z.infer<typeof CallState>;

export const CALL_OUTCOMES = [
  'completed',
  'transferred',
  'busy',
  'no_answer',
  'failed',
  'machine',
  'abandoned',
  'invalid_number',
] as const;
export const CallOutcome = z.enum(CALL_OUTCOMES);
export type CallOutcome = z.infer<typeof CallOutcome>;
