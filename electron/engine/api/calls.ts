/**
 * Placing and controlling real calls through the API: dial, hang up, DTMF, hold, blind transfer,
 * and the stream of each call's milestones (SIP, ICE, media) with timestamps.
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

import { callEventProblem } from '../telephony/call-events.js';

const CallIdParam = z.string().min(1).max(200);

export const callCommands = {
  'calls.dial': {
    params: z
      .object({
        /** Digits with an optional leading +; spaces, dashes and brackets are ignored. */
        number: z.string().min(1, 'is required').max(40),
        /** Trunk name; default: the first primary trunk (a backup trunk is tried when it fails). */
        trunk: z.string().min(1).max(64).optional(),
        ringTimeoutMs: z.number().int().min(5_000).max(120_000).optional(),
        /** Run the speech bot with this saved flow (latest version unless pinned); its models are loaded before dialing. */
        flow: z
          .object({ name: z.string().min(1).max(100), version: z.number().int().min(1).optional() })
          .strict()
          .optional(),
        /** The contact's fields, for the flow's {variables}. */
        contact: z
          .record(
            z.string().min(1).max(64),
            z.union([z.string().max(500), z.number(), z.boolean()]),
          )
          .optional(),
        /** IANA zone the customer's dates and times are meant in. */
        timeZone: z.string().min(1).max(64).optional(),
      })
      .strict(),
    result: z.object({ callId: z.string() }),
  },
  'calls.hangup': { params: z.object({ id: CallIdParam }).strict(), result: z.object({}) },
  'calls.dtmf': {
    params: z
      .object({
        id: CallIdParam,
        digits: z.string().regex(/^[0-9A-D*#]{1,32}$/, 'may use 0-9, *, # and A-D only'),
        /** RFC 4733 in the audio stream (falls back to SIP INFO when not negotiated), or SIP INFO. */
        transport: z.enum(['rfc4733', 'info']).default('rfc4733'),
      })
      .strict(),
    result: z.object({}),
  },
  'calls.hold': {
    params: z.object({ id: CallIdParam, hold: z.boolean() }).strict(),
    result: z.object({ done: z.boolean() }),
  },
  'calls.transfer': {
    params: z
      .object({
        id: CallIdParam,
        /** A number (sent to the call's trunk domain) or a full sip: URI. */
        target: z.string().min(1).max(200),
      })
      .strict(),
    result: z.object({}),
  },
} as const;

/**
 * One event of a live call. Every event streamed is new, so it must be of a kind in today's table
 * (telephony/call-events.ts: dial, ringing, answered, bot_prompt, intent, …) with data of that
 * kind's shape; anything else is refused, naming the field.
 */
export const CallEventSchema = z
  .object({
    callId: z.string(),
    at: z.number().int().nonnegative(),
    type: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .superRefine((event, ctx) => {
    const problem = callEventProblem(event.type, event.data);
    if (problem !== null) ctx.addIssue({ code: 'custom', path: ['data'], message: problem });
  });
export type CallEventStreamItem = z.infer<typeof CallEventSchema>;

/** One line of a call's transcript, as it is stored (times in ms from the answer). */
export const CallUtteranceSchema = z.object({
  callId: z.string(),
  /** Wall-clock time the line was final (ms since the epoch). */
  at: z.number().int().nonnegative(),
  speaker: z.enum(['bot', 'customer', 'agent', 'supervisor']),
  /** What the bot said, or what the customer said as the recognizer heard it ('' when nothing matched). */
  text: z.string(),
  intent: z.string().nullable(),
  confidence: z.number().min(0).max(1).nullable(),
  startMs: z.number().nonnegative(),
  endMs: z.number().nonnegative(),
  /** Where barge-in cut a bot prompt (ms from the answer), or null when it played to the end. */
  cutAtMs: z.number().nonnegative().nullable(),
  /** The flow node that said or heard it. */
  nodeId: z.string().nullable(),
});
export type CallUtterance = z.infer<typeof CallUtteranceSchema>;

export const callEvents = {
  /** One milestone of a live call, as it is stored in the call's events. */
  'call.event': CallEventSchema,
  /** One transcript line of a live call (bot prompt or customer answer), as it is stored. */
  'call.utterance': CallUtteranceSchema,
} as const;
