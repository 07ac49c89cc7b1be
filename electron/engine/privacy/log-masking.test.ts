/**
 * Logs never carry personal data (issue 15 §1): a real engine on a real SQLite file, a campaign
 * whose call the line refuses (the dialer logs the campaign, the number and the line's error,
 * which names the number too), and every line the engine logged is searched for the number in
 * the forms it was written: none is there, its masked form is. Plus the loggers themselves.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { Engine } from '../engine.js';
import { createStderrLogger, type Logger, maskingLogger } from '../log.js';

const NUMBER = '+8613812345678';

function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const write =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    };
  return { log: { info: write('info'), warn: write('warn'), error: write('error') }, lines };
}

describe('maskingLogger', () => {
  it('masks the message and every field, nested, numeric and errors included', () => {
    const { log, lines } = capture();
    maskingLogger(log).error('Dial to 13812345678 failed', {
      number: NUMBER,
      contact: { phone: '13812345678', email: 'zsf@example.com', id: '11010519491231002X' },
      asNumber: 13812345678,
      attempts: 3,
      error: new Error('no route to 幺三八一二三四五六七八'),
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/13812345678|zsf@|19491231|幺三八/);
    expect(lines[0]).toContain('Dial to 138****5678 failed');
    expect(lines[0]).toContain('"number":"+86138****5678"');
    expect(lines[0]).toContain('"asNumber":"138****5678"');
    expect(lines[0]).toContain('"attempts":3');
  });

  it('is what createStderrLogger writes through', () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      createStderrLogger('test').warn('callback to 13812345678', {
        to: 'card 6222021234567890128',
      });
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toMatch(
      /test warn: callback to 138\*\*\*\*5678 \{"to":"card 622202\*{9}0128"\}/,
    );
  });
});

describe('the engine logs', () => {
  let engine: Engine | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await engine?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('never hold a number the dialer could not call', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'outbound-log-masking-'));
    const { log, lines } = capture();
    engine = await Engine.start({
      dataDir,
      transport: 'in-process',
      version: '0.0.0-test',
      log,
      dialCampaigns: true,
    });
    // The line refuses the call, naming the number as a SIP stack would.
    const line = engine.dialerLine as unknown as {
      dial: (request: { number: string }) => Promise<void>;
      ready: () => boolean;
      readiness: () => null;
    };
    const dialed: string[] = [];
    line.ready = () => true;
    line.readiness = () => null;
    line.dial = (request) => {
      dialed.push(request.number);
      return Promise.reject(
        new Error(`480 Temporarily Unavailable: sip:${request.number.slice(1)}@pbx.test`),
      );
    };
    const list = await engine.store.contacts.createList({ name: 'Leads', defaultRegion: 'CN' });
    await engine.store.contacts.upsertContacts(list.id, [{ phone: NUMBER, name: '张三丰' }]);
    await engine.request('trunks.create', {
      name: 'main',
      uri: 'ws://127.0.0.1:9',
      domain: 'pbx.test',
    });
    const always = Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]]),
    );
    await engine.request('campaigns.create', {
      name: 'Renewals',
      list: 'Leads',
      flow: { name: 'appointment-confirm-en' },
      trunks: ['main'],
      schedule: { timeZone: 'Asia/Shanghai', windows: always },
    });
    await engine.request('campaigns.start', { name: 'Renewals' });
    await expect
      .poll(() => lines.some((l) => l.includes('could not be placed')), { timeout: 15_000 })
      .toBe(true);
    expect(dialed[0]).toBe(NUMBER);
    const all = lines.join('\n');
    expect(all).toContain('138****5678');
    for (const form of ['13812345678', '8613812345678', '138 1234 5678', '张三丰'])
      expect(all).not.toContain(form);
  });
});
