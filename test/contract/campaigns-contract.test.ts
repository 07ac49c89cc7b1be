/**
 * Campaigns over every transport: create (an unknown list, flow or trunk refused naming its
 * field), start (flow version pinned, the list's contacts added, campaign.updated with progress),
 * pause / resume / stop, the contacts page and the explanation of a contact. No dialing: the
 * contract engine is not started with dialCampaigns.
 */
import { beforeAll, describe, expect, it } from 'vitest';

import type { CampaignDetail } from '../../electron/engine/api/contract.js';
import { maskName, maskText } from '../../electron/engine/privacy/index.js';
import { API_TRANSPORTS, apiError, useContractEngine } from '../support/api-transports.js';

const always = Object.fromEntries(
  ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [['00:00', '24:00']]]),
);

describe.each(API_TRANSPORTS)('campaigns over %s', (_name, makeHarness) => {
  const h = useContractEngine(makeHarness, 'outbound-contract-campaigns-');

  beforeAll(async () => {
    const list = await h.engine.store.contacts.createList({ name: 'Leads', defaultRegion: 'CN' });
    await h.engine.store.contacts.upsertContacts(list.id, [
      {
        phone: '+8613800138000',
        name: '王先生',
        consentSource: 'web form',
        consentAt: Date.parse('2026-01-05T02:00:00Z'),
      },
      { phone: '+8613800138001' },
    ]);
    await h.api.request('trunks.create', {
      name: 'main',
      uri: 'ws://127.0.0.1:9',
      domain: 'pbx.test',
    });
  });

  it('creates, starts, pauses, resumes and stops a campaign, with its progress and events', async () => {
    const config = {
      name: 'Renewals',
      list: 'Leads',
      flow: { name: 'appointment-confirm-en' },
      trunks: ['main'],
      schedule: { timeZone: 'Asia/Shanghai', windows: always },
    };
    expect(
      (await apiError(h.api.request('campaigns.create', { ...config, list: 'Nope' }))).field,
    ).toBe('list');
    expect(
      (await apiError(h.api.request('campaigns.create', { ...config, trunks: ['main', 'nope'] })))
        .field,
    ).toBe('trunks.1');
    expect(
      (await apiError(h.api.request('campaigns.create', { ...config, flow: { name: 'nope' } })))
        .field,
    ).toBe('flow.name');
    const created = await h.api.request('campaigns.create', config);
    expect(created).toMatchObject({
      name: 'Renewals',
      status: 'draft',
      dialingMode: 'agentless',
      listName: 'Leads',
      flowName: 'appointment-confirm-en',
      flowVersion: null,
    });
    const events: CampaignDetail[] = [];
    const off = h.api.on('campaign.updated', (detail) => events.push(detail));
    const started = await h.api.request('campaigns.start', { name: 'Renewals' });
    expect(started).toMatchObject({
      status: 'running',
      flowVersion: 1,
      progress: { contacts: 2, remaining: 2, dialed: 0, calls: 0 },
    });
    expect(await h.api.request('campaigns.pause', { name: 'Renewals' })).toMatchObject({
      status: 'paused',
    });
    expect(await h.api.request('campaigns.resume', { name: 'Renewals' })).toMatchObject({
      status: 'running',
    });
    expect(await h.api.request('campaigns.stop', { name: 'Renewals' })).toMatchObject({
      status: 'stopped',
    });
    await expect
      .poll(() => events.map((e) => e.status))
      .toEqual(['running', 'paused', 'running', 'stopped']);
    off();
    expect(await h.api.request('campaigns.get', { name: 'Renewals' })).toMatchObject({
      status: 'stopped',
      config: { list: 'Leads', trunks: ['main'] },
    });
    const page = await h.api.request('campaigns.contacts', { name: 'Renewals', status: 'pending' });
    // A signed-in admin sees contacts masked (the default); the in-process local admin, raw.
    const local = _name === 'in-process';
    expect(page).toMatchObject({
      total: 2,
      contacts: [
        {
          phone: local ? '+8613800138000' : maskText('+8613800138000'),
          name: local ? '王先生' : maskName('王先生'),
          status: 'pending',
          attempts: 0,
          lastOutcome: null,
        },
        { phone: local ? '+8613800138001' : '+86138****8001' },
      ],
    });
    expect(
      await h.api.request('campaigns.explain', { campaign: 'Renewals', phone: '13800138000' }),
    ).toMatchObject({ callable: true });
    await h.api.request('campaigns.update', {
      name: 'Renewals',
      changes: { maxConcurrentCalls: 3 },
    });
    // A second transport's engine is a fresh one: names may repeat across the describe.each runs.
    expect((await apiError(h.api.request('campaigns.create', config))).code).toBe('CONFLICT');
  });

  it('a campaign that requires consent: the contacts page shows each record, "why not now" names the missing one', async () => {
    const updated = await h.api.request('campaigns.update', {
      name: 'Renewals',
      changes: { requireConsent: true },
    });
    expect(updated.config.requireConsent).toBe(true);
    const page = await h.api.request('campaigns.contacts', { name: 'Renewals' });
    // In contact order (the named one first; numbers and names may be masked for the role).
    expect(page.contacts.map((c) => [c.name !== null, c.consentSource, c.consentAt])).toEqual([
      [true, 'web form', Date.parse('2026-01-05T02:00:00Z')],
      [false, null, null],
    ]);
    expect(
      await h.api.request('campaigns.explain', { campaign: 'Renewals', phone: '13800138000' }),
    ).toMatchObject({ callable: true, reasons: [] });
    const missing = await h.api.request('campaigns.explain', {
      campaign: 'Renewals',
      phone: '13800138001',
    });
    expect(missing).toEqual({
      callable: false,
      zone: 'Asia/Shanghai',
      reasons: [
        {
          code: 'no_consent',
          text: 'the campaign requires consent and the contact has no consent record',
          data: {},
        },
      ],
      nextEligibleAt: null,
    });
    await h.api.request('campaigns.update', {
      name: 'Renewals',
      changes: { requireConsent: false },
    });
    expect(
      await h.api.request('campaigns.explain', { campaign: 'Renewals', phone: '13800138001' }),
    ).toMatchObject({ callable: true });
  });
});
