/**
 * electron/headless — the shell that runs the engine without Electron: a loopback HTTP server for
 * the built console and the API over a token-guarded WebSocket. Used by `outbound serve`, by
 * `npm start` where Electron cannot run, and by the tests.
 */
export {
  type HeadlessApi,
  type HeadlessServer,
  type HeadlessServerOptions,
  MAX_BUFFERED_BYTES,
  MAX_IN_FLIGHT,
  type MediaHostInvitation,
  OVERLOAD_CLOSE_CODE,
  resolveAsset,
  startHeadlessServer,
  TOKEN_REFUSED_CLOSE_CODE,
} from './server.js';
