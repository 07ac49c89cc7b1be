/**
 * The dialer in the API: why a campaign's contact is (not) being called now.
 *
 * Each reason keeps the policy's stable `code` (for programs and translations), a sentence a
 * supervisor reads, and its data with instants as epoch ms (e.g. `{ localTime: '21:14', zone:
 * 'America/New_York', nextWindowStart: 1764000000000 }`).
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

export const NOT_CALLABLE_CODES = [
  'dnc',
  'no_consent',
  'final_disposition',
  'max_attempts',
  'no_retry',
  'in_progress',
  'retry_wait',
  'callback_wait',
  'abandoned_rest',
  'daily_cap',
  'excluded_date',
  'outside_window',
] as const;

export const ExplainedReasonSchema = z.object({
  code: z.enum(NOT_CALLABLE_CODES),
  text: z.string(),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
});
export type ExplainedReason = z.infer<typeof ExplainedReasonSchema>;

export const dialerCommands = {
  'campaigns.explain': {
    params: z
      .object({
        campaign: z.string().trim().min(1, 'is required').max(200),
        /** The contact's number as typed; read with the list's default region. */
        phone: z.string().trim().min(1, 'is required').max(64),
      })
      .strict(),
    result: z.object({
      callable: z.boolean(),
      /** The zone the contact's calling hours were read in. */
      zone: z.string(),
      reasons: z.array(ExplainedReasonSchema),
      /** When every time-bound reason will have passed; null when one never will (or it is callable now). */
      nextEligibleAt: z.number().int().nullable(),
    }),
  },
} as const;
