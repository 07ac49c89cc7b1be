/**
 * Every kind of event stored on a call, with its data: one table (`CALL_EVENT_DATA`, zod schemas)
 * from which the TypeScript union, `CallSession.note`'s typing and the API contract's check of the
 * live `call.event` stream are all derived. LiveKit agents-js `voice/events.ts` inspired the shape
 * (a `type` discriminator, one typed payload per kind); here the payload sits in `data`, as the
 * store and the contract have always carried it.
 *
 * Who writes what: the session's own milestones and actions (telephony/call-session.ts), the
 * media host's milestones, the speech listener and the bot (bot/), the dialog's outcomes (through
 * the bot), routing (agent offers, fallbacks), the dialer, the recorder, and the store itself
 * (`created`, `closed_after_crash`, `wrap_up` rows). To add a kind: add a line to the table, in its
 * group, and a sample to test/contract/call-events-contract.test.ts; a note of that kind then
 * type-checks, the contract accepts it, and History needs its name in the console's locale files
 * (callEvents.test.ts says so).
 *
 * Stored rows are history: a row of a kind that no longer exists, or of an older shape, still loads
 * (`calls.get` takes any type); `isCallEvent` tells a reader whether a row fits today's table.
 *
 * Renderer-safe like api/: the contract imports this file, so it imports zod and api/ only.
 */
import { z } from 'zod';

import { AmdReasonSchema, AmdResultSchema } from '../api/amd.js';
import { CallOutcome, CallState } from '../api/call-states.js';
import { LineStatusSchema } from '../api/line-status.js';
import { CALL_MILESTONES, RtpStatsSchema } from '../api/media-host.js';
import { QueueFallback } from '../api/routing.js';

/** What the session stores with each media host milestone (SIP, ICE, RTP). */
const MilestoneData = z.object({
  trunk: z.string(),
  sipCode: z.number().optional(),
  sipReason: z.string().optional(),
  /** For failed/ended: who ended it. */
  originator: z.enum(['local', 'remote', 'system']).optional(),
  /** JsSIP's cause, the key pressed (dtmf_in), or another short detail. */
  detail: z.string().optional(),
  stats: RtpStatsSchema.optional(),
});

/** The host's milestones are stored under their own names, except failed/ended (sip_failed/sip_ended). */
type StoredMilestone = Exclude<(typeof CALL_MILESTONES)[number], 'failed' | 'ended'>;
const MILESTONE_EVENTS = Object.fromEntries(
  CALL_MILESTONES.filter((m) => m !== 'failed' && m !== 'ended').map((m) => [m, MilestoneData]),
) as Record<StoredMilestone, typeof MilestoneData>;

const Empty = z.object({});

/** How a supervisor takes part in a call (calls.supervise). */
export const SupervisionModeSchema = z.enum(['listen', 'whisper', 'barge']);

