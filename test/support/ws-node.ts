/** The WebSocket client transport in Node, on the `ws` package. */
import WebSocket from 'ws';

import {
  createWebSocketTransport,
  type WebSocketLike,
  type WebSocketTransport,
} from '../../electron/engine/api/ws-client.js';

export function nodeWebSocketTransport(
  url: string,
  options: { reconnect?: boolean } = {},
): WebSocketTransport {
  return createWebSocketTransport(url, {
    createSocket: (target) => new WebSocket(target) as unknown as WebSocketLike,
    fatalCloseCodes: [4401],
    reconnect: options.reconnect ?? false,
  });
}

/** Opens a raw socket, sends one text frame and resolves with the first reply (or the close). */
export function sendRawFrame(
  url: string,
  frame: string | Buffer,
): Promise<{ reply?: unknown; closeCode?: number; closeReason?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('open', () => ws.send(frame, { binary: Buffer.isBuffer(frame) }));
    ws.on('message', (data) => {
      resolve({ reply: JSON.parse(data.toString()) });
      ws.close();
    });
    ws.on('close', (code, reason) => resolve({ closeCode: code, closeReason: reason.toString() }));
    ws.on('error', reject);
  });
}
