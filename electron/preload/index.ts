/** Sandboxed preload: exposes `window.outbound` (see bridge.ts) and nothing else. */
import { contextBridge, ipcRenderer } from 'electron';

import { createOutboundBridge } from './bridge.js';

contextBridge.exposeInMainWorld('outbound', createOutboundBridge(ipcRenderer));