export const CALL_EVENT_DATA = {
  // --- The store's own rows -----------------------------------------------------------------
  created: z.object({ state: CallState }),
  /** The engine stopped under a live call; closed when it started again (calls/recovery, dialer). */
  closed_after_crash: z.object({ previousState: CallState, campaignId: z.number().optional() }),
  /** Closed by another seat's reaper: the seat holding its lease stopped renewing it (issue 16). */
  closed_seat_lost: z.object({
    seat: z.string(),
    previousState: CallState,
    campaignId: z.number(),
    /** The final disposition already stored: the call was closed as completed, keeping it. */
    disposition: z.string().optional(),
  }),
  /** The agent's wrap-up form (routing), or its time running out. */
  wrap_up: z.union([
    z.object({
      agentId: z.number(),
      disposition: z.string(),
      notes: z.string(),
      doNotCall: z.boolean(),
      callbackAt: z.number().optional(),
      reason: z.string(),
    }),
    z.object({ agentId: z.number(), reason: z.string() }),
  ]),

  // --- The call itself (CallSession) --------------------------------------------------------
  dial: z.object({ number: z.string(), trunk: z.string() }),
  ...MILESTONE_EVENTS,
  sip_failed: MilestoneData,
  sip_ended: MilestoneData,
  /** The media host refused the dial (code: its error code, e.g. TRUNK_DOWN). */
  dial_refused: z.object({ trunk: z.string(), code: z.string(), detail: z.string() }),
  /** Retried on the backup trunk. */
  failover: z.object({ from: z.string(), to: z.string(), reason: z.string() }),
  ring_timeout: z.object({ afterMs: z.number() }),
  /**
   * An operator announcement recognized in the early media (空号识别, telephony/early-media.ts):
   * the status, the model's language and likeliest phrasing, its probability, and how much early
   * audio had been heard when it was decided (heardMs, from the first early-media frame).
   */
  line_status: z.object({
    status: LineStatusSchema,
    language: z.string(),
    phrase: z.string(),
    confidence: z.number(),
    heardMs: z.number(),
  }),
  hangup_requested: z.object({ reason: z.string(), by: z.string() }),
  hangup_unconfirmed: z.object({ afterMs: z.number() }),
  refer_requested: z.object({ target: z.string() }),
  media_host_lost: z.object({ reason: z.string() }),
  /** The bot took the answered call (flow and version), or took it back for a queue's fallback. */
  state_bot: z.union([
    z.object({ flow: z.string(), version: z.number().nullable() }),
    z.object({ fallback: z.enum(['callback_offer', 'voicemail']) }),
  ]),
  state_transferring: z.object({ queue: z.string(), reason: z.string() }),
  agent_connected: z.object({ agentId: z.number(), input: z.string() }),
  /**
   * A REFER moved the call to the agent's seat (issue 16 §3, a trunk in `refer` mode): that seat
   * holds it from now on. `referMs`: from the REFER to the far end's NOTIFY 2xx.
   */
  seat_handoff: z.object({
    from: z.string(),
    to: z.string(),
    agentId: z.number(),
    referMs: z.number(),
  }),
  agent_muted: Empty,
  agent_unmuted: Empty,
  /** A supervisor joined the call (calls.supervise): who, how, and the microphone the media host opened. */
  supervisor_joined: z.object({ by: z.string(), mode: SupervisionModeSchema, input: z.string() }),
  supervisor_mode: z.object({
    by: z.string(),
    from: SupervisionModeSchema,
    to: SupervisionModeSchema,
  }),
  supervisor_left: z.object({ by: z.string(), mode: SupervisionModeSchema }),
  /** A barge on a call the bot had: the bot stopped and the supervisor has the call. */
  supervisor_takeover: z.object({ by: z.string(), from: CallState }),
  ended: z.object({
    outcome: CallOutcome,
    reason: z.string(),
    sipCode: z.number().optional(),
    stats: RtpStatsSchema.optional(),
  }),
  recording_error: z.object({ code: z.string(), message: z.string() }),

  // --- Speech (the endpointer, through the bot or a bare listener) ---------------------------
  /** atMs: ms from the answer (the bot) or from the first audio frame (a bare listener). */
  speech_start: z.object({ atMs: z.number() }),
  speech_end: z.object({
    startMs: z.number(),
    endMs: z.number(),
    /** The endpointer's reason (silence, max_length, … : speech/vad/endpointer.ts). */
    reason: z.string(),
    /** From the end of speech to the endpointer's decision. */
    decisionLagMs: z.number().optional(),
    /**
     * How the bot judged the words heard (bot/turn-detector.ts) and the silence it asked for: with
     * reason 'decided' the bot ended the turn after it; with the endpointer's reason (its hangover,
     * the hard maximum) it is what held the turn that long.
     */
    endOfTurn: z
      .enum([
        'confident',
        'spotted',
        'hesitant',
        'filler',
        'unsure',
        'default',
        'incomplete',
        'long',
      ])
      .optional(),
    silenceMs: z.number().optional(),
  }),
  /**
   * The customer cut a prompt for good (bot/interruption.ts: enough speech, or a recognized answer;
   * speechMs: VAD speech heard by then), or was already answering when it was due. Older rows: the
   * cut at speech start (speechAtMs, decisionLagMs), in a gap between parts.
   */
  barge_in: z.union([
    z.object({
      nodeId: z.string().nullable(),
      speechAtMs: z.number(),
      reason: z.enum(['speech', 'recognized']),
      speechMs: z.number(),
      intent: z.string().optional(),
    }),
    z.object({ speechAtMs: z.number(), decisionLagMs: z.number() }),
    z.object({ beforePrompt: z.literal(true) }),
    z.object({ betweenParts: z.literal(true) }),
  ]),
  speech_error: z.object({ message: z.string() }),
  /**
   * The engine's VAD fell more than maxLagMs behind the customer's audio (a machine loaded past
   * its cores) and skipped skippedMs of it from atMs (ms from the answer; a listener's: from the
   * stream's start), to hear the customer in time again.
   */
  speech_behind: z.object({
    atMs: z.number(),
    skippedMs: z.number(),
    maxLagMs: z.number(),
  }),
  /** Customer speech paused a prompt at once (speechAtMs: ms from the answer); a barge_in or a false_interruption follows. */
  prompt_paused: z.object({
    nodeId: z.string().nullable(),
    speechAtMs: z.number(),
    decisionLagMs: z.number(),
  }),
  /** The speech that paused a prompt was no answer: a cough or click (short_speech) or a backchannel ("嗯", "uh-huh"). */
  false_interruption: z.object({
    nodeId: z.string().nullable(),
    cause: z.enum(['backchannel', 'short_speech']),
    speechMs: z.number(),
    text: z.string().optional(),
  }),
  /** A paused prompt plays on: cut and resumed at these ms of its own audio (resumed a little before the cut). */
  prompt_resumed: z.object({
    nodeId: z.string().nullable(),
    cutAtMs: z.number(),
    resumeAtMs: z.number(),
  }),

  // --- The bot and its dialog ---------------------------------------------------------------
  bot_prompt: z.object({
    nodeId: z.string().nullable(),
    /** Where the audio came from (memory, disk, synthesized: bot/prompts.ts). */
    source: z.string(),
    renderMs: z.number(),
    prefetched: z.literal(true).optional(),
    /** The greeting's delay from the answer. */
    sinceAnswerMs: z.number().optional(),
    durationMs: z.number(),
    parts: z.number().optional(),
    /** Turn latency: from the end of the customer's speech to this prompt going out. */
    sinceSpeechEndMs: z.number().optional(),
    sinceDecisionMs: z.number().optional(),
  }),
  recognition_wait: z.object({ waitedMs: z.number(), sinceDecisionMs: z.number().nullable() }),
  intent: z.object({
    nodeId: z.string(),
    intent: z.string(),
    confidence: z.number(),
    /** classifier, dtmf, entity, recognizer (dialog/types.ts Answer). */
    matchedBy: z.string(),
    text: z.string().optional(),
    digits: z.string().optional(),
  }),
  /** The dialog heard nothing in time (per node), or a bare listener's endpointer timed out. */
  no_input: z.union([
    z.object({ nodeId: z.string(), attempt: z.number(), exhausted: z.boolean() }),
    z.object({ afterMs: z.number() }),
  ]),
  no_match: z.object({ nodeId: z.string(), attempt: z.number(), exhausted: z.boolean() }),
  transfer_requested: z.object({ nodeId: z.string(), queue: z.string(), reason: z.string() }),
  /** at: ISO 8601. */
  callback_requested: z.object({ at: z.string() }),
  /** no_datetime, too_soon, too_late (dialog/types.ts). */
  callback_unavailable: z.object({ nodeId: z.string(), reason: z.string() }),
  /**
   * A collect node's attempt (dialog/nodes/collect.ts): collected, invalid or no_input; `masked`
   * is all anyone sees of the digits (a sensitive node's raw value is never stored).
   */
  digits_collected: z.object({
    nodeId: z.string(),
    result: z.enum(['collected', 'invalid', 'no_input']),
    masked: z.string(),
    count: z.number(),
    endedBy: z.string(),
    attempt: z.number(),
  }),
  /**
   * A sensitive node's span (a card or ID number being keyed): the recording is silent on both
   * channels and keys are stored masked from sensitive_started to sensitive_ended. ms from the answer.
   */
  sensitive_started: z.object({ nodeId: z.string(), atMs: z.number() }),
  sensitive_ended: z.object({ nodeId: z.string(), atMs: z.number(), durationMs: z.number() }),
  dialog_ended: z.object({
    reason: z.string(),
    disposition: z.string(),
    error: z.string().optional(),
  }),
  /** ms from the answer. */
  voicemail_started: z.object({ atMs: z.number() }),
  voicemail_ended: z.object({ startMs: z.number(), endMs: z.number() }),
  /** Nobody took the transfer and there is no fallback: the bot (or the dialer) says so and hangs up. */
  transfer_unanswered: z.object({ queue: z.string(), reason: z.string() }),

  // --- Answering-machine detection (amd/) ----------------------------------------------------
  /**
   * The detector's decision, times in ms from the answer; `revised`: a machine decision that
   * replaced a human one (a greeting that paused after its first sentence).
   */
  amd: z.object({
    result: AmdResultSchema,
    reason: AmdReasonSchema,
    atMs: z.number(),
    revised: z.boolean(),
    initialSilenceMs: z.number(),
    greetingMs: z.number(),
    words: z.number(),
  }),
  /** A voicemail beep heard (ms from the answer), the end of a machine's greeting. */
  amd_beep: z.object({ frequencyHz: z.number(), startMs: z.number(), endMs: z.number() }),
  /**
   * What was done about a machine: hung up, a message left (after the beep, after the greeting
   * ended in silence, or when the wait ran out), continued as with a person, or skipped (an agent
   * had the call already).
   */
  amd_action: z.object({
    action: z.enum(['hangup', 'message', 'continue', 'skipped']),
    after: z.enum(['beep', 'silence', 'timeout']).optional(),
    detail: z.string().optional(),
  }),

  // --- Routing (agent queues) ---------------------------------------------------------------
  /** rule: the routing rule that matched (null: the flow's queue or the default). */
  transfer_routed: z.object({
    queue: z.string(),
    rule: z.number().nullable(),
    flowQueue: z.string(),
    reason: z.string(),
  }),
  agent_offered: z.object({ agentId: z.number(), queue: z.string(), expiresAt: z.number() }),
  agent_accepted: z.object({
    agentId: z.number(),
    agentName: z.string().nullable(),
    queue: z.string(),
    waitedMs: z.number(),
  }),
  offer_expired: z.object({ agentId: z.number(), afterMs: z.number() }),
  offer_declined: z.object({ agentId: z.number() }),
  /** The queue's fallback when nobody took the call in time. */
  transfer_fallback: z.object({
    queue: z.string(),
    fallback: QueueFallback,
    waitedMs: z.number(),
    offeredTo: z.array(z.number()),
    callbackAt: z.number().optional(),
  }),
} as const;

