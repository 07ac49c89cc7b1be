/**
 * secrets/ — encryption of the few secrets the engine stores (trunk passwords).
 *
 * A `SecretBox` encrypts a string to ASCII cipher text with a version prefix and back. Two exist:
 *   os-keychain  the desktop app's, on Electron's safeStorage (electron/main/safe-storage-secret-box.ts);
 *                the engine never imports Electron, so the shell passes it in EngineOptions.secrets.
 *   key-file     the headless one (CLI, `outbound serve`, and the desktop app when no keychain is
 *                usable): AES-256-GCM with a random key in <dataDir>/secret.key, mode 0600.
 *                It is protected only by the file's permissions, and says so (see key-file.ts).
 * The store only ever sees cipher text; plain passwords live in memory only while in use.
 * The same box seals the workspace's recording keys (recording/keys.ts). permissions.ts keeps the
 * whole workspace 0700/0600 on POSIX.
 */
export { withKeyFileFallback } from './fallback.js';
export { KEY_FILE_NAME, openKeyFileSecretBox } from './key-file.js';
export { secureWorkspace } from './permissions.js';
export {
  foreignCipherReason,
  KEY_FILE_PREFIX,
  OS_KEYCHAIN_PREFIX,
  type SecretBox,
  SecretBoxError,
  SecretDecryptError,
} from './secret-box.js';
