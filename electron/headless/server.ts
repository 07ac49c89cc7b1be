/**
 * The headless shell's transport: a static server for the built console and a WebSocket carrying
 * the API, bound to loopback only and guarded by a random token.
 *
 * - The console is opened as http://127.0.0.1:PORT/?token=TOKEN. A request with the right token
 *   gets a cookie holding a random session id (HttpOnly, SameSite=Strict; never the token itself)
 *   so the page's own assets, /media/… and /api work without the token.
 * - The API lives at ws://127.0.0.1:PORT/api?token=TOKEN (or the session cookie). A wrong or
 *   missing token gets HTTP 401 for pages; a WebSocket is closed at once with code 4401 and a
 *   reason, so the console can say "wrong token" rather than "engine down".
 * - Host and Origin headers must name this server (no DNS rebinding, no cross-site sockets), and a
 *   request target must be a path (no absolute or protocol-relative form): anything else gets a 4xx,
 *   and nothing parsed from a request may throw outside a handler.
 * - The media host (a page of the same server, run in Chromium by the engine's launcher) links at
 *   /media-host-link?secret=SECRET: JSON text for its commands and events, binary for audio frames.
 *   Each acceptMediaHostLink mints its own one-time secret, handed to the page in its URL's
 *   fragment; the console's token does not open the link, and a socket with a wrong secret is
 *   closed without touching the pending waiter.
 * - Each console socket is capped: at most MAX_IN_FLIGHT requests awaiting their reply and
 *   MAX_BUFFERED_BYTES of replies and events waiting to go out (a console that stops reading).
 *   Over either cap it is closed with OVERLOAD_CLOSE_CODE and a reason; the console reconnects.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
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
  /** Requests as the workspace's local admin: the CLI's socket, opened with the admin token. */
  handle(raw: unknown): Promise<ResponseMessage>;
  /**
   * A console socket's own connection, signed out until it signs in (issue 13); it hears the events
   * its signed-in role may (`eventFor`: the message, the part of it that is theirs, or null). Without
   * it (test stand-ins) every socket is served by `handle` and hears everything.
   */
  connect?(info: { source: 'ws'; address?: string }): ConsoleConnection;
  subscribe(subscriber: (message: EventMessage) => void): () => void;
}

/** One console socket's API connection. */
export interface ConsoleConnection {
  handle(raw: unknown): Promise<ResponseMessage>;
  eventFor(message: EventMessage): EventMessage | null;
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
  /**
   * Opens /api as the workspace's local admin (the CLI, through server.json, mode 0600); never
   * a page. Given for tests; otherwise 32 random bytes.
   */
  adminToken?: string;
  log: Logger;
  /** Files behind GET /media/<path> (call recordings), with Range support; none without it. */
  media?: MediaResolver;
}

/** One expected media host page: the URL to open it at, and its link once it has linked up. */
export interface MediaHostInvitation {
  /** The page's URL, with its one-time link secret in the fragment (#link=…). */
  readonly url: string;
  /** Resolves when the page links with that secret; rejects after the timeout or on close. */
  readonly link: Promise<MediaHostConnection>;
}

export interface HeadlessServer {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  /** For `<data>/server.json` only: /api?token=<adminToken> is the local admin (the CLI). */
  readonly adminToken: string;
  /**
   * The media host page's address, without a link secret: for its origin. A page opened here
   * cannot link; open the URL acceptMediaHostLink gives.
   */
  readonly mediaHostUrl: string;
  /**
   * Expects one media host page, with a fresh one-time secret for its link. A link without a
   * pending secret is refused, so only a page this process launched can attach.
   */
  acceptMediaHostLink(timeoutMs: number): MediaHostInvitation;
  close(): Promise<void>;
}

export const TOKEN_REFUSED_CLOSE_CODE = 4401;
/** A console socket over MAX_IN_FLIGHT or MAX_BUFFERED_BYTES is closed with this code. */
export const OVERLOAD_CLOSE_CODE = 4429;
/** Requests one console socket may have awaiting their reply (the console sends a handful). */
export const MAX_IN_FLIGHT = 64;
/**
 * Replies and events waiting to go out to one console socket before it counts as not reading.
 * A console that reads keeps this near zero; 16 MiB is over a minute of events for 100 live calls.
 */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** A session cookie per console open; the oldest are forgotten beyond this many. */
