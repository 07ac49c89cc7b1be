/**
 * The one API between the engine and everything outside it (console, CLI, later the media host).
 *
 * Defined once, here, as runtime schemas: every message that crosses a process boundary is
 * parsed with these on the receiving side. Both transports (Electron IPC and the headless
 * WebSocket) carry exactly these messages; see `messages.ts` for the envelopes.
 *
 * This file is imported by the renderer too, so it must stay free of Node and Electron imports.
 */
import { z } from 'zod';

import { AmdResultSchema } from './amd.js';
import { auditCommands } from './audit.js';
import { authCommands } from './auth.js';
import { CallOutcome, CallState } from './call-states.js';
import { callCommands, callEvents } from './calls.js';
import { campaignCommands, campaignEvents, CampaignSummarySchema } from './campaigns.js';
import { contactCommands } from './contacts.js';
import { dialerCommands } from './dialer.js';
import { dncCommands } from './dnc.js';
import { flowCommands, flowEvents, FlowTrainingSchema } from './flows.js';
import { CallFilterFields, historyCommands } from './history.js';
import { importCommands, importEvents } from './imports.js';
import { kpiCommands, kpiEvents } from './kpi.js';
import { labelCommands } from './labels.js';
import { maskingCommands } from './masking.js';
import { previewCommands, previewEvents } from './preview.js';
import { privacyCommands } from './privacy.js';
import { routingCommands, routingEvents } from './routing.js';
import { seatCommands } from './seat.js';
import { LiveSupervisionSchema, supervisionCommands } from './supervision.js';
import { trunkCommands, trunkEvents } from './trunks.js';

export * from './amd.js';
export * from './audit.js';
export * from './auth.js';
export * from './call-states.js';
export { callCommands, callEvents, type CallEventStreamItem, type CallUtterance } from './calls.js';
export * from './campaigns.js';
export * from './contacts.js';
export * from './dialer.js';
export * from './dnc.js';
export * from './flows.js';
export * from './history.js';
export * from './imports.js';
export * from './kpi.js';
export * from './labels.js';
export * from './masking.js';
export * from './preview.js';
export * from './privacy.js';
export * from './routing.js';
export * from './seat.js';
export * from './supervision.js';
export * from './trunks.js';

// ---------------------------------------------------------------------------------------------
// Shared shapes

export const LANGUAGES = ['zh-CN', 'en'] as const;
export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;

function isIanaTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** A retention period in whole days (1 day to 100 years). */
const RetentionDays = z.number().int().min(1, 'must be at least 1 day').max(36_500);

/** Settings an admin edits on the Settings page. Durations are milliseconds. */
export const SettingsSchema = z.object({
  /** Console language; also the default for new flows. */
  language: Language,
  /** ISO 3166-1 alpha-2 region used to read phone numbers written without a country code. */
  defaultRegion: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter region code such as CN or US'),
  /** IANA time zone for contacts that have none of their own. */
  timeZone: z.string().refine(isIanaTimeZone, 'must be an IANA time zone such as Asia/Shanghai'),
  /** How long an outgoing call may ring before the app cancels it (JsSIP has no ring timeout). */
  ringTimeoutMs: z.number().int().min(5_000).max(120_000),
  /** Calls the engine runs at once on this desktop, across all campaigns. */
  maxConcurrentCalls: z.number().int().min(1).max(200),
  /** Record calls (both directions, stereo). */
  recordCalls: z.boolean(),
  /** Time an agent gets after a call to fill in the wrap-up form. */
  wrapUpMs: z.number().int().min(0).max(600_000),
  /** The agent's microphone and speaker in the media host (device ids from devices.list; '' = the system default). */
  audioInputDeviceId: z.string().max(500),
  audioOutputDeviceId: z.string().max(500),
  /** The supervisor's microphone and speaker in the media host, for listen, whisper and barge. */
  supervisorInputDeviceId: z.string().max(500),
  supervisorOutputDeviceId: z.string().max(500),
  /** A signed-in console with no request for this long is signed out (issue 13). */
  sessionIdleMs: z.number().int().min(60_000).max(86_400_000),
  /** A preview campaign's contact shown to an agent goes back to the campaign after this long untouched. */
  previewTimeoutMs: z.number().int().min(10_000).max(3_600_000),
  /**
   * Masking (issue 15 §1, privacy/view.ts): whether each role sees personal data masked
   * (138****5678) in the console and the API; supervisors and admins unmask one field of one call
   * with privacy.unmask, audited.
   */
  maskForAgent: z.boolean(),
  maskForSupervisor: z.boolean(),
  maskForAdmin: z.boolean(),
  /** Contact names masked to their first and last character (张*丰) where values are masked. */
  maskNames: z.boolean(),
  /** Amounts of money in transcripts and fields masked too (¥***). */
  maskAmounts: z.boolean(),
  /**
   * Retention (issue 15 §4), in days: the daily purge deletes what is older (retention/). null keeps
   * forever. Recordings: the audio files; transcripts: the transcript lines; calls: the call
   * records with their events (and any recording and transcript left); contacts: contacts not
   * changed, called or waiting in a campaign within the period.
   */
  retentionRecordingsDays: RetentionDays.nullable(),
  retentionTranscriptsDays: RetentionDays.nullable(),
  retentionCallsDays: RetentionDays.nullable(),
  retentionContactsDays: RetentionDays.nullable(),
  /** The audit trail: a number of days, at least 365 (12 months), never "keep forever". */
  retentionAuditDays: z
    .number()
    .int()
    .min(365, 'must be at least 365 days: the audit trail is kept for at least 12 months')
    .max(36_500),
});
export type Settings = z.infer<typeof SettingsSchema>;
export type SettingKey = keyof Settings;
export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as SettingKey[];

