/**
 * The Flows page in Debian's Chromium against the real headless engine: the two samples are
 * listed, a broken edit (a dangling `next`) is named by node and field and its save is refused with
 * the stored version untouched, the fixed edit saves as version 2, and a test chat through the
 * English sample shows the intent and confidence of the customer's "yes", and a pasted test set
 * is run through the flow with its figures and confusion matrix (tagged off-topic lines and the
 * common-answer library's lines reported apart, then the whole set).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiClient, type OutboundApi } from '../../electron/engine/api/client.js';
import { launchChromium, SCREENSHOT_DIR } from '../support/chromium.js';
import { signInConsole } from '../support/console-auth.js';
import { serve, type Served } from '../support/serve.js';
import { nodeWebSocketTransport } from '../support/ws-node.js';

describe('console Flows page in Chromium', () => {
  let dataDir: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let api: OutboundApi;
  let closeApi: () => void;

  beforeAll(async () => {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'outbound-e2e-flows-'));
    served = await serve(dataDir);
    const transport = nodeWebSocketTransport(
      `ws://127.0.0.1:${served.port}/api?token=${served.adminToken}`,
    );
    await transport.ready();
    api = createApiClient(transport);
    closeApi = () => transport.close();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await page.goto(served.url);
    await signInConsole(page);
    await page.getByTestId('lang-en').click();
    await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
  });

  afterAll(async () => {
    closeApi?.();
    await browser?.close();
    await served?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lists both sample flows with their language and version', async () => {
    await page.getByTestId('nav-flows').click();
    await page.getByTestId('page-flows').waitFor();
    await expect.poll(() => page.getByTestId('flow-row').count()).toBe(2);
    const table = await page.getByTestId('flows-table').innerText();
    expect(table).toContain('appointment-confirm-en');
    expect(table).toContain('bill-reminder-zh');
    expect(table).toContain('English');
    expect(table).toContain('v1');
  });

  it('names a dangling next by node and field, refuses to save it, and keeps the text and the stored version', async () => {
    await page.locator('[data-testid="flow-row"][data-flow="appointment-confirm-en"]').click();
    await page.locator('[data-testid="flow-workspace"][data-version="1"]').waitFor();
    const editor = page.getByTestId('flow-json');
    await expect.poll(() => editor.inputValue()).toContain('"id": "appointment-confirm-en"');
    await expect
      .poll(() => page.getByTestId('flow-validation').getAttribute('data-state'))
      .toBe('valid');

    const original = await editor.inputValue();
    const broken = original.replace('"next": "has_appointment"', '"next": "has_appointmnt"');
    expect(broken).not.toBe(original);
    await editor.fill(broken);
    const issue = page.getByTestId('flow-issues').getByTestId('flow-issue').first();
    await expect.poll(() => issue.innerText(), { timeout: 10_000 }).toContain('node greet · next');
    expect(await issue.innerText()).toContain('no node "has_appointmnt"');
    expect(await issue.getAttribute('data-node')).toBe('greet');

    // Clicking the issue puts the caret on that node.
    await issue.getByRole('button').click();
    // Runs in the page; typed structurally because the Node tsconfig has no DOM types.
    const caret = await editor.evaluate(
      (el) => (el as unknown as { selectionStart: number }).selectionStart,
    );
    expect(broken.slice(caret, caret + 30)).toMatch(/^"id": "greet"/);

    await page.getByTestId('flow-save').click();
    const refused = page.getByTestId('flow-save-refused');
    await refused.waitFor();
    expect(await refused.innerText()).toContain('node greet · next');
    expect(await editor.inputValue()).toBe(broken);
    expect((await api.request('flows.get', { name: 'appointment-confirm-en' })).latestVersion).toBe(
      1,
    );
    await page.screenshot({
      path: join(SCREENSHOT_DIR, 'console-flows-refused.png'),
      fullPage: true,
    });
  });

  it('saves the fixed flow as version 2', async () => {
    const editor = page.getByTestId('flow-json');
    const fixed = (await editor.inputValue())
      .replace('"next": "has_appointmnt"', '"next": "has_appointment"')
      .replace('"name": "Appointment confirmation"', '"name": "Appointment confirmation (edited)"');
    await editor.fill(fixed);
    await expect
      .poll(() => page.getByTestId('flow-validation').getAttribute('data-state'), {
        timeout: 10_000,
      })
      .toBe('valid');
    await page.getByTestId('flow-save').click();
    await page.locator('[data-testid="flow-workspace"][data-version="2"]').waitFor();
    await expect.poll(() => page.getByTestId('flow-saved').getAttribute('data-version')).toBe('2');
    const stored = await api.request('flows.get', { name: 'appointment-confirm-en' });
    expect(stored.latestVersion).toBe(2);
    expect(stored.definition['name']).toBe('Appointment confirmation (edited)');
    await expect
      .poll(() =>
        page.locator('[data-testid="flow-row"][data-flow="appointment-confirm-en"]').innerText(),
      )
      .toContain('v2');
  });

  it('runs a test chat: "yes" is the confirm intent with its confidence, and the call ends confirmed', async () => {
    const chat = page.getByTestId('flow-chat');
    await chat.getByTestId('chat-contact-name').fill('Alex');
    await chat.getByTestId('chat-contact-appointment_date').fill('Friday');
    await chat.getByTestId('chat-contact-appointment_time').fill('3 pm');
    await chat.getByTestId('chat-start').click();
    const turns = chat.getByTestId('chat-turn');
    // The sample's AI and recording disclosure, then the greeting and the question.
    await expect.poll(() => turns.count()).toBe(3);
    expect(await turns.first().innerText()).toContain(
      'This call is from an automated AI assistant and is recorded.',
    );
    expect(await turns.nth(1).innerText()).toContain('Hello Alex');

    await chat.getByTestId('chat-text').fill('yes');
    await chat.getByTestId('chat-send').click();
    const answer = chat.locator('[data-testid="chat-turn"][data-speaker="customer"]');
    await expect.poll(() => answer.getAttribute('data-intent')).toBe('confirm');
    expect(await answer.getByTestId('chat-intent').innerText()).toBe('Intent: confirm');
    expect(await answer.getByTestId('chat-confidence').innerText()).toMatch(/^Confidence \d+%$/);
    await expect
      .poll(() => chat.getByTestId('chat-ended').getAttribute('data-disposition'))
      .toBe('confirmed');
    expect(
      await chat.locator('[data-testid="chat-turn"][data-kind="variable_set"]').innerText(),
    ).toContain('appointment_status');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'console-flows.png'), fullPage: true });
  });

  it('runs a pasted test set: accuracy, false accepts and the confusion matrix', async () => {
    const panel = page.getByTestId('flow-test-set');
    await panel
      .getByTestId('test-set-tsv')
      .fill(
        [
          '# text<TAB>intent<TAB>question',
          'talk to a person please\tagent\tconfirm',
          'stop calling me\topt_out\tconfirm',
          'the octopus painted a tractor\tnone\tconfirm',
        ].join('\n'),
      );
    await panel.getByTestId('test-set-run').click();
    const report = panel.getByTestId('test-set-report');
    await expect.poll(() => report.getAttribute('data-lines'), { timeout: 10_000 }).toBe('3');
    expect(await panel.getByTestId('test-set-accuracy').innerText()).toMatch(/\d+% \(\d of 3\)/);
    expect(await panel.getByTestId('test-set-false-accepts').innerText()).toMatch(/of 1\)$/);
    const confusion = panel.getByTestId('test-set-confusion');
    expect(
      await confusion.locator('tr[data-expected="agent"] td[data-got="agent"]').innerText(),
    ).toBe('1');
    expect(await confusion.locator('thead th').last().innerText()).toBe('none');
    // No line is tagged offtopic: said so, no figure invented from the none lines.
    expect(await panel.getByTestId('test-set-offtopic-false-accepts').innerText()).toBe(
      'No line is tagged offtopic',
    );
    expect(await panel.getByTestId('test-set-library-figures').count()).toBe(0);
    // The held-out sets' format: tags, and library lines in a part of their own, then the whole.
    await panel
      .getByTestId('test-set-tsv')
      .fill(
        [
          'talk to a person please\tagent\tconfirm',
          'the octopus painted a tractor\tnone\tconfirm\tofftopic',
          'is this the water board\tnone\tconfirm',
          'stop calling me\topt_out\tlibrary',
          'purple elephants dance quietly\tnone\tlibrary\tofftopic',
        ].join('\n'),
      );
    await panel.getByTestId('test-set-run').click();
    await expect
      .poll(() => panel.getByTestId('test-set-whole-figures').count(), { timeout: 10_000 })
      .toBe(1);
    expect(await report.getAttribute('data-lines')).toBe('3');
    expect(await panel.getByTestId('test-set-false-accepts').innerText()).toMatch(/of 2\)$/);
    expect(await panel.getByTestId('test-set-offtopic-false-accepts').innerText()).toMatch(
      /of 1\)$/,
    );
    expect(await panel.getByTestId('test-set-library-accuracy').innerText()).toMatch(/of 2\)$/);
    expect(await panel.getByTestId('test-set-whole-accuracy').innerText()).toMatch(/of 5\)$/);
    expect(
      await panel.getByTestId('test-set-whole-offtopic-false-accepts').getAttribute('data-tagged'),
    ).toBe('2');
    expect(await panel.innerText()).toContain('The common-answer library on its own: 2 lines');
    expect(
      await panel
        .getByTestId('test-set-library-confusion')
        .locator('tr[data-expected="opt_out"] td[data-got="opt_out"]')
        .innerText(),
    ).toBe('1');
    await panel.getByTestId('test-set-library-figures').scrollIntoViewIfNeeded();
    await page.screenshot({
      path: join(SCREENSHOT_DIR, 'console-flows-test-set.png'),
      fullPage: true,
    });
    // A malformed line is named, nothing else happens.
    await panel.getByTestId('test-set-tsv').fill('just text');
    await panel.getByTestId('test-set-run').click();
    await expect.poll(() => panel.innerText()).toContain('line 1: expected text<TAB>expected');
  });
});
