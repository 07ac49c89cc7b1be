/** API round trips: in-process dispatch vs the headless WebSocket transport, same engine, same run. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createApiClient } from '../electron/engine/api/client.js';
import { Engine } from '../electron/engine/index.js';
import { startHeadlessServer } from '../electron/headless/index.js';
import { nodeWebSocketTransport } from '../test/support/ws-node.js';
import { type BenchSuite, ms, time } from './harness.js';

const quiet = { info() {}, warn() {}, error() {} };
const SAMPLES = 2_000;

const suite: BenchSuite = {
  title: 'API round trip',
  method: `\`settings.get\` (a store read plus schema validation both ways) and \`live.list\` (no I/O), ${SAMPLES} sequential requests each after a warm-up, through the in-process client and through the headless WebSocket on loopback. The ratio is WebSocket / in-process.`,
  async run() {
    const dataDir = await mkdtemp(join(tmpdir(), 'outbound-bench-api-'));
    const engine = await Engine.start({
      dataDir,
      transport: 'websocket',
      version: 'bench',
      log: quiet,
    });
    const server = await startHeadlessServer({ api: engine, rendererDir: tmpdir(), log: quiet });
    const transport = nodeWebSocketTransport(
      `ws://127.0.0.1:${server.port}/api?token=${server.token}`,
    );
    await transport.ready();
    const ws = createApiClient(transport);
    const local = createApiClient({
      request: (m) => engine.handle(m),
      onEvent: (l) => engine.subscribe(l),
    });
    try {
      const rows = [];
      for (const command of ['settings.get', 'live.list'] as const) {
        const inProcess = await time(() => local.request(command), SAMPLES);
        const overWs = await time(() => ws.request(command), SAMPLES);
        rows.push(
          {
            name: `${command}, in-process`,
            values: {
              median: ms(inProcess.medianMs),
              p95: ms(inProcess.p95Ms),
              p99: ms(inProcess.p99Ms),
              'ratio (median)': '1.00',
            },
          },
          {
            name: `${command}, WebSocket`,
            values: {
              median: ms(overWs.medianMs),
              p95: ms(overWs.p95Ms),
              p99: ms(overWs.p99Ms),
              'ratio (median)': (overWs.medianMs / inProcess.medianMs).toFixed(2),
            },
          },
        );
      }
      return rows;
    } finally {
      transport.close();
      await server.close();
      await engine.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
export default suite;