export const DEFAULT_SETTINGS: Settings = {
  language: 'zh-CN',
  defaultRegion: 'CN',
  timeZone: 'Asia/Shanghai',
  ringTimeoutMs: 30_000,
  maxConcurrentCalls: 10,
  recordCalls: true,
  wrapUpMs: 30_000,
  audioInputDeviceId: '',
  audioOutputDeviceId: '',
  supervisorInputDeviceId: '',
  supervisorOutputDeviceId: '',
  sessionIdleMs: 1_800_000,
  previewTimeoutMs: 120_000,
  maskForAgent: true,
  maskForSupervisor: true,
  maskForAdmin: true,
  maskNames: true,
  maskAmounts: false,
  // Nothing is deleted until an admin sets a period; the audit trail is kept 5 years.
  retentionRecordingsDays: null,
  retentionTranscriptsDays: null,
  retentionCallsDays: null,
  retentionContactsDays: null,
  retentionAuditDays: 1825,
};

/** Epoch milliseconds. */
const Timestamp = z.number().int().nonnegative();
const Id = z.string().min(1).max(200);

export const CallSummarySchema = z.object({
  id: Id,
  number: z.string(),
  contactName: z.string().nullable(),
  campaignId: z.number().int().nullable(),
  campaignName: z.string().nullable(),
  state: CallState,
  outcome: CallOutcome.nullable(),
  disposition: z.string().nullable(),
  sipCode: z.number().int().nullable(),
  startedAt: Timestamp,
  answeredAt: Timestamp.nullable(),
  endedAt: Timestamp.nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
});
export type CallSummary = z.infer<typeof CallSummarySchema>;

/**
 * One stored event of a call (`calls.get`). Stored rows are history: a row of a kind that no
 * longer exists, or of an older shape, still loads, so any type is taken here; what the engine
 * writes now is checked against the table of kinds (telephony/call-events.ts) by the typed
 * `CallSession.note` and by the live `call.event` stream's schema. `isCallEvent(event, kind)`
 * reads a row as today's kind.
 */
export const CallEventSchema = z.object({
  at: Timestamp,
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type CallEvent = z.infer<typeof CallEventSchema>;

export const Speaker = z.enum(['customer', 'bot', 'agent', 'supervisor']);
export type Speaker = z.infer<typeof Speaker>;

export const UtteranceSchema = z.object({
  speaker: Speaker,
  text: z.string(),
  intent: z.string().nullable(),
  confidence: z.number().min(0).max(1).nullable(),
  startMs: z.number().int().nonnegative(),
  endMs: z.number().int().nonnegative(),
  /** Where a prompt was cut by barge-in, ms from call start; null when it played whole. */
  cutAtMs: z.number().int().nonnegative().nullable(),
  /** The flow node that said it (bot) or asked for it (customer); null outside a flow. */
  nodeId: z.string().nullable(),
});
export type Utterance = z.infer<typeof UtteranceSchema>;

/** One validated state change of a call (the first has `from: null`). */
export const CallTransitionSchema = z.object({
  from: CallState.nullable(),
  to: CallState,
  at: Timestamp,
  reason: z.string().nullable(),
});
export type CallTransition = z.infer<typeof CallTransitionSchema>;

export const CallDetailSchema = z.object({
  call: CallSummarySchema,
  events: z.array(CallEventSchema),
  transitions: z.array(CallTransitionSchema),
  utterances: z.array(UtteranceSchema),
  recording: z
    .object({
      durationMs: z.number().int().nonnegative(),
      channels: z.number().int(),
      sampleRate: z.number().int(),
    })
    .nullable(),
});
export type CallDetail = z.infer<typeof CallDetailSchema>;

export const AgentRole = z.enum(['agent', 'supervisor', 'admin']);
export type AgentRole = z.infer<typeof AgentRole>;
export const AgentStatus = z.enum([
  'available',
  'offered',
  'on_call',
  'wrap_up',
  'away',
  'offline',
]);
export type AgentStatus = z.infer<typeof AgentStatus>;

export const AgentSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role: AgentRole,
  skills: z.array(z.string()),
  status: AgentStatus,
  createdAt: Timestamp,
});
export type Agent = z.infer<typeof AgentSchema>;

