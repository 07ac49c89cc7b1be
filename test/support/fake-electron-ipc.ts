/**
 * Minimal stand-ins for Electron's ipcMain / ipcRenderer / webContents, connected to each other.
 * Like Electron, every value crossing is structured-cloned, so a test catches anything that
 * would not survive the real IPC (functions, class instances, undefined-vs-missing).
 */
import type { EventMessage } from '../../electron/engine/api/messages.js';
import type { EventTargetLike, IpcInvokeEventLike, IpcMainLike } from '../../electron/main/ipc.js';
import type { IpcRendererLike } from '../../electron/preload/bridge.js';

type Handler = (event: IpcInvokeEventLike, ...args: unknown[]) => unknown;
type RendererListener = (event: unknown, ...args: unknown[]) => void;

export class FakeElectronIpc {
  private readonly handlers = new Map<string, Handler>();
  private readonly rendererListeners = new Map<string, Set<RendererListener>>();
  destroyed = false;

  constructor(public senderUrl: string) {}

  readonly ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      if (this.handlers.has(channel))
        throw new Error(`Attempted to register a second handler for '${channel}'`);
      this.handlers.set(channel, listener);
    },
    removeHandler: (channel) => {
      this.handlers.delete(channel);
    },
  };

  readonly ipcRenderer: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      const handler = this.handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      const result = await handler(
        { senderFrame: { url: this.senderUrl }, sender: this.webContents },
        ...structuredClone(args),
      );
      return structuredClone(result);
    },
    on: (channel, listener) => {
      let set = this.rendererListeners.get(channel);
      if (!set) this.rendererListeners.set(channel, (set = new Set()));
      set.add(listener);
    },
    removeListener: (channel, listener) => {
      this.rendererListeners.get(channel)?.delete(listener);
    },
  };

  readonly webContents: EventTargetLike = {
    send: (channel: string, message: EventMessage) => {
      const cloned = structuredClone(message);
      for (const listener of this.rendererListeners.get(channel) ?? [])
        listener({ sender: 'ipc-renderer-event' }, cloned);
    },
    isDestroyed: () => this.destroyed,
    getURL: () => this.senderUrl,
  };

  handlerCount(): number {
    return this.handlers.size;
  }
}
