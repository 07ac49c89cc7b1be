/**
 * The audit trail in Debian's Chromium against the built console: changes made through the API
 * (a trunk, settings, the do-not-call list), History's CSV export and a recording opened and
 * played on a call's page are all on the Audit page, with who, when and from where; the filters
 * narrow it; its CSV export downloads the trail (formulas guarded) and is itself audited; and
 * nothing on the page or in the API changes or deletes an entry. The engine runs in this process
 * on a real SQLite file behind the real headless server (recordings served as `outbound serve`
 * serves them). Screenshots go to test-results/.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { encodeWav } from '../../electron/engine/audio/index.js';
import type { Engine } from '../../electron/engine/index.js';
import type { HeadlessServer } from '../../electron/headless/index.js';
import { launchChromium, SCREENSHOT_DIR } from '../support/chromium.js';
import { E2E_ADMIN, signInConsole, switchUser } from '../support/console-auth.js';
import { startConsoleEngine } from '../support/console-engine.js';

const CJK = /[\u4e00-\u9fff]/;

describe('the audit trail in the console', () => {
  let dataDir: string;
  let engine: Engine;
  let server: HeadlessServer;
  let browser: Browser;
  let page: Page;

  const shot = (name: string) =>
    page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
  const rowActions = () =>
    page
      .getByTestId('audit-row')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-action')));

  beforeAll(async () => {
    ({ dataDir, engine, server } = await startConsoleEngine('audit', { media: true }));
    // Changes the trail must hold: a trunk (added, changed), settings, the do-not-call list.
    await engine.request('trunks.create', {
      name: '=HYPERLINK("http://x")',
      uri: 'ws://127.0.0.1:5066',
      domain: '127.0.0.1',
    });
    await engine.request('trunks.update', {
      name: '=HYPERLINK("http://x")',
      changes: { maxConcurrentCalls: 4 },
    });
    await engine.request('settings.update', { changes: { wrapUpMs: 20_000 } });
    await engine.request('dnc.add', { numbers: ['+8613800000001'], reason: 'asked' });
    // A finished call with a recording, for History's player.
    const { store } = engine;
    const started = Date.now() - 60_000;
    await store.calls.create({ id: 'audit-call', number: '+8613800000002', startedAt: started });
    await store.calls.update('audit-call', {
      state: 'done',
      outcome: 'completed',
      answeredAt: started + 1_000,
      endedAt: started + 4_000,
    });
    const rate = 16_000;
    const tone = new Float32Array(rate * 3).map((_, i) => 0.4 * Math.sin(i / 7));
    await mkdir(join(dataDir, 'recordings'), { recursive: true });
    await writeFile(
      join(dataDir, 'recordings', 'audit-call.wav'),
      encodeWav({ sampleRate: rate, channels: [tone, tone] }),
    );
    await store.calls.addRecording({
      callId: 'audit-call',
      path: 'recordings/audit-call.wav',
      channels: 2,
      sampleRate: rate,
      durationMs: 3_000,
      bytes: 0,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await engine?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('records a recording opened and played, and History’s export, from the browser', async () => {
    await page.goto(server.url);
    await signInConsole(page); // the first admin, through the console's form
    await page.getByTestId('nav-history').click();
    await page.getByTestId('history-row').first().waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('history-export').click(),
    ]);
    await download.path();
    await page.goto(`${server.url.split('?')[0]}#/history/audit-call`);
    await signInConsole(page); // a reload takes the session up again
    await page.getByTestId('recording-player').waitFor();
    // The player's audio element fetches the file from the media route (once or in ranges).
    await expect
      .poll(async () => (await engine.store.audit.list({ actions: ['recordings.fetch'] })).length)
      .toBe(1);
    // Opened by the signed-in admin, and the audio served to them at the browser's address (the
    // media path holds a grant calls.recording minted for that user).
    const [opened] = await engine.store.audit.list({ actions: ['recordings.play'] });
    expect(opened).toMatchObject({
      actor: E2E_ADMIN.username,
      role: 'admin',
      source: 'ws',
      subject: 'audit-call',
    });
    expect(opened?.address).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    const [fetched] = await engine.store.audit.list({ actions: ['recordings.fetch'] });
    expect(fetched).toMatchObject({
      actor: E2E_ADMIN.username,
      role: 'admin',
      source: 'ws',
      subject: 'audit-call',
    });
    expect(fetched?.address).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    // Seeking asks for more ranges: still the same listening, no new entry.
    await page.getByTestId('recording-audio').evaluate(async (audio) => {
      (audio as unknown as { currentTime: number }).currentTime = 2;
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    expect(await engine.store.audit.count({ actions: ['recordings.fetch'] })).toBe(1);
    const [exported] = await engine.store.audit.list({ actions: ['calls.export'] });
    expect(exported).toMatchObject({ actor: E2E_ADMIN.username, source: 'ws' });
    expect(exported?.details).toMatchObject({ offset: 0, rows: 1, total: 1 });
  });

  it('lists the trail in Chinese, newest first, with who and from where', async () => {
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('page-audit').waitFor();
    await page.getByTestId('audit-row').first().waitFor();
    const actions = await rowActions();
    expect(actions.slice(0, 3)).toEqual(['recordings.fetch', 'recordings.play', 'calls.export']);
    expect(actions).toEqual(
      expect.arrayContaining([
        'users.setupFirstAdmin',
        'dnc.add',
        'trunks.create',
        'trunks.update',
        'settings.update',
      ]),
    );
    const table = await page.getByTestId('audit-table').innerText();
    expect(table).toMatch(CJK);
    expect(table).toContain('添加线路'); // trunks.create
    expect(table).toContain('浏览器'); // source ws: the signed-in admin
    expect(table).toContain('命令行'); // source cli: the engine.request calls, as the local admin
    expect(table).toContain(`${E2E_ADMIN.username}（管理员）`);
    // Nothing on the page edits or deletes an entry.
    expect(await page.getByTestId('audit-table').locator('button, input, select').count()).toBe(0);
    await shot('console-zh-CN-audit');
  });

  it('narrows by kind, action and who, and shows when nothing matches', async () => {
    await page.getByTestId('audit-kind').selectOption('trunks');
    await expect.poll(rowActions).toEqual(['trunks.update', 'trunks.create']);
    await page.getByTestId('audit-action').selectOption('trunks.create');
    await expect.poll(rowActions).toEqual(['trunks.create']);
    await page.getByTestId('audit-actor').fill('nobody');
    await page.getByTestId('empty-audit-filtered').waitFor();
    await page.getByTestId('audit-clear-filters').click();
    await page.getByTestId('audit-subject').fill('audit-call');
    await expect.poll(rowActions).toEqual(['recordings.fetch', 'recordings.play']);
    await page.getByTestId('audit-clear').click();
    await expect.poll(async () => (await rowActions()).length).toBeGreaterThan(5);
  });

  it('exports the trail as CSV, formulas guarded, and the export is itself audited', async () => {
    await page.getByTestId('audit-kind').selectOption('trunks');
    await expect.poll(rowActions).toEqual(['trunks.update', 'trunks.create']);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('audit-export').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^audit-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '');
    const records = parse(csv, { columns: true }) as Array<Record<string, string>>;
    expect(records.map((r) => r.action)).toEqual(['trunks.update', 'trunks.create']);
    expect(records[1]).toMatchObject({
      actor: 'local-admin',
      role: 'admin',
      source: 'cli',
      subject: `'=HYPERLINK("http://x")`,
    });
    expect(JSON.parse(records[0]!.details!)).toMatchObject({ maxConcurrentCalls: 4 });
    await page.getByTestId('audit-export-status').waitFor();
    // The page reloads after an export: under "exports", the export of the trail is there.
    await page.getByTestId('audit-kind').selectOption('export');
    await expect.poll(rowActions).toEqual(['audit.export', 'calls.export']);
    const [entry] = await engine.store.audit.list({ actions: ['audit.export'] });
    expect(entry?.details).toMatchObject({ filter: { kind: 'trunks' }, rows: 2, total: 2 });
  });

  it('offers no command that changes or deletes an entry', async () => {
    const before = await engine.store.audit.count();
    for (const command of ['audit.delete', 'audit.update', 'audit.clear'])
      await expect(engine.request(command as 'audit.list', {})).rejects.toMatchObject({
        code: 'UNKNOWN_COMMAND',
      });
    await expect(
      engine.request('audit.list', { limit: 10, offset: 0, id: 1 } as never),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    expect(await engine.store.audit.count()).toBe(before);
  });

  it('is not offered to an agent, and the agent’s sign-in is in the trail', async () => {
    await engine.request('users.add', {
      username: 'agent-amy',
      role: 'agent',
      password: 'agent-password-1',
    });
    await switchUser(page, { username: 'agent-amy', password: 'agent-password-1' });
    expect(await page.getByTestId('signed-in-user').innerText()).toContain('agent-amy');
    await page.getByTestId('nav-agent').waitFor();
    expect(await page.getByTestId('nav-audit').count()).toBe(0);
    await switchUser(page, E2E_ADMIN);
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-kind').selectOption('auth');
    await expect
      .poll(async () => (await rowActions()).slice(0, 3))
      .toEqual(['auth.signIn', 'auth.signOut', 'auth.signIn']);
    const [agentIn] = await engine.store.audit.list({
      actions: ['auth.signIn'],
      actor: 'agent-amy',
    });
    expect(agentIn).toMatchObject({ role: 'agent', source: 'ws' });
  });

  it('reads in English after switching language', async () => {
    await page.getByTestId('lang-en').click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    const table = await page.getByTestId('audit-table').innerText();
    expect(table).toContain('Audit trail exported (CSV)');
    expect(table).toContain('Browser');
    await shot('console-en-audit');
  });
});
