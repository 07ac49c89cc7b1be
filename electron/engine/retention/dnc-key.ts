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
  const key = randomBytes(32);
  await store.privacy.setState(STATE_KEY, secrets.encrypt(key.toString('base64')));
  return dncDigestWith(key);
}
