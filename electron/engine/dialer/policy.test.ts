import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  callability,
  type CallingSchedule,
  CallingScheduleSchema,
  describeReason,
  type PolicyAttempt,
  type PolicyCampaign,
  type PolicyContact,
  regionTimeZone,
  type RetryPolicy,
  RetryPolicySchema,
} from './policy.js';

const MIN = 60_000;
const weekdays = [['09:00', '20:00']] as Array<[string, string]>;

function schedule(over: Partial<CallingSchedule> = {}): CallingSchedule {
  return CallingScheduleSchema.parse({
    timeZone: 'Asia/Shanghai',
    windows: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays },
    excludedDates: [],
    ...over,
  });
}

const retry: RetryPolicy = RetryPolicySchema.parse({
  maxAttempts: 3,
  retryAfterMs: { busy: 10 * MIN, no_answer: 60 * MIN, failed: 5 * MIN },
  dailyCapPerNumber: 2,
});

function campaign(over: Partial<PolicyCampaign> = {}): PolicyCampaign {
  return { id: 1, schedule: schedule(), retry, listDefaultRegion: null, ...over };
}

const ny: PolicyContact = { id: 7, phone: '+12025550100', timeZone: 'America/New_York' };
const noHistory = { onDnc: false, attempts: [] };
const at = (iso: string): Date => new Date(iso);

function attempt(over: Partial<PolicyAttempt> & { startedAt: number }): PolicyAttempt {
  return {
    campaignId: 1,
    contactId: 7,
    endedAt: over.startedAt + MIN,
    outcome: 'busy',
    disposition: null,
    ...over,
  };
}

