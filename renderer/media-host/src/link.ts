/**
 * The page's end of the link to the engine: JSON text for commands, replies and events, binary for
 * audio frames. In Electron the shell hands the page a MessagePort (through the media host's
 * preload, by window.postMessage); headless the page opens the engine's loopback WebSocket with
 * the one-time link secret from its own URL's fragment (#link=…; the console's token does not open
 * the link).
 */
import { MEDIA_HOST_LINK_PATH } from '../../../electron/engine/api/media-host.js';

export interface EngineLink {
  sendText(text: string): void;
  /** Sends the bytes of `view`; the caller may reuse its buffer right after (the link copies). */
  sendBinary(view: Uint8Array<ArrayBuffer>): void;
  onText(listener: (text: string) => void): void;
  onBinary(listener: (buffer: ArrayBuffer) => void): void;
  onClose(listener: (reason: string) => void): void;
  /** Bytes sent and not yet handed to the network (a WebSocket's bufferedAmount; 0 on a port). */
  bufferedBytes(): number;
}

const PORT_MESSAGE = 'outbound:media-host-port';

/** Waits for whichever link this page gets: a MessagePort from the Electron shell, or the WebSocket. */
export function connectToEngine(location: Location): Promise<EngineLink> {
  const secret = new URLSearchParams(location.hash.slice(1)).get('link');
  if (secret) return openWebSocketLink(location, secret);
  return new Promise((resolve) => {
    const onMessage = (event: MessageEvent): void => {
      if (event.source !== window || event.data !== PORT_MESSAGE || !event.ports[0]) return;
      window.removeEventListener('message', onMessage);
      resolve(portLink(event.ports[0]));
    };
    window.addEventListener('message', onMessage);
  });
}

function openWebSocketLink(location: Location, secret: string): Promise<EngineLink> {
  const url = `ws://${location.host}${MEDIA_HOST_LINK_PATH}?secret=${encodeURIComponent(secret)}`;
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  const textListeners: Array<(text: string) => void> = [];
  const binaryListeners: Array<(buffer: ArrayBuffer) => void> = [];
  const closeListeners: Array<(reason: string) => void> = [];
  socket.addEventListener('message', (event: MessageEvent<string | ArrayBuffer>) => {
    if (typeof event.data === 'string') for (const l of textListeners) l(event.data);
    else for (const l of binaryListeners) l(event.data);
  });
  socket.addEventListener('close', (event) => {
    for (const l of closeListeners)
      l(`WebSocket closed (${event.code}${event.reason ? `: ${event.reason}` : ''})`);
  });
  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () =>
      resolve({
        sendText: (text) => socket.readyState === WebSocket.OPEN && socket.send(text),
        sendBinary: (view) => socket.readyState === WebSocket.OPEN && socket.send(view),
        onText: (l) => textListeners.push(l),
        onBinary: (l) => binaryListeners.push(l),
        onClose: (l) => closeListeners.push(l),
        bufferedBytes: () => socket.bufferedAmount,
      }),
    );
    socket.addEventListener('error', () =>
      reject(new Error(`Cannot reach the engine at ${url.replace(/secret=[^&]+/, 'secret=…')}`)),
    );
  });
}

function portLink(port: MessagePort): EngineLink {
  const textListeners: Array<(text: string) => void> = [];
  const binaryListeners: Array<(buffer: ArrayBuffer) => void> = [];
  const closeListeners: Array<(reason: string) => void> = [];
  port.onmessage = (event: MessageEvent<string | ArrayBuffer>) => {
    if (typeof event.data === 'string') for (const l of textListeners) l(event.data);
    else if (event.data instanceof ArrayBuffer) for (const l of binaryListeners) l(event.data);
  };
  port.addEventListener('close', () => {
    for (const l of closeListeners) l('MessagePort closed');
  });
  port.start();
  return {
    sendText: (text) => port.postMessage(text),
    sendBinary: (view) => {
      const copy = view.slice();
      port.postMessage(copy.buffer, [copy.buffer]);
    },
    onText: (l) => textListeners.push(l),
    onBinary: (l) => binaryListeners.push(l),
    onClose: (l) => closeListeners.push(l),
    bufferedBytes: () => 0,
  };
}
