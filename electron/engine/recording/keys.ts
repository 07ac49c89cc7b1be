/**
 * The workspace's recording keys: what wraps each recording's own random key (container.ts).
 *
 * `<dataDir>/recording-keys.json` (mode 0600) holds, each sealed by the SecretBox (the OS keychain
 * in the desktop app, the key file headless; secrets/):
 *   workspaceKeys  random 256-bit keys; the first one wraps new recordings (AES-256-GCM) in the
 *                  default mode. Kept for good: older recordings name theirs by id.
 *   publicKey      optional, not secret: an X25519 public key. When set, new recordings are wrapped
 *                  for it (ephemeral X25519, HKDF-SHA256, AES-256-GCM), and only where its private
 *                  key is loaded can they be read — Twilio's encrypted recordings, offline.
 *   privateKeys    X25519 private keys loaded on this machine (`outbound recordings key load`).
 * A key id is the first 8 bytes of SHA-256 over a label and the key (the public key for X25519),
 * so a header says which key it needs without revealing it.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

import type { SecretBox } from '../secrets/index.js';
import {
  assembleHeader,
  type ContainerHeader,
  fixedHeader,
  KEY_BYTES,
  parseHeader,
  type WrapKind,
} from './container.js';

export const RECORDING_KEYS_FILE = 'recording-keys.json';
const WRAP_INFO = Buffer.from('outbound-console recording key v1');

export type RecordingKeyErrorCode =
  /** Encrypted for a public key whose private key is not loaded here. */
  | 'PRIVATE_KEY_MISSING'
  /** Encrypted with a workspace key this workspace does not have (another workspace's file). */
  | 'FOREIGN_KEY'
  /** The wrapped key does not authenticate: the header was altered. */
  | 'DAMAGED'
  /** recording-keys.json, or a key given to load, is unreadable or invalid. */
  | 'KEYS_INVALID';

