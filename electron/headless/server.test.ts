import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { sendRawFrame } from '../../test/support/ws-node.js';
import type { EventMessage, ResponseMessage } from '../engine/api/messages.js';
import { EventHub } from '../engine/events/event-hub.js';
import {
  type HeadlessServer,
  resolveAsset,
  startHeadlessServer,
  TOKEN_REFUSED_CLOSE_CODE,
} from './server.js';

const quietLog = { info() {}, warn() {}, error() {} };

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('headless server', () => {
  let dir: string;
  let server: HeadlessServer;
  const hub = new EventHub();
  const handled: unknown[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbound-headless-'));
    await mkdir(join(dir, 'console'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'console', 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(dir, '.secret'), 'hidden');
    server = await startHeadlessServer({
      api: {
        handle: async (raw): Promise<ResponseMessage> => {
          handled.push(raw);
          return { type: 'response', id: 1, ok: true, result: { echoed: true } };
        },
        subscribe: (subscriber: (message: EventMessage) => void) => hub.subscribe(subscriber),
      },
      rendererDir: dir,
      port: 0,
      log: quietLog,
    });
  });

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives up a media host link still awaited when it closes (no timer left to keep the process up)', async () => {
    const own = await startHeadlessServer({
      api: {
        handle: async () => ({ type: 'response', id: null, ok: true, result: null }),
        subscribe: () => () => {},
      },
      rendererDir: dir,
      port: 0,
      log: quietLog,
    });
    const link = own.acceptMediaHostLink(600_000);
    await own.close();
    await expect(link).rejects.toThrow(/server closed before the media host page linked up/);
  });

  it('binds to loopback only', async () => {
    await expect(
      startHeadlessServer({
        api: {
          handle: async () => ({ type: 'response', id: null, ok: true, result: null }),
          subscribe: () => () => {},
        },
        rendererDir: dir,
        host: '0.0.0.0',
        log: quietLog,
      }),
    ).rejects.toThrow(/loopback/);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{40,}$/);
  });

  it('serves the console with the token and sets a session cookie for its assets', async () => {
    const page = await get(server.port, `/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>console</title>');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toMatch(/^outbound_session=/);
    expect((await get(server.port, '/assets/app.js', { cookie })).status).toBe(200);
  });

  it.each([
    ['no token', '/'],
    ['a wrong token', '/?token=wrong'],
    ['a token one character short', () => `/?token=${server.token.slice(0, -1)}`],
  ])('refuses %s with 401 and says what to do', async (_case, path) => {
    const response = await get(server.port, typeof path === 'function' ? path() : path);
    expect(response.status).toBe(401);
    expect(response.body).toMatch(/token/);
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const response = await get(server.port, `/?token=${server.token}`, { host: 'evil.example:80' });
    expect(response.status).toBe(421);
  });

  it('never serves files outside the renderer folder or hidden files', async () => {
    expect(resolveAsset('/app/out/renderer', '/../../etc/passwd')).toBeNull();
    expect(resolveAsset('/app/out/renderer', '/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
    expect(resolveAsset('/app/out/renderer', '/.secret')).toBeNull();
    expect(resolveAsset('/app/out/renderer', '/')).toBe('/app/out/renderer/console/index.html');
    expect((await get(server.port, `/.secret?token=${server.token}`)).status).toBe(404);
  });

  it('closes a WebSocket with a wrong or missing token with 4401 before reading anything', async () => {
    const before = handled.length;
    for (const url of [
      `ws://127.0.0.1:${server.port}/api`,
      `ws://127.0.0.1:${server.port}/api?token=nope`,
    ]) {
      const result = await sendRawFrame(
        url,
        JSON.stringify({ type: 'request', id: 1, command: 'app.info' }),
      );
      expect(result.closeCode).toBe(TOKEN_REFUSED_CLOSE_CODE);
      expect(result.closeReason).toMatch(/token/);
    }
    expect(handled.length).toBe(before);
  });

  it('refuses a WebSocket from another site even with the token', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, {
      origin: 'https://evil.example',
    });
    const error = await new Promise<Error>((resolve) => ws.on('error', resolve));
    expect(error.message).toMatch(/403/);
  });

  it('answers a binary frame with BAD_MESSAGE', async () => {
    const { reply } = await sendRawFrame(
      `ws://127.0.0.1:${server.port}/api?token=${server.token}`,
      Buffer.from([1, 2, 3]),
    );
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE' } });
  });

  it('pushes engine events to connected clients', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
    await new Promise((resolve) => ws.on('open', resolve));
    const received = new Promise<unknown>((resolve) =>
      ws.on('message', (data) => resolve(JSON.parse(data.toString()))),
    );
    hub.emit('engine.status', { state: 'ready', at: 1 });
    expect(await received).toMatchObject({
      type: 'event',
      event: 'engine.status',
      data: { state: 'ready' },
    });
    ws.close();
  });
});
