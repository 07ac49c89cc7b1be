/**
 * Campaigns in the API: what an admin configures (list, pinned flow version, trunks, calling
 * windows in each contact's own time zone, excluded dates, retries per outcome, the per-number
 * daily cap, dialing mode and concurrency), the lifecycle commands (start / pause / resume /
 * stop), and live progress.
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts, and the
 * dialer's policy reads the schedule and retry schemas from here.
 */
import { z } from 'zod';

import { AmdSettingsSchema, DEFAULT_AMD_SETTINGS } from './amd.js';
import { CALL_OUTCOMES, CallOutcome } from './call-states.js';

// ---------------------------------------------------------------------------------------------
// Schedule and retries (the campaign's `schedule` and `retry_policy` JSON columns)

export const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type WeekdayKey = (typeof WEEKDAY_KEYS)[number];

// Building an Intl.DateTimeFormat to test a zone costs tens of µs; the dialer asks per contact.
const zoneValidity = new Map<string, boolean>();

export function isIanaTimeZone(value: string): boolean {
  let valid = zoneValidity.get(value);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      valid = true;
    } catch {
      valid = false;
    }
    if (zoneValidity.size < 10_000) zoneValidity.set(value, valid);
  }
  return valid;
}

export const TimeZoneName = z
  .string()
  .refine(isIanaTimeZone, 'must be an IANA time zone such as Asia/Shanghai');

const ClockTime = z
  .string()
  .regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be a time of day HH:MM (00:00–24:00)');

const CallingWindow = z
  .tuple([ClockTime, ClockTime])
  .refine(
    ([start, end]) => start !== end,
    'start and end must differ (use ["00:00","24:00"] for the whole day)',
  )
  .refine(([start]) => start !== '24:00', 'a window cannot start at 24:00');

const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number];
    const t = new Date(Date.UTC(y, m - 1, d));
    return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
  }, 'is not a real calendar date');

export const CallingScheduleSchema = z
  .object({
    /** Zone of last resort, for contacts with no zone of their own and no list region's zone. */
    timeZone: TimeZoneName,
    /** Per weekday, the contact-local windows; a weekday left out is not called. */
    windows: z
      .object(
        Object.fromEntries(
          WEEKDAY_KEYS.map((k) => [k, z.array(CallingWindow).max(12).optional()]),
        ) as Record<WeekdayKey, z.ZodOptional<z.ZodArray<typeof CallingWindow>>>,
      )
      .strict(),
    /** Holidays: local dates of the contact on which nobody is called. */
    excludedDates: z.array(LocalDate).max(1000).default([]),
  })
  .strict();
export type CallingSchedule = z.output<typeof CallingScheduleSchema>;

const DurationMs = z
  .number()
  .int()
  .min(0)
  .max(30 * 24 * 3_600_000);

export const RetryPolicySchema = z
  .object({
    /** Attempts of one contact in one campaign, first call included. */
    maxAttempts: z.number().int().min(1).max(100),
    /** Wait after an attempt that ended with this outcome; an outcome left out is never retried. */
    retryAfterMs: z.partialRecord(z.enum(CALL_OUTCOMES), DurationMs),
    /** Attempts per number per contact-local day, counted across all campaigns. */
    dailyCapPerNumber: z.number().int().min(1).max(100),
  })
  .strict();
export type RetryPolicy = z.output<typeof RetryPolicySchema>;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  retryAfterMs: {
    busy: 10 * 60_000,
    no_answer: 60 * 60_000,
    failed: 5 * 60_000,
    machine: 4 * 3_600_000,
    abandoned: 30 * 60_000,
  },
  dailyCapPerNumber: 3,
};

// ---------------------------------------------------------------------------------------------
// Campaigns

export const CampaignStatus = z.enum(['draft', 'running', 'paused', 'stopped', 'completed']);
export type CampaignStatus = z.infer<typeof CampaignStatus>;
export const DialingMode = z.enum(['agentless', 'progressive', 'power', 'predictive', 'preview']);
export type DialingMode = z.infer<typeof DialingMode>;

const Timestamp = z.number().int().nonnegative();

// ---------------------------------------------------------------------------------------------
// Predictive dialing (dialer/pacing.ts paces it; dialer/abandon.ts handles abandoned calls)

const HOUR_MS = 3_600_000;
/** The abandonment window a campaign is measured over: 24 h (Ofcom), 30 days (US TSR/FCC), or its own. */
export const AbandonWindow = z.enum(['24h', '30d', 'custom']);
export type AbandonWindow = z.infer<typeof AbandonWindow>;

