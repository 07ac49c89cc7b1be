/**
 * The wallboard and the reports in the API: the call-center KPIs over the last 15 minutes, the last
 * hour and today (per campaign and in total), the agents by state, and the same figures per day
 * for a date range with its CSV export. The engine computes them in the store (kpi/, store's
 * `kpi` repository) and pushes `kpi.wallboard` as calls and agents change, at most once a second,
 * to consoles that asked for the wallboard in the last few minutes.
 *
 * Definitions (kpi/index.ts has the why):
 * - placed: calls dialed (a queued lease not dialed yet is not placed); answered: answered_at set.
 * - ended: calls with an outcome; call success = ended calls whose outcome is not `failed`.
 * - bot-completed (containment): answered bot calls that ended `completed` with no transfer asked.
 * - transferred: an agent (or a blind transfer) took the call.
 * - abandoned: a transfer was asked and nobody took it (no agent, the queue's wait ran out, or the
 *   customer hung up while waiting); abandon rate = abandoned / (transferred + abandoned).
 * - handle time: agent talk (agent took it → hang-up) + wrap-up (hang-up → form done).
 * - occupancy: agents' time on calls and in wrap-up over their time available, offered, on calls
 *   and in wrap-up (away and offline do not count).
 * - reply latency: from the end of the customer's speech to the bot's answer going out.
 * - intent confidence: the recognizer's confidence on customer answers; understood: answers that
 *   matched an intent; intent accuracy: answers an admin labelled in History that the bot had
 *   recognized as labelled.
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

const Timestamp = z.number().int().nonnegative();
const Count = z.number().int().nonnegative();
const Rate = z.number().min(0).max(1).nullable();
const Ms = z.number().nonnegative().nullable();

/** The product's KPI targets (DESIGN.md §10), shown beside the live figures: one place for them. */
export const KPI_TARGETS = {
  /** Share of ended calls that did not fail (a SIP or media failure, not busy or no answer). */
  callSuccessRate: { min: 0.98 },
  /** Share of labelled customer answers the bot recognized as labelled. */
  intentAccuracy: { min: 0.9 },
  /** The bot's reply latency, end of the customer's speech → its answer going out (p95). */
  replyLatencyMs: { max: 800 },
} as const;

export const KpiFiguresSchema = z.object({
  placed: Count,
  answered: Count,
  /** answered / placed; null without calls. */
  answerRate: Rate,
  ended: Count,
  failed: Count,
  /** (ended − failed) / ended. */
  callSuccessRate: Rate,
  botCompleted: Count,
  /** botCompleted / answered. */
  containmentRate: Rate,
  transferred: Count,
  abandoned: Count,
  /** abandoned / (transferred + abandoned). */
  abandonRate: Rate,
  /** Agent talk: from the agent's takeover to the hang-up, over calls an agent had. */
  avgTalkMs: Ms,
  /** From the hang-up to the wrap-up form (or its time running out), over finished wrap-ups. */
  avgWrapUpMs: Ms,
  /** Talk + wrap-up, over calls whose wrap-up is finished. */
  avgHandleMs: Ms,
  /** Bot answers that followed customer speech, and their latency percentiles (nearest rank). */
  replies: Count,
  replyLatencyP50Ms: Ms,
  replyLatencyP95Ms: Ms,
  /** Customer answers the recognizer scored, those that matched an intent, and the mean score. */
  answers: Count,
  understood: Count,
  understoodRate: Rate,
  avgConfidence: Rate,
  /** Customer answers labelled in History, and those the bot had recognized as labelled. */
  labelled: Count,
  labelledCorrect: Count,
  intentAccuracy: Rate,
});
export type KpiFigures = z.infer<typeof KpiFiguresSchema>;

/** Time agents spent in each status inside a window, and occupancy (on call + wrap-up over staffed). */
export const AgentTimeSchema = z.object({
  availableMs: z.number().nonnegative(),
  offeredMs: z.number().nonnegative(),
  onCallMs: z.number().nonnegative(),
  wrapUpMs: z.number().nonnegative(),
  awayMs: z.number().nonnegative(),
  occupancy: Rate,
});
export type AgentTime = z.infer<typeof AgentTimeSchema>;

