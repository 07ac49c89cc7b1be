/**
 * A campaign made and run in the built console, in Debian's Chromium, against `outbound serve`
 * (which dials running campaigns) and the SIP test bed: the create form shows the API's
 * field-level error under the field it names, the campaign starts, its progress updates live from
 * campaign.updated (no reload), it pauses and resumes, both reachable contacts are called by the
 * bot, and the contact whose local time is outside the calling hours shows why it is not called,
 * with the time its hours open on its own clock.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { createApiClient, type OutboundApi } from '../../electron/engine/api/client.js';
import { WEEKDAY_KEYS } from '../../electron/engine/api/index.js';
import type { WebSocketTransport } from '../../electron/engine/api/ws-client.js';
import { maskText } from '../../electron/engine/privacy/index.js';
import { launchChromium, SCREENSHOT_DIR } from '../support/chromium.js';
import { signInConsole } from '../support/console-auth.js';
import { confirmOrderFlow } from '../support/flows.js';
import { serve, type Served } from '../support/serve.js';
import { nodeWebSocketTransport } from '../support/ws-node.js';
import type { Phone } from '../telephony/index.js';
import { type Bed, startBed } from '../telephony/index.js';

// Bed phones register as the contacts' E.164 numbers: the dialer dials sip:<E.164>@<trunk domain>.
const IN_HOURS = ['+8613900000001', '+8613900000002'];
const OUT_OF_HOURS = '+8613900000003';

let scratch: string;
let bed: Bed;
let server: Served;
let transport: WebSocketTransport;
let api: OutboundApi;
let browser: Browser;
let page: Page;
const phones: Phone[] = [];

/** Calling hours of one hour either side of now in UTC (split at midnight): Tokyo (UTC+9) is never inside. */
function hoursAroundNowUtc(): Array<[string, string]> {
  const now = new Date();
  const minutes = now.getUTCHours() * 60 + now.getUTCMinutes();
  const hhmm = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const start = minutes - 60;
  const end = minutes + 60;
  if (start < 0)
    return [
      ['00:00', hhmm(end)],
      [hhmm(start + 1440), '24:00'],
    ];
  if (end > 1440)
    return [
      ['00:00', hhmm(end - 1440)],
      [hhmm(start), '24:00'],
    ];
  return [[hhmm(start), hhmm(end)]];
}

async function importList(): Promise<void> {
  const csv = Buffer.from(
    [
      'phone,name,timezone',
      `${IN_HOURS[0]},Ann,UTC`,
      `${IN_HOURS[1]},Bo,UTC`,
      `${OUT_OF_HOURS},Chie,Asia/Tokyo`,
      '',
    ].join('\n'),
  );
  const { id } = await api.request('imports.begin', {
    fileName: 'campaign.csv',
    bytes: csv.length,
  });
  await api.request('imports.chunk', { id, offset: 0, data: csv.toString('base64') });
  const preview = await api.request('imports.preview', { id });
  const finished = new Promise<void>((resolve) => {
    const off = api.on('import.finished', (status) => {
      if (status.id !== id) return;
      off();
      resolve();
    });
  });
  await api.request('imports.commit', {
    id,
    list: 'autumn',
    createList: true,
    mapping: preview.columns.map((c) => ({ header: c.header, field: c.suggested })),
    defaultRegion: 'CN',
  });
  await finished;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'outbound-console-campaigns-'));
  bed = await startBed();
  server = await serve(join(scratch, 'data'));
  transport = nodeWebSocketTransport(
    `ws://127.0.0.1:${server.port}/api?token=${server.adminToken}`,
  );
  await transport.ready();
  api = createApiClient(transport);
  await api.request('trunks.create', {
    name: 'bed',
    uri: bed.wsUri.open,
    domain: bed.sipDomain,
    register: false,
    maxConcurrentCalls: 10,
    role: 'primary',
  });
  await api.request('flows.save', {
    definition: confirmOrderFlow('autumn-confirm', 'Autumn confirmation'),
  });
  await importList();
  // Each reachable customer answers and says "yes please" 4.5 s later; the bot confirms and hangs up.
  const yes = await bed.clip('campaign-yes', { text: 'yes please', voice: 'en', rate: 8000 });
  const track = join(bed.dir, 'campaign-yes-track.wav');
  execFileSync('sox', [yes.path, track, 'pad', '4.5', '10']);
  for (const user of [...IN_HOURS, OUT_OF_HOURS])
    phones.push(await bed.phone({ user, play: track, answer: 'auto' }));
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(server.url);
  await signInConsole(page);
  await page.getByTestId('lang-en').click();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  transport?.close();
  await server?.stop();
  for (const phone of phones) await phone.stop().catch(() => undefined);
  await bed?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** Sets one weekday's calling hours in the form's windows editor. */