export const FlowSummarySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  language: Language,
  latestVersion: z.number().int().nullable(),
  updatedAt: Timestamp,
  /** How many versions are stored. */
  versions: z.number().int().nonnegative(),
  /** The latest version's training state (null: not trained in this run, or no trainer). */
  training: FlowTrainingSchema.nullable(),
});
export type FlowSummary = z.infer<typeof FlowSummarySchema>;

export const LiveCallSchema = CallSummarySchema.extend({
  lastUtterance: z.string().nullable(),
  /** The bot's last reply latency: from the end of the customer's speech to its prompt going out (bot_prompt's sinceSpeechEndMs). */
  botLatencyMs: z.number().int().nonnegative().nullable().optional(),
  /** The agent who has the call, when one has it. */
  agentName: z.string().nullable().optional(),
  /** The supervisor on the call and their mode (listen, whisper, barge), when one is on it. */
  supervision: LiveSupervisionSchema.nullable().optional(),
  /** Answering-machine detection's last decision on the call (ms from the answer), once it has one. */
  amd: z
    .object({ result: AmdResultSchema, atMs: z.number().nonnegative(), revised: z.boolean() })
    .nullable()
    .optional(),
});
export type LiveCall = z.infer<typeof LiveCallSchema>;

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  transport: z.enum(['ipc', 'websocket', 'in-process']),
  dataDir: z.string(),
  databasePath: z.string(),
  schemaVersion: z.number().int(),
  startedAt: Timestamp,
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

// ---------------------------------------------------------------------------------------------
// Commands: request → response

const NoParams = z.object({}).strict();

const Username = z
  .string()
  .min(2, 'must be at least 2 characters')
  .max(64)
  .regex(/^[a-z0-9._-]+$/, 'may use lowercase letters, digits, dot, dash and underscore only');

export const commands = {
  'app.info': { params: NoParams, result: AppInfoSchema },
  'settings.get': { params: NoParams, result: SettingsSchema },
  'settings.update': {
    params: z.object({ changes: SettingsSchema.partial().strict() }).strict(),
    result: SettingsSchema,
  },
  'calls.list': {
    params: z
      .object({
        limit: z.number().int().min(1).max(500).default(50),
        offset: z.number().int().min(0).default(0),
        // outcome, campaignId, search (number, name or transcript text), disposition, from/to (started at).
        ...CallFilterFields,
      })
      .strict(),
    result: z.object({ calls: z.array(CallSummarySchema), total: z.number().int().nonnegative() }),
  },
  'calls.get': {
    params: z.object({ id: Id }).strict(),
    result: CallDetailSchema,
  },
  'live.list': { params: NoParams, result: z.object({ calls: z.array(LiveCallSchema) }) },
  'campaigns.list': {
    params: NoParams,
    result: z.object({ campaigns: z.array(CampaignSummarySchema) }),
  },
  'flows.list': { params: NoParams, result: z.object({ flows: z.array(FlowSummarySchema) }) },
  'agents.list': { params: NoParams, result: z.object({ agents: z.array(AgentSchema) }) },
  'agents.create': {
    params: z
      .object({
        username: Username,
        displayName: z.string().trim().min(1, 'is required').max(100),
        role: AgentRole.default('agent'),
        skills: z.array(z.string().trim().min(1).max(50)).max(50).default([]),
      })
      .strict(),
    result: AgentSchema,
  },
  ...trunkCommands,
  ...callCommands,
  ...flowCommands,
  ...dncCommands,
  ...dialerCommands,
  ...campaignCommands,
  ...contactCommands,
  ...importCommands,
  ...historyCommands,
  ...labelCommands,
  ...routingCommands,
  ...kpiCommands,
  ...auditCommands,
  ...supervisionCommands,
  ...authCommands,
  ...previewCommands,
  ...maskingCommands,
  ...privacyCommands,
  ...seatCommands,
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export const COMMAND_NAMES = Object.keys(commands) as CommandName[];
/** What a caller passes (defaults may be left out). */
export type CommandParams<C extends CommandName> = z.input<Commands[C]['params']>;
/** What a handler receives (defaults filled in). */
export type ParsedParams<C extends CommandName> = z.output<Commands[C]['params']>;
export type CommandResult<C extends CommandName> = z.output<Commands[C]['result']>;

// ---------------------------------------------------------------------------------------------
// Events: engine → subscribers

export const events = {
  'settings.changed': SettingsSchema,
  'agents.changed': z.object({ agents: z.array(AgentSchema) }),
  'call.updated': LiveCallSchema,
  'engine.status': z.object({ state: z.enum(['ready', 'stopping']), at: Timestamp }),
  ...trunkEvents,
  ...callEvents,
  ...flowEvents,
  ...campaignEvents,
  ...importEvents,
  ...routingEvents,
  ...kpiEvents,
  ...previewEvents,
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export const EVENT_NAMES = Object.keys(events) as EventName[];
export type EventData<E extends EventName> = z.output<Events[E]>;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}
