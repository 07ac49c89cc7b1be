/**
 * Contact import in the built console, in Debian's Chromium, against `outbound serve` on a real
 * SQLite file: a GBK-encoded CSV from Excel on Chinese Windows with 3 bad rows goes through the
 * upload, the mapping step and the import; the counts and the rejected rows (by row number) are
 * shown and downloadable. An empty file and a file with no phone column say so and import nothing.
 * A 3 MB file goes up in several chunks.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import iconv from 'iconv-lite';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { IMPORT_CHUNK_BYTES } from '../../electron/engine/api/index.js';
import { openStore } from '../../electron/engine/store/index.js';
import { launchChromium, SCREENSHOT_DIR } from '../support/chromium.js';
import { signInConsole } from '../support/console-auth.js';
import { serve, type Served } from '../support/serve.js';

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';

/** 20 contacts as Excel on Chinese Windows saves them (GBK, CRLF), numbers in the usual formats; rows 5, 11 and 18 are bad. */
function gbkContacts(): Buffer {
  const lines = ['姓名,手机号,金额,标签,地区'];
  for (let i = 0; i < 20; i++) {
    const digits = `139${String(10_000_000 + i * 7_919).slice(0, 8)}`;
    const formats = [
      digits,
      `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`,
      `+86-${digits}`,
      `0086${digits}`,
    ];
    let phone = formats[i % formats.length]!;
    const row = i + 2;
    if (row === 5) phone = '';
    if (row === 11) phone = '139001';
    if (row === 18) phone = '电话待补';
    lines.push(
      `${SURNAMES[i]}先生,${phone},${100 * (i + 1)},${i % 5 === 0 ? '"vip,complaint"' : ''},北京`,
    );
  }
  return iconv.encode(`${lines.join('\r\n')}\r\n`, 'gbk');
}

let scratch: string;
let server: Served;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'outbound-console-import-'));
  server = await serve(join(scratch, 'data'));
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await page.goto(server.url);
  await signInConsole(page);
  await page.getByTestId('lang-en').click();
  await page.getByTestId('nav-contacts').click();
  await page.getByTestId('empty-lists').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

async function pick(name: string, buffer: Buffer): Promise<void> {
  if ((await page.getByTestId('import-wizard').count()) === 0)
    await page.getByTestId('import-open').click();
  else if ((await page.getByTestId('import-again').count()) > 0)
    await page.getByTestId('import-again').click();
  else if ((await page.getByTestId('import-cancel').count()) > 0)
    await page.getByTestId('import-cancel').click();
  await page.getByTestId('import-file').setInputFiles({ name, mimeType: 'text/csv', buffer });
}

it('imports a GBK file with 3 bad rows through the mapping step, showing the counts and the rejected rows, downloadable', async () => {
  await pick('客户名单.csv', gbkContacts());
  const mapping = page.getByTestId('import-mapping');
  await mapping.waitFor({ timeout: 15_000 });
  expect(await page.getByTestId('import-facts').innerText()).toMatch(
    /客户名单\.csv: CSV, GBK \/ GB18030 \(Chinese Windows\).*20 contact rows/,
  );
  // The engine's suggestions are preselected, with sample values beside each column.
  const choices = await page
    .getByTestId('mapping-choice')
    .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
  expect(choices).toEqual(['name', 'phone', 'custom', 'custom', 'region']);
  expect(
    await page.locator('[data-testid="mapping-row"][data-header="姓名"]').innerText(),
  ).toContain('王先生');
  expect(
    await page
      .getByTestId('mapping-custom-name')
      .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value)),
  ).toEqual(['amount', 'tags']);
  // No list exists yet, so a new one named after the file is proposed.
  expect(await page.getByTestId('target-new-name').inputValue()).toBe('客户名单');
  await page.getByTestId('target-new-name').fill('春季回访');
  expect(await page.getByTestId('import-region').inputValue()).toBe('CN');
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'import-mapping.png'), fullPage: true });

  await page.getByTestId('import-start').click();
  const result = page.getByTestId('import-result');
  await result.waitFor({ timeout: 20_000 });
  expect(await result.getAttribute('data-state')).toBe('done');
  const count = (name: string) =>
    page.getByTestId(`import-count-${name}`).getAttribute('data-value');
  expect([
    await count('accepted'),
    await count('inserted'),
    await count('merged'),
    await count('rejected'),
  ]).toEqual(['17', '17', '0', '3']);
  expect(await page.getByTestId('rejected-row-number').allInnerTexts()).toEqual(['5', '11', '18']);
  expect(await page.getByTestId('rejected-reason').allInnerTexts()).toEqual([
    'No phone number.',
    'Not a valid phone number: “139001” (too short).',
    'Not a valid phone number: “电话待补” (not a phone number).',
  ]);
  expect(
    await page
      .getByTestId('rejected-reason')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-reason'))),
  ).toEqual([
    'no phone number',
    'invalid phone number "139001" (too short)',
    'invalid phone number "电话待补" (not a phone number)',
  ]);
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'import-result.png'), fullPage: true });

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('rejects-download').click(),
  ]);
  expect(download.suggestedFilename()).toBe('客户名单-rejected-rows.csv');
  const text = (await readFile((await download.path())!, 'utf8')).replace(/^\uFEFF/, '');
  expect(text.trimEnd().split('\n')).toEqual([
    'row,reason,raw',
    '5,no phone number,"刘先生,,400,,北京"',
    '11,"invalid phone number ""139001"" (too short)","周先生,139001,1000,,北京"',
    '18,"invalid phone number ""电话待补"" (not a phone number)","何先生,电话待补,1700,,北京"',
  ]);

  // The lists overview shows the new list with its 17 contacts.
  const listRow = page.locator('[data-testid="list-row"][data-list="春季回访"]');
  await expect.poll(() => listRow.innerText(), { timeout: 5000 }).toMatch(/春季回访\s+17\s+CN/);

  // The same result in Chinese.
  await page.getByTestId('lang-zh-CN').click();
  await expect
    .poll(() => page.getByTestId('import-count-accepted').innerText(), { timeout: 5000 })
    .toMatch(/已接受\s+17/);
  expect(await page.getByTestId('rejects-download').innerText()).toBe(
    '下载全部 3 行被拒绝的行（CSV）',
  );
  expect(await page.getByTestId('rejected-reason').allInnerTexts()).toEqual([
    '没有电话号码。',
    '不是有效的电话号码：“139001”（位数太少）。',
    '不是有效的电话号码：“电话待补”（不是电话号码）。',
  ]);
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'import-result-zh.png'), fullPage: true });
  await page.getByTestId('lang-en').click();
});

