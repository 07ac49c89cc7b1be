/**
 * The API's three transports for contract suites: in-process, the headless WebSocket, and Electron
 * IPC (the real main-side wiring and preload bridge over stand-ins for ipcMain/ipcRenderer). A
 * suite runs `describe.each(API_TRANSPORTS)` against a real engine on a real SQLite file, which
 * `useContractEngine` starts and stops around the describe block; and once more over the WebSocket
 * (a signed-in admin, like the console) on a real PostgreSQL store (test/support/postgres.ts: the store backend is the same contract; the
 * transports need not be crossed with it).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, expect } from 'vitest';
import WebSocket from 'ws';

import {
  type ClientTransport,
  createApiClient,
  type OutboundApi,
} from '../../electron/engine/api/client.js';
import type { UserRole, WhoAmI } from '../../electron/engine/api/contract.js';
import { ApiError } from '../../electron/engine/api/errors.js';
import { Engine } from '../../electron/engine/index.js';
import { type HeadlessServer, startHeadlessServer } from '../../electron/headless/index.js';
import { registerApiIpc } from '../../electron/main/ipc.js';
import { exactPageMatcher } from '../../electron/main/shell-policy.js';
import { createOutboundBridge } from '../../electron/preload/bridge.js';
import { FakeElectronIpc } from './fake-electron-ipc.js';
import { freshPostgresUrl } from './postgres.js';
import { nodeWebSocketTransport } from './ws-node.js';

export interface TransportHarness {
  api: OutboundApi;
  /**
   * Sends a message exactly as given, past the typed client, and returns the raw reply: on the
   * harness's own connection (IPC), or a fresh socket that first takes up `session` (WebSocket).
   */
  sendRaw(message: unknown, session?: string): Promise<unknown>;
  close(): Promise<void>;
}

/** The password every test user gets (tests only). */
export const TEST_PASSWORD = 'test-password-1';

/**
 * Signs `api`'s connection in as a user of `role` (made once per engine, named `test-<role>`
 * unless named): a transport's connection starts signed out (issue 13). In-process requests are
 * the local admin whatever this does. Returns the session token (for raw frames) and the user.
 */
export async function signInAs(
  engine: Engine,
  api: OutboundApi,
  role: UserRole = 'admin',
  username = `test-${role}`,
): Promise<{ token: string; user: WhoAmI }> {
  await engine
    .request('users.add', { username, role, password: TEST_PASSWORD })
    .catch((error: unknown) => {
      // Made by an earlier sign-in on this engine.
      if (!(error instanceof ApiError && error.code === 'CONFLICT')) throw error;
    });
  return api.request('auth.signIn', { username, password: TEST_PASSWORD });
}

export type TransportFactory = (engine: Engine) => Promise<TransportHarness>;

export const quietLog = { info() {}, warn() {}, error() {} };

const inProcess: TransportFactory = async (engine) => {
  const transport: ClientTransport = {
    request: async (message) => structuredClone(await engine.handle(structuredClone(message))),
    onEvent: (listener) => engine.subscribe((message) => listener(structuredClone(message))),
  };
  return {
    api: createApiClient(transport),
    sendRaw: (raw) => engine.handle(raw),
    close: async () => {},
  };
};

const webSocket: TransportFactory = async (engine) => {
  const server: HeadlessServer = await startHeadlessServer({
    api: engine,
    rendererDir: tmpdir(),
    port: 0,
    log: quietLog,
  });
  const wsUrl = `ws://127.0.0.1:${server.port}/api?token=${server.token}`;
  const transport = nodeWebSocketTransport(wsUrl);
  await transport.ready();
  return {
    api: createApiClient(transport),
    sendRaw: (raw, session) =>
      rawFrameAfterResume(wsUrl, session, typeof raw === 'string' ? raw : JSON.stringify(raw)),
    close: async () => {
      transport.close();
      await server.close();
    },
  };
};

/** The same WebSocket transport (a signed-in admin), for an engine whose store is a fresh PostgreSQL database. */
const webSocketOnPostgres: TransportFactory = (engine) => webSocket(engine);

export const API_TRANSPORTS: Array<[string, TransportFactory]> = [
  ['in-process', inProcess],
  ['websocket (headless)', webSocket],
  ['websocket (headless), PostgreSQL store', webSocketOnPostgres],
  [
    'electron ipc (stand-ins)',
    async (engine) => {
      const ipc = new FakeElectronIpc('file:///app/out/renderer/console/index.html');
      const dispose = registerApiIpc(ipc.ipcMain, {
        api: engine,
        isTrustedUrl: exactPageMatcher(['file:///app/out/renderer/console/index.html']),
        targets: () => [ipc.webContents],
      });
      return {
        api: createApiClient(createOutboundBridge(ipc.ipcRenderer)),
        sendRaw: (raw) => ipc.ipcRenderer.invoke('outbound:request', raw),
        close: async () => dispose(),
      };
    },
  ],
];

/** A contract suite's engine and its transport, as `useContractEngine` hands them out. */
export interface ContractEngine {
  readonly engine: Engine;
  /** Signed in as an admin (`test-admin`). */
  readonly api: OutboundApi;
  sendRaw(message: unknown): Promise<unknown>;
  readonly dataDir: string;
}

/**
 * A real engine on a fresh data folder (named from `prefix`) behind one transport, started before
 * the describe block's tests and stopped after them. Its fields are read in hooks and tests.
 */
export function useContractEngine(makeHarness: TransportFactory, prefix: string): ContractEngine {
  let engine: Engine | undefined;
  let harness: TransportHarness | undefined;
  let dataDir: string | undefined;
  let session: string | undefined;
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error('the contract engine is used before its beforeAll ran');
    return value;
  };
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), prefix));
    engine = await Engine.start({
      dataDir,
      transport: 'in-process',
      version: '0.0.0-test',
      log: quietLog,
      // '' keeps SQLite even when OUTBOUND_DATABASE is set around the tests.
      database: makeHarness === webSocketOnPostgres ? await freshPostgresUrl() : '',
    });
    harness = await makeHarness(engine);
    session = (await signInAs(engine, harness.api, 'admin')).token;
  });
  afterAll(async () => {
    await harness?.close();
    await engine?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  return {
    get engine() {
      return ready(engine);
    },
    get api() {
      return ready(harness).api;
    },
    sendRaw: (message) => ready(harness).sendRaw(message, session),
    get dataDir() {
      return ready(dataDir);
    },
  };
}

/** The ApiError a request was refused with; the test fails when it was not refused so. */
export async function apiError(work: Promise<unknown>): Promise<ApiError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

/**
 * Opens a raw socket, takes up `session` (auth.resume) when given, sends one text frame and
 * resolves with its reply (or the close).
 */
function rawFrameAfterResume(
  url: string,
  session: string | undefined,
  frame: string,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let resumed = session === undefined;
    ws.on('open', () =>
      ws.send(
        resumed
          ? frame
          : JSON.stringify({
              type: 'request',
              id: 'resume',
              command: 'auth.resume',
              params: { token: session },
            }),
      ),
    );
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type?: string; id?: unknown; ok?: boolean };
      if (message.type !== 'response') return; // events
      if (!resumed) {
        if (message.ok !== true) reject(new Error(`auth.resume failed: ${data.toString()}`));
        resumed = true;
        ws.send(frame);
        return;
      }
      resolve(message);
      ws.close();
    });
    ws.on('close', (code, reason) => resolve({ closeCode: code, closeReason: reason.toString() }));
    ws.on('error', reject);
  });
}
