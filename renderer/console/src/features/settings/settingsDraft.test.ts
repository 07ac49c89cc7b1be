import { describe, expect, it } from 'vitest';

import { DEFAULT_SETTINGS } from '../../api/contract.js';
import { diffDraft, toDraft } from './settingsDraft.js';

describe('settings draft', () => {
  it('shows durations in seconds', () => {
    const draft = toDraft({ ...DEFAULT_SETTINGS, ringTimeoutMs: 45_000, wrapUpMs: 0 });
    expect(draft.ringTimeoutMs).toBe('45');
    expect(draft.wrapUpMs).toBe('0');
    expect(draft.maxConcurrentCalls).toBe('10');
  });

  it('has no changes when nothing was edited', () => {
    expect(diffDraft(toDraft(DEFAULT_SETTINGS), DEFAULT_SETTINGS)).toEqual({
      changes: {},
      invalid: [],
    });
  });

  it('sends only changed fields, in milliseconds', () => {
    const draft = {
      ...toDraft(DEFAULT_SETTINGS),
      ringTimeoutMs: '40',
      recordCalls: false,
      language: 'en' as const,
    };
    expect(diffDraft(draft, DEFAULT_SETTINGS)).toEqual({
      changes: { ringTimeoutMs: 40_000, recordCalls: false, language: 'en' },
      invalid: [],
    });
    expect(
      diffDraft({ ...toDraft(DEFAULT_SETTINGS), wrapUpMs: '12.5' }, DEFAULT_SETTINGS).changes,
    ).toEqual({ wrapUpMs: 12_500 });
  });

  it('passes out-of-range numbers on for the engine to judge, but refuses non-numbers', () => {
    const draft = {
      ...toDraft(DEFAULT_SETTINGS),
      ringTimeoutMs: '500',
      maxConcurrentCalls: '',
      wrapUpMs: 'abc',
    };
    expect(diffDraft(draft, DEFAULT_SETTINGS)).toEqual({
      changes: { ringTimeoutMs: 500_000 },
      invalid: ['maxConcurrentCalls', 'wrapUpMs'],
    });
  });
});
