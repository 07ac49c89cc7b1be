/**
 * Retention and erasure in the API (issue 15 §4), admins only (api/roles.ts):
 * - `privacy.status`: the last purge's report and when the next daily purge runs;
 * - `privacy.purge`: run the purge now (or a dry run: what it would remove);
 * - `privacy.erase`: erase one person's data by number (PIPL's right to deletion);
 * - `privacy.export` + `privacy.exportChunk`: a person's data as a zip (the right of access), built
 *   on the engine and fetched in base64 chunks, as every message stays under 1 MiB.
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

const Timestamp = z.number().int().nonnegative();
const Count = z.number().int().nonnegative();
const Region = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'must be a two-letter region code such as CN or US');
const PhoneNumber = z.string().trim().min(1, 'is required').max(64);

const Cutoff = Timestamp.nullable();

export const PurgeReportSchema = z.object({
  at: Timestamp,
  dryRun: z.boolean(),
  trigger: z.enum(['daily', 'startup', 'manual']),
  /** Per kind, what older than this instant is removed; null: that kind is kept forever. */
  cutoffs: z.object({
    recordings: Cutoff,
    transcripts: Cutoff,
    calls: Cutoff,
    contacts: Cutoff,
    audit: Cutoff,
  }),
  removed: z.object({
    recordings: Count,
    recordingBytes: Count,
    transcripts: Count,
    calls: Count,
    contacts: Count,
    audit: Count,
  }),
  durationMs: Count,
  errors: z.array(z.string()),
});
export type PurgeReportView = z.infer<typeof PurgeReportSchema>;

export const EraseReportSchema = z.object({
  /** The first 12 hex digits of the number's keyed hash: how the audit entry names this erasure. */
  reference: z.string(),
  counts: z.object({
    contacts: Count,
    calls: Count,
    recordings: Count,
    utterances: Count,
    labels: Count,
    rewritten: Count,
    audit: Count,
    dnc: Count,
  }),
  files: z.object({ deleted: Count, bytes: Count, scrubbed: Count }),
  errors: z.array(z.string()),
});
export type EraseReportView = z.infer<typeof EraseReportSchema>;

export const privacyCommands = {
  'privacy.status': {
    params: z.object({}).strict(),
    result: z.object({
      lastPurge: PurgeReportSchema.nullable(),
      /** When the daily purge runs next (null: this engine does not run it). */
      nextPurgeAt: Timestamp.nullable(),
      /** Numbers erased on request and kept on the DNC list only as a keyed hash. */
      erasedNumbers: Count,
    }),
  },
  'privacy.purge': {
    params: z.object({ dryRun: z.boolean().default(false) }).strict(),
    result: PurgeReportSchema,
  },
  'privacy.erase': {
    params: z
      .object({
        number: PhoneNumber,
        region: Region.optional(),
        /** The number typed a second time: an erasure cannot be undone. */
        confirm: PhoneNumber,
      })
      .strict(),
    result: EraseReportSchema,
  },
  'privacy.export': {
    params: z.object({ number: PhoneNumber, region: Region.optional() }).strict(),
    result: z.object({
      /** Fetch the zip with privacy.exportChunk; it is deleted when read to the end, or after an hour. */
      exportId: z.string(),
      fileName: z.string(),
      bytes: Count,
      contacts: Count,
      calls: Count,
      utterances: Count,
      audit: Count,
      recordings: Count,
    }),
  },
  'privacy.exportChunk': {
    params: z.object({ exportId: z.string().min(1).max(100), offset: Count }).strict(),
    result: z.object({ data: z.string(), offset: Count, bytes: Count, done: z.boolean() }),
  },
} as const;