async function setHours(day: string, windows: Array<[string, string]>): Promise<void> {
  const row = page.getByTestId(`campaign-windows-${day}`);
  while ((await row.getByTestId('window-start').count()) > 0)
    await row
      .getByRole('button', { name: /Remove/ })
      .first()
      .click();
  for (const [i, [start, end]] of windows.entries()) {
    await row.getByTestId('window-add').click();
    await row.getByTestId('window-start').nth(i).fill(start);
    await row.getByTestId('window-end').nth(i).fill(end);
  }
}

it('creates a campaign in the form, with the API’s field errors shown under the field they name', async () => {
  await page.getByTestId('nav-campaigns').click();
  await page.getByTestId('empty-campaigns').waitFor();
  await page.getByTestId('campaign-new').click();
  const form = page.getByTestId('campaign-form');
  await form.waitFor();
  await page.getByTestId('campaign-name').fill('Autumn');
  await page.getByTestId('campaign-list').selectOption('autumn');
  await page.getByTestId('campaign-flow').selectOption('autumn-confirm');
  await page.getByTestId('campaign-trunk-add').first().click();
  expect(await page.getByTestId('campaign-trunk-selected').allInnerTexts()).toEqual([
    expect.stringContaining('bed'),
  ]);
  await page.getByTestId('campaign-maxConcurrentCalls').fill('2');
  await page.getByTestId('campaign-timeZone').fill('UTC');
  await page.getByTestId('campaign-retry.no_answer').fill('0.1');
  const hours = hoursAroundNowUtc();
  for (const day of WEEKDAY_KEYS) await setHours(day, hours);
  await page.getByTestId('campaign-name').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'campaigns-form.png'), fullPage: true });
  // A window the API refuses: its message appears under Monday's hours, nothing is created.
  await setHours('mon', [['25:00', '26:00']]);
  await page.getByTestId('campaign-submit').click();
  const monError = page.getByTestId('campaign-error-windows.mon');
  await monError.waitFor({ timeout: 5000 });
  expect(await monError.innerText()).toMatch(/HH:MM/);
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'campaigns-form-error.png'), fullPage: true });
  expect((await api.request('campaigns.list', {})).campaigns).toEqual([]);

  await setHours('mon', hours);
  expect(await monError.count()).toBe(0);
  // Predictive: its settings appear; a target above the cap is refused under the target's box.
  await page.getByTestId('campaign-dialingMode').selectOption('predictive');
  await page.getByTestId('campaign-predictive').waitFor();
  await page.getByTestId('campaign-predictive.targetPct').fill('5');
  await page.getByTestId('campaign-submit').click();
  const targetError = page.getByTestId('campaign-error-predictive.targetPct');
  await targetError.waitFor({ timeout: 5000 });
  expect(await targetError.innerText()).toMatch(/cap/);
  await page.getByTestId('campaign-predictive').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'campaigns-form-predictive.png') });
  expect((await api.request('campaigns.list', {})).campaigns).toEqual([]);
  await page.getByTestId('campaign-dialingMode').selectOption('agentless');
  expect(await page.getByTestId('campaign-predictive').count()).toBe(0);
  // Answering machines: off by default; on, a message after the beep, from a recording the engine
  // refuses (not an absolute .wav path: the error under the recording's box), then a spoken text.
  expect(await page.getByTestId('campaign-amd.machineAction').count()).toBe(0);
  await page.getByTestId('campaign-amd.enabled').check();
  await page.getByTestId('campaign-amd.machineAction').selectOption('message');
  await page.getByTestId('campaign-amd.messageKind').selectOption('recording');
  await page.getByTestId('campaign-amd.recording').fill('message.mp3');
  await page.getByTestId('campaign-submit').click();
  const recordingError = page.getByTestId('campaign-error-amd.recording');
  await recordingError.waitFor({ timeout: 5000 });
  expect(await recordingError.innerText()).toMatch(/\.wav/);
  expect((await api.request('campaigns.list', {})).campaigns).toEqual([]);
  await page.getByTestId('campaign-amd.messageKind').selectOption('text');
  expect(await recordingError.count()).toBe(0);
  await page.getByTestId('campaign-amd.text').fill('这里是秋季诊所，稍后再联系您。');
  await page.getByTestId('campaign-amd.language').selectOption('zh-CN');
  await page.getByTestId('campaign-amd.beepWaitSec').fill('8');
  await page.getByTestId('campaign-amd-fields').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'campaigns-form-amd.png') });
  await page.getByTestId('campaign-submit').click();
  const detail = page.getByTestId('campaign-detail');
  await detail.waitFor({ timeout: 10_000 });
  expect((await api.request('campaigns.get', { name: 'Autumn' })).config.amd).toEqual({
    enabled: true,
    machineAction: 'message',
    message: { text: '这里是秋季诊所，稍后再联系您。', language: 'zh-CN' },
    maxBeepWaitMs: 8000,
  });
  expect(await detail.innerText()).toMatch(/after the beep \(or after 8 s without one\)/);
  // The campaign runs in the tests below without AMD (the bed's phones are not machines).
  await api.request('campaigns.update', { name: 'Autumn', changes: { amd: { enabled: false } } });
  expect(await detail.getAttribute('data-status')).toBe('draft');
  const stored = await api.request('campaigns.get', { name: 'Autumn' });
  expect(stored.config).toMatchObject({
    list: 'autumn',
    flow: { name: 'autumn-confirm' },
    trunks: ['bed'],
    maxConcurrentCalls: 2,
    dialingMode: 'agentless',
  });
  expect(stored.config.schedule.windows.tue).toEqual(hours);
  expect(stored.config.retryPolicy.retryAfterMs.no_answer).toBe(6000);
});

