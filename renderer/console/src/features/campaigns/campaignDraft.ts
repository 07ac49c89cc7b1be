/**
 * The campaign form keeps what the user typed as text; these pure functions turn it into
 * campaigns.create's params (durations typed in minutes become milliseconds), say which box holds
 * no usable number, and tell which form field an API error (INVALID_PARAMS names the field's
 * path, e.g. schedule.windows.mon.0.1 or retryPolicy.retryAfterMs.busy) is about.
 */
import {
  type AbandonWindow,
  type CommandParams,
  DEFAULT_ABANDON_MESSAGES,
  DEFAULT_RETRY_POLICY,
  type DialingMode,
  WEEKDAY_KEYS,
  type WeekdayKey,
} from '../../api/contract.js';

/** Outcomes a campaign may retry, in the order the form shows them. */
export const RETRY_OUTCOMES = ['busy', 'no_answer', 'failed', 'machine', 'abandoned'] as const;
export type RetryOutcome = (typeof RETRY_OUTCOMES)[number];

export type Window = [start: string, end: string];

export interface CampaignDraft {
  name: string;
  list: string;
  /** '' = no flow (progressive campaigns may go straight to agents). */
  flowName: string;
  /** '' = the latest version when the campaign starts. */
  flowVersion: string;
  /** Trunk names in the order they are tried. */
  trunks: string[];
  dialingMode: DialingMode;
  linesPerAgent: string;
  queue: string;
  maxConcurrentCalls: string;
  /** Call only contacts with a consent record. */
  requireConsent: boolean;
  timeZone: string;
  windows: Record<WeekdayKey, Window[]>;
  /** Dates YYYY-MM-DD, one per line or separated by commas or spaces. */
  excludedDates: string;
  /** Minutes per outcome; '' = that outcome is not retried. */
  retryMinutes: Record<RetryOutcome, string>;
  maxAttempts: string;
  dailyCap: string;
  /** Predictive mode: the abandonment target and cap in percent, the window, the lines per agent, the message. */
  predictive: PredictiveDraft;
  /** Answering-machine detection: whether it runs, and what a machine gets. */
  amd: AmdDraft;
}

type AmdParams = NonNullable<CommandParams<'campaigns.create'>['amd']>;
export type AmdAction = NonNullable<AmdParams['machineAction']>;

export interface AmdDraft {
  enabled: boolean;
  machineAction: AmdAction;
  /** The message left on a machine: a text in the bot's voice, or a recording (a .wav path). */
  messageKind: 'text' | 'recording';
  text: string;
  language: 'en' | 'zh-CN';
  recording: string;
  /** How long to wait for the beep before leaving the message anyway, in seconds. */
  beepWaitSec: string;
}

export const AMD_FIELDS = [
  'enabled',
  'machineAction',
  'messageKind',
  'text',
  'language',
  'recording',
  'beepWaitSec',
] as const;
export type AmdField = (typeof AMD_FIELDS)[number];

export interface PredictiveDraft {
  targetPct: string;
  capPct: string;
  window: AbandonWindow;
  /** The custom window in hours. */
  windowHours: string;
  maxDialLevel: string;
  messageEn: string;
  messageZh: string;
  messageLanguage: 'zh-CN' | 'en' | 'both';
}

export const PREDICTIVE_FIELDS = [
  'targetPct',
  'capPct',
  'window',
  'windowHours',
  'maxDialLevel',
  'messageEn',
  'messageZh',
  'messageLanguage',
] as const;
export type PredictiveField = (typeof PREDICTIVE_FIELDS)[number];

const WORKDAY: Window[] = [
  ['09:00', '12:00'],
  ['13:30', '20:00'],
];

function minutesText(ms: number | undefined): string {
  return ms === undefined ? '' : String(ms / 60_000);
}

