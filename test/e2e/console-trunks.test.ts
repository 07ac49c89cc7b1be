/**
 * SIP trunks on the Settings page, in Debian's Chromium against the built console. The engine runs
 * in this process (a real engine on a real SQLite file, behind the real headless server) so the
 * test can play the telephony code and report trunk health. Screenshots go to test-results/.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Engine } from '../../electron/engine/index.js';
import type { HeadlessServer } from '../../electron/headless/index.js';
import { launchChromium, SCREENSHOT_DIR } from '../support/chromium.js';
import { signInConsole } from '../support/console-auth.js';
import { startConsoleEngine } from '../support/console-engine.js';

const CJK = /[\u4e00-\u9fff]/;
const PASSWORD = 'pw-typed-in-the-console';

describe('SIP trunks in the console', () => {
  let dataDir: string;
  let engine: Engine;
  let server: HeadlessServer;
  let browser: Browser;
  let page: Page;

  const shot = (name: string) =>
    page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
  const rows = () => page.getByTestId('trunk-row');
  const row = (name: string) => page.locator(`[data-testid="trunk-row"][data-name="${name}"]`);
  const fill = async (fields: Record<string, string>) => {
    for (const [field, value] of Object.entries(fields))
      await page.getByTestId(`trunk-${field}`).fill(value);
  };

  beforeAll(async () => {
    ({ dataDir, engine, server } = await startConsoleEngine('trunks'));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await engine?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('shows an empty trunk list in Chinese, with where passwords are kept', async () => {
    await page.goto(server.url);
    await signInConsole(page);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('page-settings').waitFor();
    const empty = page.getByTestId('trunks-empty');
    await empty.waitFor();
    expect(await empty.innerText()).toMatch(CJK);
    const note = page.getByTestId('trunk-secret-storage');
    expect(await note.getAttribute('data-kind')).toBe('key-file');
    expect(await note.innerText()).toContain('secret.key');
    await page.getByTestId('trunks').scrollIntoViewIfNeeded();
    await shot('console-zh-CN-trunks-empty');
  });

  it('shows a refused URI under its field, and adds nothing', async () => {
    await fill({
      name: 'main',
      uri: 'sip:pbx.example.com',
      domain: 'pbx.example.com',
      username: '1001',
      password: PASSWORD,
    });
    await page.getByTestId('trunk-submit').click();
    const error = page.getByTestId('trunk-error-uri');
    await error.waitFor();
    expect(await error.innerText()).toBe(
      'must start with ws:// or wss:// (got sip:pbx.example.com)',
    );
    expect(await page.getByTestId('trunk-uri').getAttribute('aria-invalid')).toBe('true');
    expect((await engine.trunks.list()).length).toBe(0);
    await page.getByTestId('trunk-form').scrollIntoViewIfNeeded();
    await shot('console-zh-CN-trunks-uri-error');
    // Editing the field clears its message.
    await fill({ uri: 'wss://pbx.example.com:8089/ws' });
    await expect.poll(() => error.count()).toBe(0);
  });

  it('refuses a number box without a whole number before asking the engine', async () => {
    await fill({ maxConcurrentCalls: '' });
    await page.getByTestId('trunk-submit').click();
    await page.getByTestId('trunk-error-maxConcurrentCalls').waitFor();
    await fill({ maxConcurrentCalls: '12' });
  });

  it('adds a trunk, lists it, and keeps the password out of the page', async () => {
    await page.getByTestId('trunk-register').check();
    await fill({ callerId: '+8602100000000' });
    await page.getByTestId('trunk-submit').click();
    await page.getByTestId('trunk-created').waitFor();
    await expect.poll(() => rows().count()).toBe(1);
    const cells = await row('main').innerText();
    expect(cells).toContain('wss://pbx.example.com:8089/ws');
    expect(cells).toContain('pbx.example.com');
    expect(cells).toContain('1001');
    expect(await row('main').getByTestId('trunk-health').getAttribute('data-state')).toBe('idle');
    // The form was cleared, and the password is nowhere in the page.
    expect(await page.getByTestId('trunk-password').inputValue()).toBe('');
    expect(await page.content()).not.toContain(PASSWORD);

    const [stored] = await engine.trunks.list();
    expect(stored).toMatchObject({
      name: 'main',
      username: '1001',
      register: true,
      maxConcurrentCalls: 12,
      callerId: '+8602100000000',
    });
    expect(stored?.passwordCipher).toMatch(/^v1:/);
    expect((await engine.trunks.resolve('main')).password).toBe(PASSWORD);
    await shot('console-zh-CN-trunks-added');
  });

  it('refuses a taken name under the name field', async () => {
    await fill({ name: 'main', uri: 'ws://10.0.0.5:5066', domain: '10.0.0.5' });
    await page.getByTestId('trunk-submit').click();
    const error = page.getByTestId('trunk-error-name');
    await error.waitFor();
    expect(await error.innerText()).toContain('main');
    await fill({ name: '' });
  });

  it('follows changes made elsewhere and live health, with the reason in the badge title', async () => {
    const backup = await engine.request('trunks.create', {
      name: 'carrier-b',
      uri: 'ws://10.0.0.5:5066',
      domain: '10.0.0.5',
      role: 'backup',
    });
    await expect.poll(() => rows().count()).toBe(2);
    expect(await rows().first().getAttribute('data-name')).toBe('main'); // primary first

    const { id } = backup as { id: number };
    engine.trunkHealth.set(id, { state: 'down', reason: '403 Forbidden' });
    const health = row('carrier-b').getByTestId('trunk-health');
    await expect.poll(() => health.getAttribute('data-state')).toBe('down');
    expect(await health.getAttribute('title')).toContain('403 Forbidden');
    expect(await health.innerText()).toMatch(CJK);
    engine.trunkHealth.set(id, { state: 'registered' });
    await expect.poll(() => health.getAttribute('data-state')).toBe('registered');
    await page.getByTestId('trunks').scrollIntoViewIfNeeded();
    await shot('console-zh-CN-trunks-health');
  });

  it('removes a trunk only after confirmation', async () => {
    await row('carrier-b').getByTestId('trunk-remove').click();
    await row('carrier-b').getByTestId('trunk-remove-cancel').click();
    expect(await rows().count()).toBe(2);
    await row('carrier-b').getByTestId('trunk-remove').click();
    await shot('console-zh-CN-trunks-confirm-remove');
    await row('carrier-b').getByTestId('trunk-remove-confirm').click();
    await expect.poll(() => rows().count()).toBe(1);
    expect((await engine.trunks.list()).map((t) => t.name)).toEqual(['main']);
  });

  it('reads in English after switching language', async () => {
    await page.getByTestId('lang-en').click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.getByTestId('trunks').innerText()).toContain('SIP trunks');
    expect(await row('main').getByTestId('trunk-health').innerText()).toBe('Not connected');
    await page.getByTestId('trunks').scrollIntoViewIfNeeded();
    await shot('console-en-trunks');
  });
});