it('starts, shows progress as it happens, pauses and resumes, and calls the contacts inside their hours', async () => {
  const dialed = page.getByTestId('campaign-stat-dialed');
  expect(await dialed.getAttribute('data-value')).toBe('0');
  await page.getByTestId('campaign-start').click();
  await expect
    .poll(() => page.getByTestId('campaign-detail').getAttribute('data-status'), {
      timeout: 10_000,
    })
    .toBe('running');
  expect(await page.getByTestId('campaign-status').innerText()).toBe('Running');
  // No reload: the numbers move with campaign.updated.
  // (The API counts a contact as dialed once its call has ended; calls under way show as live calls.)
  await expect
    .poll(
      async () =>
        Number(await page.getByTestId('campaign-stat-liveCalls').getAttribute('data-value')),
      { timeout: 30_000 },
    )
    .toBeGreaterThanOrEqual(1);
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'campaigns-running.png'), fullPage: true });
  await expect
    .poll(
      async () =>
        Number(await page.getByTestId('campaign-stat-answered').getAttribute('data-value')),
      { timeout: 30_000 },
    )
    .toBeGreaterThanOrEqual(1);

  await page.getByTestId('campaign-pause').click();
  await expect
    .poll(() => page.getByTestId('campaign-status').innerText(), { timeout: 10_000 })
    .toBe('Paused');
  expect((await api.request('campaigns.get', { name: 'Autumn' })).status).toBe('paused');
  await page.getByTestId('campaign-resume').click();
  await expect
    .poll(() => page.getByTestId('campaign-status').innerText(), { timeout: 10_000 })
    .toBe('Running');

  // Both reachable contacts end up called and finished by the bot's confirmation.
  await expect
    .poll(async () => Number(await dialed.getAttribute('data-value')), { timeout: 90_000 })
    .toBe(2);
  await expect
    .poll(
      async () =>
        Number(await page.getByTestId('campaign-stat-completed').getAttribute('data-value')),
      { timeout: 90_000 },
    )
    .toBe(2);
  const byDisposition = page
    .getByTestId('campaign-by-disposition')
    .locator('[data-code="confirmed"]');
  await expect.poll(() => byDisposition.getAttribute('data-value'), { timeout: 10_000 }).toBe('2');
  const rows = page.getByTestId('campaign-contact-row');
  await expect
    .poll(
      () =>
        page
          .locator(`[data-testid="campaign-contact-row"][data-phone="${maskText(IN_HOURS[0]!)}"]`)
          .getAttribute('data-status'),
      { timeout: 10_000 },
    )
    .toBe('done');
  expect(await rows.count()).toBe(3);
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'campaigns-progress.png'), fullPage: true });
}, 180_000);

