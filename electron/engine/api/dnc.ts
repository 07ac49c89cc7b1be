/**
 * The do-not-call list in the API. Numbers are given as typed (any common format) and stored as
 * E.164; the engine normalizes them with the workspace's default region unless `region` says
 * otherwise, and refuses the whole request, naming the entry (`numbers.3`), when one cannot be
 * read: a DNC add is never half-done.
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

const Region = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'must be a two-letter region code such as CN or US');
const Number = z.string().trim().min(1, 'is required').max(64);

export const DncEntrySchema = z.object({
  /** E.164, e.g. +8613800138000. */
  phone: z.string(),
  reason: z.string().nullable(),
  /** Where it came from: api, import, agent, flow. */
  source: z.string(),
  createdAt: z.number().int().nonnegative(),
});
export type DncEntryView = z.infer<typeof DncEntrySchema>;

export const dncCommands = {
  /** Newest first. */
  'dnc.list': {
    params: z
      .object({
        limit: z.number().int().min(1).max(10_000).default(500),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    result: z.object({ entries: z.array(DncEntrySchema) }),
  },
  /** Adds numbers in one transaction; a number already listed keeps its first reason and date. */
  'dnc.add': {
    params: z
      .object({
        /** A number, or a number with its own reason (an imported file's reason column). */
        numbers: z
          .array(
            z.union([
              Number,
              z
                .object({
                  number: Number,
                  reason: z.string().trim().max(500).nullable().optional(),
                })
                .strict(),
            ]),
          )
          .min(1, 'needs at least one number')
          .max(1_000_000),
        /** For the numbers that bring no reason of their own. */
        reason: z.string().trim().max(500).optional(),
        region: Region.optional(),
        source: z.enum(['api', 'import', 'agent', 'flow']).default('api'),
        /** The call the number was added from (History's "Add to do-not-call"), kept in the audit entry. */
        callId: z.string().min(1).max(200).optional(),
      })
      .strict(),
    result: z.object({
      /** The numbers as stored (E.164), in the order given, duplicates merged. */
      numbers: z.array(z.string()),
      added: z.number().int().nonnegative(),
      alreadyListed: z.number().int().nonnegative(),
    }),
  },
  'dnc.remove': {
    params: z.object({ number: Number, region: Region.optional() }).strict(),
    result: z.object({ phone: z.string(), removed: z.boolean() }),
  },
} as const;