export function emptyCampaignDraft(timeZone: string): CampaignDraft {
  return {
    name: '',
    list: '',
    flowName: '',
    flowVersion: '',
    trunks: [],
    dialingMode: 'agentless',
    linesPerAgent: '2',
    queue: 'default',
    maxConcurrentCalls: '5',
    requireConsent: false,
    timeZone,
    windows: {
      sun: [],
      mon: [...WORKDAY],
      tue: [...WORKDAY],
      wed: [...WORKDAY],
      thu: [...WORKDAY],
      fri: [...WORKDAY],
      sat: [['10:00', '18:00']],
    },
    excludedDates: '',
    retryMinutes: Object.fromEntries(
      RETRY_OUTCOMES.map((o) => [o, minutesText(DEFAULT_RETRY_POLICY.retryAfterMs[o])]),
    ) as Record<RetryOutcome, string>,
    maxAttempts: String(DEFAULT_RETRY_POLICY.maxAttempts),
    dailyCap: String(DEFAULT_RETRY_POLICY.dailyCapPerNumber),
    predictive: {
      targetPct: '2',
      capPct: '3',
      window: '24h',
      windowHours: '',
      maxDialLevel: '4',
      messageEn: DEFAULT_ABANDON_MESSAGES.en,
      messageZh: DEFAULT_ABANDON_MESSAGES['zh-CN'],
      messageLanguage: 'both',
    },
    amd: {
      enabled: false,
      machineAction: 'hangup',
      messageKind: 'text',
      text: '',
      language: 'en',
      recording: '',
      beepWaitSec: '20',
    },
  };
}

/** Form fields an error can point at; windows and retries per weekday / outcome. */
export type CampaignFormField =
  | 'name'
  | 'list'
  | 'flow'
  | 'flowVersion'
  | 'trunks'
  | 'dialingMode'
  | 'linesPerAgent'
  | 'queue'
  | 'maxConcurrentCalls'
  | 'requireConsent'
  | 'timeZone'
  | `windows.${WeekdayKey}`
  | 'excludedDates'
  | `retry.${RetryOutcome}`
  | 'maxAttempts'
  | 'dailyCap'
  | `predictive.${PredictiveField}`
  | `amd.${AmdField}`;

export type CampaignDraftResult =
  | { ok: true; params: CommandParams<'campaigns.create'> }
  | { ok: false; field: CampaignFormField; problem: 'wholeNumber' | 'number' | 'required' };

const WHOLE = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;

/** campaigns.create's params, or the first box that holds no usable number. The engine validates the rest. */
export function toCampaignParams(draft: CampaignDraft): CampaignDraftResult {
  const whole = (field: CampaignFormField, text: string) =>
    WHOLE.test(text.trim())
      ? Number(text.trim())
      : ({ ok: false, field, problem: 'wholeNumber' } as const);
  const maxConcurrentCalls = whole('maxConcurrentCalls', draft.maxConcurrentCalls);
  if (typeof maxConcurrentCalls !== 'number') return maxConcurrentCalls;
  if (!DECIMAL.test(draft.linesPerAgent.trim()))
    return { ok: false, field: 'linesPerAgent', problem: 'number' };
  const maxAttempts = whole('maxAttempts', draft.maxAttempts);
  if (typeof maxAttempts !== 'number') return maxAttempts;
  const dailyCap = whole('dailyCap', draft.dailyCap);
  if (typeof dailyCap !== 'number') return dailyCap;
  const p = draft.predictive;
  let predictive: CommandParams<'campaigns.create'>['predictive'];
  if (draft.dialingMode === 'predictive') {
    for (const key of ['targetPct', 'capPct', 'maxDialLevel'] as const)
      if (!DECIMAL.test(p[key].trim()))
        return { ok: false, field: `predictive.${key}`, problem: 'number' };
    let windowMs: number | null = null;
    if (p.window === 'custom') {
      if (!DECIMAL.test(p.windowHours.trim()))
        return { ok: false, field: 'predictive.windowHours', problem: 'number' };
      windowMs = Math.round(Number(p.windowHours.trim()) * 3_600_000);
    }
    predictive = {
      targetPct: Number(p.targetPct.trim()),
      capPct: Number(p.capPct.trim()),
      window: p.window,
      windowMs,
      maxDialLevel: Number(p.maxDialLevel.trim()),
      message: { en: p.messageEn, 'zh-CN': p.messageZh },
      messageLanguage: p.messageLanguage,
    };
  }
  let amd: AmdParams | undefined;
  if (draft.amd.enabled) {
    const a = draft.amd;
    if (!DECIMAL.test(a.beepWaitSec.trim()))
      return { ok: false, field: 'amd.beepWaitSec', problem: 'number' };
    amd = {
      enabled: true,
      machineAction: a.machineAction,
      // The engine refuses an empty text or a path that is not an absolute .wav, naming the box.
      message:
        a.machineAction !== 'message'
          ? null
          : a.messageKind === 'text'
            ? { text: a.text, language: a.language }
            : { recording: a.recording },
      maxBeepWaitMs: Math.round(Number(a.beepWaitSec.trim()) * 1000),
    };
  }
  const retryAfterMs: Partial<Record<RetryOutcome, number>> = {};
  for (const outcome of RETRY_OUTCOMES) {
    const text = draft.retryMinutes[outcome].trim();
    if (text === '') continue;
    if (!DECIMAL.test(text)) return { ok: false, field: `retry.${outcome}`, problem: 'number' };
    retryAfterMs[outcome] = Math.round(Number(text) * 60_000);
  }
  let flow: CommandParams<'campaigns.create'>['flow'] = null;
  if (draft.flowName !== '') {
    const version = draft.flowVersion.trim();
    if (version !== '' && !WHOLE.test(version))
      return { ok: false, field: 'flowVersion', problem: 'wholeNumber' };
    flow =
      version === ''
        ? { name: draft.flowName }
        : { name: draft.flowName, version: Number(version) };
  }
  const windows: Partial<Record<WeekdayKey, Window[]>> = {};
  for (const day of WEEKDAY_KEYS)
    if (draft.windows[day].length > 0)
      windows[day] = draft.windows[day].map(([start, end]) => [start.trim(), end.trim()]);
  return {
    ok: true,
    params: {
      name: draft.name,
      list: draft.list,
      flow,
      trunks: draft.trunks,
      dialingMode: draft.dialingMode,
      linesPerAgent: Number(draft.linesPerAgent.trim()),
      queue: draft.queue.trim() || 'default',
      maxConcurrentCalls,
      requireConsent: draft.requireConsent,
      schedule: {
        timeZone: draft.timeZone.trim(),
        windows,
        excludedDates: parseDates(draft.excludedDates),
      },
      retryPolicy: { maxAttempts, retryAfterMs, dailyCapPerNumber: dailyCap },
      ...(predictive ? { predictive } : {}),
      ...(amd ? { amd } : {}),
    },
  };
}

