import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseRange } from './media.js';
import { type HeadlessServer, startHeadlessServer } from './server.js';

const quietLog = { info() {}, warn() {}, error() {} };

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('parseRange', () => {
  it('reads one byte range, open-ended and suffix forms', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=95-200', 100)).toEqual({ start: 95, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-1', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
    expect(parseRange('items=0-1', 100)).toBeNull();
  });
});

describe('parseRange on random headers', () => {
  it('never throws and only returns a range inside the file (20,000 seeded inputs)', () => {
    // mulberry32, seeded: the same inputs on every run.
    let state = 20_261_206;
    const random = (): number => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const digits = (): string =>
      pick(['', '0', '1', '00001', String(Math.floor(random() * 5000)), '9'.repeat(400)]);
    for (let i = 0; i < 20_000; i++) {
      const size = pick([0, 1, 2, 1000, Math.floor(random() * 1e9)]);
      const header = pick([
        `bytes=${digits()}-${digits()}`,
        ` bytes=${digits()}-${digits()} `,
        `bytes=${digits()}-${digits()},${digits()}-${digits()}`,
        `bytes=-${digits()}`,
        `bytes=${digits()}`,
        `bytes=${digits()}.5-${digits()}`,
        `items=${digits()}-${digits()}`,
        String.fromCharCode(...Array.from({ length: 12 }, () => Math.floor(random() * 128))),
      ]);
      const range = parseRange(header, size);
      if (range === null || range === 'unsatisfiable') continue;
      expect(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end), header).toBe(
        true,
      );
      expect(range.start >= 0 && range.start <= range.end && range.end < size, header).toBe(true);
    }
  });
});

describe('GET /media/…', () => {
  let dir: string;
  let server: HeadlessServer;
  const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
  let closed = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbound-media-'));
    server = await startHeadlessServer({
      api: {
        handle: async () => ({ type: 'response', id: null, ok: true, result: null }),
        subscribe: () => () => {},
      },
      rendererDir: dir,
      port: 0,
      log: quietLog,
      media: async (mediaPath) =>
        mediaPath === 'recordings/c1'
          ? {
              contentType: 'audio/wav',
              size: bytes.length,
              // As a recording's reader does: only the bytes asked for, decrypted on the way.
              stream: (start, end) => Readable.from([bytes.subarray(start, end + 1)]),
              close: async () => {
                closed++;
              },
            }
          : null,
    });
  });

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const host = () => ({ Host: `127.0.0.1:${server.port}` });

  it('needs the token (query or the session cookie)', async () => {
    expect((await get(server.port, '/media/recordings/c1', host())).status).toBe(401);
    const withQuery = await get(server.port, `/media/recordings/c1?token=${server.token}`, host());
    expect(withQuery.status).toBe(200);
    const cookie = String(withQuery.headers['set-cookie']).split(';')[0]!;
    expect(
      (await get(server.port, '/media/recordings/c1', { ...host(), Cookie: cookie })).status,
    ).toBe(200);
  });

  it('serves the whole file, or the range asked for with 206', async () => {
    const whole = await get(server.port, `/media/recordings/c1?token=${server.token}`, host());
    expect(whole.headers['content-type']).toBe('audio/wav');
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.body.equals(bytes)).toBe(true);
    const part = await get(server.port, `/media/recordings/c1?token=${server.token}`, {
      ...host(),
      Range: 'bytes=100-199',
    });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 100-199/1000');
    expect(part.body.equals(bytes.subarray(100, 200))).toBe(true);
    const tail = await get(server.port, `/media/recordings/c1?token=${server.token}`, {
      ...host(),
      Range: 'bytes=-10',
    });
    expect(tail.body.equals(bytes.subarray(990))).toBe(true);
    const beyond = await get(server.port, `/media/recordings/c1?token=${server.token}`, {
      ...host(),
      Range: 'bytes=5000-',
    });
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe('bytes */1000');
    // Every source opened for a response is closed again (a recording's reader holds a file).
    const before = closed;
    await get(server.port, `/media/recordings/c1?token=${server.token}`, host());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(before + 1);
  });

  it('answers 404 for media the resolver does not know', async () => {
    expect(
      (await get(server.port, `/media/recordings/nope?token=${server.token}`, host())).status,
    ).toBe(404);
    expect((await get(server.port, `/media/%E0%A4%A?token=${server.token}`, host())).status).toBe(
      400,
    );
  });
});
