/**
 * Answering-machine detection in the API: a campaign's AMD settings (`CampaignConfig.amd`, the
 * campaigns.amd JSON column of schema 9) — whether it runs, and what a machine gets: hang up,
 * leave a message (a recording or a text the bot's voice says) after the beep, or treat it as a
 * person — and the decision's shape as calls store it (the `amd` call event).
 *
 * Renderer-safe like the rest of api/: zod only.
 */
import { z } from 'zod';

export const AMD_RESULTS = ['human', 'machine', 'unknown'] as const;
export const AmdResultSchema = z.enum(AMD_RESULTS);

export const AMD_REASONS = [
  'short_greeting',
  'long_greeting',
  'many_words',
  'beep',
  'initial_silence',
  'max_time',
] as const;
export const AmdReasonSchema = z.enum(AMD_REASONS);

/** What a machine gets: hang up, leave the campaign's message after the beep, or go on as with a person. */
export const AmdMachineAction = z.enum(['hangup', 'message', 'continue']);
export type AmdMachineAction = z.infer<typeof AmdMachineAction>;

/** The message left on a machine: a WAV file (absolute path) or a text said in the bot's voice. */
export const AmdMessageSchema = z.union([
  z
    .object({
      recording: z
        .string()
        .trim()
        .max(1000)
        .regex(/^(\/|[A-Za-z]:[\\/]).*\.wav$/i, 'must be the absolute path of a .wav file'),
    })
    .strict(),
  z
    .object({
      text: z.string().trim().min(1, 'is required').max(1000),
      language: z.enum(['en', 'zh-CN']).default('en'),
    })
    .strict(),
]);
export type AmdMessage = z.output<typeof AmdMessageSchema>;

export const AmdSettingsSchema = z
  .object({
    /** Run AMD on this campaign's answered calls. */
    enabled: z.boolean().default(false),
    machineAction: AmdMachineAction.default('hangup'),
    /** Required when machineAction is "message". */
    message: AmdMessageSchema.nullable().default(null),
    /**
     * "message": how long after the machine decision to wait for the beep (or the greeting's end
     * in silence) before the message is left anyway, ms.
     */
    maxBeepWaitMs: z.number().int().min(1000).max(60_000).default(20_000),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.machineAction === 'message' && s.message === null)
      ctx.addIssue({
        code: 'custom',
        path: ['message'],
        message: 'is required when machineAction is "message" (a recording path or a text)',
      });
  });
export type AmdSettings = z.output<typeof AmdSettingsSchema>;
export type AmdSettingsInput = z.input<typeof AmdSettingsSchema>;

export const DEFAULT_AMD_SETTINGS: AmdSettings = {
  enabled: false,
  machineAction: 'hangup',
  message: null,
  maxBeepWaitMs: 20_000,
};
