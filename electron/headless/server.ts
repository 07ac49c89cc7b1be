/**
 * The headless shell's transport: a static server for the built console and a WebSocket carrying
 * the API, bound to loopback only and guarded by a random token.
 *
 * - The console is opened as http://127.0.0.1:PORT/?token=TOKEN. A request with the right token
 *   gets a session cookie (HttpOnly, SameSite=Strict) so the page's own assets load without it.
 * - The API lives at ws://127.0.0.1:PORT/api?token=TOKEN (or the cookie). A wrong or missing token
 *   gets HTTP 401 for pages; a WebSocket is closed at once with code 4401 and a reason, so the
 *   console can say "wrong token" rather than "engine down".
 * - Host and Origin headers must name this server (no DNS rebinding, no cross-site sockets).
 * - The media host (a page of the same server, run in Chromium by the engine's launcher) links at
 *   /media-host-link?token=TOKEN: JSON text for its commands and events, binary for audio frames.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

import { type RawData, type WebSocket, WebSocketServer } from 'ws';

import { MEDIA_HOST_LINK_PATH } from '../engine/api/media-host.js';
import {
  type EventMessage,
  MAX_MESSAGE_BYTES,
  type ResponseMessage,
} from '../engine/api/messages.js';
import type { Logger } from '../engine/log.js';
import type { MediaHostConnection } from '../engine/telephony/index.js';
import { MEDIA_PREFIX, type MediaResolver, serveMedia } from './media.js';

/** What the server needs from the engine. */
export interface HeadlessApi {
  handle(raw: unknown): Promise<ResponseMessage>;
  subscribe(subscriber: (message: EventMessage) => void): () => void;
}

export interface HeadlessServerOptions {
  api: HeadlessApi;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** Loopback only: 127.0.0.1 (default), ::1 or localhost. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Given for tests; otherwise 32 random bytes. */
  token?: string;
  log: Logger;
  /** Files behind GET /media/<path> (call recordings), with Range support; none without it. */
  media?: MediaResolver;
}

export interface HeadlessServer {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  /** The media host page's URL (it links back at MEDIA_HOST_LINK_PATH with the token). */
  readonly mediaHostUrl: string;
  /**
   * Waits for the next media host page to link up. A link nobody waits for is refused, so only a
   * host this process launched can attach.
   */
  acceptMediaHostLink(timeoutMs: number): Promise<MediaHostConnection>;
  close(): Promise<void>;
}

export const TOKEN_REFUSED_CLOSE_CODE = 4401;
export const MEDIA_HOST_UNEXPECTED_CLOSE_CODE = 4409;
const COOKIE_NAME = 'outbound_session';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
const HEARTBEAT_MS = 30_000;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.wasm': 'application/wasm',
};