/** The information message an abandoned call hears; `{campaign}` is replaced by the campaign's name. */
export const DEFAULT_ABANDON_MESSAGES = {
  en: 'Hello, this call was from {campaign}. We are sorry, nobody was free to speak with you. We will not call you again for three days. To stop our calls, call us back and ask to be taken off the list.',
  'zh-CN':
    '您好，这是{campaign}的来电。很抱歉，刚才没有空闲的客服与您通话。三天内我们不会再打扰您。如不希望再接到我们的电话，请回电要求将您的号码移出名单。',
} as const;

const MessageText = z.string().trim().min(1, 'is required').max(600);

export const PredictiveSettingsSchema = z
  .object({
    /** The abandonment rate pacing aims under, in percent. */
    targetPct: z.number().min(0).max(10).default(2),
    /** The hard cap over the window, in percent (Ofcom and the FCC: 3); nearing it falls back to progressive. */
    capPct: z.number().min(0).max(10).default(3),
    window: AbandonWindow.default('24h'),
    /** The custom window's length in ms (window "custom"): 1 hour to 90 days. */
    windowMs: z
      .number()
      .int()
      .min(HOUR_MS, 'must be at least an hour (3600000 ms)')
      .max(90 * 24 * HOUR_MS, 'must be at most 90 days')
      .nullable()
      .default(null),
    /** The most lines per logged-in agent. */
    maxDialLevel: z.number().min(1).max(10).default(4),
    /** What an abandoned call hears: who called and how to opt out, per language. */
    message: z
      .object({ en: MessageText, 'zh-CN': MessageText })
      .strict()
      .default({ ...DEFAULT_ABANDON_MESSAGES }),
    /** The message's language(s): both plays Chinese, then English. */
    messageLanguage: z.enum(['zh-CN', 'en', 'both']).default('both'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.targetPct > s.capPct)
      ctx.addIssue({
        code: 'custom',
        path: ['targetPct'],
        message: `must not be above the cap (capPct ${s.capPct})`,
      });
    if (s.window === 'custom' && s.windowMs === null)
      ctx.addIssue({
        code: 'custom',
        path: ['windowMs'],
        message: 'is required for a custom window (1 hour to 90 days, in ms)',
      });
  });
export type PredictiveSettings = z.output<typeof PredictiveSettingsSchema>;

/** The window's length in ms. */
export function abandonWindowMs(settings: PredictiveSettings): number {
  if (settings.window === '30d') return 30 * 24 * HOUR_MS;
  if (settings.window === 'custom' && settings.windowMs !== null) return settings.windowMs;
  return 24 * HOUR_MS;
}

/** A predictive campaign's pacing as the dialer last decided it (null elsewhere). */
export const CampaignPacingSchema = z.object({
  /** Lines per free (or about to be free) agent the last decision amounted to. */
  dialLevel: z.number().nonnegative(),
  /** Calls the pacing wanted under way. */
  lines: z.number().int().nonnegative(),
  /** True while it falls back to progressive (one line per ready agent). */
  fallback: z.boolean(),
  /** Why, in English. */
  reason: z.string(),
  /** Abandoned over answered by a person, in the window. */
  abandonRate: z.number().nonnegative(),
  answered: z.number().int().nonnegative(),
  abandoned: z.number().int().nonnegative(),
  windowMs: z.number().int().positive(),
  capPct: z.number().nonnegative(),
  /** Agents of the campaign busy (on a call or in wrap-up) over those signed on for it. */
  occupancy: z.number().min(0).max(1),
  agentsReady: z.number().int().nonnegative(),
  agentsBusy: z.number().int().nonnegative(),
  at: Timestamp,
});
export type CampaignPacing = z.infer<typeof CampaignPacingSchema>;

const CampaignName = z.string().trim().min(1, 'is required').max(200);

