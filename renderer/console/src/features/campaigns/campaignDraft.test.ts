import { describe, expect, it } from 'vitest';

import {
  type CampaignDraft,
  campaignFormFieldOf,
  emptyCampaignDraft,
  moveTrunk,
  parseDates,
  toCampaignParams,
} from './campaignDraft.js';

function filled(): CampaignDraft {
  return {
    ...emptyCampaignDraft('Asia/Shanghai'),
    name: 'Spring',
    list: '春季回访',
    flowName: 'bill-reminder',
    trunks: ['a', 'b'],
  };
}

describe('campaign draft', () => {
  it('starts with weekday windows, the workspace zone and the default retry policy in minutes', () => {
    const draft = emptyCampaignDraft('Europe/Berlin');
    expect(draft.timeZone).toBe('Europe/Berlin');
    expect(draft.windows.mon).toEqual([
      ['09:00', '12:00'],
      ['13:30', '20:00'],
    ]);
    expect(draft.windows.sun).toEqual([]);
    expect(draft.retryMinutes).toEqual({
      busy: '10',
      no_answer: '60',
      failed: '5',
      machine: '240',
      abandoned: '30',
    });
  });

  it('builds campaigns.create’s params: minutes to ms, empty retries left out, empty weekdays left out, dates split', () => {
    const draft: CampaignDraft = {
      ...filled(),
      flowVersion: '3',
      retryMinutes: { busy: '0.5', no_answer: '', failed: '5', machine: '', abandoned: '' },
      excludedDates: '2026-10-01, 2026-10-02\n2026-10-03',
      windows: { ...filled().windows, sat: [], mon: [[' 08:00', '24:00 ']] },
      queue: ' ',
    };
    const result = toCampaignParams(draft);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.params).toMatchObject({
      name: 'Spring',
      list: '春季回访',
      flow: { name: 'bill-reminder', version: 3 },
      trunks: ['a', 'b'],
      dialingMode: 'agentless',
      linesPerAgent: 2,
      queue: 'default',
      maxConcurrentCalls: 5,
      requireConsent: false,
      schedule: {
        timeZone: 'Asia/Shanghai',
        excludedDates: ['2026-10-01', '2026-10-02', '2026-10-03'],
      },
      retryPolicy: {
        maxAttempts: 3,
        dailyCapPerNumber: 3,
        retryAfterMs: { busy: 30_000, failed: 300_000 },
      },
    });
    expect(result.params.schedule.windows).toEqual({
      mon: [['08:00', '24:00']],
      tue: draft.windows.tue,
      wed: draft.windows.wed,
      thu: draft.windows.thu,
      fri: draft.windows.fri,
    });
    expect(
      toCampaignParams({ ...filled(), flowName: '' }).ok &&
        (toCampaignParams({ ...filled(), flowName: '' }) as { params: { flow: unknown } }).params
          .flow,
    ).toBeNull();
  });

  it('names the first box that holds no usable number', () => {
    expect(toCampaignParams({ ...filled(), maxConcurrentCalls: '2.5' })).toEqual({
      ok: false,
      field: 'maxConcurrentCalls',
      problem: 'wholeNumber',
    });
    expect(toCampaignParams({ ...filled(), linesPerAgent: 'x' })).toEqual({
      ok: false,
      field: 'linesPerAgent',
      problem: 'number',
    });
    expect(toCampaignParams({ ...filled(), maxAttempts: '' })).toEqual({
      ok: false,
      field: 'maxAttempts',
      problem: 'wholeNumber',
    });
    expect(
      toCampaignParams({
        ...filled(),
        retryMinutes: { ...filled().retryMinutes, no_answer: 'soon' },
      }),
    ).toEqual({ ok: false, field: 'retry.no_answer', problem: 'number' });
    expect(toCampaignParams({ ...filled(), flowVersion: 'latest' })).toEqual({
      ok: false,
      field: 'flowVersion',
      problem: 'wholeNumber',
    });
  });

  it('maps the API’s field paths to the form’s fields', () => {
    expect(campaignFormFieldOf('name')).toBe('name');
    expect(campaignFormFieldOf('trunks.1')).toBe('trunks');
    expect(campaignFormFieldOf('flow.name')).toBe('flow');
    expect(campaignFormFieldOf('flow.version')).toBe('flowVersion');
    expect(campaignFormFieldOf('schedule.timeZone')).toBe('timeZone');
    expect(campaignFormFieldOf('schedule.windows.mon.0.1')).toBe('windows.mon');
    expect(campaignFormFieldOf('schedule.excludedDates.2')).toBe('excludedDates');
    expect(campaignFormFieldOf('retryPolicy.retryAfterMs.busy')).toBe('retry.busy');
    expect(campaignFormFieldOf('retryPolicy.dailyCapPerNumber')).toBe('dailyCap');
    expect(campaignFormFieldOf('changes.maxConcurrentCalls')).toBe('maxConcurrentCalls');
    expect(campaignFormFieldOf('requireConsent')).toBe('requireConsent');
    expect(campaignFormFieldOf('schedule.windows.funday')).toBeNull();
    expect(campaignFormFieldOf(undefined)).toBeNull();
  });

  it('reorders trunks and splits date lists', () => {
    expect(moveTrunk(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveTrunk(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(parseDates(' 2026-01-01；2026-02-01 ')).toEqual(['2026-01-01', '2026-02-01']);
  });
});

describe('predictive settings in the campaign form', () => {
  it('are sent only in predictive mode, a custom window in hours becoming ms', () => {
    const plain = toCampaignParams(filled());
    expect(plain.ok && 'predictive' in plain.params).toBe(false);
    const draft = filled();
    const result = toCampaignParams({
      ...draft,
      flowName: '',
      dialingMode: 'predictive',
      predictive: { ...draft.predictive, capPct: '2.5', window: 'custom', windowHours: '12' },
    });
    expect(result.ok && result.params.predictive).toMatchObject({
      targetPct: 2,
      capPct: 2.5,
      window: 'custom',
      windowMs: 12 * 3_600_000,
      maxDialLevel: 4,
      messageLanguage: 'both',
    });
  });

  it('name the box that holds no number, and map the engine’s field paths to boxes', () => {
    const draft = filled();
    expect(
      toCampaignParams({
        ...draft,
        dialingMode: 'predictive',
        predictive: { ...draft.predictive, window: 'custom', windowHours: 'a day' },
      }),
    ).toEqual({ ok: false, field: 'predictive.windowHours', problem: 'number' });
    expect(campaignFormFieldOf('predictive.targetPct')).toBe('predictive.targetPct');
    expect(campaignFormFieldOf('changes.predictive.windowMs')).toBe('predictive.windowHours');
    expect(campaignFormFieldOf('predictive.message.zh-CN')).toBe('predictive.messageZh');
  });
});

describe('answering-machine settings in the campaign form', () => {
  it('are sent only when detection is on, the message as a text or a recording, the wait in ms', () => {
    const plain = toCampaignParams(filled());
    expect(plain.ok && 'amd' in plain.params).toBe(false);
    const draft = filled();
    const hangup = toCampaignParams({ ...draft, amd: { ...draft.amd, enabled: true } });
    expect(hangup.ok && hangup.params.amd).toEqual({
      enabled: true,
      machineAction: 'hangup',
      message: null,
      maxBeepWaitMs: 20_000,
    });
    const amd = {
      ...draft.amd,
      enabled: true,
      machineAction: 'message' as const,
      text: '  Hello from the clinic. ',
      language: 'zh-CN' as const,
      beepWaitSec: '7.5',
    };
    const spoken = toCampaignParams({ ...draft, amd });
    expect(spoken.ok && spoken.params.amd).toEqual({
      enabled: true,
      machineAction: 'message',
      message: { text: '  Hello from the clinic. ', language: 'zh-CN' },
      maxBeepWaitMs: 7_500,
    });
    const recorded = toCampaignParams({
      ...draft,
      amd: { ...amd, messageKind: 'recording', recording: '/srv/msg.wav' },
    });
    expect(recorded.ok && recorded.params.amd).toMatchObject({
      message: { recording: '/srv/msg.wav' },
    });
  });

  it('name the box that holds no number, and map the engine’s field paths to boxes', () => {
    const draft = filled();
    expect(
      toCampaignParams({ ...draft, amd: { ...draft.amd, enabled: true, beepWaitSec: 'soon' } }),
    ).toEqual({ ok: false, field: 'amd.beepWaitSec', problem: 'number' });
    expect(campaignFormFieldOf('amd.message.text')).toBe('amd.text');
    expect(campaignFormFieldOf('amd.message.recording')).toBe('amd.recording');
    expect(campaignFormFieldOf('amd.message')).toBe('amd.messageKind');
    expect(campaignFormFieldOf('changes.amd.maxBeepWaitMs')).toBe('amd.beepWaitSec');
    expect(campaignFormFieldOf('amd.machineAction')).toBe('amd.machineAction');
  });
});
