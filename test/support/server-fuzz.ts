/**
 * A fuzzer for the headless server, shared by test/e2e/server-fuzz.test.ts (bounded, in `npm test`)
 * and bench/fuzz.bench.ts (longer, in `npm run bench`). It sends random and mutated inputs to a
 * running server over loopback, four kinds:
 *
 * - http: raw TCP requests: random bytes, mutated requests, malformed Host headers and request
 *   targets, huge headers, lying body framing, pipelining, random cookies and ranges.
 * - upgrade: WebSocket handshakes to /api and /media-host-link with mutated Host, Origin, target,
 *   key, version, token and link secret.
 * - frames: raw WebSocket frames on an authorized socket: reserved opcodes, RSV bits, unmasked,
 *   stray continuations, oversized control frames, invalid UTF-8, lying lengths, bad close codes.
 * - api: API messages: bad JSON, non-objects, envelopes with one wrong field, unknown commands,
 *   known commands with wrong params (types, huge values, deep nesting, odd keys), invalid UTF-8.
 *
 * Every input comes from a seeded PRNG (a seed reproduces a run) and carries an oracle: no 5xx, no
 * 101 for a foreign Host, the close code the RFC asks for, and for API messages a `response` with
 * ok:false whose error names the field (checked against the contract's own schemas, so a params
 * input is only sent when the schema refuses it: nothing valid ever runs a command).
 */
import { connect } from 'node:net';

import WebSocket from 'ws';

import { commands } from '../../electron/engine/api/contract.js';
import { RequestMessage } from '../../electron/engine/api/messages.js';
import { describeZodError } from '../../electron/engine/api/validate.js';

export type FuzzKind = 'http' | 'upgrade' | 'frames' | 'api';
export const FUZZ_KINDS: readonly FuzzKind[] = ['http', 'upgrade', 'frames', 'api'];

export interface FuzzTarget {
  port: number;
  token: string;
  /**
   * Opens the API sockets (api fuzz, the health check): outbound serve's admin token, so known
   * commands reach their params' checks (a console token's socket is signed out and refuses
   * everything but sign-in before reading params; roles-contract.test.ts covers that). Default token.
   */
  apiToken?: string;
}

export interface BatchResult {
  tried: number;
  /** One line per input whose oracle failed, with its index in the batch. */
  problems: string[];
  /** How the server answered, counted (e.g. "HTTP 400", "close 1002", "INVALID_PARAMS"). */
  outcomes: Record<string, number>;
}

interface Judged {
  problem: string | null;
  outcome: string;
}

/** mulberry32: small, fast, and the same sequence on every machine. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  text(n: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789._-/%?=&:[]@!$ '): string {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }
  /** A string with anything in it: controls, quotes, CJK, emoji, lone surrogates. */
  wild(n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) {
      const kind = this.int(6);
      if (kind === 0) out += String.fromCharCode(this.int(32));
      else if (kind === 1) out += this.pick(['"', '\\', '<', '>', "'", '\u2028', '\u0000']);
      else if (kind === 2) out += String.fromCharCode(0x4e00 + this.int(0x5000));
      else if (kind === 3) out += this.pick(['😀', '\ud800', '\udfff', '\ufeff', '\uffff']);
      else out += String.fromCharCode(32 + this.int(95));
    }
    return out;
  }
}

const CRLF = '\r\n';

/** Writes `data`, collects what comes back until the server ends the socket or `timeoutMs`. */
function exchange(
  port: number,
  data: Buffer | string | Array<Buffer | string>,
  timeoutMs: number,
  stopWhen?: (received: Buffer) => boolean,
): Promise<{ received: Buffer; ended: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (ended: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ received: Buffer.concat(chunks), ended });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('connect', () => {
      for (const part of Array.isArray(data) ? data : [data]) socket.write(part);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (stopWhen?.(Buffer.concat(chunks))) finish(true);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    // A reset by the server is an answer too (it refused the input).
    socket.on('error', () => finish(true));
  });
}

function statusOf(received: Buffer): number | null {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(received.subarray(0, 20).toString('latin1'));
  return match ? Number(match[1]) : null;
}

/** Runs `count` inputs, `concurrency` at a time; `one` returns a problem or null. */
async function runPool(
  count: number,
  concurrency: number,
  one: (index: number) => Promise<Judged>,
): Promise<BatchResult> {
  const problems: string[] = [];
  const outcomes: Record<string, number> = {};
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      const { problem, outcome } = await one(index);
      if (problem) problems.push(`#${index}: ${problem}`);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { tried: count, problems, outcomes };
}

// ---------------------------------------------------------------------------------------------
// Shared pieces of requests

function hosts(t: FuzzTarget): string[] {
  return [
    `127.0.0.1:${t.port}`,
    `localhost:${t.port}`,
    `[::1]:${t.port}`,
    'x:99999999',
    '[',
    '[::1',
    ']',
    'http://127.0.0.1/',
    `http://127.0.0.1:${t.port}/api`,
    '',
    ' ',
    'evil.example',
    `127.0.0.1:${t.port}:${t.port}`,
    `127.0.0.1:${t.port}@evil.example`,
    `127.0.0.1:-1`,
    `127.0.0.1:${t.port}%00`,
    '%',
    '\u00e9xample',
  ];
}

