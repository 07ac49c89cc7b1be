/**
 * Supervision of live calls in the API (issue 13): a supervisor listens to, whispers to (coaches
 * the agent) or barges into any live call, switches mode without dropping it, and leaves at any
 * time. The audio is mixed in the media host with the supervisor's microphone and speaker from
 * Settings (`supervisorInputDeviceId` / `supervisorOutputDeviceId`). The Live wall learns who
 * supervises which call from `call.updated` (`supervision`); each step is also a call event
 * (supervisor_joined, supervisor_mode, supervisor_left, supervisor_takeover).
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

import { SupervisionModeSchema } from '../telephony/call-events.js';

export { SupervisionModeSchema };
export type SupervisionMode = z.infer<typeof SupervisionModeSchema>;

/** Who supervises a live call, and how (null on a live call: nobody). */
export const LiveSupervisionSchema = z.object({ mode: SupervisionModeSchema, by: z.string() });
export type LiveSupervision = z.infer<typeof LiveSupervisionSchema>;

const CallId = z.string().min(1).max(200);

export const supervisionCommands = {
  /**
   * Joins a live call in this mode, or switches mode while on it. listen: the supervisor hears
   * both sides, nobody hears them. whisper: the agent hears them, the customer does not (only on a
   * call an agent has). barge: everyone hears them; on a call the bot has, barge is a takeover (the
   * bot stops, as on an agent's accept) and `takeover` is true.
   */
  'calls.supervise': {
    params: z.object({ callId: CallId, mode: SupervisionModeSchema }).strict(),
    result: z.object({
      mode: SupervisionModeSchema,
      /** The mode before (null: this joined the call). */
      previous: SupervisionModeSchema.nullable(),
      takeover: z.boolean(),
    }),
  },
  /**
   * Leaves the call; it goes on as it was. A call the supervisor took over from the bot has nobody
   * else on it, so leaving hangs it up (`hungUp`).
   */
  'calls.unsupervise': {
    params: z.object({ callId: CallId }).strict(),
    result: z.object({ mode: SupervisionModeSchema.nullable(), hungUp: z.boolean() }),
  },
} as const;