it('explains why the contact outside its calling hours is not called, on its own clock', async () => {
  const row = page.locator(
    `[data-testid="campaign-contact-row"][data-phone="${maskText(OUT_OF_HOURS)}"]`,
  );
  expect(await row.getAttribute('data-status')).toBe('pending');
  await row.getByTestId('contact-explain').click();
  const panel = page.getByTestId('explain-panel');
  await panel.getByTestId('explain-verdict').waitFor({ timeout: 10_000 });
  expect(await panel.getByTestId('explain-verdict').getAttribute('data-callable')).toBe('false');
  expect(await panel.getByTestId('explain-zone').innerText()).toContain('Asia/Tokyo');
  const reason = panel.locator('[data-testid="explain-reason"][data-code="outside_window"]');
  expect(await reason.innerText()).toMatch(
    /^It is \d\d:\d\d on \w+day for the contact \(Asia\/Tokyo\), outside the calling hours; they open at .+\.$/,
  );
  expect(await panel.getByTestId('explain-next').innerText()).toMatch(
    /^Callable again from .+ \(Asia\/Tokyo\)\.$/,
  );
  // The same question over the API: the engine's answer the panel translated.
  const explained = await api.request('campaigns.explain', {
    campaign: 'Autumn',
    phone: OUT_OF_HOURS,
  });
  expect(explained.reasons.map((r) => r.code)).toContain('outside_window');
  expect(phones[2]!.events.filter((e) => e.direction === 'incoming')).toEqual([]); // its phone never rang
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'campaigns-why-not.png'), fullPage: true });

  // The list shows the campaign with its live progress bar.
  await page.getByTestId('campaign-back').click();
  const listRow = page.locator('[data-testid="campaign-row"][data-campaign="Autumn"]');
  await listRow.waitFor();
  await expect
    .poll(() => listRow.getByTestId('campaign-row-progress').getAttribute('data-finished'), {
      timeout: 10_000,
    })
    .toBe('2');
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'campaigns-list.png'), fullPage: true });

  // The same page in Chinese: every reason and label has its zh-CN text.
  await listRow.getByTestId('campaign-link').click();
  await page
    .locator(`[data-testid="campaign-contact-row"][data-phone="${maskText(OUT_OF_HOURS)}"]`)
    .getByTestId('contact-explain')
    .click();
  await page.getByTestId('lang-zh-CN').click();
  const reasonZh = page.locator('[data-testid="explain-reason"][data-code="outside_window"]');
  await expect
    .poll(() => reasonZh.innerText(), { timeout: 5000 })
    .toMatch(/^联系人当地（Asia\/Tokyo）现在是周\S \d\d:\d\d，不在呼叫时段内；时段从 .+ 开始。$/);
  // Dispositions by their label, and a done contact's reason in words (not "final disposition confirmed").
  const doneZh = page.locator(
    `[data-testid="campaign-contact-row"][data-phone="${maskText(IN_HOURS[0]!)}"]`,
  );
  await expect.poll(() => doneZh.innerText(), { timeout: 5000 }).toContain('已结束：已确认');
  expect(await doneZh.innerText()).not.toMatch(/confirmed|final disposition/);
  expect(
    await page
      .getByTestId('campaign-by-disposition')
      .locator('[data-code="confirmed"]')
      .innerText(),
  ).toContain('已确认');
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'campaigns-why-not-zh.png'), fullPage: true });
  await page.getByTestId('lang-en').click();
});
