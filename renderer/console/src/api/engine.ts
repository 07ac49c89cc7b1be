/**
 * Picks the transport and tracks the connection state the header shows.
 *
 * - Electron: the preload exposes `window.outbound` (IPC); always connected.
 * - Headless / browser: the page came from http://127.0.0.1:PORT/?token=TOKEN. The token is kept in
 *   sessionStorage (so a reload still works), removed from the address bar, and used to open
 *   ws(s)://<host>/api?token=TOKEN. The server closes with 4401 when the token is wrong.
 */
import {
  ApiError,
  type ClientTransport,
  createApiClient,
  createWebSocketTransport,
  type OutboundApi,
  type WebSocketLike,
} from './contract.js';
import {
  engineSocketUrl,
  REFUSED_CLOSE_CODE,
  takeTokenFromHref,
  TOKEN_STORAGE_KEY,
} from './token.js';

export type ConnectionStatus =
  /** First attempt to reach the engine. */
  | 'connecting'
  | 'connected'
  /** The connection dropped; the transport retries by itself. */
  | 'reconnecting'
  /** The engine refused the token (close code 4401); retrying is pointless. */
  | 'refused'
  /** Served over http but without a token in the address or the session. */
  | 'no-token'
  /** Neither the Electron bridge nor an http origin: there is no engine to talk to. */
  | 'no-engine';

export type TransportKind = 'ipc' | 'websocket' | 'none';

export interface ConnectionSnapshot {
  readonly status: ConnectionStatus;
  /** Goes up each time the connection (re)opens, so data hooks know to load again. */
  readonly epoch: number;
  readonly transport: TransportKind;
}

export interface EngineConnection {
  readonly api: OutboundApi;
  /**
   * Where the transport serves a media path from the API (calls.recording's `mediaPath`, which
   * holds a grant for the signed-in user): the headless server's /media/… (same origin; the
   * session cookie is the token), or Electron's outbound-media:// scheme. Null when there is no
   * engine.
   */
  mediaUrl(mediaPath: string): string | null;
  getSnapshot(): ConnectionSnapshot;
  subscribe(listener: () => void): () => void;
}

function createStore(initial: ConnectionSnapshot) {
  let snapshot = initial;
  const listeners = new Set<() => void>();
  return {
    getSnapshot: () => snapshot,
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    set(next: Partial<ConnectionSnapshot>) {
      snapshot = { ...snapshot, ...next };
      for (const listener of listeners) listener();
    },
  };
}

/** A transport for pages with no engine: every request fails at once with UNAVAILABLE. */
function unavailableTransport(reason: string): ClientTransport {
  return {
    request: () => Promise.reject(new ApiError('UNAVAILABLE', reason)),
    onEvent: () => () => {},
  };
}

function offline(status: 'no-token' | 'no-engine', reason: string): EngineConnection {
  const store = createStore({ status, epoch: 0, transport: 'none' });
  return {
    api: createApiClient(unavailableTransport(reason)),
    ...media(() => null),
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
  };
}

function sessionStore(win: Window): Storage | null {
  try {
    return win.sessionStorage;
  } catch {
    return null; // Storage can be disabled (or throw on opaque origins); the token then lives only in memory.
  }
}

export function connectToEngine(win: Window = window): EngineConnection {
  if (win.outbound) {
    const store = createStore({ status: 'connected', epoch: 1, transport: 'ipc' });
    return {
      api: createApiClient(win.outbound),
      ...media((path) => `${MEDIA_SCHEME}://${path}`),
      getSnapshot: store.getSnapshot,
      subscribe: store.subscribe,
    };
  }

  const storage = sessionStore(win);
  const fromAddress = takeTokenFromHref(win.location.href);
  if (fromAddress.cleanedHref !== null) {
    // Take the token off the screen (and out of the history entry) before anything renders.
    win.history.replaceState(win.history.state, '', fromAddress.cleanedHref);
  }
  if (fromAddress.token !== null) storage?.setItem(TOKEN_STORAGE_KEY, fromAddress.token);
  const token = fromAddress.token ?? storage?.getItem(TOKEN_STORAGE_KEY) ?? null;

  if (engineSocketUrl(win.location, 'x') === null) {
    return offline(
      'no-engine',
      'This page was opened without the engine (no Electron bridge and no http origin)',
    );
  }
  if (token === null) return offline('no-token', 'The page address has no access token');
  const url = engineSocketUrl(win.location, token) as string;

  let lastCloseCode: number | null = null;
  const transport = createWebSocketTransport(url, {
    createSocket: (socketUrl) => {
      const socket = new WebSocket(socketUrl);
      // Registered before the transport sets onclose, so the code is known when its state changes.
      socket.addEventListener('close', (event) => {
        lastCloseCode = event.code;
      });
      // The DOM WebSocket fits WebSocketLike at run time; its handler types (Event, CloseEvent) are
      // wider than the transport's structural ones, so TypeScript needs the cast.
      return socket as unknown as WebSocketLike;
    },
    fatalCloseCodes: [REFUSED_CLOSE_CODE],
  });

  const store = createStore({ status: 'connecting', epoch: 0, transport: 'websocket' });
  let everOpened = false;
  transport.onState((state) => {
    const { epoch } = store.getSnapshot();
    if (state === 'open') {
      everOpened = true;
      store.set({ status: 'connected', epoch: epoch + 1 });
    } else if (state === 'closed' && lastCloseCode === REFUSED_CLOSE_CODE) {
      storage?.removeItem(TOKEN_STORAGE_KEY); // A refused token is useless on reload too.
      store.set({ status: 'refused' });
    } else {
      store.set({ status: everOpened ? 'reconnecting' : 'connecting' });
    }
  });
  if (transport.state === 'open') store.set({ status: 'connected', epoch: 1 });

  const origin = win.location.origin;
  return {
    api: createApiClient(transport),
    ...media((path) => `${origin}/media/${path}`),
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
  };
}

/** Electron's media scheme (electron/main/media-protocol.ts; not imported: the renderer has no Electron). */
const MEDIA_SCHEME = 'outbound-media';

function media(url: (mediaPath: string) => string | null): Pick<EngineConnection, 'mediaUrl'> {
  return { mediaUrl: url };
}
