/**
 * The API's three transports for contract suites: in-process, the headless WebSocket, and Electron
 * IPC (the real main-side wiring and preload bridge over stand-ins for ipcMain/ipcRenderer). A
 * suite runs `describe.each(API_TRANSPORTS)` against a real engine on a real SQLite file.
 * (test/contract/api-contract.test.ts has its own copy of these from before this helper.)
 */
import { tmpdir } from 'node:os';
import { createApiClient, type ClientTransport, type OutboundApi } from '../../electron/engine/api/client.js';
import type { Engine } from '../../electron/engine/index.js';
import { startHeadlessServer, type HeadlessServer } from '../../electron/headless/index.js';
import { registerApiIpc, trustedUrlMatcher } from '../../electron/main/ipc.js';
import { createOutboundBridge } from '../../electron/preload/bridge.js';
import { FakeElectronIpc } from './fake-electron-ipc.js';
import { nodeWebSocketTransport } from './ws-node.js';

export interface TransportHarness {
  api: OutboundApi;
  close(): Promise<void>;
}

export type TransportFactory = (engine: Engine) => Promise<TransportHarness>;

export const quietLog = { info() {}, warn() {}, error() {} };

export const API_TRANSPORTS: Array<[string, TransportFactory]> = [
  [
    'in-process',
    async (engine) => {
      const transport: ClientTransport = {
        request: async (message) => structuredClone(await engine.handle(structuredClone(message))),
        onEvent: (listener) => engine.subscribe((message) => listener(structuredClone(message))),
      };
      return { api: createApiClient(transport), close: async () => {} };
    },
  ],
  [
    'websocket (headless)',
    async (engine) => {
      const server: HeadlessServer = await startHeadlessServer({ api: engine, rendererDir: tmpdir(), port: 0, log: quietLog });
      const transport = nodeWebSocketTransport(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
      await transport.ready();
      return {
        api: createApiClient(transport),
        close: async () => {
          transport.close();
          await server.close();
        },
      };
    },
  ],
  [
    'electron ipc (stand-ins)',
    async (engine) => {
      const ipc = new FakeElectronIpc('file:///app/out/renderer/console/index.html');
      const dispose = registerApiIpc(ipc.ipcMain, {
        api: engine,
        isTrustedUrl: trustedUrlMatcher('file:///app/out/renderer/'),
        targets: () => [ipc.webContents],
      });
      return { api: createApiClient(createOutboundBridge(ipc.ipcRenderer)), close: async () => dispose() };
    },
  ],
];
