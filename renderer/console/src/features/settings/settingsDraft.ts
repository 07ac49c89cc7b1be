/**
 * The Settings form keeps what the user typed as text (a number box can hold "" or "12."), and
 * shows durations in seconds while the engine stores milliseconds. These pure functions convert
 * between the two and work out which fields changed, so Save sends only those.
 */
import type { SettingKey, Settings } from '../../api/contract.js';

/** Numbers as typed text; everything else as stored. */
export type Draft = { [K in SettingKey]: Settings[K] extends number ? string : Settings[K] };

/** Fields typed as numbers; the value is what the UI shows (seconds for the *Ms fields). */
const NUMERIC = [
  'ringTimeoutMs',
  'maxConcurrentCalls',
  'wrapUpMs',
  'sessionIdleMs',
  'previewTimeoutMs',
] as const;
type NumericKey = (typeof NUMERIC)[number];
const UI_FACTOR: Record<NumericKey, number> = {
  ringTimeoutMs: 1000,
  maxConcurrentCalls: 1,
  wrapUpMs: 1000,
  // Minutes: a session's idle time (issue 13).
  sessionIdleMs: 60_000,
  // Seconds: how long a preview campaign's contact waits for its agent.
  previewTimeoutMs: 1000,
};

/** The masking switches (issue 15 §1), all booleans: MaskingFields.tsx. */
export const MASKING_KEYS = [
  'maskForAgent',
  'maskForSupervisor',
  'maskForAdmin',
  'maskNames',
  'maskAmounts',
] as const;

export function toDraft(settings: Settings): Draft {
  return {
    language: settings.language,
    defaultRegion: settings.defaultRegion,
    timeZone: settings.timeZone,
    ringTimeoutMs: String(settings.ringTimeoutMs / UI_FACTOR.ringTimeoutMs),
    maxConcurrentCalls: String(settings.maxConcurrentCalls),
    recordCalls: settings.recordCalls,
    wrapUpMs: String(settings.wrapUpMs / UI_FACTOR.wrapUpMs),
    sessionIdleMs: String(settings.sessionIdleMs / UI_FACTOR.sessionIdleMs),
    previewTimeoutMs: String(settings.previewTimeoutMs / UI_FACTOR.previewTimeoutMs),
    audioInputDeviceId: settings.audioInputDeviceId,
    audioOutputDeviceId: settings.audioOutputDeviceId,
    supervisorInputDeviceId: settings.supervisorInputDeviceId,
    supervisorOutputDeviceId: settings.supervisorOutputDeviceId,
    maskForAgent: settings.maskForAgent,
    maskForSupervisor: settings.maskForSupervisor,
    maskForAdmin: settings.maskForAdmin,
    maskNames: settings.maskNames,
    maskAmounts: settings.maskAmounts,
    // Edited in the Privacy section (PrivacySection.tsx), never sent from this form.
    retentionRecordingsDays: settings.retentionRecordingsDays,
    retentionTranscriptsDays: settings.retentionTranscriptsDays,
    retentionCallsDays: settings.retentionCallsDays,
    retentionContactsDays: settings.retentionContactsDays,
    retentionAuditDays: String(settings.retentionAuditDays),
  };
}

/** The number typed into a box, in stored units; null when it is not a number. */
function parseNumber(key: NumericKey, text: string): number | null {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return null;
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return null;
  return Math.round(value * UI_FACTOR[key]);
}

export interface DraftDiff {
  /** What settings.update should receive: changed fields only, in stored units. */
  changes: Partial<Settings>;
  /** Number boxes that hold no number; saving is refused until they do. */
  invalid: SettingKey[];
}

export function diffDraft(draft: Draft, saved: Settings): DraftDiff {
  const changes: Partial<Settings> = {};
  const invalid: SettingKey[] = [];
  for (const key of NUMERIC) {
    const value = parseNumber(key, draft[key]);
    if (value === null) invalid.push(key);
    else if (value !== saved[key]) changes[key] = value;
  }
  if (draft.language !== saved.language) changes.language = draft.language;
  if (draft.defaultRegion !== saved.defaultRegion) changes.defaultRegion = draft.defaultRegion;
  if (draft.timeZone !== saved.timeZone) changes.timeZone = draft.timeZone;
  if (draft.recordCalls !== saved.recordCalls) changes.recordCalls = draft.recordCalls;
  if (draft.audioInputDeviceId !== saved.audioInputDeviceId)
    changes.audioInputDeviceId = draft.audioInputDeviceId;
  if (draft.audioOutputDeviceId !== saved.audioOutputDeviceId)
    changes.audioOutputDeviceId = draft.audioOutputDeviceId;
  if (draft.supervisorInputDeviceId !== saved.supervisorInputDeviceId)
    changes.supervisorInputDeviceId = draft.supervisorInputDeviceId;
  if (draft.supervisorOutputDeviceId !== saved.supervisorOutputDeviceId)
    changes.supervisorOutputDeviceId = draft.supervisorOutputDeviceId;
  for (const key of MASKING_KEYS) if (draft[key] !== saved[key]) changes[key] = draft[key];
  return { changes, invalid };
}
