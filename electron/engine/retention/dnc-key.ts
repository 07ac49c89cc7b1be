/**
 * The keyed hash that keeps an erased person on the do-not-call list without keeping the number:
 * HMAC-SHA-256 of the E.164 number under a random 32-byte key of the workspace. The key is stored
 * only encrypted by the workspace's secret box (the OS keychain in the desktop app, the key file
 * headless), in `privacy_state`.
 *
 * Why keyed: a bare SHA-256 of a Chinese mobile number is no protection at all. There are about
 * 10^10 eleven-digit numbers starting with 1, and a laptop hashes that many in minutes, so whoever
 * copies the database would get every erased number back. Without the key (the OS keychain or the
 * key file beside the data), the digests say nothing.
 */
import { createHmac, randomBytes } from 'node:crypto';

import type { SecretBox } from '../secrets/index.js';
import type { Store } from '../store/types.js';

const STATE_KEY = 'dncHashKey';

export type DncDigest = (e164: string) => string;

export function dncDigestWith(key: Buffer): DncDigest {
  return (e164) => createHmac('sha256', key).update(e164, 'utf8').digest('hex');
}

/** The workspace's DNC hash, creating its key on first use. */
export async function loadDncDigest(store: Store, secrets: SecretBox): Promise<DncDigest> {
  const stored = await store.privacy.getState(STATE_KEY);
  if (typeof stored === 'string') {
    return dncDigestWith(Buffer.from(secrets.decrypt(stored), 'base64'));
  }
  // Two engines starting at once on one new shared database both get here: the first key stored
  // is the one both use (each keeping its own would hash the same number two ways).
  const kept = await store.privacy.initState(
    STATE_KEY,
    secrets.encrypt(randomBytes(32).toString('base64')),
  );
  if (typeof kept !== 'string') throw new Error('the stored do-not-call key is not text');
  return dncDigestWith(Buffer.from(secrets.decrypt(kept), 'base64'));
}

/**
 * Hands the store the DNC hash, for code that opens the store without an engine (the CLI's
 * import). Refuses when numbers were erased and the key cannot be read: the erased numbers could
 * not be recognised, and one must never come back through an import.
 */
export async function keyStoreDnc(store: Store, secrets: SecretBox): Promise<void> {
  try {
    store.dnc.keyWith(await loadDncDigest(store, secrets));
  } catch (error) {
    if ((await store.privacy.countDncDigests()) === 0) return;
    throw new Error(
      `The do-not-call key cannot be read (${(error as Error).message}), so numbers erased on request cannot be recognised. Run this where the workspace was created (the desktop app keeps its key in the OS keychain).`,
      { cause: error },
    );
  }
}
