/**
 * The media host in the desktop app: a hidden, sandboxed window running renderer/media-host,
 * never throttled in the background, linked to the engine by a MessageChannelMain (JSON text for
 * commands and events, ArrayBuffers for audio frames). The engine's supervisor restarts it when
 * its renderer process dies. The page loads from `outbound-app://` (app-protocol.ts), whose
 * COOP/COEP headers make this window alone cross-origin isolated: SharedArrayBuffer for its audio
 * rings. From the dev server, the same headers are added to this window's responses.
 */
import { join } from 'node:path';

import { BrowserWindow, MessageChannelMain, type MessagePortMain } from 'electron';

import type {
  LaunchedMediaHost,
  MediaHostConnection,
  MediaHostLauncher,
} from '../engine/telephony/index.js';
import { APP_RESPONSE_HEADERS, pageUrl } from './shell-policy.js';

export interface MediaHostWindowPaths {
  outDir: string;
  devServerUrl: string | undefined;
}

const PORT_CHANNEL = 'outbound:media-host-port';

export function createElectronMediaHostLauncher(paths: MediaHostWindowPaths): MediaHostLauncher {
  return {
    async launch(): Promise<LaunchedMediaHost> {
      const window = new BrowserWindow({
        show: false,
        width: 320,
        height: 240,
        title: 'Outbound Console media host',
        webPreferences: {
          preload: join(paths.outDir, 'preload', 'media-host.cjs'),
          contextIsolation: true,
          sandbox: true,
          nodeIntegration: false,
          // Calls must not slow down because the window is hidden.
          backgroundThrottling: false,
          autoplayPolicy: 'no-user-gesture-required',
        },
      });
      window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
      window.webContents.on('will-navigate', (event) => event.preventDefault());
      const exited = new Promise<string>((resolve) => {
        window.webContents.on('render-process-gone', (_event, details) =>
          resolve(
            `the media host renderer died (${details.reason}, exit code ${details.exitCode})`,
          ),
        );
        window.on('closed', () => resolve('the media host window closed'));
      });
      if (paths.devServerUrl) isolateDevResponses(window);
      await window.loadURL(
        pageUrl('media-host', {
          rendererDir: join(paths.outDir, 'renderer'),
          devServerUrl: paths.devServerUrl,
        }),
      );
      const { port1, port2 } = new MessageChannelMain();
      window.webContents.postMessage(PORT_CHANNEL, null, [port2]);
      return {
        connection: portConnection(port1),
        exited,
        async stop() {
          port1.close();
          if (!window.isDestroyed()) window.destroy();
        },
        pids: () => (window.isDestroyed() ? [] : [window.webContents.getOSProcessId()]),
      };
    },
  };
}

/**
 * Development only: the dev server sends no COOP/COEP, so they are added to this window's own
 * responses (the console's, from the same server, are left alone).
 */
function isolateDevResponses(window: BrowserWindow): void {
  const id = window.webContents.id;
  window.webContents.session.webRequest.onHeadersReceived((details, callback) => {
    if (details.webContentsId !== id) {
      callback({});
      return;
    }
    const responseHeaders = { ...details.responseHeaders };
    for (const [name, value] of Object.entries(APP_RESPONSE_HEADERS)) {
      if (name.startsWith('Cross-Origin')) responseHeaders[name] = [value];
    }
    callback({ responseHeaders });
  });
}

function portConnection(port: MessagePortMain): MediaHostConnection {
  const closeListeners: Array<(reason: string) => void> = [];
  let textListener: ((text: string) => void) | null = null;
  let binaryListener: ((data: Uint8Array) => void) | null = null;
  port.on('close', () => {
    for (const listener of closeListeners) listener('MessagePort closed');
  });
  port.on('message', (event) => {
    const data: unknown = event.data;
    if (typeof data === 'string') textListener?.(data);
    else if (data instanceof ArrayBuffer) binaryListener?.(new Uint8Array(data));
    else if (data instanceof Uint8Array) binaryListener?.(data);
  });
  // A MessagePortMain queues messages until start(): start once the engine listens for text
  // (the page's first word, "ready", must not be lost).
  return {
    sendText: (text) => port.postMessage(text),
    sendBinary: (data) => port.postMessage(data),
    onText: (listener) => {
      textListener = listener;
      port.start();
    },
    onBinary: (listener) => {
      binaryListener = listener;
    },
    onClose: (listener) => closeListeners.push(listener),
    close: () => port.close(),
  };
}
