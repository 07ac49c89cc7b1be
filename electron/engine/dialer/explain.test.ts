import { describe, expect, it } from 'vitest';

import { useTestStores } from '../store/testing/temp.js';
import { campaignPolicy, explainContact, PolicyConfigError } from './explain.js';

const testStore = useTestStores();
const MIN = 60_000;
const at = (iso: string): number => new Date(iso).getTime();
const weekdays = [['09:00', '20:00']];
const schedule = {
  timeZone: 'Asia/Shanghai',
  windows: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays },
  excludedDates: [],
};
const retryPolicy = {
  maxAttempts: 3,
  retryAfterMs: { busy: 10 * MIN, no_answer: 60 * MIN },
  dailyCapPerNumber: 2,
};

describe('explaining a contact from the store (real SQLite)', () => {
  it('reads the contact’s calls and its number’s calls from every campaign, the DNC list, and the list region', async () => {
    const store = await testStore();
    const list = await store.contacts.createList({ name: 'Leads', defaultRegion: 'CN' });
    await store.contacts.upsertContacts(list.id, [
      { phone: '+12025550100', name: 'Alex', timeZone: 'America/New_York' },
      { phone: '+8613800138000', name: '王先生' },
    ]);
    const [alex, wang] = await store.contacts.contacts(list.id);
    const campaign = await store.campaigns.create({
      name: 'Renewals',
      listId: list.id,
      schedule,
      retryPolicy,
    });
    const other = await store.campaigns.create({ name: 'Survey', schedule, retryPolicy });
    const now = new Date('2026-11-24T20:00:00Z'); // Tuesday 15:00 in New York, Wednesday 04:00 in Shanghai

    expect(await explainContact(store, campaign, alex!, now)).toEqual({
      callable: true,
      zone: 'America/New_York',
    });
    // No zone of its own: the list's region (CN) gives Asia/Shanghai, where it is 04:00.
    expect(await explainContact(store, campaign, wang!, now)).toMatchObject({
      callable: false,
      zone: 'Asia/Shanghai',
      reasons: [
        {
          code: 'outside_window',
          localTime: '04:00',
          weekday: 'wed',
          nextWindowStart: new Date('2026-11-25T01:00:00Z'),
        },
      ],
    });

    // Alex's number: one call today from the other campaign (another contact row), one of ours that was busy.
    await store.calls.create({
      id: 'a',
      number: '+12025550100',
      campaignId: other.id,
      startedAt: at('2026-11-24T14:10:00Z'),
    });
    await store.calls.update('a', {
      state: 'done',
      outcome: 'completed',
      endedAt: at('2026-11-24T14:12:00Z'),
    });
    await store.calls.create({
      id: 'b',
      number: '+12025550100',
      campaignId: campaign.id,
      contactId: alex!.id,
      startedAt: now.getTime() - 5 * MIN,
    });
    await store.calls.update('b', {
      state: 'done',
      outcome: 'busy',
      endedAt: now.getTime() - 4 * MIN,
    });
    // Yesterday in New York (but the same UTC date): not counted against today's cap.
    await store.calls.create({
      id: 'old',
      number: '+12025550100',
      startedAt: at('2026-11-24T04:00:00Z'),
    });
    expect(
      await store.calls.attemptHistory({ contactId: alex!.id, number: alex!.phone, since: 0 }),
    ).toHaveLength(3);

    const capped = await explainContact(store, campaign, alex!, now);
    expect(capped).toEqual({
      callable: false,
      zone: 'America/New_York',
      reasons: [
        { code: 'retry_wait', outcome: 'busy', until: new Date(now.getTime() + 6 * MIN) },
        {
          code: 'daily_cap',
          attemptsToday: 2,
          cap: 2,
          localDate: '2026-11-24',
          until: new Date('2026-11-25T05:00:00Z'),
        },
      ],
      nextEligibleAt: new Date('2026-11-25T14:00:00Z'),
    });

    // A final disposition and the DNC list stop the contact for good.
    await store.dispositions.upsert({
      code: 'do_not_call',
      labelEn: 'Do not call',
      labelZh: '勿扰',
      kind: 'agent',
      final: true,
    });
    await store.calls.update('b', { dispositionCode: 'do_not_call' });
    await store.dnc.add([{ phone: '+12025550100', source: 'flow' }]);
    const stopped = await explainContact(store, campaign, alex!, now);
    expect(stopped.callable === false && stopped.reasons.map((r) => r.code)).toEqual([
      'dnc',
      'final_disposition',
      'daily_cap',
    ]);
    expect(stopped.callable === false && 'nextEligibleAt' in stopped).toBe(false);
  });

  it('names the stored field a campaign’s policy cannot use', async () => {
    const store = await testStore();
    const none = await store.campaigns.create({ name: 'Draft' });
    expect(() => campaignPolicy(none, null)).toThrow(/has no calling schedule yet/);
    const bad = await store.campaigns.create({
      name: 'Bad',
      schedule: { ...schedule, windows: { mon: [['9am', '20:00']] } },
    });
    let error: unknown;
    try {
      campaignPolicy(bad, null);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyConfigError);
    expect(error).toMatchObject({
      field: 'schedule.windows.mon.0.0',
      message: expect.stringMatching(
        /^Campaign "Bad": schedule\.windows\.mon\.0\.0: must be a time of day HH:MM/,
      ),
    });
    // An empty retry policy is the default one.
    const plain = await store.campaigns.create({ name: 'Plain', schedule });
    expect(campaignPolicy(plain, 'CN').retry.maxAttempts).toBe(3);
  });
});