/** Everything an admin sets on a campaign. Durations are milliseconds. */
export const CampaignConfigSchema = z
  .object({
    /** The contact list (by name) the campaign calls. */
    list: z.string().trim().min(1, 'is required').max(200),
    /**
     * The dialog flow the bot runs on answered calls; the version is pinned when the campaign
     * starts (the latest saved one unless given). Progressive campaigns may leave it out: their
     * answered calls go straight to an agent.
     */
    flow: z
      .object({
        name: z.string().trim().min(1).max(200),
        version: z.number().int().min(1).optional(),
      })
      .strict()
      .nullable()
      .default(null),
    /** Trunks by name, in the order they are tried; a trunk's own backup still applies. */
    trunks: z.array(z.string().trim().min(1).max(200)).min(1, 'needs at least one trunk').max(20),
    /**
     * agentless: the bot only. progressive: one line per available agent. power: linesPerAgent
     * lines per available agent. predictive: paced from live estimates under the abandonment cap.
     */
    dialingMode: DialingMode.default('agentless'),
    /** Lines per available agent in power mode (ignored otherwise). */
    linesPerAgent: z.number().min(1).max(5).default(2),
    /** The queue answered calls go to in progressive and power mode (and the bot's transfers when the flow names none). */
    queue: z.string().trim().min(1).max(100).default('default'),
    /** Calls this campaign runs at once (the trunks' and the desktop's limits apply too). */
    maxConcurrentCalls: z.number().int().min(1).max(200).default(5),
    schedule: CallingScheduleSchema,
    retryPolicy: RetryPolicySchema.default(DEFAULT_RETRY_POLICY),
    /** Predictive mode's settings (kept, and ignored, in the other modes). */
    predictive: PredictiveSettingsSchema.default(() => PredictiveSettingsSchema.parse({})),
    /** Answering-machine detection on answered calls, and what a machine gets (api/amd.ts). */
    amd: AmdSettingsSchema.default(() => ({ ...DEFAULT_AMD_SETTINGS })),
    /**
     * Call only contacts with a consent record (a time they agreed, from the import's consent_at):
     * the others are skipped, and "why not called now" says no_consent.
     */
    requireConsent: z.boolean().default(false),
  })
  .strict();
export type CampaignConfig = z.output<typeof CampaignConfigSchema>;
export type CampaignConfigInput = z.input<typeof CampaignConfigSchema>;

/**
 * What campaigns.update may change: any config field, none defaulted. (zod's .partial() keeps each
 * field's default, so a change of one field would have reset the others to their defaults.)
 */
const CONFIG = CampaignConfigSchema.shape;
export const CampaignChangesSchema = z
  .object({
    list: CONFIG.list.optional(),
    flow: CONFIG.flow.unwrap().optional(),
    trunks: CONFIG.trunks.optional(),
    dialingMode: CONFIG.dialingMode.unwrap().optional(),
    linesPerAgent: CONFIG.linesPerAgent.unwrap().optional(),
    queue: CONFIG.queue.unwrap().optional(),
    maxConcurrentCalls: CONFIG.maxConcurrentCalls.unwrap().optional(),
    schedule: CONFIG.schedule.optional(),
    retryPolicy: CONFIG.retryPolicy.unwrap().optional(),
    predictive: CONFIG.predictive.unwrap().optional(),
    amd: CONFIG.amd.unwrap().optional(),
    requireConsent: CONFIG.requireConsent.unwrap().optional(),
  })
  .strict();
export type CampaignChanges = z.output<typeof CampaignChangesSchema>;

/** Where a campaign stands. Counts are of contacts unless the name says calls. */
export const CampaignProgressSchema = z.object({
  /** Contacts in the campaign (the list's contacts when it started, plus any added since). */
  contacts: z.number().int().nonnegative(),
  /** Contacts called at least once, or being called now. */
  dialed: z.number().int().nonnegative(),
  /** Contacts still to be called (never called, or waiting for a retry or a callback). */
  remaining: z.number().int().nonnegative(),
  /** Contacts that need no more calls (completed, final disposition, max attempts, DNC…). */
  finished: z.number().int().nonnegative(),
  /** Calls under way now. */
  liveCalls: z.number().int().nonnegative(),
  /** Calls placed so far (every attempt). */
  calls: z.number().int().nonnegative(),
  answered: z.number().int().nonnegative(),
  transferred: z.number().int().nonnegative(),
  completed: z.number().int().nonnegative(),
  /** Transfers that found no agent in time and went back to the bot's fallback. */
  transferFallbacks: z.number().int().nonnegative(),
  /** Calls by outcome (every attempt). */
  byOutcome: z.partialRecord(CallOutcome, z.number().int().nonnegative()),
  /** Calls by disposition code. */
  byDisposition: z.record(z.string(), z.number().int().nonnegative()),
  /** Due callbacks waiting to be dialed. */
  callbacksDue: z.number().int().nonnegative(),
  /** The soonest time a waiting contact becomes callable (retry or callback); null when none waits. */
  nextAttemptAt: Timestamp.nullable(),
});
export type CampaignProgress = z.infer<typeof CampaignProgressSchema>;

export const CampaignSummarySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  status: CampaignStatus,
  dialingMode: DialingMode,
  listName: z.string().nullable(),
  flowName: z.string().nullable(),
  createdAt: Timestamp,
});
export type CampaignSummary = z.infer<typeof CampaignSummarySchema>;

