import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { sendRawFrame } from '../../test/support/ws-node.js';
import type { EventMessage, ResponseMessage } from '../engine/api/messages.js';
import { EventHub } from '../engine/events/index.js';
import {
  type HeadlessServer,
  MAX_BUFFERED_BYTES,
  MAX_IN_FLIGHT,
  OVERLOAD_CLOSE_CODE,
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

/** Sends `text` over a raw TCP socket and resolves with what came back before the server closed or went quiet. */
function rawExchange(port: number, text: string, quietMs = 500): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(finish, quietMs);
    };
    socket.on('connect', () => {
      socket.write(text);
      arm();
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      arm();
    });
    socket.on('end', finish);
    socket.on('error', reject);
  });
}

function upgradeRequest(target: string, host: string, extraHeaders: string[] = []): string {
  return `${[
    `GET ${target} HTTP/1.1`,
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    ...extraHeaders,
  ].join('\r\n')}\r\n\r\n`;
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
    const { link } = own.acceptMediaHostLink(600_000);
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

  describe('regressions (issue 11)', () => {
    it.each([
      ['a port out of range', () => ['/api?token=' + server.token, 'x:99999999']],
      ['a lone bracket', () => ['/api?token=' + server.token, '[']],
      ['an absolute-form URL', () => ['/api?token=' + server.token, 'http://127.0.0.1:1/']],
      [
        'an absolute-form request target',
        () => [
          `http://127.0.0.1:${server.port}/api?token=${server.token}`,
          `127.0.0.1:${server.port}`,
        ],
      ],
      [
        'a protocol-relative request target',
        () => [`//x:99999999/api?token=${server.token}`, `127.0.0.1:${server.port}`],
      ],
    ])(
      'refuses a WebSocket upgrade with %s in Host or target, and keeps serving',
      async (_case, parts) => {
        const [target, host] = parts() as [string, string];
        const reply = await rawExchange(server.port, upgradeRequest(target, host));
        expect(reply).toMatch(/^HTTP\/1\.1 4\d\d /);
        const media = await rawExchange(
          server.port,
          upgradeRequest(target.replace('/api', '/media-host-link'), host),
        );
        expect(media).toMatch(/^HTTP\/1\.1 4\d\d /);
        expect((await get(server.port, `/?token=${server.token}`)).status).toBe(200);
      },
    );

    it('answers a plain request with an absolute-form or protocol-relative target with 400', async () => {
      for (const target of [
        `http://127.0.0.1:${server.port}/?token=${server.token}`,
        '//x:99999999/',
      ]) {
        const reply = await rawExchange(
          server.port,
          `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`,
        );
        expect(reply).toMatch(/^HTTP\/1\.1 400 /);
      }
    });

    it('keeps the pending media host slot when an unauthenticated socket (or the console token) knocks first', async () => {
      const invitation = server.acceptMediaHostLink(10_000);
      invitation.link.catch(() => undefined);
      const base = `ws://127.0.0.1:${server.port}/media-host-link`;
      for (const url of [base, `${base}?secret=wrong`, `${base}?token=${server.token}`]) {
        const result = await sendRawFrame(url, 'hello');
        expect(result.closeCode).toBe(TOKEN_REFUSED_CLOSE_CODE);
        expect(result.closeReason).toMatch(/secret/);
      }
      // The page opens the link with the secret from its URL's fragment.
      const secret = new URL(invitation.url).hash.replace(/^#link=/, '');
      expect(secret.length).toBeGreaterThanOrEqual(40);
      expect(invitation.url).not.toContain(`secret=${secret}`);
      const page = new WebSocket(`${base}?secret=${secret}`);
      const connection = await invitation.link;
      const text = new Promise<string>((resolve) => connection.onText(resolve));
      await new Promise((resolve) => page.on('open', resolve));
      page.send('ready');
      expect(await text).toBe('ready');
      // One-time: the same secret does not open a second link.
      const again = await sendRawFrame(`${base}?secret=${secret}`, 'hello');
      expect(again.closeCode).toBe(TOKEN_REFUSED_CLOSE_CODE);
      page.close();
    });

    it('sets a cookie holding a session id, never the master token, and the session opens assets, media and /api', async () => {
      const page = await get(server.port, `/?token=${server.token}`);
      const setCookie = String(page.headers['set-cookie']);
      expect(setCookie).not.toContain(server.token);
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/SameSite=Strict/);
      const cookie = setCookie.split(';')[0]!;
      expect((await get(server.port, '/assets/app.js', { cookie })).status).toBe(200);
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, { headers: { cookie } });
      await new Promise((resolve, reject) => {
        ws.on('open', resolve);
        ws.on('close', (code) => reject(new Error(`closed ${code}`)));
      });
      ws.close();
      // The master token in the cookie is no session.
      const forged = `outbound_session=${server.token}`;
      expect((await get(server.port, '/assets/app.js', { cookie: forged })).status).toBe(401);
      const refused = await sendRawFrame(`ws://127.0.0.1:${server.port}/api`, '{}').catch(
        (error: unknown) => error,
      );
      expect(refused).toMatchObject({ closeCode: TOKEN_REFUSED_CLOSE_CODE });
    });
  });

  describe('per-connection caps', () => {
    it(`closes a console with more than ${MAX_IN_FLIGHT} requests in flight, with a reason`, async () => {
      let release = (): void => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      const own = await startHeadlessServer({
        api: {
          handle: async () => {
            await gate;
            return { type: 'response', id: 1, ok: true, result: null };
          },
          subscribe: () => () => {},
        },
        rendererDir: dir,
        log: quietLog,
      });
      try {
        const ws = new WebSocket(`ws://127.0.0.1:${own.port}/api?token=${own.token}`);
        await new Promise((resolve) => ws.on('open', resolve));
        const closed = new Promise<[number, string]>((resolve) =>
          ws.on('close', (code, reason) => resolve([code, reason.toString()])),
        );
        for (let i = 0; i <= MAX_IN_FLIGHT; i++)
          ws.send(JSON.stringify({ type: 'request', id: i, command: 'app.info' }));
        const [code, reason] = await closed;
        expect(code).toBe(OVERLOAD_CLOSE_CODE);
        expect(reason).toMatch(/requests in flight/);
      } finally {
        release();
        await own.close();
      }
    });

    it('closes a console that stops reading once its outgoing buffer passes the cap', async () => {
      const warnings: string[] = [];
      let push: (message: EventMessage) => void = () => {};
      const own = await startHeadlessServer({
        api: {
          handle: async () => ({ type: 'response', id: 1, ok: true, result: null }),
          subscribe: (subscriber) => {
            push = subscriber;
            return () => {};
          },
        },
        rendererDir: dir,
        log: { ...quietLog, warn: (message: string) => warnings.push(message) },
      });
      const socket = connect(own.port, '127.0.0.1');
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('data', (chunk: Buffer) => {
            expect(chunk.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
            // From now on this client reads nothing.
            socket.pause();
            resolve();
          });
          socket.on('error', reject);
          socket.write(upgradeRequest(`/api?token=${own.token}`, `127.0.0.1:${own.port}`));
        });
        const chunk = 'x'.repeat(256 * 1024);
        // The cap plus what the kernel's socket buffers absorb first (a few MiB on loopback).
        const limit = Math.ceil((MAX_BUFFERED_BYTES + 64 * 1024 * 1024) / chunk.length);
        for (let i = 0; i < limit && warnings.length === 0; i++) {
          push({ type: 'event', event: 'engine.status', data: chunk, seq: i });
          await new Promise((resolve) => setImmediate(resolve));
        }
        expect(warnings).toContain('Closing a console connection over its limits');
        const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
        socket.resume();
        await ended;
      } finally {
        socket.destroy();
        await own.close();
      }
    });
  });
});