describe('calling windows in the contact’s time zone', () => {
  const machineTz = process.env.TZ;
  beforeEach(() => {
    // The machine runs on Beijing time and its clock is inside the window: that must not matter.
    process.env.TZ = 'Asia/Shanghai';
    vi.useFakeTimers();
    vi.setSystemTime(at('2026-11-24T02:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
    if (machineTz === undefined) delete process.env.TZ;
    else process.env.TZ = machineTz;
  });

  it('does not call a New York contact at 21:00 their time while Shanghai (and the machine) is at 10:00', () => {
    const now = new Date();
    expect(now.getHours()).toBe(10); // the machine's local time is inside 09:00–20:00
    const verdict = callability(ny, campaign(), noHistory, now);
    expect(verdict).toEqual({
      callable: false,
      zone: 'America/New_York',
      reasons: [
        {
          code: 'outside_window',
          localTime: '21:00',
          weekday: 'mon',
          zone: 'America/New_York',
          nextWindowStart: at('2026-11-24T14:00:00Z'),
        },
      ],
      nextEligibleAt: at('2026-11-24T14:00:00Z'), // Tuesday 09:00 EST
    });
    expect(describeReason(verdict.callable ? { code: 'dnc' } : verdict.reasons[0]!)).toBe(
      'outside calling hours (21:00 mon in America/New_York)',
    );
    // The same instant for a contact in Shanghai is inside the window.
    expect(callability({ ...ny, timeZone: 'Asia/Shanghai' }, campaign(), noHistory, now)).toEqual({
      callable: true,
      zone: 'Asia/Shanghai',
    });
    // And the New York contact becomes callable at the next window start, not a minute before.
    expect(callability(ny, campaign(), noHistory, at('2026-11-24T13:59:00Z')).callable).toBe(false);
    expect(callability(ny, campaign(), noHistory, at('2026-11-24T14:00:00Z')).callable).toBe(true);
  });

  it('falls back to the list region’s zone, then the campaign’s', () => {
    const noZone = { ...ny, timeZone: null };
    expect(regionTimeZone('CN')).toBe('Asia/Shanghai');
    expect(regionTimeZone('US')).toBeNull(); // several zones: no guess
    expect(
      callability(noZone, campaign({ listDefaultRegion: 'CN' }), noHistory, new Date()).zone,
    ).toBe('Asia/Shanghai');
    expect(
      callability(
        noZone,
        campaign({ listDefaultRegion: 'US', schedule: schedule({ timeZone: 'Europe/London' }) }),
        noHistory,
        new Date(),
      ).zone,
    ).toBe('Europe/London');
    // A zone the import could not read is not trusted either.
    expect(
      callability({ ...ny, timeZone: 'Mars/Olympus' }, campaign(), noHistory, new Date()).zone,
    ).toBe('Asia/Shanghai');
  });
});

describe('excluded dates', () => {
  const cn: PolicyContact = { id: 7, phone: '+8613800138000', timeZone: 'Asia/Shanghai' };
  const holidays = campaign({
    schedule: schedule({ excludedDates: ['2026-10-01', '2026-10-02'] }),
  });

  it('skips the contact’s local date and names the next window after the holidays', () => {
    // Thursday 10:00 in Shanghai on National Day.
    const verdict = callability(cn, holidays, noHistory, at('2026-10-01T02:00:00Z'));
    expect(verdict).toEqual({
      callable: false,
      zone: 'Asia/Shanghai',
      reasons: [
        {
          code: 'excluded_date',
          date: '2026-10-01',
          zone: 'Asia/Shanghai',
          nextWindowStart: at('2026-10-05T01:00:00Z'),
        },
      ],
      nextEligibleAt: at('2026-10-05T01:00:00Z'), // Monday 09:00 (Oct 2 excluded, then a weekend)
    });
  });

  it('is the contact’s date, not the machine’s: in New York it is still September 30', () => {
    // 2026-09-30T18:00Z is Oct 1 02:00 in Shanghai but Sep 30 14:00 in New York.
    expect(callability(ny, holidays, noHistory, at('2026-09-30T18:00:00Z'))).toEqual({
      callable: true,
      zone: 'America/New_York',
    });
    const v = callability(cn, holidays, noHistory, at('2026-09-30T18:00:00Z'));
    expect(v.callable === false && v.reasons.map((r) => r.code)).toEqual(['excluded_date']);
  });

  it('blocks the after-midnight part of a window that crosses into an excluded date', () => {
    const late = campaign({
      schedule: schedule({ windows: { fri: [['20:00', '02:00']] }, timeZone: 'Asia/Shanghai' }),
    });
    const cnLate = { ...cn };
    // Saturday 2026-11-28 01:30 Shanghai belongs to Friday's window.
    expect(callability(cnLate, late, noHistory, at('2026-11-27T17:30:00Z')).callable).toBe(true);
    const sat2 = callability(cnLate, late, noHistory, at('2026-11-27T18:30:00Z')); // 02:30: window over
    expect(sat2.callable).toBe(false);
    if (!sat2.callable) expect(sat2.nextEligibleAt).toEqual(at('2026-12-04T12:00:00Z')); // next Friday 20:00
    const excludedSat = campaign({ schedule: { ...late.schedule, excludedDates: ['2026-11-28'] } });
    const v = callability(cnLate, excludedSat, noHistory, at('2026-11-27T17:30:00Z'));
    expect(v.callable).toBe(false);
    if (!v.callable) expect(v.reasons.map((r) => r.code)).toEqual(['excluded_date']);
  });
});

describe('retries per outcome, attempts and dispositions', () => {
  const now = at('2026-11-24T15:00:00Z'); // Tuesday 10:00 in New York
  const t = now.getTime();

  it('waits the outcome’s delay after the last call ended', () => {
    const busy = callability(
      ny,
      campaign(),
      { onDnc: false, attempts: [attempt({ startedAt: t - 5 * MIN, outcome: 'busy' })] },
      now,
    );
    expect(busy).toEqual({
      callable: false,
      zone: 'America/New_York',
      reasons: [{ code: 'retry_wait', outcome: 'busy', until: new Date(t - 4 * MIN + 10 * MIN) }],
      nextEligibleAt: new Date(t + 6 * MIN),
    });
    const noAnswer = callability(
      ny,
      campaign(),
      { onDnc: false, attempts: [attempt({ startedAt: t - 5 * MIN, outcome: 'no_answer' })] },
      now,
    );
    expect(noAnswer.callable === false && noAnswer.reasons[0]).toEqual({
      code: 'retry_wait',
      outcome: 'no_answer',
      until: new Date(t + 56 * MIN),
    });
    const failedLongAgo = callability(
      ny,
      campaign(),
      { onDnc: false, attempts: [attempt({ startedAt: t - 7 * MIN, outcome: 'failed' })] },
      now,
    );
    expect(failedLongAgo.callable).toBe(true);
  });

  it('keeps a promised callback: waits for it, then calls even after an outcome that is not retried; DNC still wins', () => {
    const talked = [attempt({ startedAt: t - 30 * MIN, outcome: 'completed' })];
    expect(
      callability(
        ny,
        campaign(),
        { onDnc: false, attempts: talked, callbackAt: t + 20 * MIN },
        now,
      ),
    ).toEqual({
      callable: false,
      zone: 'America/New_York',
      reasons: [{ code: 'callback_wait', until: new Date(t + 20 * MIN) }],
      nextEligibleAt: new Date(t + 20 * MIN),
    });
    expect(
      callability(ny, campaign(), { onDnc: false, attempts: talked, callbackAt: t }, now),
    ).toEqual({ callable: true, zone: 'America/New_York' });
    // Without the callback the same history is final for this campaign.
    expect(callability(ny, campaign(), { onDnc: false, attempts: talked }, now)).toMatchObject({
      callable: false,
      reasons: [{ code: 'no_retry', outcome: 'completed' }],
    });
    expect(
      callability(ny, campaign(), { onDnc: true, attempts: talked, callbackAt: t }, now),
    ).toMatchObject({ callable: false, reasons: [{ code: 'dnc' }] });
    expect(describeReason({ code: 'callback_wait', until: new Date(t) })).toBe(
      `a callback is scheduled for ${new Date(t).toISOString()}`,
    );
  });

  it('lands a retry that would fall outside the window on the next window start', () => {
    // no_answer at 19:30 New York: 60 min later is 20:31, after the window; next is Wednesday 09:00.
    const evening = at('2026-11-25T00:30:00Z');
    const v = callability(
      ny,
      campaign(),
      {
        onDnc: false,
        attempts: [
          attempt({
            startedAt: evening.getTime() - MIN,
            endedAt: evening.getTime(),
            outcome: 'no_answer',
          }),
        ],
      },
      evening,
    );
    expect(v.callable === false && v.nextEligibleAt).toEqual(at('2026-11-25T14:00:00Z'));
  });

  it('stops for good after max attempts, an outcome not retried, or a final disposition, and while a call is open', () => {
    const three = [1, 2, 3].map((i) =>
      attempt({ startedAt: t - i * 24 * 60 * MIN, outcome: 'no_answer' }),
    );
    expect(callability(ny, campaign(), { onDnc: false, attempts: three }, now)).toEqual({
      callable: false,
      zone: 'America/New_York',
      reasons: [{ code: 'max_attempts', attempts: 3, maxAttempts: 3 }],
    });
    expect(
      callability(
        ny,
        campaign(),
        {
          onDnc: false,
          attempts: [attempt({ startedAt: t - 3 * 24 * 60 * MIN, outcome: 'invalid_number' })],
        },
        now,
      ),
    ).toEqual({
      callable: false,
      zone: 'America/New_York',
      reasons: [{ code: 'no_retry', outcome: 'invalid_number' }],
    });
    const done = attempt({
      startedAt: t - 2 * 24 * 60 * MIN,
      outcome: 'completed',
      disposition: { code: 'confirmed', final: true },
    });
    expect(callability(ny, campaign(), { onDnc: false, attempts: [done] }, now)).toEqual({
      callable: false,
      zone: 'America/New_York',
      reasons: [{ code: 'final_disposition', disposition: 'confirmed' }],
    });
    const open = attempt({ startedAt: t - 2 * MIN, endedAt: null, outcome: null });
    const v = callability(ny, campaign(), { onDnc: false, attempts: [open] }, now);
    expect(v.callable === false && v.reasons.map((r) => r.code)).toEqual(['in_progress']);
    // Attempts of another contact or campaign are not this contact's attempts.
    const others = three.map((a) => ({ ...a, campaignId: 2 }));
    expect(callability(ny, campaign(), { onDnc: false, attempts: others }, now).callable).toBe(
      true,
    );
  });

  it('lists every reason at once: DNC outside the window', () => {
    const v = callability(
      ny,
      campaign(),
      { onDnc: true, attempts: [] },
      at('2026-11-24T02:00:00Z'),
    );
    expect(v.callable === false && v.reasons.map((r) => r.code)).toEqual(['dnc', 'outside_window']);
    expect(v.callable === false && 'nextEligibleAt' in v).toBe(false);
  });
});

describe('per-number daily cap', () => {
  it('counts attempts across all campaigns within the contact’s local day', () => {
    const now = at('2026-11-24T20:00:00Z'); // Tuesday 15:00 in New York
    const attempts = [
      // Monday 23:00 in New York (already Tuesday in UTC): yesterday, not counted.
      attempt({
        startedAt: at('2026-11-24T04:00:00Z').getTime(),
        campaignId: 2,
        contactId: 99,
        outcome: 'completed',
      }),
      // Tuesday morning: campaign 2 (another list's contact with the same number) and campaign 3.
      attempt({
        startedAt: at('2026-11-24T14:10:00Z').getTime(),
        campaignId: 2,
        contactId: 99,
        outcome: 'completed',
      }),
      attempt({
        startedAt: at('2026-11-24T14:30:00Z').getTime(),
        campaignId: 3,
        contactId: 12,
        outcome: 'no_answer',
      }),
    ];
    const v = callability(ny, campaign(), { onDnc: false, attempts }, now);
    expect(v).toEqual({
      callable: false,
      zone: 'America/New_York',
      reasons: [
        {
          code: 'daily_cap',
          attemptsToday: 2,
          cap: 2,
          localDate: '2026-11-24',
          until: at('2026-11-25T05:00:00Z'),
        },
      ],
      nextEligibleAt: at('2026-11-25T14:00:00Z'), // Wednesday 09:00, the first window after midnight
    });
    // One attempt fewer today: under the cap.
    expect(
      callability(ny, campaign(), { onDnc: false, attempts: attempts.slice(0, 2) }, now).callable,
    ).toBe(true);
  });
});

describe('DST transition days (America/New_York)', () => {
  it('keeps windows on the wall clock when the clocks spring forward', () => {
    // Sunday 2026-03-08: 02:00 EST jumps to 03:00 EDT at 07:00Z.
    const sunday = campaign({
      schedule: schedule({
        windows: {
          sun: [
            ['02:30', '04:00'],
            ['09:00', '20:00'],
          ],
        },
      }),
    });
    // 01:00 EST: the 02:30 start never shows on the clock; the window opens at the jump.
    const early = callability(ny, sunday, noHistory, at('2026-03-08T06:00:00Z'));
    expect(early.callable === false && early.nextEligibleAt).toEqual(at('2026-03-08T07:00:00Z'));
    expect(callability(ny, sunday, noHistory, at('2026-03-08T07:00:00Z')).callable).toBe(true); // 03:00 EDT
    // 09:30 EDT is 13:30Z; with the winter offset it would still be 08:30 and outside.
    expect(callability(ny, sunday, noHistory, at('2026-03-08T13:30:00Z')).callable).toBe(true);
    // 20:00 EDT is 00:00Z; the window closes then, not an hour later.
    const closed = callability(ny, sunday, noHistory, at('2026-03-09T00:00:00Z'));
    expect(closed.callable === false && closed.reasons[0]).toMatchObject({
      code: 'outside_window',
      localTime: '20:00',
    });
  });

  it('keeps windows on the wall clock when the clocks fall back', () => {
    // Sunday 2026-11-01: 02:00 EDT falls back to 01:00 EST at 06:00Z.
    const sunday = campaign({ schedule: schedule({ windows: { sun: [['09:00', '20:00']] } }) });
    const v = callability(ny, sunday, noHistory, at('2026-11-01T13:30:00Z')); // 08:30 EST
    expect(v.callable === false && v.reasons[0]).toMatchObject({
      code: 'outside_window',
      localTime: '08:30',
      nextWindowStart: at('2026-11-01T14:00:00Z'),
    });
    expect(callability(ny, sunday, noHistory, at('2026-11-01T14:00:00Z')).callable).toBe(true);
    // The daily cap's day ends at local midnight, 25 hours after it began.
    const attempts = [0, 1].map((i) =>
      attempt({
        startedAt: at('2026-11-01T04:30:00Z').getTime() + i * MIN,
        campaignId: 5,
        contactId: 1,
        outcome: 'completed',
      }),
    );
    const capped = callability(
      ny,
      campaign({ retry: { ...retry } }),
      { onDnc: false, attempts },
      at('2026-11-01T14:00:00Z'),
    );
    expect(capped.callable === false && capped.reasons[0]).toMatchObject({
      code: 'daily_cap',
      attemptsToday: 2,
      until: at('2026-11-02T05:00:00Z'),
    });
  });
});

describe('schemas', () => {
  it('names the field of a bad schedule or retry policy', () => {
    const bad = CallingScheduleSchema.safeParse({
      timeZone: 'Asia/Shanghai',
      windows: { mon: [['09:00', '25:00']] },
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['windows', 'mon', 0, 1]);
    expect(bad.error?.issues[0]?.message).toMatch(/HH:MM/);
    expect(
      CallingScheduleSchema.safeParse({ timeZone: 'Asia/Shanghai', windows: { monday: [] } }).error
        ?.issues[0]?.message,
    ).toMatch(/monday/);
    expect(
      CallingScheduleSchema.safeParse({ timeZone: 'Nowhere/City', windows: {} }).error?.issues[0]
        ?.path,
    ).toEqual(['timeZone']);
    expect(
      CallingScheduleSchema.safeParse({
        timeZone: 'UTC',
        windows: {},
        excludedDates: ['2026-02-30'],
      }).error?.issues[0]?.path,
    ).toEqual(['excludedDates', 0]);
    const r = RetryPolicySchema.safeParse({
      maxAttempts: 3,
      retryAfterMs: { busy: -1 },
      dailyCapPerNumber: 2,
    });
    expect(r.error?.issues[0]?.path).toEqual(['retryAfterMs', 'busy']);
    expect(
      RetryPolicySchema.safeParse({
        maxAttempts: 3,
        retryAfterMs: { bored: 5 },
        dailyCapPerNumber: 2,
      }).success,
    ).toBe(false);
  });
});

describe('DST gaps elsewhere', () => {
  it('opens a window that starts in the skipped hour at the jump, whichever way the zone jumps', () => {
    // Europe/Berlin, Sunday 2026-03-29: 02:00 CET jumps to 03:00 CEST at 01:00Z.
    const berlin: PolicyContact = { id: 1, phone: '+4930123456', timeZone: 'Europe/Berlin' };
    const c = campaign({ schedule: schedule({ windows: { sun: [['02:15', '05:00']] } }) });
    const v = callability(berlin, c, noHistory, at('2026-03-29T00:30:00Z')); // 01:30 CET
    expect(v.callable === false && v.nextEligibleAt).toEqual(at('2026-03-29T01:00:00Z'));
    // Australia/Lord_Howe moves by 30 minutes (02:00 → 02:30 on 2026-10-04, at 2026-10-03T15:30Z).
    const lordHowe: PolicyContact = {
      id: 2,
      phone: '+61265632000',
      timeZone: 'Australia/Lord_Howe',
    };
    const l = callability(
      lordHowe,
      campaign({ schedule: schedule({ windows: { sun: [['02:10', '05:00']] } }) }),
      noHistory,
      at('2026-10-03T15:00:00Z'),
    );
    expect(l.callable === false && l.nextEligibleAt).toEqual(at('2026-10-03T15:30:00Z'));
  });
});

describe('an abandoned call’s number rests 72 h', () => {
  // Tuesday 10:00 in New York, inside the window; the call was abandoned a day before.
  const now = at('2026-11-24T15:00:00Z');
  const abandoned = attempt({
    campaignId: 2,
    contactId: 99,
    startedAt: now.getTime() - 24 * 3_600_000,
    outcome: 'abandoned',
  });

  it('whichever campaign called it, until 72 h after that call ended', () => {
    const v = callability(ny, campaign(), { onDnc: false, attempts: [abandoned] }, now);
    expect(v.callable).toBe(false);
    if (v.callable) return;
    expect(v.reasons).toEqual([
      {
        code: 'abandoned_rest',
        abandonedAt: new Date(abandoned.endedAt!),
        until: new Date(abandoned.endedAt! + 72 * 3_600_000),
      },
    ]);
    expect(v.nextEligibleAt!.getTime()).toBeGreaterThanOrEqual(abandoned.endedAt! + 72 * 3_600_000);
    expect(describeReason(v.reasons[0]!)).toMatch(/abandoned .*unless an agent is reserved/);
  });

  it('unless the campaign reserves an agent for the call (progressive)', () => {
    const v = callability(
      ny,
      campaign({ agentReserved: true }),
      { onDnc: false, attempts: [abandoned] },
      now,
    );
    expect(v.callable).toBe(true);
  });
});
