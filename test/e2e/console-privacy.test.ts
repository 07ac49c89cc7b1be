/**
 * The Settings page's Privacy section in Debian's Chromium against the built console: the audit
 * trail's retention below 365 days is refused under its box, a call past a 30-day retention goes
 * with "Purge now" after "What would it delete?" said so, a person's data downloads as a zip, and
 * an erasure (the number typed twice) removes them and leaves the number on the DNC list as a hash
 * only. The engine runs in this process on a real SQLite file behind the real headless server.
 * Screenshots go to test-results/.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import JSZip from 'jszip';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Engine } from '../../electron/engine/index.js';
import type { HeadlessServer } from '../../electron/headless/index.js';
import { launchChromium, SCREENSHOT_DIR } from '../support/chromium.js';
import { signInConsole } from '../support/console-auth.js';
import { startConsoleEngine } from '../support/console-engine.js';

const DAY_MS = 86_400_000;

describe('the Privacy section in the console', () => {
  let dataDir: string;
  let engine: Engine;
  let server: HeadlessServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ dataDir, engine, server } = await startConsoleEngine('privacy'));
    const { store } = engine;
    const list = await store.contacts.createList({ name: 'people' });
    await store.contacts.upsertContacts(list.id, [{ phone: '+8613812345678', name: 'Zhang San' }]);
    const now = Date.now();
    await store.calls.create({
      id: 'old',
      number: '+8613900001111',
      startedAt: now - 40 * DAY_MS,
      state: 'done',
    });
    await store.calls.create({
      id: 'a-1',
      number: '+8613812345678',
      startedAt: now - 3_600_000,
      state: 'done',
    });
    await store.calls.addUtterance('a-1', {
      speaker: 'customer',
      text: '好的',
      startMs: 0,
      endMs: 500,
    });
    browser = await launchChromium();
    page = await browser.newPage({
      viewport: { width: 1360, height: 1400 },
      acceptDownloads: true,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await engine?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('sets retention, previews and runs the purge', async () => {
    await page.goto(server.url);
    await signInConsole(page);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('privacy').waitFor();
    await page
      .getByTestId('purge-last')
      .getByText(/No purge has run yet|尚未运行过清理/)
      .waitFor();

    await page.getByTestId('setting-retentionAuditDays').fill('100');
    await page.getByTestId('retention-save').click();
    await page
      .getByTestId('setting-error-retentionAuditDays')
      .getByText(/at least 365 days/)
      .waitFor();

    await page.getByTestId('setting-retentionAuditDays').fill('400');
    await page.getByTestId('setting-retentionCallsDays').fill('30');
    await page.getByTestId('retention-save').click();
    await page.getByTestId('retention-saved').waitFor();
    const settings = (await engine.request('settings.get')) as Record<string, unknown>;
    expect(settings).toMatchObject({
      retentionCallsDays: 30,
      retentionAuditDays: 400,
      retentionRecordingsDays: null,
    });

    await page.getByTestId('purge-dry-run').click();
    await page.getByTestId('purge-preview').waitFor();
    expect(await page.getByTestId('purge-preview').getByTestId('purge-calls').textContent()).toBe(
      '1',
    );
    expect(await engine.store.calls.get('old')).not.toBeNull();
    await page.getByTestId('purge-now').click();
    await page.getByTestId('purge-report').getByTestId('purge-calls').getByText('1').waitFor();
    expect(await engine.store.calls.get('old')).toBeNull();
    expect(await engine.store.calls.get('a-1')).not.toBeNull();
    await page
      .getByTestId('privacy')
      .screenshot({ path: join(SCREENSHOT_DIR, 'privacy-purge.png') });
  });

  it('exports a person’s data as a zip, then erases it with the number typed twice', async () => {
    await page.getByTestId('export-number').fill('138 1234 5678');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-submit').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^personal-data-5678-\d{4}-\d{2}-\d{2}\.zip$/);
    const zip = await JSZip.loadAsync(await readFile((await download.path())!));
    const calls = JSON.parse(await zip.file('calls.json')!.async('string')) as Array<{
      id: string;
    }>;
    expect(calls.map((c) => c.id)).toEqual(['a-1']);
    await page.getByTestId('export-done').waitFor();

    await page.getByTestId('erase-number').fill('13812345678');
    await page.getByTestId('erase-confirm').fill('13812345679');
    expect(await page.getByTestId('erase-submit').isDisabled()).toBe(true);
    await page.getByTestId('erase-confirm').fill('+86 138-1234-5678');
    await page.getByTestId('erase-submit').click();
    await page
      .getByTestId('erase-done')
      .getByText(/1 contacts, 1 calls|1 个联系人、1 通通话/)
      .waitFor();
    await page
      .getByTestId('erased-numbers')
      .getByText(/: 1$|：1$/)
      .waitFor();
    expect(await engine.store.calls.get('a-1')).toBeNull();
    expect(await engine.store.dnc.has('+8613812345678')).toBe(true);
    await page
      .getByTestId('privacy')
      .screenshot({ path: join(SCREENSHOT_DIR, 'privacy-erased.png') });
  });
});
