/**
 * The Settings page's Seat section in Debian's Chromium against the built console (issue 16: the
 * connection string chosen in Settings): the seat id and the database in use are shown; a string
 * that is not PostgreSQL's is refused under its box; a PostgreSQL one is saved to seat.json with
 * its password, shown only without it (the box is a password box and empties), and "restart to
 * apply" appears; the recordings share must be absolute. The engine runs in this process on a real
 * SQLite file behind the real headless server; a second engine started on the same data folder
 * then opens the saved database (a real throwaway PostgreSQL). Screenshots go to test-results/.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SEAT_FILE } from '../../electron/engine/dialer/seat.js';
import { Engine } from '../../electron/engine/index.js';
import type { HeadlessServer } from '../../electron/headless/index.js';
import { quietLog } from '../support/api-transports.js';
import { launchChromium, SCREENSHOT_DIR } from '../support/chromium.js';
import { signInConsole } from '../support/console-auth.js';
import { startConsoleEngine } from '../support/console-engine.js';
import { freshPostgresUrl, sharedPostgres } from '../support/postgres.js';

describe('the Seat section in the console', () => {
  let dataDir: string;
  let engine: Engine;
  let server: HeadlessServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ dataDir, engine, server } = await startConsoleEngine('seat'));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 1600 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await engine?.stop();
    await (await sharedPostgres()).stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('saves the connection string masked, says a restart applies it, and the next start opens it', async () => {
    const url = await freshPostgresUrl();
    const withPassword = url.replace('outbound@', 'outbound:s3cret-pw@');
    await page.goto(server.url);
    await signInConsole(page);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('seat').waitFor();
    const seatId = (await engine.seatInfo()).seatId;
    await page.getByTestId('seat-id').getByText(seatId).waitFor();
    await page
      .getByTestId('seat-database-in-use')
      .getByText(/SQLite file in the data folder|SQLite 文件/)
      .waitFor();
    expect(await page.getByTestId('seat-restart').count()).toBe(0);

    await page.getByTestId('seat-database').fill('mysql://u:pw@h/db');
    await page.getByTestId('seat-save').click();
    await page
      .getByTestId('seat-error-database')
      .getByText(/must be a PostgreSQL connection string/)
      .waitFor();

    await page.getByTestId('seat-recordingsShare').fill('relative/share');
    await page.getByTestId('seat-database').fill(withPassword);
    await page.getByTestId('seat-save').click();
    await page
      .getByTestId('seat-error-recordingsShare')
      .getByText(/must be an absolute folder/)
      .waitFor();
    await page.getByTestId('seat-recordingsShare').fill('/mnt/outbound-seats');
    await page.getByTestId('seat-save').click();
    await page.getByTestId('seat-saved').waitFor();
    await page.getByTestId('seat-restart').waitFor();
    expect(await page.getByTestId('seat-database').getAttribute('type')).toBe('password');
    expect(await page.getByTestId('seat-database').inputValue()).toBe('');
    const shown = await page.getByTestId('seat').innerText();
    expect(shown).toContain(withPassword.replace('s3cret-pw', '***'));
    expect(shown).not.toContain('s3cret-pw');
    expect(await page.getByTestId('seat-recordingsShare').inputValue()).toBe('/mnt/outbound-seats');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'console-seat.png'), fullPage: true });
    expect(JSON.parse(await readFile(join(dataDir, SEAT_FILE), 'utf8'))).toMatchObject({
      id: seatId,
      database: withPassword,
      recordingsShare: '/mnt/outbound-seats',
    });

    // The restart: this engine stops, the next one on the same folder opens the saved database.
    await server.close();
    await engine.stop();
    const next = await Engine.start({
      dataDir,
      transport: 'websocket',
      version: '0.0.0-test',
      log: quietLog,
    });
    try {
      expect(next.store.path).toBe(withPassword.replace('s3cret-pw', '***'));
      expect(await next.seatInfo()).toMatchObject({
        databaseSource: 'workspace',
        restartNeeded: false,
      });
    } finally {
      await next.stop();
    }
  }, 120_000);
});