it('says an empty file is empty and imports nothing', async () => {
  await pick('empty.csv', Buffer.from('\r\n'));
  const error = page.getByTestId('import-error');
  await error.waitFor({ timeout: 10_000 });
  expect(await error.getAttribute('data-import-code')).toBe('EMPTY_FILE');
  expect(await error.innerText()).toMatch(
    /The file is empty: it has no header row and no contacts\. Nothing was imported\.[\s\S]*empty\.csv is empty/,
  );
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'import-empty.png'), fullPage: true });
  expect(await page.getByTestId('list-row').count()).toBe(1);
});

it('asks for the phone column when none is recognised, and will not import without one', async () => {
  await pick('names.csv', Buffer.from('name,city\nAnn,Paris\nBo,Rome\n'));
  await page.getByTestId('import-mapping').waitFor({ timeout: 10_000 });
  expect(await page.getByTestId('mapping-phone-problem').innerText()).toMatch(
    /No column was recognised as the phone number/,
  );
  expect(await page.getByTestId('import-start').isDisabled()).toBe(true);
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'import-no-phone.png'), fullPage: true });
  await page.getByTestId('import-cancel').click();
  expect(await page.getByTestId('list-row').count()).toBe(1);
});

it('uploads a 3 MB file in chunks and imports it into the existing list', async () => {
  const lines = ['phone,name'];
  for (let i = 0; i < 120_000; i++) lines.push(`+86139${String(i).padStart(8, '0')},Customer ${i}`);
  const file = Buffer.from(`${lines.join('\n')}\n`);
  expect(file.length).toBeGreaterThan(3 * IMPORT_CHUNK_BYTES);
  await pick('big.csv', file);
  await page.getByTestId('import-mapping').waitFor({ timeout: 30_000 });
  expect(await page.getByTestId('import-facts').innerText()).toMatch(/About [\d,]+ contact rows/);
  // Lists exist now: the existing list is preselected.
  expect(await page.getByTestId('target-list').inputValue()).toBe('春季回访');
  await page.getByTestId('import-start').click();
  // 120,000 rows take seconds: the progress step shows the counts from import.progress meanwhile.
  await page.getByTestId('import-progress').waitFor({ timeout: 5000 });
  await expect
    .poll(async () => Number(await page.getByTestId('import-progress').getAttribute('data-rows')), {
      timeout: 10_000,
    })
    .toBeGreaterThan(0);
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'import-progress.png'), fullPage: true });
  await page.getByTestId('import-result').waitFor({ timeout: 60_000 });
  expect(await page.getByTestId('import-count-accepted').getAttribute('data-value')).toBe('120000');
  expect(await page.getByTestId('import-count-rejected').getAttribute('data-value')).toBe('0');
  const listRow = page.locator('[data-testid="list-row"][data-list="春季回访"]');
  await expect.poll(() => listRow.innerText(), { timeout: 5000 }).toMatch(/120,017/);
}, 120_000);

it('stored exactly what the console reported', async () => {
  await server.stop();
  const store = await openStore({ dataDir: join(scratch, 'data') });
  try {
    const lists = await store.contacts.lists();
    expect(lists.map((l) => l.name)).toEqual(['春季回访']);
    expect(await store.contacts.countContacts(lists[0]!.id)).toBe(120_017);
    const [first] = await store.contacts.contacts(lists[0]!.id, { limit: 1, offset: 0 });
    expect(first).toMatchObject({
      phone: '+8613910000000',
      name: '王先生',
      fields: { amount: 100, tags: ['vip', 'complaint'], region: '北京' },
    });
  } finally {
    await store.close();
  }
});