const ALLOWED_HOST = (t: FuzzTarget, host: string): boolean =>
  [`127.0.0.1:${t.port}`, `localhost:${t.port}`, `[::1]:${t.port}`].includes(host.toLowerCase());

function targets(r: Rng, t: FuzzTarget): string[] {
  return [
    '/',
    `/?token=${t.token}`,
    '/console/index.html',
    `/assets/${r.text(8)}.js`,
    `/media/recordings/${r.text(12)}`,
    `/media/recordings/${[...r.bytes(6)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}`,
    '/media/%',
    '/media/..%2f..%2f..%2fetc%2fpasswd',
    '/%00',
    '/%',
    '/..%5c..%5cetc',
    '/.git/config',
    '/api',
    '/media-host/index.html',
    '/media-host-link',
    '*',
    `http://127.0.0.1:${t.port}/`,
    'http://[/',
    '//x:99999999/',
    '/\\evil.example/',
    `/${r.text(r.int(200), 'abcdefghijklmnopqrstuvwxyz0123456789._-/%?=&:[]@!$')}`,
    `/${'a'.repeat(8000 + r.int(4000))}`,
    `/${r
      .bytes(20)
      .toString('latin1')
      .replace(/[\r\n ]/g, '')}`,
  ];
}

/** Request targets the HTTP parser accepts: the server's own logic decides. */
function cleanTargets(r: Rng): string[] {
  const escaped = (): string =>
    [...r.bytes(1 + r.int(12))].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  return [
    '/',
    '/console',
    '/console/',
    '/console/index.html',
    '/media-host/index.html',
    `/assets/${r.text(8, 'abcdef0123456789')}.js`,
    `/media/recordings/${r.text(1 + r.int(40), 'abcdef0123456789-')}`,
    `/media/recordings/${escaped()}`,
    `/media/${escaped()}`,
    '/media/',
    '/media/recordings/',
    '/media/recordings/a/b',
    '/media/..%2f..%2fouthound.db',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2fetc%2fpasswd',
    '/.env',
    '/console/.hidden',
    `/${escaped()}`,
    '/%00',
    '/%',
    '/%zz',
    `/${'a/'.repeat(1 + r.int(500))}`,
  ];
}

const RANGES = [
  'bytes=0-',
  'bytes=-0',
  'bytes=0-0',
  'bytes=99999999999999999999-',
  'bytes=5-1',
  'bytes=0-1,2-3',
  'bytes=-99999999999999999999999',
  'bytes=',
  'items=0-1',
];

function withAuth(r: Rng, t: FuzzTarget, target: string): string {
  if (!target.startsWith('/') || !r.chance(0.6)) return target;
  const token = r.pick([t.token, t.token, 'wrong', '', t.token.slice(1), `${t.token}x`]);
  return `${target}${target.includes('?') ? '&' : '?'}token=${token}`;
}

