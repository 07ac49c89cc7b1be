import { describe, expect, it } from 'vitest';

import { DEFAULT_SETTINGS } from '../../api/contract.js';
import { retentionChanges } from './retentionDraft.js';

const draft = {
  retentionRecordingsDays: '',
  retentionTranscriptsDays: '',
  retentionCallsDays: '',
  retentionContactsDays: '',
  retentionAuditDays: '1825',
};

describe('retentionChanges', () => {
  it('sends only what changed: days as numbers, an empty box as keep forever', () => {
    expect(retentionChanges(draft, DEFAULT_SETTINGS)).toEqual({ changes: {}, invalid: [] });
    expect(
      retentionChanges(
        { ...draft, retentionRecordingsDays: ' 30 ', retentionAuditDays: '400' },
        DEFAULT_SETTINGS,
      ),
    ).toEqual({ changes: { retentionRecordingsDays: 30, retentionAuditDays: 400 }, invalid: [] });
    expect(
      retentionChanges(draft, { ...DEFAULT_SETTINGS, retentionCallsDays: 90 }).changes,
    ).toEqual({ retentionCallsDays: null });
  });

  it('names a box that holds no whole number', () => {
    expect(
      retentionChanges({ ...draft, retentionContactsDays: '1.5' }, DEFAULT_SETTINGS).invalid,
    ).toEqual(['retentionContactsDays']);
  });
});
