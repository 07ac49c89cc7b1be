/**
 * Preview dialing in the API (issue 14 §2): a `preview` campaign leases its next contact for one
 * available agent and does not dial; the agent's desk shows the contact and its call history, and
 * the agent dials it (the call is theirs when answered, no bot) or skips it with a reason. A
 * preview nobody acts on goes back to the campaign after settings.previewTimeoutMs.
 *
 * Every command is the agent's own (roles.ts: `agentId` comes from the sign-in).
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

import { CallOutcome } from './call-states.js';

const CallId = z.string().min(1).max(200);
const AgentId = z.number().int().positive();
const Timestamp = z.number().int().nonnegative();

/**
 * Why an agent skipped a contact. `later`: settled like an unanswered call (the retry policy's
 * no_answer wait; not counted as an attempt). `wrong_number`: finished. `do_not_call`: finished and
 * the number added to the do-not-call list.
 */
export const PREVIEW_SKIP_REASONS = ['later', 'wrong_number', 'do_not_call'] as const;
export const PreviewSkipReason = z.enum(PREVIEW_SKIP_REASONS);
export type PreviewSkipReason = z.infer<typeof PreviewSkipReason>;

/** One earlier call to the contact's number, for the preview's history. */
export const PreviewHistoryCallSchema = z.object({
  callId: z.string(),
  startedAt: Timestamp,
  outcome: CallOutcome.nullable(),
  disposition: z.string().nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
});

export const AgentPreviewSchema = z.object({
  /** The leased call (state queued until the agent dials it). */
  callId: z.string(),
  agentId: z.number().int(),
  campaignId: z.number().int(),
  campaignName: z.string(),
  contact: z.object({
    id: z.number().int(),
    name: z.string().nullable(),
    phone: z.string(),
    fields: z.record(z.string(), z.unknown()),
  }),
  /** Earlier calls to this number, newest first (at most 20). */
  history: z.array(PreviewHistoryCallSchema),
  /** The attempt this call would be, the first being 1. */
  attempt: z.number().int().positive(),
  offeredAt: Timestamp,
  /** Nobody acting by then: the contact goes back to the campaign. */
  expiresAt: Timestamp,
  /** `dialing` once the agent clicked Dial (the call is ringing; on answer it is theirs). */
  state: z.enum(['waiting', 'dialing']),
});
export type AgentPreview = z.infer<typeof AgentPreviewSchema>;

export const previewCommands = {
  /** The contact previewed for the agent now, if any. */
  'preview.current': {
    params: z.object({ agentId: AgentId }).strict(),
    result: z.object({ preview: AgentPreviewSchema.nullable() }),
  },
  /** Dials the previewed contact; answered, the call goes straight to this agent. */
  'preview.dial': {
    params: z.object({ agentId: AgentId, callId: CallId }).strict(),
    result: z.object({ callId: z.string() }),
  },
  /** Skips the previewed contact with a reason (stored on the contact and in the audit trail). */
  'preview.skip': {
    params: z
      .object({
        agentId: AgentId,
        callId: CallId,
        reason: PreviewSkipReason,
        note: z.string().trim().max(500).optional(),
      })
      .strict(),
    result: z.object({
      /** What became of the contact: pending again (with when) or finished. */
      status: z.enum(['pending', 'done']),
      nextAt: Timestamp.nullable(),
    }),
  },
} as const;

export const previewEvents = {
  /** A contact is previewed for an agent, or its state changed (dialing). */
  'agent.preview': AgentPreviewSchema,
  /** The preview is over: dialed and answered or ended, skipped, expired, or the campaign stopped. */
  'agent.previewEnded': z.object({
    callId: z.string(),
    agentId: z.number().int(),
    reason: z.enum(['answered', 'call_ended', 'skipped', 'expired', 'cancelled']),
  }),
} as const;