function randomHeaders(r: Rng, t: FuzzTarget): string[] {
  const lines: string[] = [];
  const n = r.int(5);
  for (let i = 0; i < n; i++) {
    lines.push(
      r.pick([
        `Cookie: outbound_session=${r.pick([t.token, r.text(43), '', r.wild(10)])}`,
        `Cookie: ${r.text(r.int(300), 'ab=;, ')}`,
        `Range: ${r.pick([...RANGES, r.text(20)])}`,
        `Origin: ${r.pick(['null', 'https://evil.example', `http://127.0.0.1:${t.port}`, 'http://[', r.text(20)])}`,
        `${r.text(1 + r.int(20), 'abcdefghij-')}: ${r.text(r.int(100))}`,
        `X-${r.text(5)}: ${r.wild(20).replace(/[\r\n]/g, '')}`,
        `Accept-Encoding: ${r.pick(['gzip', 'br', '*', ''])}`,
        `If-None-Match: ${r.text(20)}`,
        `Expect: 100-continue`,
      ]),
    );
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// http

function httpInput(r: Rng, t: FuzzTarget): Buffer | string | string[] {
  const method = r.pick([
    'GET',
    'GET',
    'GET',
    'GET',
    'GET',
    'HEAD',
    'POST',
    'PUT',
    'DELETE',
    'OPTIONS',
    'TRACE',
    'CONNECT',
    'PATCH',
    'get',
    'G ET',
    r.text(1 + r.int(10), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
  ]);
  const request = (): string => {
    // Half are well-formed GETs with the token (odd paths, cookies, ranges): past the parser and
    // the auth check, into asset and media resolution. The rest break anything.
    if (r.chance(0.5)) {
      const lines = [
        `${r.pick(['GET', 'GET', 'HEAD'])} ${r.pick(cleanTargets(r))}${r.chance(0.8) ? `?token=${t.token}` : ''} HTTP/1.1`,
        `Host: ${r.pick([`127.0.0.1:${t.port}`, `localhost:${t.port}`])}`,
      ];
      if (r.chance(0.3)) lines.push(`Cookie: outbound_session=${r.text(43, 'abcXYZ019-_')}`);
      if (r.chance(0.3)) lines.push(`Range: ${r.pick(RANGES)}`);
      lines.push('Connection: close');
      return lines.join(CRLF) + CRLF + CRLF;
    }
    const lines = [
      `${method} ${withAuth(r, t, r.pick(targets(r, t)))} ${r.chance(0.8) ? 'HTTP/1.1' : r.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', ''])}`,
    ];
    if (r.chance(0.9))
      lines.push(`Host: ${r.chance(0.6) ? `127.0.0.1:${t.port}` : r.pick(hosts(t))}`);
    if (r.chance(0.1)) lines.push(`Host: ${r.pick(hosts(t))}`);
    lines.push(...randomHeaders(r, t));
    lines.push('Connection: close');
    return lines.join(CRLF) + CRLF + CRLF;
  };
  switch (r.int(10)) {
    case 0:
      return r.bytes(1 + r.int(2000));
    case 1:
    case 2:
    case 7:
    case 8:
    case 9:
      return request();
    case 3: {
      // A valid request with a few bytes flipped, inserted or cut.
      const bytes = Buffer.from(request(), 'latin1');
      const edits = 1 + r.int(4);
      let out = bytes;
      for (let i = 0; i < edits; i++) {
        const at = r.int(out.length);
        const op = r.int(3);
        if (op === 0) out[at] = r.int(256);
        else if (op === 1)
          out = Buffer.concat([out.subarray(0, at), r.bytes(1 + r.int(8)), out.subarray(at)]);
        else out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + r.int(8))]);
      }
      return out;
    }
    case 4:
      // Headers far over Node's 16 KiB limit.
      return `GET / HTTP/1.1${CRLF}Host: 127.0.0.1:${t.port}${CRLF}X-Big: ${'a'.repeat(16_000 + r.int(60_000))}${CRLF}${CRLF}`;
    case 5: {
      // Body framing that lies.
      const framing = r.pick([
        `Content-Length: ${r.pick(['-1', '99999999999999999999', '5', 'abc', '0, 5'])}`,
        'Transfer-Encoding: chunked',
        `Transfer-Encoding: chunked${CRLF}Content-Length: 3`,
        'Transfer-Encoding: gzip, chunked',
      ]);
      const body = r.pick(['', 'zz\r\nhello\r\n0\r\n\r\n', 'ffffffffffffffff\r\n', r.text(50)]);
      return `POST /?token=${t.token} HTTP/1.1${CRLF}Host: 127.0.0.1:${t.port}${CRLF}${framing}${CRLF}${CRLF}${body}`;
    }
    default: {
      // Pipelined, the last one closing; sometimes split into tiny writes.
      const all = Array.from({ length: 2 + r.int(4) }, request).join('');
      if (!r.chance(0.3)) return all;
      const parts: string[] = [];
      for (let i = 0; i < all.length; i += 1 + r.int(20))
        parts.push(all.slice(i, i + 1 + r.int(20)));
      return parts;
    }
  }
}

export async function fuzzHttp(t: FuzzTarget, r: Rng, count: number): Promise<BatchResult> {
  const inputs = Array.from({ length: count }, () => httpInput(r, t));
  return runPool(count, 16, async (i) => {
    const { received } = await exchange(t.port, inputs[i]!, 400);
    const status = statusOf(received);
    const outcome = status === null ? 'no status line' : `HTTP ${status}`;
    if (status !== null && status >= 500)
      return {
        problem: `HTTP ${status}: ${received.subarray(0, 200).toString('latin1')}`,
        outcome,
      };
    return { problem: null, outcome };
  });
}

// ---------------------------------------------------------------------------------------------
// upgrade

