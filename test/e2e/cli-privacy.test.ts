/**
 * `outbound privacy purge|export|erase` as a user runs them, against the built CLI on a real
 * workspace: the purge removes only the call past its retention (and a dry run says so first), the
 * export writes a zip with the person's data, the erasure asks for confirmation, leaves no file in
 * the workspace holding the number in any format, and the number stays refused by `dnc add` and a
 * re-import.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openStore } from '../../electron/engine/store/index.js';
import { jsonLines, outbound } from '../support/cli-run.js';
import { assertBuilt } from '../support/serve.js';

const DAY_MS = 86_400_000;
const FORMS = ['13812345678', '+8613812345678', '8613812345678', '138 1234 5678', '138-1234-5678'];

async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(path)));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

describe('outbound privacy', () => {
  let scratch: string;
  let data: string;
  const inData = (...args: string[]) => [...args, '--data', data];

  beforeAll(async () => {
    assertBuilt();
    scratch = await mkdtemp(join(tmpdir(), 'outbound-cli-privacy-'));
    data = join(scratch, 'data');
    const csv = join(scratch, 'people.csv');
    await writeFile(csv, 'phone,name\n138 1234 5678,Zhang San\n13900001111,Li Si\n');
    expect(outbound(inData('import', csv, '--list', 'people')).code).toBe(0);
    expect(outbound(inData('dnc', 'add', '138-1234-5678')).code).toBe(0);
    // Calls as History keeps them: one to A 100 days ago, one to A today, one to B 100 days ago.
    const store = await openStore({ dataDir: data });
    const now = Date.now();
    await store.calls.create({
      id: 'old-a',
      number: '+8613812345678',
      startedAt: now - 100 * DAY_MS,
      state: 'done',
    });
    await store.calls.create({
      id: 'new-a',
      number: '+8613812345678',
      startedAt: now - 3_600_000,
      state: 'done',
    });
    await store.calls.create({
      id: 'old-b',
      number: '+8613900001111',
      startedAt: now - 100 * DAY_MS,
      state: 'done',
    });
    await store.calls.addUtterance('new-a', {
      speaker: 'customer',
      text: '我的号码是 138 1234 5678',
      startMs: 0,
      endMs: 900,
    });
    await store.settings.setMany({ retentionCallsDays: 90 });
    await store.close();
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('purges what is past retention, and only that, after a dry run says what would go', async () => {
    const dry = outbound(inData('privacy', 'purge', '--dry-run', '--json'));
    expect(dry.stderr).not.toMatch(/error/i);
    expect(dry.code).toBe(0);
    expect(jsonLines(dry)[0]).toMatchObject({
      event: 'privacy.purgePreview',
      removed: { calls: 2, recordings: 0 },
    });
    const run = outbound(inData('privacy', 'purge'));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Purged: 0 recordings \(0 bytes\), 0 transcript lines, 2 calls, 0 contacts, 0 audit entries/,
    );
    expect(run.stdout).toMatch(
      /Kept forever \(no retention set\): recordings, transcripts, contacts\./,
    );
    const store = await openStore({ dataDir: data });
    const calls = (await store.calls.list({ limit: 10, offset: 0 })).calls.map((c) => c.id);
    const audit = await store.audit.list({});
    await store.close();
    expect(calls).toEqual(['new-a']);
    expect(audit.map((a) => a.action)).toContain('privacy.purge');
  });

  it("exports a person's data to a zip", async () => {
    const zipPath = join(scratch, 'zhang.zip');
    const run = outbound(inData('privacy', 'export', '13812345678', '--out', zipPath));
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Wrote .*zhang\.zip \(\d+ bytes\): 1 contacts, 1 calls, 0 recordings\.\n$/,
    );
    const zip = await JSZip.loadAsync(await readFile(zipPath));
    const contacts = JSON.parse(await zip.file('contacts.json')!.async('string')) as Array<{
      name: string;
    }>;
    expect(contacts.map((c) => c.name)).toEqual(['Zhang San']);
    expect(await zip.file('transcripts.csv')!.async('string')).toContain(
      '我的号码是 138 1234 5678',
    );
    await rm(zipPath);
    expect(outbound(inData('privacy', 'export', '13812345678')).code).toBe(2);
  });

  it('erases a person only when confirmed, leaving the number nowhere in the workspace', async () => {
    const unconfirmed = outbound(inData('privacy', 'erase', '13812345678'));
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(
      /cannot be undone: run it on a terminal to confirm, or add --yes/,
    );
    const bad = outbound(inData('privacy', 'erase', '12', '--yes'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/NUMBER: invalid phone number "12"/);

    const run = outbound(inData('privacy', 'erase', '138-1234-5678', '--yes', '--json'));
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const [erased] = jsonLines(run);
    expect(erased).toMatchObject({
      event: 'privacy.erased',
      counts: { contacts: 1, calls: 1, dnc: 1 },
    });
    expect(run.stdout).not.toContain('13812345678');

    for (const path of await filesUnder(data)) {
      const bytes = await readFile(path);
      for (const form of FORMS)
        expect(bytes.includes(Buffer.from(form)), `${relative(data, path)} holds ${form}`).toBe(
          false,
        );
    }

    const again = outbound(inData('dnc', 'add', '13812345678', '--json'));
    expect(jsonLines(again)[0]).toMatchObject({ event: 'dnc.added', added: false });
    const csv = join(scratch, 'again.csv');
    await writeFile(csv, 'phone,name\n138 1234 5678,Zhang San\n');
    const reimport = outbound(inData('import', csv, '--list', 'people', '--json'));
    expect(jsonLines(reimport).find((r) => r.event === 'import.rejected')).toMatchObject({
      row: 2,
      reason: expect.stringMatching(/erased at the person's request/) as unknown,
    });
  });
});