export const KpiCampaignFiguresSchema = z.object({
  /** null: calls placed outside any campaign (the console's or the CLI's test calls). */
  campaignId: z.number().int().nullable(),
  name: z.string().nullable(),
  figures: KpiFiguresSchema,
});

export const KpiWindowSchema = z.object({
  from: Timestamp,
  to: Timestamp,
  total: KpiFiguresSchema,
  /** Campaigns with calls in the window, by name. */
  campaigns: z.array(KpiCampaignFiguresSchema),
  agents: AgentTimeSchema,
});
export type KpiWindow = z.infer<typeof KpiWindowSchema>;

export const WALLBOARD_WINDOWS = ['last15m', 'lastHour', 'today'] as const;
export type WallboardWindowName = (typeof WALLBOARD_WINDOWS)[number];

export const WallboardAgentSchema = z.object({
  id: z.number().int(),
  displayName: z.string(),
  status: z.enum(['available', 'offered', 'on_call', 'wrap_up', 'away', 'offline']),
  /** Since when (epoch ms); null when never changed. */
  since: Timestamp.nullable(),
});

export const WallboardSchema = z.object({
  /** When it was computed. */
  at: Timestamp,
  /** The workspace's time zone (Settings), whose midnight starts "today". */
  timeZone: z.string(),
  windows: z.object({
    last15m: KpiWindowSchema,
    lastHour: KpiWindowSchema,
    today: KpiWindowSchema,
  }),
  agents: z.array(WallboardAgentSchema),
});
export type Wallboard = z.infer<typeof WallboardSchema>;

const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((value) => {
    const [y, m, d] = value.split('-').map(Number) as [number, number, number];
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  }, 'is not a calendar date');

/** A report covers at most this many days (a year and a day, for leap years). */
const REPORT_MAX_DAYS = 366;

const ReportParams = z
  .object({
    /** First and last day, inclusive, in the workspace's time zone. */
    from: LocalDate,
    to: LocalDate,
    /** One campaign only (default: every call). */
    campaignId: z.number().int().positive().optional(),
  })
  .strict()
  .refine((p) => p.from <= p.to, { message: 'must not be after "to"', path: ['from'] })
  .refine(
    (p) =>
      (Date.parse(`${p.to}T00:00:00Z`) - Date.parse(`${p.from}T00:00:00Z`)) / 86_400_000 <
      REPORT_MAX_DAYS,
    { message: `a report covers at most ${REPORT_MAX_DAYS} days`, path: ['to'] },
  );

export const KpiReportDaySchema = z.object({
  /** YYYY-MM-DD in the workspace's time zone. */
  date: z.string(),
  from: Timestamp,
  to: Timestamp,
  figures: KpiFiguresSchema,
  agents: AgentTimeSchema,
});
export type KpiReportDay = z.infer<typeof KpiReportDaySchema>;

export const KpiReportSchema = z.object({
  timeZone: z.string(),
  campaignId: z.number().int().nullable(),
  days: z.array(KpiReportDaySchema),
  /** The whole range at once (percentiles over every reply, not averaged days). */
  total: KpiFiguresSchema,
  agents: AgentTimeSchema,
});
export type KpiReport = z.infer<typeof KpiReportSchema>;

export const kpiCommands = {
  /**
   * The wallboard now. Asking also subscribes every console to `kpi.wallboard` pushes for the
   * next 5 minutes (at most one a second while calls and agents change, one every 15 s otherwise);
   * the Wallboard page asks again every minute while it is open.
   */
  'kpi.wallboard': { params: z.object({}).strict(), result: WallboardSchema },
  /** The figures per day for a date range (at most 366 days). */
  'kpi.report': { params: ReportParams, result: KpiReportSchema },
  /** The report as CSV (one row per day and a total row), each cell CSV-safe; UTF-8 with a BOM. */
  'kpi.reportCsv': {
    params: ReportParams,
    result: z.object({ csv: z.string(), fileName: z.string(), rows: Count }),
  },
} as const;

export const kpiEvents = {
  'kpi.wallboard': WallboardSchema,
} as const;
