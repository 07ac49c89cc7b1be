/**
 * The media host's preload (hidden window, sandboxed): hands the page the MessagePort the main
 * process sends, by window.postMessage (a port cannot cross contextBridge). Nothing else.
 */
import { ipcRenderer } from 'electron';

export const MEDIA_HOST_PORT_CHANNEL = 'outbound:media-host-port';

// The preload's window (the shell's tsconfig has no DOM library, hence the narrow type).
const page = globalThis as unknown as {
  postMessage(message: string, targetOrigin: string, transfer: unknown[]): void;
};

ipcRenderer.on(MEDIA_HOST_PORT_CHANNEL, (event) => {
  page.postMessage(MEDIA_HOST_PORT_CHANNEL, '*', event.ports);
});