const MAX_SESSIONS = 256;
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
  const adminToken = options.adminToken ?? randomBytes(32).toString('base64url');
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
  // Session ids are kept as their SHA-256: a lookup's timing says nothing about a valid id.
  const sessions = new Set<string>();
  const sessionKey = (id: string): string => createHash('sha256').update(id).digest('base64url');
  const hasSession = (request: IncomingMessage): boolean => {
    const id = readCookie(request.headers.cookie, COOKIE_NAME);
    return id !== undefined && sessions.has(sessionKey(id));
  };
  const newSession = (): string => {
    const id = randomBytes(32).toString('base64url');
    sessions.add(sessionKey(id));
    if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.values().next().value!);
    return id;
  };
  const authorized = (request: IncomingMessage, url: URL): 'query' | 'cookie' | false => {
    if (tokenMatches(url.searchParams.get('token'), token)) return 'query';
    if (hasSession(request)) return 'cookie';
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
    const url = parseTarget(request.url);
    if (!url) return sendText(response, 400, 'Bad request target: expected a path such as /');
    const auth = authorized(request, url);
    if (!auth) {
      return sendText(
        response,
        401,
        'Missing or wrong access token. Open the console with the URL printed by `outbound serve` (it ends with ?token=…).',
      );
    }
    if (auth === 'query' && !hasSession(request)) {
      response.setHeader(
        'Set-Cookie',
        `${COOKIE_NAME}=${newSession()}; HttpOnly; SameSite=Strict; Path=/`,
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
    // The file may vanish between stat and read (a rebuild): end this response, not the process.
    const stream = createReadStream(file);
    stream.on('error', () => response.destroy());
    stream.pipe(response);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const mediaWss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
  });
  /** Each pending acceptMediaHostLink, by its one-time secret. */
  const mediaWaiters = new Map<
    string,
    { accept(connection: MediaHostConnection): void; giveUp(reason: string): void }
  >();
  /** The waiter whose secret this is (compared in constant time), or undefined. */
  const mediaWaiterFor = (candidate: string | null): string | undefined => {
    for (const secret of mediaWaiters.keys()) if (tokenMatches(candidate, secret)) return secret;
    return undefined;
  };
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
      try {
        if (!deliver(buffer, isBinary)) held.push({ data: buffer, binary: isBinary });
      } catch (error) {
        // A listener's bug must not escape into ws's receiver (that would end the process).
        log.error('The media host link failed to handle a message', { error: String(error) });
      }
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

  httpServer.on('upgrade', (request, socket: Socket, head) => {
    // Node hands the socket over without its error listener: a peer resetting mid-handshake must
    // not become an uncaught 'error'.
    socket.on('error', () => socket.destroy());
    const refuse = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!hostAllowed(request.headers.host) || !originAllowed(request.headers.origin))
      return refuse('403 Forbidden');
    const url = parseTarget(request.url);
    if (!url) return refuse('400 Bad Request');
    if (url.pathname === MEDIA_HOST_LINK_PATH) {
      mediaWss.handleUpgrade(request, socket, head, (ws) => {
        // Looked up once the socket is open: a handshake that fails consumes nothing, and of two
        // sockets with the same secret only the first links.
        const secret = mediaWaiterFor(url.searchParams.get('secret'));
        const waiter = secret === undefined ? undefined : mediaWaiters.get(secret);
        if (secret === undefined || !waiter) {
          ws.close(TOKEN_REFUSED_CLOSE_CODE, 'Missing, wrong or spent media host link secret');
          return;
        }
        mediaWaiters.delete(secret);
        waiter.accept(wrapMediaHostSocket(ws));
      });
      return;
    }
    if (url.pathname !== '/api') return refuse('404 Not Found');
    const admin = tokenMatches(url.searchParams.get('token'), adminToken);
    const ok = admin || authorized(request, url) !== false;
    const address = request.socket.remoteAddress;
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (!ok) {
        ws.close(TOKEN_REFUSED_CLOSE_CODE, 'Missing or wrong access token');
        return;
      }
      acceptClient(
        ws,
        admin || !api.connect
          ? { handle: (raw) => api.handle(raw), eventFor: (message) => message }
          : api.connect({ source: 'ws', ...(address === undefined ? {} : { address }) }),
      );
    });
  });

  /** Closes a console socket that broke a cap; it is forgotten at once and cut if it lingers. */
  function overload(ws: WebSocket, reason: string): void {
    if (ws.readyState !== ws.OPEN) return;
    log.warn('Closing a console connection over its limits', { reason });
    clients.delete(ws);
    ws.close(OVERLOAD_CLOSE_CODE, reason);
    // A peer that does not read will not read the close frame either.
    setTimeout(() => ws.terminate(), 2_000).unref();
  }

  /** Sends unless the socket is not reading: replies and events wait in memory until it does. */
  function sendTo(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      overload(
        ws,
        `Not reading: over ${MAX_BUFFERED_BYTES / 1024 / 1024} MiB of replies and events waited`,
      );
      return;
    }
    ws.send(text);
  }

  /** Each console socket is one API connection with its own sign-in. */
  const connections = new Map<WebSocket, ConsoleConnection>();

  function acceptClient(ws: WebSocket, connection: ConsoleConnection): void {
    clients.add(ws);
    connections.set(ws, connection);
    alive.add(ws);
    let inFlight = 0;
    ws.on('pong', () => alive.add(ws));
    ws.on('message', (data, isBinary) => {
      if (ws.readyState !== ws.OPEN) return;
      if (isBinary) {
        sendTo(ws, JSON.stringify(BINARY_REFUSED));
        return;
      }
      if (inFlight >= MAX_IN_FLIGHT) {
        overload(
          ws,
          `Over ${MAX_IN_FLIGHT} requests in flight: wait for replies before sending more`,
        );
        return;
      }
      inFlight++;
      void connection
        .handle(rawToBuffer(data).toString('utf8'))
        .catch((error: unknown): ResponseMessage => ({
          type: 'response',
          id: null,
          ok: false,
          error: { code: 'INTERNAL', message: `The engine failed a request: ${String(error)}` },
        }))
        .then((reply) => {
          inFlight--;
          sendTo(ws, JSON.stringify(reply));
        })
        .catch((error: unknown) =>
          log.error('Could not send a reply to the console', { error: String(error) }),
        );
    });
    ws.on('close', () => {
      clients.delete(ws);
      connections.delete(ws);
    });
    ws.on('error', (error) => log.warn('A console connection failed', { error: error.message }));
  }

  const unsubscribe = api.subscribe((message) => {
    // Each console hears what its signed-in role may (calls, numbers, transcripts; roles.ts).
    let whole: string | undefined;
    for (const ws of clients) {
      const heard = connections.get(ws)?.eventFor(message);
      if (!heard) continue;
      sendTo(ws, heard === message ? (whole ??= JSON.stringify(message)) : JSON.stringify(heard));
    }
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
    adminToken,
    // The token loads the page and its assets (the engine's own Chromium); the link needs the secret.
    mediaHostUrl: `${origin}/media-host/index.html?token=${token}`,
    acceptMediaHostLink(timeoutMs) {
      const secret = randomBytes(32).toString('base64url');
      const link = new Promise<MediaHostConnection>((resolveLink, rejectLink) => {
        const timer = setTimeout(
          () => giveUp(`The media host page did not link up within ${timeoutMs} ms`),
          timeoutMs,
        );
        const giveUp = (reason: string): void => {
          clearTimeout(timer);
          mediaWaiters.delete(secret);
          rejectLink(new Error(reason));
        };
        mediaWaiters.set(secret, {
          accept(connection) {
            clearTimeout(timer);
            resolveLink(connection);
          },
          giveUp,
        });
      });
      return {
        url: `${origin}/media-host/index.html?token=${token}#link=${secret}`,
        link,
      };
    },
    async close() {
      // A media host still starting will never link now; its timer must not keep the process up.
      for (const waiter of [...mediaWaiters.values()])
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

const BINARY_REFUSED: ResponseMessage = {
  type: 'response',
  id: null,
  ok: false,
  error: { code: 'BAD_MESSAGE', message: 'Binary frames are not API messages; send JSON text' },
};

/**
 * The request target as a URL, or null unless it is a plain path ("/…"): absolute-form
 * ("http://…") and protocol-relative ("//…", "/\\…") targets would name another host.
 */
export function parseTarget(raw: string | undefined): URL | null {
  if (!raw?.startsWith('/') || raw[1] === '/' || raw[1] === '\\') return null;
  try {
    return new URL(raw, 'http://localhost');
  } catch {
    return null;
  }
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
