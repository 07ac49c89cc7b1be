/**
 * The Privacy section's retention boxes (PrivacySection.tsx) as settings changes: whole days, an
 * empty box keeps that kind forever (null). Only changed values are sent.
 */
import type { Settings } from '../../api/contract.js';

export const RETENTION_KEYS = [
  'retentionRecordingsDays',
  'retentionTranscriptsDays',
  'retentionCallsDays',
  'retentionContactsDays',
  'retentionAuditDays',
] as const;
export type RetentionKey = (typeof RETENTION_KEYS)[number];
/** The typed boxes as changes: '' keeps forever (null); anything else must be whole days. */
export function retentionChanges(
  draft: Record<RetentionKey, string>,
  saved: Settings,
): { changes: Partial<Settings>; invalid: RetentionKey[] } {
  const changes: Partial<Settings> = {};
  const invalid: RetentionKey[] = [];
  for (const key of RETENTION_KEYS) {
    const text = draft[key].trim();
    const value = text === '' ? null : Number(text);
    if (value !== null && !Number.isInteger(value)) {
      invalid.push(key);
      continue;
    }
    if (value === saved[key]) continue;
    // The audit trail has no "forever": an empty box there is sent as is and refused by the engine.
    (changes as Record<string, number | null>)[key] = value;
  }
  return { changes, invalid };
}