/** A valid handshake to /api or /media-host-link with up to four of its parts replaced by odd ones. */
function upgradeInput(
  r: Rng,
  t: FuzzTarget,
): { text: string; host: string | undefined; target: string } {
  const parts: Record<string, string | undefined> = {
    path: r.pick(['/api', '/media-host-link']),
    query: `?token=${t.token}`,
    host: `127.0.0.1:${t.port}`,
    origin: r.pick([undefined, `http://127.0.0.1:${t.port}`]),
    upgrade: 'websocket',
    connection: 'Upgrade',
    key: 'dGhlIHNhbXBsZSBub25jZQ==',
    version: '13',
    extensions: undefined,
    protocol: undefined,
  };
  const odd: Record<string, () => string | undefined> = {
    path: () =>
      r.pick([
        '/',
        '/API',
        '/api/',
        '*',
        `http://127.0.0.1:${t.port}/api`,
        '//x:99999999/api',
        '/\\api',
        `/${r.text(10)}`,
        '/media-host-link/',
      ]),
    query: () =>
      r.pick([
        '',
        '?token=wrong',
        `?secret=${r.text(43)}`,
        `?secret=${t.token}`,
        `?token=${t.token}&token=x`,
        `?token=${t.token}#frag`,
        `?${r.text(30)}`,
        `?token=${t.token.slice(0, -1)}`,
      ]),
    host: () => r.pick([undefined, ...hosts(t)]),
    origin: () =>
      r.pick([
        `http://localhost:${t.port}`,
        'null',
        'https://evil.example',
        'http://[',
        `http://127.0.0.1:${t.port}.evil.example`,
        `https://127.0.0.1:${t.port}`,
        r.text(15),
      ]),
    upgrade: () => r.pick(['WebSocket', 'h2c', '', undefined, r.text(8)]),
    connection: () => r.pick(['upgrade, keep-alive', 'close', '', undefined, r.text(8)]),
    key: () => r.pick([undefined, '', 'x', r.bytes(16).toString('base64'), r.text(200)]),
    version: () => r.pick([undefined, '8', '', '99999999999999999999', r.text(3)]),
    extensions: () =>
      r.pick([
        'permessage-deflate',
        'permessage-deflate; client_max_window_bits=99',
        'permessage-deflate; server_max_window_bits=7',
        r.text(30),
      ]),
    protocol: () => r.pick(['', ',', r.text(30)]),
  };
  const names = Object.keys(odd);
  for (let i = r.int(5); i > 0; i--) {
    const name = r.pick(names);
    parts[name] = odd[name]!();
  }
  const lines = [`GET ${parts.path}${parts.query} HTTP/1.1`];
  const header = (name: string, value: string | undefined): void => {
    if (value !== undefined) lines.push(`${name}: ${value}`);
  };
  header('Host', parts.host);
  header('Origin', parts.origin);
  header('Upgrade', parts.upgrade);
  header('Connection', parts.connection);
  header('Sec-WebSocket-Key', parts.key);
  header('Sec-WebSocket-Version', parts.version);
  header('Sec-WebSocket-Extensions', parts.extensions);
  header('Sec-WebSocket-Protocol', parts.protocol);
  if (r.chance(0.3)) lines.push(...randomHeaders(r, t));
  return {
    text: lines.join(CRLF) + CRLF + CRLF,
    host: parts.host,
    target: `${parts.path}${parts.query}`,
  };
}

export async function fuzzUpgrade(t: FuzzTarget, r: Rng, count: number): Promise<BatchResult> {
  const inputs = Array.from({ length: count }, () => upgradeInput(r, t));
  return runPool(count, 16, async (i) => {
    const input = inputs[i]!;
    const { received } = await exchange(t.port, input.text, 400, (got) => {
      // Done at a refusal, or at the first close frame after a 101.
      const status = statusOf(got);
      return status !== null && status !== 101
        ? got.includes('\r\n\r\n')
        : closeCodeAfter101(got) !== undefined;
    });
    const status = statusOf(received);
    const close = closeCodeAfter101(received);
    const outcome =
      status === 101
        ? `101 then ${close === undefined ? 'open' : `close ${close}`}`
        : `HTTP ${status}`;
    const problem = ((): string | null => {
      if (status !== null && status >= 500) return `HTTP ${status} to ${input.text.split(CRLF)[0]}`;
      if (status === 101) {
        if (input.host === undefined || !ALLOWED_HOST(t, input.host))
          return `101 for a foreign or missing Host ${JSON.stringify(input.host)}`;
        if (!/^\/(?![/\\])/.test(input.target)) return `101 for the target ${input.target}`;
        // No pending media host here: no secret opens the link. /api wants the token.
        const url = new URL(input.target, 'http://localhost');
        const tokenOk = url.searchParams.get('token') === t.token;
        if (url.pathname === '/media-host-link' && close !== 4401)
          return `the media host link opened without a pending secret (close ${close})`;
        if (url.pathname === '/api' && !tokenOk && close !== 4401)
          return `/api opened without the token (close ${close})`;
        if (url.pathname === '/api' && tokenOk && close !== undefined)
          return `/api with the token was closed (${close})`;
      }
      return null;
    })();
    return { problem, outcome };
  });
}

function firstFrameAfter101(received: Buffer): ServerFrame | undefined {
  const end = received.indexOf('\r\n\r\n');
  return end === -1 ? undefined : parseServerFrames(received.subarray(end + 4))[0];
}

