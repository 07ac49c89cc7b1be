/// <reference types="vite/client" />

import type { ClientTransport } from '../../../electron/engine/api/client.js';

declare global {
  interface Window {
    /** Set by the Electron preload (electron/preload/bridge.ts); absent in a plain browser. */
    readonly outbound?: ClientTransport;
  }
}
