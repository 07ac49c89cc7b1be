import { describe, expect, it } from 'vitest';

import { FakeElectronIpc } from '../../test/support/fake-electron-ipc.js';
import type { EventMessage, ResponseMessage } from '../engine/api/messages.js';
import { EventHub } from '../engine/events/index.js';
import { createOutboundBridge } from '../preload/bridge.js';
import { registerApiIpc } from './ipc.js';
import { exactPageMatcher } from './shell-policy.js';

function setUp(senderUrl: string) {
  const ipc = new FakeElectronIpc(senderUrl);
  const hub = new EventHub();
  const requests: unknown[] = [];
  // The window's sign-in as the engine's connection would report it.
  const session = { signedIn: true, connections: 0 };
  const dispose = registerApiIpc(ipc.ipcMain, {
    api: {
      connect: () => {
        session.connections++;
        return {
          handle: async (raw): Promise<ResponseMessage> => {
            requests.push(raw);
            return { type: 'response', id: 1, ok: true, result: 'handled' };
          },
          // What the engine's connection does: nothing while signed out (roles.ts decides the rest).
          eventFor: (message: EventMessage) => (session.signedIn ? message : null),
        };
      },
      subscribe: (subscriber) => hub.subscribe(subscriber),
    },
    isTrustedUrl: exactPageMatcher(['file:///app/out/renderer/console/index.html']),
    targets: () => [ipc.webContents],
  });
  const bridge = createOutboundBridge(ipc.ipcRenderer);
  /** A first request opens the window's connection (events go only to a signed-in one). */
  const connect = () =>
    bridge.request({ type: 'request', id: 0, command: 'auth.status', params: {} });
  return { ipc, hub, requests, dispose, bridge, session, connect };
}

describe('Electron IPC wiring', () => {
  it('passes requests from our own pages to the engine', async () => {
    const { bridge, requests } = setUp('file:///app/out/renderer/console/index.html');
    const reply = await bridge.request({ type: 'request', id: 1, command: 'app.info', params: {} });
    expect(reply).toMatchObject({ ok: true, result: 'handled' });
    expect(requests).toHaveLength(1);
  });

  it.each([
    'https://evil.example/',
    'file:///tmp/downloaded.html',
    'file:///app/out/renderer/console/evil.html',
    'file:///app/out/renderer/media-host/index.html',
  ])('refuses requests from %s', async (url) => {
    const { bridge, requests } = setUp(url);
    const reply = await bridge.request({
      type: 'request',
      id: 1,
      command: 'app.info',
      params: {},
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE' } });
    expect(requests).toHaveLength(0);
  });

  it('the bridge refuses commands outside the contract without touching IPC', async () => {
    const { bridge, requests } = setUp('file:///app/out/renderer/console/index.html');
    const reply = await bridge.request({
      type: 'request',
      id: 9,
      command: 'shell.exec',
      params: { cmd: 'rm -rf /' },
    });
    expect(reply).toMatchObject({ id: 9, ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    expect(requests).toHaveLength(0);
  });

  it('keeps one connection per window', async () => {
    const { bridge, session } = setUp('file:///app/out/renderer/console/index.html');
    await bridge.request({ type: 'request', id: 1, command: 'app.info', params: {} });
    await bridge.request({ type: 'request', id: 2, command: 'app.info', params: {} });
    expect(session.connections).toBe(1);
  });

  it('sends no events to a window that is not signed in', async () => {
    const { bridge, hub, session, connect } = setUp('file:///app/out/renderer/console/index.html');
    const received: unknown[] = [];
    bridge.onEvent((message) => received.push(message));
    hub.emit('engine.status', { state: 'ready', at: 1 });
    await connect();
    session.signedIn = false;
    hub.emit('engine.status', { state: 'ready', at: 2 });
    expect(received).toHaveLength(0);
    session.signedIn = true;
    hub.emit('engine.status', { state: 'ready', at: 3 });
    expect(received).toHaveLength(1);
  });

  it('delivers engine events to windows, without the IPC event object, until disposed', async () => {
    const { bridge, hub, dispose, ipc, connect } = setUp(
      'file:///app/out/renderer/console/index.html',
    );
    await connect();
    const received: unknown[][] = [];
    const off = bridge.onEvent((...args) => received.push(args));
    hub.emit('engine.status', { state: 'ready', at: 5 });
    expect(received).toEqual([
      [{ type: 'event', event: 'engine.status', data: { state: 'ready', at: 5 }, seq: 1 }],
    ]);
    off();
    hub.emit('engine.status', { state: 'ready', at: 6 });
    expect(received).toHaveLength(1);
    dispose();
    expect(ipc.handlerCount()).toBe(0);
  });

  it('sends events only to windows showing the console page (not the media host)', async () => {
    const { bridge, hub, ipc, connect } = setUp('file:///app/out/renderer/console/index.html');
    await connect();
    const received: unknown[] = [];
    bridge.onEvent((message) => received.push(message));
    ipc.senderUrl = 'outbound-app://app/media-host/index.html';
    hub.emit('engine.status', { state: 'ready', at: 1 });
    ipc.senderUrl = 'https://evil.example/';
    hub.emit('engine.status', { state: 'ready', at: 2 });
    expect(received).toHaveLength(0);
    ipc.senderUrl = 'file:///app/out/renderer/console/index.html#/history';
    hub.emit('engine.status', { state: 'ready', at: 3 });
    expect(received).toHaveLength(1);
  });

  it('skips destroyed windows', async () => {
    const { bridge, hub, ipc, connect } = setUp('file:///app/out/renderer/console/index.html');
    await connect();
    const received: unknown[] = [];
    bridge.onEvent((message) => received.push(message));
    ipc.destroyed = true;
    hub.emit('engine.status', { state: 'stopping', at: 1 });
    expect(received).toHaveLength(0);
  });
});
