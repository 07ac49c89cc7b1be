/**
 * What the preload exposes as `window.outbound`: a client transport over two fixed IPC channels
 * and nothing else. Kept apart from `index.ts` (which needs Electron) so it can be tested with a
 * stand-in for `ipcRenderer`.
 */
import { COMMAND_NAMES } from '../engine/api/contract.js';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '../engine/api/ipc-channels.js';

/** The slice of Electron's `ipcRenderer` the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface OutboundBridge {
  request(message: unknown): Promise<unknown>;
  onEvent(listener: (message: unknown) => void): () => void;
}

const KNOWN_COMMANDS = new Set<string>(COMMAND_NAMES);

export function createOutboundBridge(ipc: IpcRendererLike): OutboundBridge {
  return Object.freeze({
    request(message: unknown): Promise<unknown> {
      // Refuse early what the engine would refuse anyway, so a compromised page cannot use the
      // bridge to probe anything beyond the contract's commands.
      const command = (message as { command?: unknown } | null)?.command;
      if (typeof command !== 'string' || !KNOWN_COMMANDS.has(command)) {
        const id = (message as { id?: unknown } | null)?.id;
        return Promise.resolve({
          type: 'response',
          id: typeof id === 'string' || typeof id === 'number' ? id : null,
          ok: false,
          error: { code: 'UNKNOWN_COMMAND', message: `Unknown command "${String(command)}"` },
        });
      }
      return ipc.invoke(IPC_REQUEST_CHANNEL, message);
    },
    onEvent(listener: (message: unknown) => void): () => void {
      // Never hand the IpcRendererEvent (and its sender) to the page.
      const wrapped = (_event: unknown, message: unknown): void => listener(message);
      ipc.on(IPC_EVENT_CHANNEL, wrapped);
      return () => {
        ipc.removeListener(IPC_EVENT_CHANNEL, wrapped);
      };
    },
  });
}