/** The close code of the first close frame after a 101 response (null: one without a code), undefined for none yet. */
function closeCodeAfter101(received: Buffer): number | null | undefined {
  const end = received.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  for (const frame of parseServerFrames(received.subarray(end + 4)))
    if (frame.opcode === 8) return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : null;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// frames

interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/** Frames the server sent (unmasked), as far as they are complete. */
function parseServerFrames(data: Buffer): ServerFrame[] {
  const frames: ServerFrame[] = [];
  let at = 0;
  while (at + 2 <= data.length) {
    const opcode = data[at]! & 0x0f;
    let length = data[at + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      if (at + 4 > data.length) break;
      length = data.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      if (at + 10 > data.length) break;
      length = Number(data.readBigUInt64BE(at + 2));
      header = 10;
    }
    if (at + header + length > data.length) break;
    frames.push({ opcode, payload: data.subarray(at + header, at + header + length) });
    at += header + length;
  }
  return frames;
}

/** A client frame: masked unless told, with whatever header bits and declared length asked for. */
function frame(
  r: Rng,
  opcode: number,
  payload: Buffer,
  options: { fin?: boolean; rsv?: number; masked?: boolean; declaredLength?: bigint } = {},
): Buffer {
  const fin = options.fin ?? true;
  const masked = options.masked ?? true;
  const length = options.declaredLength ?? BigInt(payload.length);
  const head: number[] = [(fin ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126n) head.push(maskBit | Number(length));
  else if (length < 65536n)
    head.push(maskBit | 126, Number(length >> 8n) & 0xff, Number(length) & 0xff);
  else {
    head.push(maskBit | 127);
    for (let shift = 56n; shift >= 0n; shift -= 8n) head.push(Number((length >> shift) & 0xffn));
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const mask = r.bytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= mask[i % 4]!;
  return Buffer.concat([Buffer.from(head), mask, body]);
}

const INVALID_UTF8 = [
  Buffer.from([0xff]),
  Buffer.from([0xc0, 0x80]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xe4, 0xbd]),
  Buffer.from([0x80]),
];

function invalidUtf8(r: Rng): Buffer {
  return Buffer.concat([
    Buffer.from(`{"type":"request","id":1,"command":"app.info","x":"${r.text(r.int(20))}`),
    r.pick(INVALID_UTF8),
    Buffer.from('"}'),
  ]);
}

/** One frames input: what to write after the handshake, and the close code the RFC requires (or null: any outcome). */
function framesInput(r: Rng): { frames: Buffer[]; expectClose: number | null; label: string } {
  const json = Buffer.from(
    JSON.stringify({ type: 'request', id: r.int(1000), command: r.pick(['app.info', 'nope', '']) }),
  );
  switch (r.int(13)) {
    case 0:
      return {
        frames: [frame(r, 3 + r.int(5), r.bytes(r.int(50)))],
        expectClose: 1002,
        label: 'reserved data opcode',
      };
    case 1:
      return {
        frames: [frame(r, 11 + r.int(5), r.bytes(r.int(50)))],
        expectClose: 1002,
        label: 'reserved control opcode',
      };
    case 2:
      return {
        frames: [frame(r, 1, json, { masked: false })],
        expectClose: 1002,
        label: 'unmasked',
      };
    case 3:
      return {
        frames: [frame(r, 1, json, { rsv: 1 + r.int(7) })],
        expectClose: 1002,
        label: 'RSV bits',
      };
    case 4:
      return { frames: [frame(r, 0, json)], expectClose: 1002, label: 'continuation first' };
    case 5:
      return {
        frames: [frame(r, 9, r.bytes(126 + r.int(200)))],
        expectClose: 1002,
        label: 'control frame over 125 bytes',
      };
    case 6:
      return {
        frames: [frame(r, 9, r.bytes(4), { fin: false })],
        expectClose: 1002,
        label: 'fragmented ping',
      };
    case 7: {
      const bad = invalidUtf8(r);
      // Whole, or split over fragments so the bad sequence straddles them.
      if (r.chance(0.5))
        return { frames: [frame(r, 1, bad)], expectClose: 1007, label: 'invalid UTF-8' };
      const cut = 1 + r.int(bad.length - 1);
      return {
        frames: [frame(r, 1, bad.subarray(0, cut), { fin: false }), frame(r, 0, bad.subarray(cut))],
        expectClose: 1007,
        label: 'invalid UTF-8, fragmented',
      };
    }
    case 8:
      return {
        frames: [
          frame(r, r.pick([1, 2]), r.bytes(16), {
            declaredLength: r.pick([2n ** 63n - 1n, 2n ** 53n, 1_048_577n, 4_000_000_000n]),
          }),
        ],
        expectClose: 1009,
        label: 'declared length over the limit',
      };
    case 9: {
      const code = r.pick([0, 999, 1004, 1005, 1006, 1015, 1100, 2999, 5000, 65535]);
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(code);
      return {
        frames: [frame(r, 8, r.chance(0.2) ? Buffer.from([3]) : payload)],
        expectClose: 1002,
        label: `close with code ${code}`,
      };
    }
    case 10: {
      // A data frame started and a new one begun before it finished.
      return {
        frames: [frame(r, 1, json.subarray(0, 5), { fin: false }), frame(r, 1, json.subarray(5))],
        expectClose: 1002,
        label: 'new message inside a fragmented one',
      };
    }
    case 11: {
      // Valid traffic in odd shapes: ping with payload, fragmented text, tiny writes.
      const cut = 1 + r.int(json.length - 1);
      const whole = Buffer.concat([
        frame(r, 9, r.bytes(r.int(125))),
        frame(r, 1, json.subarray(0, cut), { fin: false }),
        frame(r, 10, r.bytes(r.int(10))),
        frame(r, 0, json.subarray(cut)),
      ]);
      const parts: Buffer[] = [];
      for (let i = 0; i < whole.length; i += 1 + r.int(7))
        parts.push(whole.subarray(i, i + 1 + r.int(7)));
      return {
        frames: r.chance(0.5) ? parts : [whole],
        expectClose: null,
        label: 'valid, fragmented',
      };
    }
    default:
      return { frames: [r.bytes(1 + r.int(300))], expectClose: null, label: 'random bytes' };
  }
}

const HANDSHAKE = (t: FuzzTarget): string =>
  [
    `GET /api?token=${t.token} HTTP/1.1`,
    `Host: 127.0.0.1:${t.port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
  ].join(CRLF) +
  CRLF +
  CRLF;

export async function fuzzFrames(t: FuzzTarget, r: Rng, count: number): Promise<BatchResult> {
  const inputs = Array.from({ length: count }, () => framesInput(r));
  return runPool(count, 8, async (i) => {
    const input = inputs[i]!;
    // An input with no required outcome is done at the first reply; the server may well wait
    // for the rest of a random frame, hence the short wait.
    const { received } = await exchange(
      t.port,
      [HANDSHAKE(t), ...input.frames],
      input.expectClose === null ? 300 : 2_000,
      (got) =>
        input.expectClose === null
          ? firstFrameAfter101(got) !== undefined
          : closeCodeAfter101(got) !== undefined,
    );
    const status = statusOf(received);
    const close = closeCodeAfter101(received);
    const first = firstFrameAfter101(received);
    const outcome =
      close !== undefined ? `close ${close}` : first ? `opcode ${first.opcode} reply` : 'no answer';
    if (status !== 101) return { problem: `${input.label}: handshake answered ${status}`, outcome };
    if (input.expectClose === null || close === input.expectClose)
      return { problem: null, outcome };
    return {
      problem: `${input.label}: closed with ${close}, expected ${input.expectClose}`,
      outcome,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// api

type Expect =
  | { kind: 'bad-json' }
  | { kind: 'envelope'; field: string | undefined }
  | { kind: 'unknown'; command: string }
  | { kind: 'params'; command: string; field: string | undefined }
  | { kind: 'close'; code: number };

interface ApiInput {
  data: string | Buffer;
  expect: Expect;
  label: string;
}

/** A random JSON value: nested, huge, odd numbers, odd keys. */
function randomValue(r: Rng, depth = 0): unknown {
  const kind = r.int(depth > 3 ? 6 : 9);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, -1, 1.5, -0, 1e308, -1e308, 2 ** 53 + 2, 4294967296, 1e-320, r.int(1e9)]);
    case 3:
      return r.wild(r.int(40));
    case 4:
      return r.chance(0.05) ? 'x'.repeat(100_000 + r.int(800_000)) : r.text(r.int(100));
    case 5:
      return r.pick([
        '',
        ' ',
        'null',
        '0',
        'true',
        '__proto__',
        '2026-13-45',
        '+8613800000000',
        '../../etc',
      ]);
    case 6:
      return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1));
    case 7: {
      const out: Record<string, unknown> = {};
      for (let i = r.int(5); i > 0; i--)
        out[r.pick(['__proto__', 'constructor', 'toString', 'id', 'name', r.text(6), r.wild(3)])] =
          randomValue(r, depth + 1);
      return out;
    }
    default:
      return deep(r, 100 + r.int(1_500));
  }
}

/** Nesting `depth` levels deep, as arrays or objects (JSON.stringify recurses: keep it under ~3,000). */
function deep(r: Rng, depth: number): unknown {
  let value: unknown = r.chance(0.5) ? 1 : 'x';
  const asArray = r.chance(0.5);
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { a: value };
  return value;
}

/** The shape's keys of an object schema, when it is one (zod 4). */
function shapeKeys(schema: unknown): string[] {
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  return shape && typeof shape === 'object' ? Object.keys(shape) : [];
}

const COMMAND_NAMES = Object.keys(commands) as Array<keyof typeof commands>;

function apiInput(r: Rng): ApiInput | null {
  switch (r.int(8)) {
    case 0: {
      const text = r.pick([
        r.text(r.int(100)),
        '{"type":"request","id":1,"command":"app.info"',
        '{"type":"request",}',
        "{'type':'request'}",
        '',
        ' ',
        '\ufeff{}',
        'NaN',
        '[1,]',
        '{"a":1}}',
        '{"type":"request","id":1,"command":"app.info","params":{"x":1e999999}}'.slice(0, 40),
        `${'['.repeat(1 + r.int(100_000))}`,
        r.wild(r.int(200)),
      ]);
      // Most are not JSON; the rare one that is gets the envelope's oracle instead.
      try {
        JSON.parse(text);
      } catch {
        return { data: text, expect: { kind: 'bad-json' }, label: 'bad JSON' };
      }
      return envelopeInput(JSON.parse(text) as unknown, 'JSON that is no request');
    }
    case 1:
      return envelopeInput(
        r.pick([null, 0, -1, 'request', [], [1, 2], true, randomValue(r)]),
        'not an object',
      );
    case 2: {
      // A request with one envelope field wrong.
      const message: Record<string, unknown> = {
        type: 'request',
        id: r.int(1000),
        command: 'app.info',
      };
      const field = r.pick(['type', 'id', 'command']);
      message[field] = r.pick([
        undefined,
        null,
        '',
        -1,
        1.5,
        {},
        [],
        'x'.repeat(101 + r.int(10_000)),
        randomValue(r),
        field === 'type' ? 'response' : 2 ** 64,
      ]);
      return envelopeInput(message, `wrong ${field}`);
    }
    case 3: {
      const command = r.pick([
        r.text(1 + r.int(99)),
        'App.Info',
        'app.info ',
        '__proto__',
        'constructor',
        'toString',
        'hasOwnProperty',
        r.wild(1 + r.int(30)),
        'calls.start.x',
      ]);
      if (Object.hasOwn(commands, command)) return null;
      return envelopeInput(
        { type: 'request', id: r.int(1000), command, params: randomValue(r) },
        'unknown command',
      );
    }
    case 4:
    case 5:
    case 6: {
      // A known command with params its schema refuses.
      const command = r.pick(COMMAND_NAMES);
      const keys = shapeKeys(commands[command].params);
      let params: unknown;
      if (keys.length > 0 && r.chance(0.7)) {
        const object: Record<string, unknown> = {};
        for (const key of keys) if (r.chance(0.7)) object[key] = randomValue(r);
        if (r.chance(0.3)) object[r.pick(['__proto__', 'extra', r.text(5)])] = randomValue(r);
        params = object;
      } else params = randomValue(r);
      return envelopeInput(
        { type: 'request', id: r.int(1000), command, params },
        `bad params for ${command}`,
      );
    }
    default: {
      if (r.chance(0.4)) {
        // Nesting far deeper than any stack: built as text, since JSON.stringify would recurse.
        const depth = 10_000 + r.int(200_000);
        const [open, close] = r.chance(0.5) ? ['[', ']'] : ['{"a":', '}'];
        const command = r.pick(COMMAND_NAMES);
        const text = `{"type":"request","id":${r.int(1000)},"command":"${command}","params":${open.repeat(depth)}1${close.repeat(depth)}}`;
        return envelopeInput(JSON.parse(text) as unknown, `params nested ${depth} deep`, text);
      }
      if (r.chance(0.5))
        return {
          data: invalidUtf8(r),
          expect: { kind: 'close', code: 1007 },
          label: 'invalid UTF-8',
        };
      // Over the 1 MiB message limit.
      return {
        data: JSON.stringify({
          type: 'request',
          id: 1,
          command: 'app.info',
          params: { x: 'x'.repeat(1_048_576) },
        }),
        expect: { kind: 'close', code: 1009 },
        label: 'over the message limit',
      };
    }
  }
}

/** The oracle for a JSON message, from the contract's own schemas; null when it would run a command. */
function envelopeInput(message: unknown, label: string, text?: string): ApiInput | null {
  const data = text ?? JSON.stringify(message) ?? 'undefined';
  const parsedBack: unknown = data === 'undefined' ? undefined : JSON.parse(data);
  if (data === 'undefined') return { data, expect: { kind: 'bad-json' }, label };
  if (Buffer.byteLength(data) > 1_048_576)
    return { data, expect: { kind: 'close', code: 1009 }, label };
  const envelope = RequestMessage.safeParse(parsedBack);
  if (!envelope.success)
    return {
      data,
      expect: {
        kind: 'envelope',
        field: describeZodError(envelope.error, 'Request message').field,
      },
      label,
    };
  const { command, params } = envelope.data;
  if (!Object.hasOwn(commands, command))
    return { data, expect: { kind: 'unknown', command }, label };
  const parsed = commands[command as keyof typeof commands].params.safeParse(params ?? {});
  if (parsed.success) return null; // Valid: it would run the command. Not a fuzz input.
  return {
    data,
    expect: { kind: 'params', command, field: describeZodError(parsed.error, command).field },
    label,
  };
}

interface Reply {
  type?: unknown;
  ok?: unknown;
  error?: { code?: unknown; message?: unknown; field?: unknown };
}

/** A problem with `reply` as the answer to `input`, or null. */
function judge(input: ApiInput, reply: Reply): string | null {
  const { expect } = input;
  if (reply.type !== 'response' || reply.ok !== false || !reply.error)
    return `${input.label}: not an error response: ${JSON.stringify(reply).slice(0, 200)}`;
  const { code, message, field } = reply.error;
  if (typeof message !== 'string' || message.length === 0) return `${input.label}: no message`;
  const want = (c: string, ok: boolean, why: string): string | null =>
    code === c && ok
      ? null
      : `${input.label}: expected ${c} ${why}, got ${String(code)}: ${message.slice(0, 200)}`;
  switch (expect.kind) {
    case 'bad-json':
      return want('BAD_MESSAGE', /not valid JSON/.test(message), 'saying "not valid JSON"');
    case 'envelope':
      return want(
        'BAD_MESSAGE',
        field === expect.field &&
          message.startsWith(
            expect.field === undefined ? 'Request message' : `Request message: ${expect.field}`,
          ),
        `naming ${expect.field ?? 'the request message'}`,
      );
    case 'unknown':
      return want(
        'UNKNOWN_COMMAND',
        message.includes(`"${expect.command}"`),
        `naming "${expect.command}"`,
      );
    case 'params':
      return want(
        'INVALID_PARAMS',
        field === expect.field &&
          message.startsWith(
            expect.field === undefined ? expect.command : `${expect.command}: ${expect.field}`,
          ),
        `naming ${expect.command}${expect.field ? `: ${expect.field}` : ''}`,
      );
    case 'close':
      return `${input.label}: expected the socket closed with ${expect.code}, got a reply`;
  }
}

function openClient(t: FuzzTarget): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${t.port}/api?token=${t.apiToken ?? t.token}`, {
      maxPayload: 64 * 1024 * 1024,
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    // A socket the server closes for a bad frame may also report the error; the close says enough.
    ws.on('error', () => undefined);
  });
}

/** Sends one input on `ws` and waits for its reply (or the close it should cause). */
function roundTrip(
  ws: WebSocket,
  input: ApiInput,
  timeoutMs: number,
): Promise<{ reply?: Reply; close?: number }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done({}), timeoutMs);
    const onMessage = (data: WebSocket.RawData): void => {
      const reply = JSON.parse(data.toString()) as Reply & { type?: unknown };
      if (reply.type === 'event') return; // Engine events may arrive in between.
      done({ reply });
    };
    const onClose = (code: number): void => done({ close: code });
    const done = (result: { reply?: Reply; close?: number }): void => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(result);
    };
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.send(input.data, { binary: false });
  });
}

