/**
 * Wires the engine's API onto Electron IPC: one `handle` for requests and one channel for events.
 * Each window (its webContents) is one API connection with its own sign-in (issue 13): it starts
 * signed out, and hears only the events its signed-in role may (roles.ts, EVENT_MAP).
 * Takes minimal interfaces instead of importing Electron, so the wiring is tested under Node with
 * stand-ins (see ipc.test.ts and the contract suite).
 */
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '../engine/api/ipc-channels.js';
import type { EventMessage, ResponseMessage } from '../engine/api/messages.js';

/** The slice of Electron's `ipcMain` used here. */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown,
  ): void;
  removeHandler(channel: string): void;
}

export interface IpcInvokeEventLike {
  /** The frame that sent the request; null when it has navigated away or been destroyed. */
  senderFrame: { url: string } | null;
  /** The window's webContents (the same object `targets()` yields): its connection's key. */
  sender: object;
}

/** One window's API connection (the engine's `connect`). */
export interface IpcConnectionLike {
  handle(raw: unknown): Promise<ResponseMessage>;
  /** What the window hears of an event: as its signed-in role may (roles.ts), or null. */
  eventFor(message: EventMessage): EventMessage | null;
}

/** A window's `webContents` as far as events are concerned. */
export interface EventTargetLike {
  send(channel: string, message: EventMessage): void;
  isDestroyed(): boolean;
  /** The page it shows now: events go only to trusted (console) pages. */
  getURL(): string;
}

export interface ApiIpcOptions {
  api: {
    /** A new connection for a window, signed out. */
    connect(info: { source: 'ipc' }): IpcConnectionLike;
    subscribe(subscriber: (message: EventMessage) => void): () => void;
  };
  /**
   * The console pages, matched exactly (shell-policy.ts): only they may talk to the engine (not a
   * page a window was tricked into loading), and only they receive its events.
   */
  isTrustedUrl(url: string): boolean;
  /** Candidate windows for events; those not showing a trusted page (the media host) are skipped. */
  targets(): Iterable<EventTargetLike>;
}

export function registerApiIpc(ipcMain: IpcMainLike, options: ApiIpcOptions): () => void {
  // Keyed by the window's webContents: a closed window's connection goes with it.
  const connections = new WeakMap<object, IpcConnectionLike>();
  const connectionOf = (sender: object): IpcConnectionLike => {
    let connection = connections.get(sender);
    if (!connection) connections.set(sender, (connection = options.api.connect({ source: 'ipc' })));
    return connection;
  };
  ipcMain.handle(IPC_REQUEST_CHANNEL, (event, raw) => {
    const url = event.senderFrame?.url;
    if (url === undefined || !options.isTrustedUrl(url)) {
      const reply: ResponseMessage = {
        type: 'response',
        id: null,
        ok: false,
        error: {
          code: 'BAD_MESSAGE',
          message: `Requests from ${url ?? 'a closed frame'} are not accepted`,
        },
      };
      return reply;
    }
    return connectionOf(event.sender).handle(raw);
  });
  const unsubscribe = options.api.subscribe((message) => {
    for (const target of options.targets()) {
      if (target.isDestroyed() || !options.isTrustedUrl(target.getURL())) continue;
      const heard = connections.get(target)?.eventFor(message);
      if (heard) target.send(IPC_EVENT_CHANNEL, heard);
    }
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_REQUEST_CHANNEL);
  };
}
