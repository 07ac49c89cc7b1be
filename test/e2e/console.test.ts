/**
 * The built console in Debian's Chromium against the real headless engine (`outbound serve`) on a
 * real SQLite file. Screenshots go to test-results/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiClient, type OutboundApi } from '../../electron/engine/api/client.js';
import { openStore } from '../../electron/engine/store/index.js';
import { launchChromium, SCREENSHOT_DIR } from '../support/chromium.js';
import { signInConsole } from '../support/console-auth.js';
import { serve, type Served } from '../support/serve.js';
import { nodeWebSocketTransport } from '../support/ws-node.js';

const CJK = /[\u4e00-\u9fff]/;

async function seedHistory(dataDir: string): Promise<void> {
  const store = await openStore({ dataDir });
  try {
    const list = await store.contacts.createList({ name: '还款提醒 11月' });
    await store.contacts.upsertContacts(list.id, [
      { phone: '+8613800138000', name: '张伟' },
      { phone: '+8613900139000', name: '王芳' },
    ]);
    const [zhang, wang] = await store.contacts.contacts(list.id);
    const base = Date.parse('2026-11-20T02:00:00Z');
    await store.calls.create({
      id: 'call-answered',
      number: zhang!.phone,
      contactId: zhang!.id,
      startedAt: base,
    });
    await store.calls.update(
      'call-answered',
      {
        state: 'done',
        outcome: 'completed',
        sipCode: 200,
        answeredAt: base + 4_000,
        endedAt: base + 64_000,
        dispositionCode: 'completed',
      },
      { at: base + 64_000, type: 'ended', data: { by: 'customer' } },
    );
    await store.calls.addUtterance('call-answered', {
      speaker: 'bot',
      text: '您好，这里是还款提醒。',
      startMs: 0,
      endMs: 2_100,
    });
    await store.calls.addUtterance('call-answered', {
      speaker: 'customer',
      text: '我已经还了',
      startMs: 2_600,
      endMs: 3_700,
      intent: 'paid',
      confidence: 0.94,
    });
    await store.calls.create({
      id: 'call-busy',
      number: wang!.phone,
      contactId: wang!.id,
      startedAt: base + 100_000,
    });
    await store.calls.update('call-busy', {
      state: 'done',
      outcome: 'busy',
      sipCode: 486,
      endedAt: base + 103_000,
    });
    await store.calls.create({ id: 'call-invalid', number: '+8610000', startedAt: base + 200_000 });
    await store.calls.update('call-invalid', {
      state: 'done',
      outcome: 'invalid_number',
      sipCode: 404,
      endedAt: base + 200_500,
    });
  } finally {
    await store.close();
  }
}

describe('console in Chromium', () => {
  let dataDir: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let api: OutboundApi;
  let closeApi: () => void;

  const shot = (name: string) =>
    page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
  const openPage = async (name: string) => {
    await page.getByTestId(`nav-${name}`).click();
    await page.getByTestId(`page-${name}`).waitFor();
  };

  beforeAll(async () => {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'outbound-e2e-'));
    await seedHistory(dataDir);
    served = await serve(dataDir);
    const transport = nodeWebSocketTransport(
      `ws://127.0.0.1:${served.port}/api?token=${served.adminToken}`,
    );
    await transport.ready();
    api = createApiClient(transport);
    closeApi = () => transport.close();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    closeApi?.();
    await browser?.close();
    await served?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('opens in Chinese, connected, and takes the token out of the address bar', async () => {
    const response = await page.goto(served.url);
    await signInConsole(page);
    expect(response?.status()).toBe(200);
    await page.getByTestId('page-live').waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await expect
      .poll(() => page.getByTestId('connection-status').getAttribute('data-state'))
      .toBe('connected');
    expect(await page.getByTestId('nav-history').innerText()).toMatch(CJK);
    expect(await page.getByTestId('empty-live').innerText()).toMatch(CJK);
    expect(page.url()).not.toContain(served.token);
    await shot('console-zh-CN-live');
  });

  it('shows an empty state on each page that has no data yet', async () => {
    // Flows are never empty: the engine installs the two sample flows at its first start; nor is
    // Agents since sign-in (the signed-in admin is a user, listed there).
    for (const name of ['campaigns']) {
      await openPage(name);
      const empty = page.getByTestId(`empty-${name}`);
      await empty.waitFor();
      expect(await empty.innerText()).toMatch(CJK);
    }
    await shot('console-zh-CN-campaigns-empty');
  });

  it('lists the stored calls in History, filters by transcript text and opens a call', async () => {
    await openPage('history');
    await expect.poll(() => page.getByTestId('history-row').count()).toBe(3);
    await shot('console-zh-CN-history');
    await page.getByTestId('history-search').fill('已经还了');
    await expect.poll(() => page.getByTestId('history-row').count()).toBe(1);
    await page.getByTestId('history-row').first().click();
    // A History row opens the call's page (#/history/<id>); Live rows open the side panel.
    const detail = page.getByTestId('call-page');
    await detail.waitFor();
    await expect.poll(() => detail.innerText()).toContain('我已经还了');
    await shot('console-zh-CN-call-detail');
  });

  it('switches to English, and the choice is stored and survives a reload', async () => {
    await page.getByTestId('lang-en').click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.getByTestId('nav-history').innerText()).toBe('History');
    expect((await api.request('settings.get')).language).toBe('en');
    await page.reload();
    await page.getByTestId('nav-history').waitFor();
    await expect.poll(() => page.getByTestId('nav-history').innerText()).toBe('History');
    await expect
      .poll(() => page.getByTestId('connection-status').getAttribute('data-state'))
      .toBe('connected');
    await openPage('live');
    expect(await page.getByTestId('empty-live').innerText()).not.toMatch(CJK);
    await shot('console-en-live');
  });

  it('saves settings through the API, and shows a refused value next to its field', async () => {
    await openPage('settings');
    const ring = page.getByTestId('setting-ringTimeoutMs');
    await ring.fill('45');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-saved').waitFor();
    expect((await api.request('settings.get')).ringTimeoutMs).toBe(45_000);

    await ring.fill('1');
    await page.getByTestId('settings-save').click();
    const error = page.getByTestId('setting-error-ringTimeoutMs');
    await error.waitFor();
    expect(await error.innerText()).not.toBe('');
    expect((await api.request('settings.get')).ringTimeoutMs).toBe(45_000);
    await shot('console-en-settings-error');
  });

  it('adds an agent and refuses a taken username by field', async () => {
    await openPage('agents');
    await page.getByTestId('agent-username').fill('wang.fang');
    await page.getByTestId('agent-displayName').fill('Wang Fang');
    await page.getByTestId('agent-submit').click();
    // Wang Fang only: the signed-in admin has no desk (not signed on), so is no agent here.
    await expect.poll(() => page.getByTestId('agent-row').count()).toBe(1);
    expect(
      (await api.request('agents.list')).agents
        .filter((a) => a.role === 'agent')
        .map((a) => a.username),
    ).toEqual(['wang.fang']);
    await page.getByTestId('agent-username').fill('wang.fang');
    await page.getByTestId('agent-displayName').fill('Someone Else');
    await page.getByTestId('agent-submit').click();
    const error = page.getByTestId('agent-error-username');
    await error.waitFor();
    expect(await error.innerText()).toContain('wang.fang');
    await shot('console-en-agents');
  });

  it('follows a language change made elsewhere (another window or the CLI)', async () => {
    await api.request('settings.update', { changes: { language: 'zh-CN' } });
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.getByTestId('nav-history').innerText()).toMatch(CJK);
  });

  it('keeps a language chosen before the stored one arrives, and stores it', async () => {
    // The stored language is zh-CN here. Hold back the engine's answer to the console's first
    // settings.get until the user has clicked English: the late answer must not switch back.
    const other = await browser.newPage();
    const heldIds = new Set<string>();
    const held: string[] = [];
    let holding = true;
    let release = () => {};
    await other.routeWebSocket(/\/api/, (page) => {
      const server = page.connectToServer();
      page.onMessage((message) => {
        const text = message.toString();
        const parsed = JSON.parse(text) as { command?: string; id?: string };
        if (parsed.command === 'settings.get' && parsed.id) heldIds.add(parsed.id);
        server.send(message);
      });
      server.onMessage((message) => {
        const text = message.toString();
        const parsed = JSON.parse(text) as { type?: string; id?: string };
        if (holding && parsed.type === 'response' && parsed.id && heldIds.has(parsed.id)) {
          held.push(text);
        } else page.send(message);
      });
      release = () => {
        holding = false;
        for (const text of held.splice(0)) page.send(text);
      };
    });
    await other.goto(served.url);
    await signInConsole(other);
    await expect.poll(() => held.length).toBe(1);
    await other.getByTestId('lang-en').click();
    await expect.poll(() => other.getAttribute('html', 'lang')).toBe('en');
    release();
    await expect.poll(async () => (await api.request('settings.get')).language).toBe('en');
    await expect.poll(() => other.getByTestId('nav-history').innerText()).toBe('History');
    expect(await other.getAttribute('html', 'lang')).toBe('en');
    await other.close();
  });

  it('refuses a wrong token with a page that says what to do', async () => {
    const other = await browser.newPage();
    const response = await other.goto(`${served.origin}/?token=not-the-token`);
    expect(response?.status()).toBe(401);
    expect(await other.innerText('body')).toMatch(/token/);
    await other.close();
  });
});