export async function fuzzApi(t: FuzzTarget, r: Rng, count: number): Promise<BatchResult> {
  const inputs: ApiInput[] = [];
  while (inputs.length < count) {
    const input = apiInput(r);
    if (input) inputs.push(input);
  }
  // Eight connections, each one request at a time (replies to unreadable ids carry id null).
  const lanes = 8;
  const problems: string[] = [];
  const outcomes: Record<string, number> = {};
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      let ws = await openClient(t);
      for (let i = lane; i < inputs.length; i += lanes) {
        const input = inputs[i]!;
        const { reply, close } = await roundTrip(ws, input, 10_000);
        let problem: string | null;
        if (input.expect.kind === 'close')
          problem =
            close === input.expect.code
              ? null
              : `${input.label}: expected close ${input.expect.code}, got ${close ?? 'a reply'}`;
        else if (reply) problem = judge(input, reply);
        else
          problem = `${input.label}: ${close === undefined ? 'no reply within 10 s' : `closed with ${close}`}`;
        if (problem) problems.push(`#${i}: ${problem}`);
        const outcome =
          typeof reply?.error?.code === 'string' ? reply.error.code : `close ${close ?? 'none'}`;
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        if (ws.readyState !== WebSocket.OPEN) {
          ws.terminate();
          ws = await openClient(t);
        }
      }
      ws.close();
    }),
  );
  return { tried: count, problems, outcomes };
}

