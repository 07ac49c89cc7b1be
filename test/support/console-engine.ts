/**
 * An engine and the headless server in this test's process, for console tests that drive the
 * built console in Chromium and set up the store directly: a fresh workspace, the WebSocket
 * transport, quiet logs, the built renderer served on a free loopback port.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Engine } from '../../electron/engine/index.js';
import { type HeadlessServer, startHeadlessServer } from '../../electron/headless/index.js';
import { SCREENSHOT_DIR } from './chromium.js';
import { assertBuilt, ROOT } from './serve.js';

const quietLog = { info() {}, warn() {}, error() {} };

export interface ConsoleEngine {
  dataDir: string;
  engine: Engine;
  server: HeadlessServer;
  /** Closes the server, stops the engine and removes the workspace. */
  stop(): Promise<void>;
}

/** `name` names the workspace folder; `media` serves recordings through the engine. */
export async function startConsoleEngine(
  name: string,
  options: { media?: boolean } = {},
): Promise<ConsoleEngine> {
  assertBuilt();
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const dataDir = await mkdtemp(join(tmpdir(), `outbound-e2e-${name}-`));
  const engine = await Engine.start({
    dataDir,
    transport: 'websocket',
    version: '0.0.0-e2e',
    log: quietLog,
    actor: 'console',
  });
  const server = await startHeadlessServer({
    api: engine,
    rendererDir: join(ROOT, 'out', 'renderer'),
    port: 0,
    log: quietLog,
    ...(options.media ? { media: (mediaPath, from) => engine.mediaFile(mediaPath, from) } : {}),
  });
  return {
    dataDir,
    engine,
    server,
    stop: async () => {
      await server.close();
      await engine.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
