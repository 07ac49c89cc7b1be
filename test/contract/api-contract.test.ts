/**
 * One contract suite, run over every transport the API has: in-process, the headless WebSocket,
 * and Electron IPC (the real main-side wiring and the real preload bridge, over stand-ins for
 * ipcMain/ipcRenderer). Each run starts a real engine on a real SQLite file in a temp folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ClientTransport, type OutboundApi } from '../../electron/engine/api/client.js';
import { ApiError } from '../../electron/engine/api/errors.js';
import type { EventMessage } from '../../electron/engine/api/messages.js';
import { Engine } from '../../electron/engine/index.js';
import { startHeadlessServer, type HeadlessServer } from '../../electron/headless/index.js';
import { registerApiIpc, trustedUrlMatcher } from '../../electron/main/ipc.js';
import { createOutboundBridge } from '../../electron/preload/bridge.js';
import { FakeElectronIpc } from '../support/fake-electron-ipc.js';
import { nodeWebSocketTransport, sendRawFrame } from '../support/ws-node.js';

interface Harness {
  engine: Engine;
  api: OutboundApi;
  /** Sends a message exactly as given, past the typed client, and returns the raw reply. */
  sendRaw(message: unknown): Promise<unknown>;
  close(): Promise<void>;
}

type HarnessFactory = (engine: Engine) => Promise<Omit<Harness, 'engine'>>;

