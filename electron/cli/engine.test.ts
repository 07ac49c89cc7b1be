/**
 * Where a one-shot command runs (engine.ts), against real engines on real data folders: beside an
 * engine that holds the workspace it never opens the workspace itself, whether the holder's
 * server.json names a server that does not answer or there is no server.json at all; a server.json
 * left by a server that is gone (the lock is free) does not stop it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { Engine, silentLogger } from '../engine/index.js';
import { withWorkspaceApi } from './engine.js';
import { createOutput } from './output.js';
import { writeServerFile } from './server-file.js';

let dataDir: string;
/** Accepts connections and never says a word: a hung server, or one behind a silent firewall. */
let blackhole: Server;
let blackholePort: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  blackhole = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  blackholePort = (blackhole.address() as { port: number }).port;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => blackhole.close(resolve));
});
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'outbound-cli-engine-'));
  return () => rm(dataDir, { recursive: true, force: true });
});

function capture(): {
  out: ReturnType<typeof createOutput>;
  lines: () => Array<Record<string, unknown>>;
} {
  let text = '';
  const out = createOutput(true, {
    stdout: { write: (t: string) => (text += t) },
    stderr: { write: () => undefined },
  });
  return {
    out,
    lines: () =>
      text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const options = () => ({
  dataDir,
  version: 'test',
  log: silentLogger,
  command: 'outbound campaign status',
});

describe('a one-shot command beside a running engine', () => {
  it('reports a server that does not answer within 5 s and leaves the workspace alone', async () => {
    const serving = await Engine.start({
      dataDir,
      transport: 'websocket',
      version: 'test',
      holder: 'outbound serve',
    });
    try {
      await writeServerFile(dataDir, { host: '127.0.0.1', port: blackholePort, token: 'x' });
      const { out, lines } = capture();
      let ran = false;
      const started = performance.now();
      const code = await withWorkspaceApi(
        options(),
        out,
        async () => {
          ran = true;
          return 0;
        },
        () => 1,
      );
      expect(code).toBe(1);
      expect(ran).toBe(false);
      expect(performance.now() - started).toBeGreaterThanOrEqual(4_900);
      const [error] = lines();
      expect(error).toMatchObject({ event: 'error', code: 'SERVER_NOT_ANSWERING' });
      expect(error!.message).toMatch(
        new RegExp(
          `^The server at 127\\.0\\.0\\.1:${blackholePort} did not answer within 5 s; it holds this workspace \\(.*, outbound serve \\(pid ${process.pid}, since \\d\\d:\\d\\d\\)\\), so this command did not open it`,
        ),
      );
      // Its server.json is the live server's: left in place.
      expect(existsSync(join(dataDir, 'server.json'))).toBe(true);
      // The running engine still works: nothing was recovered or closed under it.
      expect(await serving.request('campaigns.list', {})).toEqual({ campaigns: [] });
    } finally {
      await serving.stop();
    }
  }, 20_000);

  it('without a server.json, refuses to open a held workspace and names the holder', async () => {
    const desktop = await Engine.start({
      dataDir,
      transport: 'ipc',
      version: 'test',
      holder: 'the desktop app',
    });
    try {
      const { out, lines } = capture();
      const code = await withWorkspaceApi(
        options(),
        out,
        () => Promise.resolve(0),
        () => 1,
      );
      expect(code).toBe(1);
      expect(lines()[0]).toMatchObject({ code: 'WORKSPACE_IN_USE' });
      expect(lines()[0]!.message).toMatch(
        /in use by the desktop app \(pid \d+, since \d\d:\d\d\); quit it, or do this in its console$/,
      );
    } finally {
      await desktop.stop();
    }
  });

  it('runs on the workspace when the server named by server.json is gone (its lock is free), and drops the stale file', async () => {
    await writeServerFile(dataDir, { host: '127.0.0.1', port: blackholePort, token: 'x' });
    const { out } = capture();
    let where = '';
    const code = await withWorkspaceApi(
      options(),
      out,
      async (request, target) => {
        where = target;
        expect(await request('campaigns.list', {})).toEqual({ campaigns: [] });
        return 0;
      },
      () => 1,
    );
    expect(code).toBe(0);
    expect(where).toBe('workspace');
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
    // …and gave the workspace back: another engine can take it.
    const next = await Engine.start({ dataDir, transport: 'in-process', version: 'test' });
    await next.stop();
  }, 20_000);
});