/** "2026-10-01, 2026-10-02\n2026-10-03" → the three dates (the engine checks each one). */
export function parseDates(text: string): string[] {
  return text
    .split(/[\s,;，；]+/)
    .map((d) => d.trim())
    .filter(Boolean);
}

/** The form field an API error's field path points at, or null (then the error is shown above the buttons). */
export function campaignFormFieldOf(field: string | undefined): CampaignFormField | null {
  if (field === undefined) return null;
  const parts = field.split('.');
  // campaigns.update wraps the config in `changes`.
  if (parts[0] === 'changes') parts.shift();
  const [first, second, third] = parts;
  switch (first) {
    case 'name':
    case 'list':
    case 'trunks':
    case 'dialingMode':
    case 'linesPerAgent':
    case 'queue':
    case 'maxConcurrentCalls':
    case 'requireConsent':
      return first;
    case 'flow':
      return second === 'version' ? 'flowVersion' : 'flow';
    case 'schedule':
      if (second === 'timeZone') return 'timeZone';
      if (second === 'excludedDates') return 'excludedDates';
      if (second === 'windows' && (WEEKDAY_KEYS as readonly (string | undefined)[]).includes(third))
        return `windows.${third as WeekdayKey}`;
      return null;
    case 'predictive':
      if (second === 'message')
        return third === 'en' ? 'predictive.messageEn' : 'predictive.messageZh';
      if (second === 'windowMs') return 'predictive.windowHours';
      if ((PREDICTIVE_FIELDS as readonly (string | undefined)[]).includes(second))
        return `predictive.${second as PredictiveField}`;
      return null;
    case 'amd':
      if (second === 'message')
        return third === 'recording'
          ? 'amd.recording'
          : third === 'text'
            ? 'amd.text'
            : 'amd.messageKind';
      if (second === 'maxBeepWaitMs') return 'amd.beepWaitSec';
      if (second === 'enabled' || second === 'machineAction') return `amd.${second}`;
      return null;
    case 'retryPolicy':
      if (second === 'maxAttempts') return 'maxAttempts';
      if (second === 'dailyCapPerNumber') return 'dailyCap';
      if (
        second === 'retryAfterMs' &&
        (RETRY_OUTCOMES as readonly (string | undefined)[]).includes(third)
      )
        return `retry.${third as RetryOutcome}`;
      return null;
    default:
      return null;
  }
}

/** Moves the trunk at `index` one place up (-1) or down (+1) in the dialing order. */
export function moveTrunk(trunks: readonly string[], index: number, by: -1 | 1): string[] {
  const target = index + by;
  if (target < 0 || target >= trunks.length) return [...trunks];
  const next = [...trunks];
  [next[index], next[target]] = [next[target] as string, next[index] as string];
  return next;
}