export const FUZZERS: Record<
  FuzzKind,
  (t: FuzzTarget, r: Rng, count: number) => Promise<BatchResult>
> = {
  http: fuzzHttp,
  upgrade: fuzzUpgrade,
  frames: fuzzFrames,
  api: fuzzApi,
};

/** A normal client still works: the console page loads and app.info answers over a fresh socket. */
export async function normalClientWorks(t: FuzzTarget): Promise<string | null> {
  const { received } = await exchange(
    t.port,
    `GET /?token=${t.token} HTTP/1.1${CRLF}Host: 127.0.0.1:${t.port}${CRLF}Connection: close${CRLF}${CRLF}`,
    5_000,
  );
  if (statusOf(received) !== 200) return `the console page answered ${statusOf(received)}`;
  let ws: WebSocket;
  try {
    ws = await openClient(t);
  } catch (error) {
    return `the API socket did not open: ${String(error)}`;
  }
  const { reply } = await roundTrip(
    ws,
    {
      data: JSON.stringify({ type: 'request', id: 'health', command: 'app.info' }),
      expect: { kind: 'bad-json' },
      label: 'health',
    },
    10_000,
  );
  ws.close();
  const ok = reply as (Reply & { id?: unknown }) | undefined;
  if (!ok || ok.ok !== true || ok.id !== 'health')
    return `app.info did not answer: ${JSON.stringify(reply)}`;
  return null;
}