type CallEventTable = typeof CALL_EVENT_DATA;

/** Every event type a call can store today. */
export type CallEventType = keyof CallEventTable;
export const CALL_EVENT_TYPES = Object.keys(CALL_EVENT_DATA) as CallEventType[];

/** The data of one kind of event (a union of kinds gives the union of their data). */
export type CallEventData<K extends CallEventType> = z.output<CallEventTable[K]>;

/** One event of a call, typed by its kind: `event.type === 'intent'` narrows `event.data`. */
export type CallEvent = {
  [K in CallEventType]: { type: K; at: number; data: CallEventData<K> };
}[CallEventType];

export function isCallEventType(type: string): type is CallEventType {
  return Object.hasOwn(CALL_EVENT_DATA, type);
}

/**
 * Why `data` is not a valid event of this type today (unknown type, or data of another shape),
 * as one sentence naming the field; null when it is valid.
 */
export function callEventProblem(type: string, data: unknown): string | null {
  if (!isCallEventType(type)) return `unknown call event type "${type}"`;
  const parsed = CALL_EVENT_DATA[type].safeParse(data);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? `.${issue.path.map(String).join('.')}` : '';
  return `call event "${type}": data${field}: ${issue?.message ?? 'invalid'}`;
}

/**
 * A stored or streamed event (any type, as `calls.get` returns history) seen through today's
 * table: true when it is of kind `type` and its data fits that kind, which then types `data`.
 * An old row of another shape is false: readers skip it rather than misread it.
 */
export function isCallEvent<K extends CallEventType>(
  event: { type: string; data: unknown },
  type: K,
): event is { type: K; data: CallEventData<K> } & typeof event {
  return event.type === type && CALL_EVENT_DATA[type].safeParse(event.data).success;
}