export async function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new Error(
      `Refusing to listen on ${host}: the headless console only binds to loopback (127.0.0.1, ::1 or localhost)`,
    );
  }
  const token = options.token ?? randomBytes(32).toString('base64url');
  const rendererDir = resolve(options.rendererDir);
  const { api, log } = options;
  let port = 0;

  const hostAllowed = (value: string | undefined): boolean => {
    if (!value) return false;
    return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(
      value.toLowerCase(),
    );
  };
  const originAllowed = (value: string | undefined): boolean => {
    if (value === undefined) return true; // Not a browser (CLI, tests): the token is the guard.
    try {
      const origin = new URL(value);
      return origin.protocol === 'http:' && hostAllowed(origin.host);
    } catch {
      return false;
    }
  };
  const authorized = (request: IncomingMessage, url: URL): 'query' | 'cookie' | false => {
    if (tokenMatches(url.searchParams.get('token'), token)) return 'query';
    if (tokenMatches(readCookie(request.headers.cookie, COOKIE_NAME), token)) return 'cookie';
    return false;
  };

  const httpServer = createServer((request, response) => {
    void serveHttp(request, response).catch((error: unknown) => {
      log.error('Headless HTTP request failed', { error: String(error) });
      if (!response.headersSent) sendText(response, 500, 'Internal error');
      else response.destroy();
    });
  });

  async function serveHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    setSecurityHeaders(response);
    if (!hostAllowed(request.headers.host))
      return sendText(
        response,
        421,
        'Unknown host: open the console through the URL printed at start-up.',
      );
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return sendText(response, 405, 'Method not allowed');
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    const auth = authorized(request, url);
    if (!auth) {
      return sendText(
        response,
        401,
        'Missing or wrong access token. Open the console with the URL printed by `outbound serve` (it ends with ?token=…).',
      );
    }
    if (auth === 'query') {
      response.setHeader(
        'Set-Cookie',
        `${COOKIE_NAME}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      );
    }
    if (url.pathname.startsWith(MEDIA_PREFIX))
      return serveMedia(request, response, url.pathname, options.media);
    const file = resolveAsset(rendererDir, url.pathname);
    if (!file) return sendText(response, 404, 'Not found');
    let info;
    try {
      info = await stat(file);
    } catch {
      return sendText(response, 404, 'Not found');
    }
    if (!info.isFile()) return sendText(response, 404, 'Not found');
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    response.writeHead(200, {
      'Content-Type': type,
      'Content-Length': info.size,
      'Cache-Control': type.startsWith('text/html') ? 'no-store' : 'private, max-age=3600',
    });
    if (request.method === 'HEAD') return void response.end();
    createReadStream(file).pipe(response);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const mediaWss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
  });
  /** Each pending acceptMediaHostLink, oldest first: the next page to link takes the first. */
  const mediaWaiters: Array<{
    accept(connection: MediaHostConnection): void;
    giveUp(reason: string): void;
  }> = [];
  const mediaSockets = new Set<WebSocket>();

  function wrapMediaHostSocket(ws: WebSocket): MediaHostConnection {
    mediaSockets.add(ws);
    ws.on('close', () => mediaSockets.delete(ws));
    ws.on('error', (error) => log.warn('The media host link failed', { error: error.message }));
    // The page speaks first ("ready") and may do so before the engine has attached its listeners:
    // hold what arrives until then.
    const held: Array<{ data: Buffer; binary: boolean }> = [];
    let textListener: ((text: string) => void) | null = null;
    let binaryListener: ((data: Uint8Array) => void) | null = null;
    const deliver = (data: Buffer, binary: boolean): boolean => {
      const listener = binary ? binaryListener : textListener;
      if (!listener) return false;
      if (binary) (listener as (data: Uint8Array) => void)(data);
      else (listener as (text: string) => void)(data.toString('utf8'));
      return true;
    };
    const release = (): void => {
      for (let i = 0; i < held.length;) {
        const item = held[i]!;
        if (deliver(item.data, item.binary)) held.splice(i, 1);
        else i++;
      }
    };
    ws.on('message', (data, isBinary) => {
      const buffer = rawToBuffer(data);
      if (!deliver(buffer, isBinary)) held.push({ data: buffer, binary: isBinary });
    });
    return {
      sendText: (text) => ws.readyState === ws.OPEN && ws.send(text),
      sendBinary: (data) => ws.readyState === ws.OPEN && ws.send(data, { binary: true }),
      onText: (listener) => {
        textListener = listener;
        release();
      },
      onBinary: (listener) => {
        binaryListener = listener;
        release();
      },
      onClose: (listener) =>
        ws.on('close', (code, reason) =>
          listener(`code ${code}${reason.length ? ` (${reason.toString()})` : ''}`),
        ),
      close: () => ws.close(1000, 'closed by the engine'),
    };
  }
  const clients = new Set<WebSocket>();
  const alive = new WeakSet<WebSocket>();

  httpServer.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'invalid'}`);
    if (
      url.pathname === MEDIA_HOST_LINK_PATH &&
      hostAllowed(request.headers.host) &&
      originAllowed(request.headers.origin)
    ) {
      const ok = authorized(request, url) !== false;
      mediaWss.handleUpgrade(request, socket, head, (ws) => {
        const waiter = mediaWaiters.shift();
        if (!ok) ws.close(TOKEN_REFUSED_CLOSE_CODE, 'Missing or wrong access token');
        else if (!waiter) ws.close(MEDIA_HOST_UNEXPECTED_CLOSE_CODE, 'No media host was expected');
        else waiter.accept(wrapMediaHostSocket(ws));
      });
      return;
    }
    if (
      url.pathname !== '/api' ||
      !hostAllowed(request.headers.host) ||
      !originAllowed(request.headers.origin)
    ) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    const ok = authorized(request, url) !== false;
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (!ok) {
        ws.close(TOKEN_REFUSED_CLOSE_CODE, 'Missing or wrong access token');
        return;
      }
      acceptClient(ws);
    });
  });

  function acceptClient(ws: WebSocket): void {
    clients.add(ws);
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        send(ws, {
          type: 'response',
          id: null,
          ok: false,
          error: {
            code: 'BAD_MESSAGE',
            message: 'Binary frames are not API messages; send JSON text',
          },
        });
        return;
      }
      void api.handle(data.toString('utf8')).then((reply) => send(ws, reply));
    });
    ws.on('close', () => clients.delete(ws));
    ws.on('error', (error) => log.warn('A console connection failed', { error: error.message }));
  }

  const unsubscribe = api.subscribe((message) => {
    const text = JSON.stringify(message);
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  // Drop connections whose peer vanished without a close (a sleeping laptop, a killed browser).
  const heartbeat = setInterval(() => {
    for (const ws of clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  await new Promise<void>((resolveListen, rejectListen) => {
    httpServer.once('error', rejectListen);
    httpServer.listen(options.port ?? 0, host, () => {
      httpServer.off('error', rejectListen);
      resolveListen();
    });
  });
  port = (httpServer.address() as AddressInfo).port;
  const urlHost = host === '::1' ? '[::1]' : host;
  const origin = `http://${urlHost}:${port}`;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    mediaHostUrl: `${origin}/media-host/index.html?token=${token}`,
    acceptMediaHostLink(timeoutMs) {
      return new Promise((resolveLink, rejectLink) => {
        const waiter = {
          accept(connection: MediaHostConnection): void {
            clearTimeout(timer);
            resolveLink(connection);
          },
          giveUp(reason: string): void {
            clearTimeout(timer);
            const at = mediaWaiters.indexOf(waiter);
            if (at !== -1) mediaWaiters.splice(at, 1);
            rejectLink(new Error(reason));
          },
        };
        const timer = setTimeout(
          () => waiter.giveUp(`The media host page did not link up within ${timeoutMs} ms`),
          timeoutMs,
        );
        mediaWaiters.push(waiter);
      });
    },
    async close() {
      // A media host still starting will never link now; its timer must not keep the process up.
      for (const waiter of [...mediaWaiters])
        waiter.giveUp('The server closed before the media host page linked up');
      for (const ws of mediaSockets) ws.close(1001, 'The engine is shutting down');
      mediaWss.close();
      clearInterval(heartbeat);
      unsubscribe();
      for (const ws of clients) ws.close(1001, 'The engine is shutting down');
      wss.close();
      httpServer.closeAllConnections();
      await new Promise<void>((done) => httpServer.close(() => done()));
    },
  };
}

function rawToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function send(ws: WebSocket, message: ResponseMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

function tokenMatches(candidate: string | null | undefined, token: string): boolean {
  if (!candidate) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/** Maps a URL path to a file inside the renderer folder, or null if it would leave it. */
export function resolveAsset(rendererDir: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  if (decoded === '/' || decoded === '/console' || decoded === '/console/')
    decoded = '/console/index.html';
  const file = normalize(join(rendererDir, decoded));
  if (file !== rendererDir && !file.startsWith(rendererDir + sep)) return null;
  if (
    file
      .slice(rendererDir.length)
      .split(sep)
      .some((segment) => segment.startsWith('.'))
  )
    return null;
  return file;
}

function setSecurityHeaders(response: ServerResponse): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  // The token travels in the first URL; never let it leak to another site through Referer.
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  // With COOP, makes the pages cross-origin isolated: the media host needs SharedArrayBuffer for
  // its audio rings (every asset is same-origin, so nothing else changes).
  response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  response.end(`${text}\n`);
}
