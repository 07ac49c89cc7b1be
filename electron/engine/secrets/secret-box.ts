/** What every secret box is, the errors it raises, and how cipher texts say who wrote them. */

export type SecretBoxKind = 'os-keychain' | 'key-file';

/**
 * Encrypts short secrets (trunk passwords) for storage. Cipher text is plain ASCII with a version
 * prefix naming the box that wrote it (`v1:` key file, `os1:` OS keychain).
 */
export interface SecretBox {
  readonly kind: SecretBoxKind;
  encrypt(plain: string): string;
  /** Throws SecretDecryptError when the cipher text cannot be read (wrong key, altered, other box). */
  decrypt(cipher: string): string;
}

/** Prefix of cipher text written by the key-file box (AES-256-GCM; see key-file.ts). */
export const KEY_FILE_PREFIX = 'v1:';
/** Prefix of cipher text written by the desktop app's box (Electron safeStorage). */
export const OS_KEYCHAIN_PREFIX = 'os1:';

/** The box that wrote `cipher`, from its prefix; null for text no box of this version wrote. */
export function secretKindOf(cipher: string): SecretBoxKind | null {
  if (cipher.startsWith(KEY_FILE_PREFIX)) return 'key-file';
  if (cipher.startsWith(OS_KEYCHAIN_PREFIX)) return 'os-keychain';
  return null;
}

/** A stored secret cannot be decrypted; `reason` says why in words, e.g. "the key file changed". */
export class SecretDecryptError extends Error {
  override readonly name = 'SecretDecryptError';
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`The secret cannot be decrypted: ${reason}`, options);
  }
}

/** The box itself cannot be used (a damaged, unreadable or unwritable key file). */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
  constructor(
    readonly code: 'KEY_FILE_INVALID' | 'KEY_FILE_UNREADABLE' | 'KEY_FILE_UNWRITABLE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Why a cipher text from another box (or none) cannot be read by a box of `kind`. */
export function foreignCipherReason(cipher: string): string {
  switch (secretKindOf(cipher)) {
    case 'os-keychain':
      return 'it was stored by the desktop app in the operating system’s keychain, which only the desktop app can read';
    case 'key-file':
      return 'it was stored with the data folder’s key file (secret.key), which is missing';
    default:
      return 'it is not in a format this version of the app can read';
  }
}
