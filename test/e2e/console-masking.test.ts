/**
 * Masking in Debian's Chromium against the built console (issue 15 §1): a supervisor's History
 * shows a call's number, name and transcript masked, a "Show" button beside the number reveals it
 * and the audit trail records who looked at which field of which call; History's CSV export is
 * masked for a supervisor (who has no unmasked option) and raw only when an admin ticks "Export
 * unmasked", which the export's audit entries record. The engine runs in this process on a real
 * SQLite file behind the real headless server.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Engine } from '../../electron/engine/index.js';
import type { HeadlessServer } from '../../electron/headless/index.js';
import { launchChromium, SCREENSHOT_DIR } from '../support/chromium.js';
import { E2E_ADMIN, signInConsole, switchUser } from '../support/console-auth.js';
import { startConsoleEngine } from '../support/console-engine.js';

const NUMBER = '+8613812345678';
const CARD = '6222021234567890128';
const SUPERVISOR = { username: 'e2e-supervisor', password: 'e2e-password-2' };

describe('masking in the console', () => {
  let dataDir: string;
  let engine: Engine;
  let server: HeadlessServer;
  let browser: Browser;
  let page: Page;

  const exportCsv = async (): Promise<string> => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('history-export').click(),
    ]);
    return readFile((await download.path())!, 'utf8');
  };

  beforeAll(async () => {
    ({ dataDir, engine, server } = await startConsoleEngine('masking'));
    const { store } = engine;
    const list = await store.contacts.createList({ name: 'masked' });
    await store.contacts.upsertContacts(list.id, [{ phone: NUMBER, name: '张三丰' }]);
    const [contact] = await store.contacts.contacts(list.id);
    const started = Date.now() - 60_000;
    await store.calls.create({
      id: 'masked-call',
      number: NUMBER,
      contactId: contact!.id,
      startedAt: started,
    });
    await store.calls.update('masked-call', {
      state: 'done',
      outcome: 'completed',
      answeredAt: started + 1_000,
      endedAt: started + 30_000,
    });
    await store.calls.addUtterance('masked-call', {
      speaker: 'customer',
      text: `我的卡号是${CARD}`,
      startMs: 1_000,
      endMs: 4_000,
    });
    await engine.request('users.add', { ...SUPERVISOR, role: 'supervisor' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await engine?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('shows a supervisor the call masked, and the number on request, audited', async () => {
    await page.goto(server.url);
    await signInConsole(page); // the first admin, who sets the console's language
    await page.getByTestId('lang-en').click();
    await switchUser(page, SUPERVISOR);
    await page.goto(`${server.url.split('?')[0]}#/history/masked-call`);
    await signInConsole(page, SUPERVISOR);
    const number = page.getByTestId('call-number');
    await number.waitFor();
    expect(await number.innerText()).toBe('+86138****5678');
    expect(await page.getByTestId('call-contact').innerText()).toBe('张*丰');
    await expect.poll(() => page.locator('body').innerText()).toContain('622202*********0128');
    const body = await page.locator('body').innerText();
    expect(body).not.toContain('13812345678');
    expect(body).not.toContain(CARD);
    await page.screenshot({
      path: join(SCREENSHOT_DIR, 'console-masked-call.png'),
      fullPage: true,
    });

    await page.getByTestId('call-number-show').click();
    await expect.poll(() => number.innerText()).toBe(NUMBER);
    const [entry] = await engine.store.audit.list({ actions: ['privacy.unmask'] });
    expect(entry).toMatchObject({
      actor: SUPERVISOR.username,
      role: 'supervisor',
      source: 'ws',
      subject: 'masked-call',
      details: { field: 'number' },
    });
    await page.getByTestId('call-number-show').click(); // Hide
    await expect.poll(() => number.innerText()).toBe('+86138****5678');

    // A transcript line with a card number in it: Show puts the line as said under it.
    await page.getByTestId('utterance-show').click();
    await expect
      .poll(() => page.getByTestId('utterance-unmasked').innerText())
      .toBe(`我的卡号是${CARD}`);
    const [line] = await engine.store.audit.list({ actions: ['privacy.unmask'] });
    expect(line).toMatchObject({ actor: SUPERVISOR.username, details: { field: 'utterance.0' } });
  });

  it('exports masked for a supervisor; an admin may export unmasked, audited', async () => {
    await page.getByTestId('nav-history').click();
    await page.getByTestId('history-row').first().waitFor();
    expect(await page.getByTestId('history-export-unmasked').count()).toBe(0);
    const masked = await exportCsv();
    expect(masked).toContain('+86138****5678');
    expect(masked).toContain('622202*********0128');
    expect(masked).not.toContain('13812345678');
    expect(masked).not.toContain(CARD);

    await switchUser(page, E2E_ADMIN);
    await page.getByTestId('nav-history').click();
    await page.getByTestId('history-row').first().waitFor();
    const adminMasked = await exportCsv();
    expect(adminMasked).not.toContain('13812345678');
    await page.getByTestId('history-export-unmasked').check();
    const raw = await exportCsv();
    expect(raw).toContain(NUMBER);
    expect(raw).toContain(CARD);
    const exports = await engine.store.audit.list({ actions: ['calls.export'] });
    expect(exports.map((e) => [e.actor, e.details.unmasked ?? false])).toEqual([
      [E2E_ADMIN.username, true],
      [E2E_ADMIN.username, false],
      [SUPERVISOR.username, false],
    ]);
  });
});