/**
 * Why a running campaign leases no contacts now although it could (the engine that dials knows;
 * elsewhere it is null). flow_training: the pinned flow version's phrase models are still loading
 * or training, so no call is leased to wait for them; dialing starts when they are ready.
 * flow_failed: they could not be prepared (tried again every minute). trunk_down: every trunk the
 * campaign dials through is down (error says which and why); dialing resumes when one reconnects,
 * instead of failing each call it would place.
 */
export const CampaignWaitSchema = z.object({
  reason: z.enum(['flow_training', 'flow_failed', 'trunk_down']),
  flow: z.string(),
  flowVersion: z.number().int(),
  /** The question (ask node) being trained, from 1, and how many the flow has; null while unknown. */
  question: z.number().int().nonnegative().nullable(),
  questions: z.number().int().nonnegative().nullable(),
  /** flow_failed: why; trunk_down: each trunk and why it is down. */
  error: z.string().nullable(),
  /** When the wait began. */
  since: Timestamp,
  /** The same in English words ("waiting for the flow's phrase models: question 2 of 3"), for the CLI and logs. */
  message: z.string(),
});
export type CampaignWait = z.infer<typeof CampaignWaitSchema>;

export const CampaignDetailSchema = CampaignSummarySchema.extend({
  config: CampaignConfigSchema,
  /** The flow version the campaign runs (pinned at start). */
  flowVersion: z.number().int().nullable(),
  progress: CampaignProgressSchema,
  /** Why a running campaign is not dialing now (see CampaignWaitSchema); null when nothing holds it back. */
  waiting: CampaignWaitSchema.nullable().default(null),
  /** A running predictive campaign's pacing (dial level, abandonment in the window, occupancy); null otherwise. */
  pacing: CampaignPacingSchema.nullable().default(null),
  updatedAt: Timestamp,
});
export type CampaignDetail = z.infer<typeof CampaignDetailSchema>;

export const CampaignContactStatus = z.enum(['pending', 'leased', 'done']);
export const CampaignContactSchema = z.object({
  contactId: z.number().int(),
  phone: z.string(),
  name: z.string().nullable(),
  status: CampaignContactStatus,
  attempts: z.number().int().nonnegative(),
  /** Earliest next attempt (retry time); null when done. */
  nextAt: Timestamp.nullable(),
  callbackAt: Timestamp.nullable(),
  lastOutcome: CallOutcome.nullable(),
  lastDisposition: z.string().nullable(),
  lastCallId: z.string().nullable(),
  lastAttemptAt: Timestamp.nullable(),
  doneReason: z.string().nullable(),
  /** The contact's consent record: where and when they agreed to be called; null when none. */
  consentSource: z.string().nullable().default(null),
  consentAt: Timestamp.nullable().default(null),
});
export type CampaignContact = z.infer<typeof CampaignContactSchema>;

const ByName = z.object({ name: CampaignName }).strict();

export const campaignCommands = {
  'campaigns.create': {
    params: CampaignConfigSchema.extend({ name: CampaignName }).strict(),
    result: CampaignDetailSchema,
  },
  /** Changes a campaign that is not running (pause it first). */
  'campaigns.update': {
    params: z.object({ name: CampaignName, changes: CampaignChangesSchema }).strict(),
    result: CampaignDetailSchema,
  },
  'campaigns.get': { params: ByName, result: CampaignDetailSchema },
  /** draft / paused / stopped → running (pins the flow version, adds the list's contacts). */
  'campaigns.start': { params: ByName, result: CampaignDetailSchema },
  /** running → paused: no new dials; live calls finish. */
  'campaigns.pause': { params: ByName, result: CampaignDetailSchema },
  'campaigns.resume': { params: ByName, result: CampaignDetailSchema },
  /** → stopped: no new dials; live calls finish; a stopped campaign may be started again. */
  'campaigns.stop': { params: ByName, result: CampaignDetailSchema },
  /** The campaign's contacts and where each stands, for the campaign page. */
  'campaigns.contacts': {
    params: z
      .object({
        name: CampaignName,
        status: CampaignContactStatus.optional(),
        /** Matches the phone or the contact's name. */
        search: z.string().max(200).optional(),
        limit: z.number().int().min(1).max(500).default(50),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    result: z.object({
      contacts: z.array(CampaignContactSchema),
      total: z.number().int().nonnegative(),
    }),
  },
} as const;

export const campaignEvents = {
  /** A campaign's status or progress changed (at most a few times a second per campaign). */
  'campaign.updated': CampaignDetailSchema,
} as const;
