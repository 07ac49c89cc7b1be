/**
 * The desktop app's SecretBox: Electron's safeStorage (Keychain on macOS, DPAPI on Windows,
 * libsecret / KWallet on Linux). Call after `app` is ready. Returns null when no real keychain is
 * usable, so the engine falls back to its key file: on Linux without a keyring safeStorage would
 * use a hard-coded key ("basic_text"), weaker than a 0600 key file.
 *
 * Cipher text: `os1:` + base64 of safeStorage's bytes. Thin on purpose; it needs Electron to run,
 * so it is type-checked here and exercised only in the desktop app.
 */
import { safeStorage } from 'electron';

import {
  foreignCipherReason,
  OS_KEYCHAIN_PREFIX,
  type SecretBox,
  SecretDecryptError,
} from '../engine/secrets/index.js';

export function createSafeStorageSecretBox(): SecretBox | null {
  // The synchronous API is deprecated in favour of the async one, but SecretBox is synchronous
  // (the engine decrypts while building a call) and the sync calls remain supported.
  if (!safeStorage.isEncryptionAvailable()) return null;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text')
    return null;
  return {
    kind: 'os-keychain',
    encrypt: (plain) => OS_KEYCHAIN_PREFIX + safeStorage.encryptString(plain).toString('base64'),
    decrypt(cipher) {
      if (!cipher.startsWith(OS_KEYCHAIN_PREFIX))
        throw new SecretDecryptError(foreignCipherReason(cipher));
      try {
        return safeStorage.decryptString(
          Buffer.from(cipher.slice(OS_KEYCHAIN_PREFIX.length), 'base64'),
        );
      } catch (error) {
        throw new SecretDecryptError(
          'the operating system’s keychain could not decrypt it (its key changed, or the data folder came from another user or computer)',
          { cause: error },
        );
      }
    },
  };
}
