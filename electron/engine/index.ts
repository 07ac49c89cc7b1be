/**
 * electron/engine — the engine's public face. Pure TypeScript, no `electron` import: the Electron
 * shell (electron/main) and the headless shell (electron/headless, electron/cli) both run it.
 *
 *   api/       the typed contract, its envelopes, dispatcher and client
 *   store/     SQLite persistence behind repository interfaces
 *   settings/  admin settings over the store
 *   secrets/   encryption of stored secrets (trunk passwords): key file headless, OS keychain in Electron
 *   calls/     live calls (the state machine joins later)
 *   events/    the outgoing event stream
 */
export { Engine, type EngineOptions, EngineStartError } from './engine.js';
export {
  armTestFaults,
  type EmergencyStop,
  FATAL_CALL_REASON,
  installFatalHandlers,
  onFatal,
} from './fatal.js';
export { createStderrLogger, type Logger, silentLogger } from './log.js';
export { defaultDataDir } from './paths.js';
export type { SecretBox } from './secrets/index.js';
