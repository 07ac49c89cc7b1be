/**
 * electron/engine — the engine's public face. Pure TypeScript, no `electron` import: the Electron
 * shell (electron/main) and the headless shell (electron/headless, electron/cli) both run it.
 *
 * It exports the Engine, the process-level fatal handlers (fatal.ts) and the logger; each
 * subsystem folder (api/, store/, telephony/, bot/, dialer/, …) has its own index.ts as its public
 * face. docs/ARCHITECTURE.md maps them all.
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