export class RecordingKeyError extends Error {
  override readonly name = 'RecordingKeyError';
  constructor(
    readonly code: RecordingKeyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface NewRecording {
  key: Buffer;
  header: ContainerHeader;
}

export interface RecordingKeys {
  /** 'public' when new recordings are wrapped for a public key only. */
  readonly mode: 'workspace' | 'public';
  /** A fresh key for a new recording and the header that carries it, wrapped. */
  newRecording(options: {
    sampleRate: number;
    /** 2 (a call: customer left, outbound right; the default) or 1 (a label clip). */
    channels?: 1 | 2;
    maxChunkBytes: number;
    meta: Record<string, unknown>;
  }): NewRecording;
  /** A recording's own key from its header; throws RecordingKeyError. */
  unwrap(header: ContainerHeader): Buffer;
}

interface KeysFile {
  version: 1;
  workspaceKeys: Array<{ id: string; sealed: string; createdAt: number }>;
  publicKey: { id: string; x: string; since: number } | null;
  privateKeys: Array<{ id: string; sealed: string; loadedAt: number }>;
}

export function workspaceKeyId(key: Buffer): Buffer {
  return createHash('sha256')
    .update('outbound recording workspace key')
    .update(key)
    .digest()
    .subarray(0, 8);
}

export function publicKeyId(raw: Buffer): Buffer {
  return createHash('sha256')
    .update('outbound recording public key')
    .update(raw)
    .digest()
    .subarray(0, 8);
}

function rawPublic(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new RecordingKeyError('KEYS_INVALID', 'not an X25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

function publicFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

function gcm(key: Buffer, aad: Buffer, plain: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function ungcm(key: Buffer, aad: Buffer, sealed: Buffer): Buffer | null {
  if (sealed.length !== 12 + KEY_BYTES + 16) return null;
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(12 + KEY_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(12, 12 + KEY_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}

function kekFor(shared: Buffer, ephemeral: Buffer, recipient: Buffer): Buffer {
  return Buffer.from(
    hkdfSync('sha256', shared, Buffer.concat([ephemeral, recipient]), WRAP_INFO, KEY_BYTES),
  );
}

/** Builds the header of a new recording and wraps its key (shared by both modes). */
function buildRecording(
  wrapKind: WrapKind,
  keyId: Buffer,
  wrapBytes: number,
  wrapKey: (key: Buffer, aad: Buffer) => Buffer,
  options: {
    sampleRate: number;
    channels?: 1 | 2;
    maxChunkBytes: number;
    meta: Record<string, unknown>;
  },
): NewRecording {
  const key = randomBytes(KEY_BYTES);
  const meta = Buffer.from(JSON.stringify(options.meta));
  const fixed = fixedHeader({
    wrapKind,
    sampleRate: options.sampleRate,
    channels: options.channels ?? 2,
    maxChunkBytes: options.maxChunkBytes,
    keyId,
    wrapBytes,
    metaBytes: meta.length,
  });
  const wrap = wrapKey(key, fixed);
  return { key, header: parseHeader(assembleHeader(fixed, wrap, meta)) };
}

/** Keys held in memory (no file): for tests and benches, and what openRecordingKeys builds on. */
export function recordingKeysFrom(state: {
  workspaceKeys: Buffer[];
  publicKey?: Buffer | null;
  privateKeys?: KeyObject[];
}): RecordingKeys {
  const workspace = new Map(state.workspaceKeys.map((k) => [workspaceKeyId(k).toString('hex'), k]));
  const privates = new Map(
    (state.privateKeys ?? []).map((k) => [
      publicKeyId(rawPublic(createPublicKey(k))).toString('hex'),
      k,
    ]),
  );
  const publicRaw = state.publicKey ?? null;
  const current = state.workspaceKeys[0];
  if (!current && !publicRaw)
    throw new RecordingKeyError('KEYS_INVALID', 'no key to encrypt recordings with');
  return {
    mode: publicRaw ? 'public' : 'workspace',
    newRecording(options) {
      if (publicRaw) {
        const recipient = publicFromRaw(publicRaw);
        return buildRecording(
          2,
          publicKeyId(publicRaw),
          32 + 60,
          (key, aad) => {
            const ephemeral = generateKeyPairSync('x25519');
            const ephemeralRaw = rawPublic(ephemeral.publicKey);
            const shared = diffieHellman({
              privateKey: ephemeral.privateKey,
              publicKey: recipient,
            });
            return Buffer.concat([
              ephemeralRaw,
              gcm(kekFor(shared, ephemeralRaw, publicRaw), aad, key),
            ]);
          },
          options,
        );
      }
      return buildRecording(
        1,
        workspaceKeyId(current!),
        60,
        (key, aad) => gcm(current!, aad, key),
        options,
      );
    },
    unwrap(header) {
      const id = header.keyId.toString('hex');
      if (header.wrapKind === 1) {
        const kek = workspace.get(id);
        if (!kek)
          throw new RecordingKeyError(
            'FOREIGN_KEY',
            `the recording is encrypted with workspace key ${id}, which this workspace does not hold (it comes from another workspace)`,
          );
        const key = ungcm(kek, header.fixed, header.wrap);
        if (!key)
          throw new RecordingKeyError(
            'DAMAGED',
            'the recording’s key does not unwrap: its header was altered',
          );
        return key;
      }
      const privateKey = privates.get(id);
      if (!privateKey)
        throw new RecordingKeyError(
          'PRIVATE_KEY_MISSING',
          `the recording is encrypted for public key ${id}; load its private key on this machine to play it (outbound recordings key load <private.pem>)`,
        );
      if (header.wrap.length !== 32 + 60)
        throw new RecordingKeyError('DAMAGED', 'the recording’s wrapped key is damaged');
      const ephemeralRaw = header.wrap.subarray(0, 32);
      const recipientRaw = rawPublic(createPublicKey(privateKey));
      const shared = diffieHellman({ privateKey, publicKey: publicFromRaw(ephemeralRaw) });
      const key = ungcm(
        kekFor(shared, ephemeralRaw, recipientRaw),
        header.fixed,
        header.wrap.subarray(32),
      );
      if (!key)
        throw new RecordingKeyError(
          'DAMAGED',
          'the recording’s key does not unwrap: its header was altered',
        );
      return key;
    },
  };
}

function readKeysFile(path: string): KeysFile | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RecordingKeyError(
      'KEYS_INVALID',
      `${path} cannot be read: ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    const parsed = JSON.parse(text) as KeysFile;
    if (
      parsed.version !== 1 ||
      !Array.isArray(parsed.workspaceKeys) ||
      !Array.isArray(parsed.privateKeys)
    )
      throw new Error('unknown layout');
    return parsed;
  } catch (error) {
    throw new RecordingKeyError(
      'KEYS_INVALID',
      `${path} is damaged (${(error as Error).message}); without it no recording of this workspace can be played. Restore it from a backup.`,
      { cause: error },
    );
  }
}

/** Writes the keys file atomically with mode 0600 (umask cannot widen it; chmod makes it exact). */
function writeKeysFile(path: string, file: KeysFile): void {
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(file, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (process.platform !== 'win32') chmodSync(temp, 0o600);
  renameSync(temp, path);
}

export interface OpenedRecordingKeys extends RecordingKeys {
  /** What the workspace holds, for `outbound recordings key status` and Settings. */
  describe(): {
    mode: 'workspace' | 'public';
    workspaceKeys: string[];
    publicKey: string | null;
    privateKeys: string[];
  };
}

/**
 * Opens (creating on first use) `<dataDir>/recording-keys.json`, unsealing its keys with `secrets`.
 * Throws RecordingKeyError when the file is damaged or a key cannot be unsealed.
 */
export function openRecordingKeys(dataDir: string, secrets: SecretBox): OpenedRecordingKeys {
  const path = join(dataDir, RECORDING_KEYS_FILE);
  let file = readKeysFile(path);
  if (!file || file.workspaceKeys.length === 0) {
    const key = randomBytes(KEY_BYTES);
    file = {
      version: 1,
      workspaceKeys: [
        {
          id: workspaceKeyId(key).toString('hex'),
          sealed: secrets.encrypt(key.toString('base64')),
          createdAt: Date.now(),
        },
        ...(file?.workspaceKeys ?? []),
      ],
      publicKey: file?.publicKey ?? null,
      privateKeys: file?.privateKeys ?? [],
    };
    writeKeysFile(path, file);
  }
  const unseal = (sealed: string, what: string): Buffer => {
    try {
      return Buffer.from(secrets.decrypt(sealed), 'base64');
    } catch (error) {
      throw new RecordingKeyError(
        'KEYS_INVALID',
        `The ${what} in ${path} cannot be unsealed (${(error as Error).message}); recordings it protects cannot be played here.`,
        { cause: error },
      );
    }
  };
  const workspaceKeys = file.workspaceKeys.map((k) =>
    unseal(k.sealed, `workspace recording key ${k.id}`),
  );
  const privateKeys = file.privateKeys.map((k) =>
    createPrivateKey({
      key: unseal(k.sealed, `private recording key ${k.id}`),
      format: 'der',
      type: 'pkcs8',
    }),
  );
  const publicKey = file.publicKey ? Buffer.from(file.publicKey.x, 'base64url') : null;
  const keys = recordingKeysFrom({ workspaceKeys, publicKey, privateKeys });
  const described = file;
  return {
    ...keys,
    describe: () => ({
      mode: keys.mode,
      workspaceKeys: described.workspaceKeys.map((k) => k.id),
      publicKey: described.publicKey?.id ?? null,
      privateKeys: described.privateKeys.map((k) => k.id),
    }),
  };
}

/**
 * The keys file, created (with its workspace key) when missing. Nothing in it is unsealed: the
 * CLI's key-file box may not open what the desktop app's keychain sealed, and need not here.
 */
function keysFileFor(dataDir: string, secrets: SecretBox): KeysFile {
  const path = join(dataDir, RECORDING_KEYS_FILE);
  const existing = readKeysFile(path);
  if (existing && existing.workspaceKeys.length > 0) return existing;
  openRecordingKeys(dataDir, secrets);
  return readKeysFile(path)!;
}

/** What `recording-keys.json` holds (ids only; nothing unsealed), or null when there is none yet. */
export function describeRecordingKeys(dataDir: string): {
  mode: 'workspace' | 'public';
  workspaceKeys: string[];
  publicKey: string | null;
  privateKeys: string[];
} | null {
  const file = readKeysFile(join(dataDir, RECORDING_KEYS_FILE));
  if (!file) return null;
  return {
    mode: file.publicKey ? 'public' : 'workspace',
    workspaceKeys: file.workspaceKeys.map((k) => k.id),
    publicKey: file.publicKey?.id ?? null,
    privateKeys: file.privateKeys.map((k) => k.id),
  };
}

/** An X25519 key pair as PEM, for `outbound recordings key generate`. */
export function generateRecordingKeyPair(): { publicPem: string; privatePem: string; id: string } {
  const pair = generateKeyPairSync('x25519');
  return {
    publicPem: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    privatePem: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    id: publicKeyId(rawPublic(pair.publicKey)).toString('hex'),
  };
}

function parsePem(pem: string, kind: 'public' | 'private'): KeyObject {
  // A private key would do (its public half), but it must not travel to the recording machine.
  if (kind === 'public' && pem.includes('PRIVATE KEY'))
    throw new RecordingKeyError(
      'KEYS_INVALID',
      'not an X25519 public key: this is a private key. Give the workspace recording-public.pem and keep the private key where recordings are played',
    );
  try {
    const key = kind === 'public' ? createPublicKey(pem) : createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'x25519') throw new Error(`it is a ${key.asymmetricKeyType} key`);
    return key;
  } catch (error) {
    throw new RecordingKeyError(
      'KEYS_INVALID',
      `not an X25519 ${kind} key in PEM (${(error as Error).message}); make one with \`outbound recordings key generate\``,
      { cause: error },
    );
  }
}

/**
 * Changes what new recordings are encrypted for: a public key (PEM), or null for the workspace
 * key again. Recordings already made keep the key they were made with.
 */
export function setRecordingPublicKey(
  dataDir: string,
  secrets: SecretBox,
  pem: string | null,
): string | null {
  const path = join(dataDir, RECORDING_KEYS_FILE);
  const file = keysFileFor(dataDir, secrets);
  if (pem === null) {
    file.publicKey = null;
  } else {
    const raw = rawPublic(parsePem(pem, 'public'));
    file.publicKey = {
      id: publicKeyId(raw).toString('hex'),
      x: raw.toString('base64url'),
      since: Date.now(),
    };
  }
  writeKeysFile(path, file);
  return file.publicKey?.id ?? null;
}

/** Keeps a private key (PEM) in this workspace, sealed by the SecretBox, so its recordings play here. */
export function loadRecordingPrivateKey(dataDir: string, secrets: SecretBox, pem: string): string {
  const path = join(dataDir, RECORDING_KEYS_FILE);
  const file = keysFileFor(dataDir, secrets);
  const key = parsePem(pem, 'private');
  const id = publicKeyId(rawPublic(createPublicKey(key))).toString('hex');
  const der = key.export({ format: 'der', type: 'pkcs8' });
  file.privateKeys = [
    { id, sealed: secrets.encrypt(der.toString('base64')), loadedAt: Date.now() },
    ...file.privateKeys.filter((k) => k.id !== id),
  ];
  writeKeysFile(path, file);
  return id;
}

/** Forgets a loaded private key (its recordings stop playing here). True when one was removed. */
export function unloadRecordingPrivateKey(
  dataDir: string,
  secrets: SecretBox,
  id: string,
): boolean {
  const path = join(dataDir, RECORDING_KEYS_FILE);
  const file = keysFileFor(dataDir, secrets);
  const before = file.privateKeys.length;
  file.privateKeys = file.privateKeys.filter((k) => k.id !== id);
  writeKeysFile(path, file);
  return file.privateKeys.length !== before;
}
