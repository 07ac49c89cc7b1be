/**
 * Client transport over the headless WebSocket. Works with the browser's WebSocket and with the
 * `ws` package in Node (pass its constructor), so the console, the CLI and the tests share it.
 * Reconnects with back-off; requests made while disconnected fail at once with UNAVAILABLE rather
 * than hanging, so the UI can say so.
 */
import type { ClientTransport } from './client.js';
import { ApiError } from './errors.js';
import type { RequestMessage } from './messages.js';

/** The part of the WebSocket interface this transport uses (browser and `ws` both have it). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((this: never, ev: never) => unknown) | null;
  onclose: ((this: never, ev: { code: number; reason: string }) => unknown) | null;
  onmessage: ((this: never, ev: { data: unknown }) => unknown) | null;
  onerror: ((this: never, ev: never) => unknown) | null;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface WebSocketTransport extends ClientTransport {
  readonly state: ConnectionState;
  onState(listener: (state: ConnectionState, detail?: string) => void): () => void;
  /** Resolves once connected (or rejects after `timeoutMs`). */
  ready(timeoutMs?: number): Promise<void>;
  close(): void;
}

export interface WebSocketTransportOptions {
  createSocket: WebSocketFactory;
  requestTimeoutMs?: number;
  reconnect?: boolean;
  /** Close codes after which reconnecting is pointless (e.g. the token was refused). */
  fatalCloseCodes?: number[];
}

const OPEN = 1;

export function createWebSocketTransport(
  url: string,
  options: WebSocketTransportOptions,
): WebSocketTransport {
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const pending = new Map<
    string | number,
    {
      resolve: (raw: unknown) => void;
      reject: (error: Error) => void;
      timer: ReturnType<typeof setTimeout>;
    }
  >();
  const eventListeners = new Set<(raw: unknown) => void>();
  const stateListeners = new Set<(state: ConnectionState, detail?: string) => void>();
  let state: ConnectionState = 'connecting';
  let socket: WebSocketLike;
  let closedByUs = false;
  let retryDelayMs = 250;

  const setState = (next: ConnectionState, detail?: string): void => {
    state = next;
    for (const listener of stateListeners) listener(next, detail);
  };

  const failPending = (reason: string): void => {
    for (const [id, entry] of pending) {
      clearTimeout(entry.timer);
      entry.reject(new ApiError('UNAVAILABLE', reason));
      pending.delete(id);
    }
  };

  const connect = (): void => {
    setState('connecting');
    socket = options.createSocket(url);
    socket.onopen = () => {
      retryDelayMs = 250;
      setState('open');
    };
    socket.onmessage = (ev: { data: unknown }) => {
      let message: unknown;
      try {
        message = JSON.parse(String(ev.data));
      } catch {
        return; // Not ours to interpret; the contract check below would reject it anyway.
      }
      const type = (message as { type?: unknown } | null)?.type;
      if (type === 'response') {
        const id = (message as { id?: string | number | null }).id;
        const entry = id === null || id === undefined ? undefined : pending.get(id);
        if (entry && id !== null && id !== undefined) {
          pending.delete(id);
          clearTimeout(entry.timer);
          entry.resolve(message);
        }
      } else if (type === 'event') {
        for (const listener of eventListeners) listener(message);
      }
    };
    socket.onerror = () => {};
    socket.onclose = (ev: { code: number; reason: string }) => {
      const detail = ev.reason || `connection closed (code ${ev.code})`;
      failPending(`The connection to the engine closed: ${detail}`);
      setState('closed', detail);
      const fatal = options.fatalCloseCodes?.includes(ev.code) ?? false;
      if (!closedByUs && !fatal && options.reconnect !== false) {
        setTimeout(connect, retryDelayMs);
        retryDelayMs = Math.min(retryDelayMs * 2, 5_000);
      }
    };
  };
  connect();

  return {
    get state() {
      return state;
    },
    request(message: RequestMessage) {
      if (socket.readyState !== OPEN) {
        return Promise.reject(new ApiError('UNAVAILABLE', 'Not connected to the engine'));
      }
      return new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(message.id);
          reject(
            new ApiError(
              'UNAVAILABLE',
              `${message.command}: no reply from the engine within ${requestTimeoutMs} ms`,
            ),
          );
        }, requestTimeoutMs);
        pending.set(message.id, { resolve, reject, timer });
        socket.send(JSON.stringify(message));
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    ready(timeoutMs = 10_000) {
      if (state === 'open') return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          off();
          reject(
            new ApiError(
              'UNAVAILABLE',
              `Could not connect to the engine at ${url.replace(/token=[^&]+/, 'token=…')} within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        const off = this.onState((next, detail) => {
          if (next === 'open') {
            clearTimeout(timer);
            off();
            resolve();
          } else if (next === 'closed' && options.fatalCloseCodes?.length && detail) {
            // Keep waiting for a reconnect unless the close was fatal; onclose handles that decision.
          }
        });
      });
    },
    close() {
      closedByUs = true;
      failPending('The client closed the connection');
      socket.close(1000, 'client closed');
    },
  };
}
