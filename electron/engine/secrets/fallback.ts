/**
 * The desktop app encrypts with the OS keychain, but the CLI (and `outbound serve`) share the same
 * data folder and write with the key file. This box encrypts with the shell's box and still reads
 * what the key file wrote, so a trunk added with `outbound trunk add` works in the desktop app.
 */
import type { Logger } from '../log.js';
import { openKeyFileSecretBox } from './key-file.js';
import {
  foreignCipherReason,
  KEY_FILE_PREFIX,
  type SecretBox,
  SecretBoxError,
  SecretDecryptError,
} from './secret-box.js';

export function withKeyFileFallback(primary: SecretBox, dataDir: string, log: Logger): SecretBox {
  if (primary.kind === 'key-file') return primary;
  let keyFile: SecretBox | null = null;
  return {
    kind: primary.kind,
    encrypt: (plain) => primary.encrypt(plain),
    decrypt(cipher) {
      if (!cipher.startsWith(KEY_FILE_PREFIX)) return primary.decrypt(cipher);
      try {
        keyFile ??= openKeyFileSecretBox(dataDir, log, { create: false });
      } catch (error) {
        if (error instanceof SecretBoxError)
          throw new SecretDecryptError(`${foreignCipherReason(cipher)} (${error.message})`, {
            cause: error,
          });
        throw error;
      }
      return keyFile.decrypt(cipher);
    },
  };
}
