/**
 * electron/headless — the shell that runs the engine without Electron: a loopback HTTP server for
 * the built console and the API over a token-guarded WebSocket. Used by `outbound serve`, by
 * `npm start` where Electron cannot run, and by the tests.
 */
export { type HeadlessServer, startHeadlessServer } from './server.js';