const transports: Array<[string, HarnessFactory]> = [
  [
    'in-process',
    async (engine) => {
      const transport: ClientTransport = {
        request: async (message) => structuredClone(await engine.handle(structuredClone(message))),
        onEvent: (listener) => engine.subscribe((message) => listener(structuredClone(message))),
      };
      return { api: createApiClient(transport), sendRaw: (raw) => engine.handle(raw), close: async () => {} };
    },
  ],
  [
    'websocket (headless)',
    async (engine) => {
      const server: HeadlessServer = await startHeadlessServer({ api: engine, rendererDir: tmpdir(), port: 0, log: quietLog });
      const wsUrl = `ws://127.0.0.1:${server.port}/api?token=${server.token}`;
      const transport = nodeWebSocketTransport(wsUrl);
      await transport.ready();
      return {
        api: createApiClient(transport),
        sendRaw: async (raw) => (await sendRawFrame(wsUrl, typeof raw === 'string' ? raw : JSON.stringify(raw))).reply,
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
      const bridge = createOutboundBridge(ipc.ipcRenderer);
      return {
        api: createApiClient(bridge),
        sendRaw: (raw) => ipc.ipcRenderer.invoke('outbound:request', raw),
        close: async () => dispose(),
      };
    },
  ],
];

const quietLog = { info() {}, warn() {}, error() {} };

describe.each(transports)('API contract over %s', (_name, makeHarness) => {
  let dataDir: string;
  let h: Harness;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'outbound-contract-'));
    const engine = await Engine.start({ dataDir, transport: 'in-process', version: '0.0.0-test', log: quietLog });
    h = { engine, ...(await makeHarness(engine)) };
  });

  afterAll(async () => {
    await h.close();
    await h.engine.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function expectApiError(promise: Promise<unknown>, code: string, pattern?: RegExp): Promise<ApiError> {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.code).toBe(code);
    if (pattern) expect(apiError.message).toMatch(pattern);
    return apiError;
  }

  it('reports what it is running on', async () => {
    const info = await h.api.request('app.info');
    expect(info.name).toBe('Outbound Console');
    expect(info.dataDir).toBe(dataDir);
    expect(info.databasePath.startsWith(dataDir)).toBe(true);
    expect(info.schemaVersion).toBeGreaterThanOrEqual(1);
  });

  it('starts with the default settings', async () => {
    const settings = await h.api.request('settings.get');
    expect(settings).toMatchObject({ language: 'zh-CN', defaultRegion: 'CN', ringTimeoutMs: 30_000 });
  });

  it('stores a settings change, returns it and tells every subscriber', async () => {
    const seen: string[] = [];
    const off = h.api.on('settings.changed', (settings) => seen.push(settings.language));
    const updated = await h.api.request('settings.update', { changes: { language: 'en', ringTimeoutMs: 25_000 } });
    expect(updated).toMatchObject({ language: 'en', ringTimeoutMs: 25_000 });
    expect(await h.api.request('settings.get')).toMatchObject({ language: 'en', ringTimeoutMs: 25_000 });
    await expect.poll(() => seen).toContain('en');
    off();
  });

  it('refuses an out-of-range setting, names the field and stores nothing', async () => {
    const before = await h.api.request('settings.get');
    const error = await expectApiError(h.api.request('settings.update', { changes: { ringTimeoutMs: 10, language: 'zh-CN' } }), 'INVALID_PARAMS', /ringTimeoutMs/);
    expect(error.field).toBe('changes.ringTimeoutMs');
    expect(await h.api.request('settings.get')).toEqual(before);
  });

  it('refuses an unknown setting by name', async () => {
    const raw = await h.sendRaw({ type: 'request', id: 7, command: 'settings.update', params: { changes: { colour: 'red' } } });
    expect(raw).toMatchObject({ type: 'response', id: 7, ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(JSON.stringify(raw)).toContain('colour');
  });

  it('refuses a command outside the contract', async () => {
    const raw = await h.sendRaw({ type: 'request', id: 'x1', command: 'store.dropEverything', params: {} });
    expect(raw).toMatchObject({ id: 'x1', ok: false, error: { code: 'UNKNOWN_COMMAND' } });
  });

  it.each([
    ['no id', { type: 'request', command: 'settings.get' }, /id/],
    ['wrong type', { type: 'reqest', id: 1, command: 'settings.get' }, /type/],
    ['not an object', 42, /Request message/],
    ['null', null, /Request message/],
  ])('answers a malformed message (%s) with BAD_MESSAGE and keeps serving', async (_case, message, pattern) => {
    const raw = (await h.sendRaw(message)) as { ok: boolean; error: { code: string; message: string } };
    expect(raw.ok).toBe(false);
    expect(raw.error.code).toBe('BAD_MESSAGE');
    expect(raw.error.message).toMatch(pattern);
    expect((await h.api.request('app.info')).name).toBe('Outbound Console');
  });

  it('says NOT_FOUND for a call that does not exist', async () => {
    await expectApiError(h.api.request('calls.get', { id: 'no-such-call' }), 'NOT_FOUND', /no-such-call/);
  });

  it('lists stored calls newest first, with their contact and transcript', async () => {
    expect(await h.api.request('calls.list')).toEqual({ calls: [], total: 0 });
    const store = h.engine.store;
    const list = await store.contacts.createList({ name: `list-${_name}` });
    await store.contacts.upsertContacts(list.id, [{ phone: '+8613800138000', name: '张伟' }]);
    const [contact] = await store.contacts.contacts(list.id);
    await store.calls.create({ id: 'c-old', number: '+8613800138000', startedAt: 1_000, contactId: contact!.id });
    await store.calls.create({ id: 'c-new', number: '+8613800138001', startedAt: 2_000 });
    await store.calls.update('c-old', { state: 'done', outcome: 'completed', answeredAt: 1_500, endedAt: 9_500 }, { at: 9_500, type: 'ended' });
    await store.calls.addUtterance('c-old', { speaker: 'customer', text: '我已经还了', startMs: 1_000, endMs: 2_200, intent: 'paid', confidence: 0.93 });

    const { calls, total } = await h.api.request('calls.list', { limit: 10 });
    expect(total).toBe(2);
    expect(calls.map((c) => c.id)).toEqual(['c-new', 'c-old']);
    expect(calls[1]).toMatchObject({ contactName: '张伟', outcome: 'completed', durationMs: 8_000 });

    const found = await h.api.request('calls.list', { search: '已经还' });
    expect(found.calls.map((c) => c.id)).toEqual(['c-old']);

    const detail = await h.api.request('calls.get', { id: 'c-old' });
    expect(detail.utterances).toEqual([{ speaker: 'customer', text: '我已经还了', intent: 'paid', confidence: 0.93, startMs: 1_000, endMs: 2_200, cutAtMs: null }]);
    expect(detail.events.map((e) => e.type)).toEqual(['created', 'ended']);
  });

  it('creates an agent, tells subscribers, and refuses a taken username', async () => {
    const changes: number[] = [];
    const off = h.api.on('agents.changed', ({ agents }) => changes.push(agents.length));
    const agent = await h.api.request('agents.create', { username: 'li.na', displayName: '李娜', skills: ['billing'] });
    expect(agent).toMatchObject({ username: 'li.na', displayName: '李娜', role: 'agent', skills: ['billing'], status: 'offline' });
    await expect.poll(() => changes).toEqual([1]);
    const taken = await expectApiError(h.api.request('agents.create', { username: 'li.na', displayName: 'Another' }), 'CONFLICT', /li\.na/);
    expect(taken.field).toBe('username');
    const bad = await expectApiError(h.api.request('agents.create', { username: 'Li Na', displayName: 'x' }), 'INVALID_PARAMS');
    expect(bad.field).toBe('username');
    off();
  });

  it('numbers events so a client can tell when it missed one', async () => {
    const seqs: number[] = [];
    const off = h.engine.subscribe((message: EventMessage) => seqs.push(message.seq));
    await h.api.request('settings.update', { changes: { recordCalls: false } });
    await h.api.request('settings.update', { changes: { recordCalls: true } });
    off();
    expect(seqs).toHaveLength(2);
    expect(seqs[1]).toBe(seqs[0]! + 1);
  });
});
