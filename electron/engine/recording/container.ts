/**
 * The encrypted recording container ("OBREC1"): how a call's audio is kept on disk. Nothing in it
 * is plaintext audio; decrypted, it is the PCM of a 16-bit WAV whose 44-byte header readers
 * synthesise (reader.ts), so the logical file is a normal WAV and a byte range of it maps onto
 * whole chunks.
 *
 * Layout, integers big-endian:
 *
 *   header  0  magic "OBREC1" (6 bytes)
 *           6  u16 header length in bytes (everything up to the first chunk)
 *           8  u8  format version (1)
 *           9  u8  how the recording key is wrapped: 1 = the workspace key (AES-256-GCM),
 *                  2 = a public key (X25519 + HKDF-SHA256 + AES-256-GCM); see keys.ts
 *          10  u8  channels (2: a call; 1: a label clip, flows/labels.ts)   11 u8 bits per sample (16)
 *          12  u32 sample rate
 *          16  u32 most plaintext bytes one chunk holds
 *          20  16 bytes recording id (random)
 *          36  7 bytes nonce prefix (random)   43 u8 0
 *          44  8 bytes id of the key that wrapped the recording key
 *          52  u16 n, then n bytes: the wrapped recording key (keys.ts), sealed with bytes 0..52 as
 *              its associated data, so the format fields above cannot be changed without the
 *              key failing to unwrap
 *              u16 m, then m bytes of JSON meta (call id, start time): not secret, not authenticated
 *   chunks  u32 plaintext length L | L bytes AES-256-GCM cipher text | 16 bytes tag
 *           nonce = prefix(7) || u32 chunk index || u8 final flag, and the associated data repeats
 *           recording id || index || final flag || L: the STREAM construction, so chunks cannot be
 *           reordered, moved between recordings, or cut off with the rest passed as complete.
 *           Every recording ends with an empty chunk whose final flag is 1.
 *   index   (finished files only) u32 L of every chunk in order, then the 16-byte footer:
 *           u32 chunk count | u8 flags (bit 0: no final chunk: the recording was cut by a torn
 *           write that nobody holding the key could seal) | 3 zero bytes | "OBRECIDX"
 *
 * Each recording has its own random 256-bit key. The recorder seals at most `flushMs` (0.5 s) of
 * audio per chunk and writes each chunk followed by an empty final chunk for the next index, in
 * one positional write; the next chunk overwrites that tail. So after a kill -9 the segment on disk
 * always ends in a valid final chunk, and at most the unwritten half second is lost. Segments of a
 * recording share its header and count chunks across segments, so joining them copies cipher text
 * as it is (no key needed: recovery works in public-key mode, where this machine cannot decrypt).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const CONTAINER_MAGIC = Buffer.from('OBREC1', 'ascii');
export const INDEX_MAGIC = Buffer.from('OBRECIDX', 'ascii');
export const CONTAINER_VERSION = 1;
export const TAG_BYTES = 16;
export const RECORD_OVERHEAD = 4 + TAG_BYTES;
export const FOOTER_BYTES = 16;
export const FIXED_HEADER_BYTES = 52;
export const KEY_BYTES = 32;
const NONCE_PREFIX_BYTES = 7;
/** Footer flag: the recording has no final chunk (see the layout above). */
export const FLAG_NO_FINAL = 1;

export type WrapKind = 1 | 2;

export class ContainerError extends Error {
  override readonly name = 'ContainerError';
}

export interface ContainerHeader {
  /** The header's bytes as stored (copied verbatim into joined files). */
  bytes: Buffer;
  wrapKind: WrapKind;
  channels: number;
  bitsPerSample: number;
  sampleRate: number;
  maxChunkBytes: number;
  recordingId: Buffer;
  noncePrefix: Buffer;
  keyId: Buffer;
  wrap: Buffer;
  /** Bytes 0..52: the associated data of the key wrap. */
  fixed: Buffer;
  meta: Record<string, unknown>;
}

/** The fields of a new header before its key is wrapped. */
export function fixedHeader(options: {
  wrapKind: WrapKind;
  sampleRate: number;
  channels: number;
  maxChunkBytes: number;
  keyId: Buffer;
  wrapBytes: number;
  metaBytes: number;
}): Buffer {
  const fixed = Buffer.alloc(FIXED_HEADER_BYTES);
  CONTAINER_MAGIC.copy(fixed, 0);
  fixed.writeUInt16BE(FIXED_HEADER_BYTES + 2 + options.wrapBytes + 2 + options.metaBytes, 6);
  fixed.writeUInt8(CONTAINER_VERSION, 8);
  fixed.writeUInt8(options.wrapKind, 9);
  fixed.writeUInt8(options.channels, 10);
  fixed.writeUInt8(16, 11);
  fixed.writeUInt32BE(options.sampleRate, 12);
  fixed.writeUInt32BE(options.maxChunkBytes, 16);
  randomBytes(16).copy(fixed, 20);
  randomBytes(NONCE_PREFIX_BYTES).copy(fixed, 36);
  options.keyId.copy(fixed, 44, 0, 8);
  return fixed;
}

export function assembleHeader(fixed: Buffer, wrap: Buffer, meta: Buffer): Buffer {
  const out = Buffer.concat([fixed, u16(wrap.length), wrap, u16(meta.length), meta]);
  if (out.length !== fixed.readUInt16BE(6))
    throw new ContainerError('internal: header length does not match its fields');
  return out;
}

/** True when `head` starts like a container (a plaintext WAV starts with "RIFF"). */
export function isContainer(head: Uint8Array): boolean {
  return head.length >= 6 && Buffer.from(head.buffer, head.byteOffset, 6).equals(CONTAINER_MAGIC);
}

/** Parses a header from the first bytes of a file; throws ContainerError naming what is wrong. */
export function parseHeader(head: Buffer): ContainerHeader {
  if (!isContainer(head))
    throw new ContainerError('it is not an encrypted recording (no OBREC1 magic)');
  if (head.length < FIXED_HEADER_BYTES + 2) throw new ContainerError('its header is cut short');
  const length = head.readUInt16BE(6);
  if (head.length < length) throw new ContainerError('its header is cut short');
  const version = head.readUInt8(8);
  if (version !== CONTAINER_VERSION)
    throw new ContainerError(`it is format version ${version}; this app reads version 1`);
  const wrapKind = head.readUInt8(9);
  if (wrapKind !== 1 && wrapKind !== 2)
    throw new ContainerError(`its key is wrapped in an unknown way (${wrapKind})`);
  const wrapBytes = head.readUInt16BE(FIXED_HEADER_BYTES);
  const metaAt = FIXED_HEADER_BYTES + 2 + wrapBytes;
  if (metaAt + 2 > length) throw new ContainerError('its header is damaged');
  const metaBytes = head.readUInt16BE(metaAt);
  if (metaAt + 2 + metaBytes !== length) throw new ContainerError('its header is damaged');
  let meta: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(head.subarray(metaAt + 2, length).toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) meta = parsed as Record<string, unknown>;
  } catch {
    // The meta is informational only.
  }
  const header: ContainerHeader = {
    bytes: Buffer.from(head.subarray(0, length)),
    wrapKind,
    channels: head.readUInt8(10),
    bitsPerSample: head.readUInt8(11),
    sampleRate: head.readUInt32BE(12),
    maxChunkBytes: head.readUInt32BE(16),
    recordingId: Buffer.from(head.subarray(20, 36)),
    noncePrefix: Buffer.from(head.subarray(36, 43)),
    keyId: Buffer.from(head.subarray(44, 52)),
    wrap: Buffer.from(head.subarray(FIXED_HEADER_BYTES + 2, metaAt)),
    fixed: Buffer.from(head.subarray(0, FIXED_HEADER_BYTES)),
    meta,
  };
  if (
    (header.channels !== 1 && header.channels !== 2) ||
    header.bitsPerSample !== 16 ||
    header.sampleRate <= 0
  )
    throw new ContainerError(
      `it holds ${header.bitsPerSample}-bit audio with ${header.channels} channel(s) at ${header.sampleRate} Hz, not 16-bit stereo or mono`,
    );
  if (header.maxChunkBytes <= 0 || header.maxChunkBytes > 64 * 1024 * 1024)
    throw new ContainerError('its chunk size is out of range');
  return header;
}

function nonceOf(header: ContainerHeader, index: number, final: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  header.noncePrefix.copy(nonce, 0);
  nonce.writeUInt32BE(index, 7);
  nonce.writeUInt8(final ? 1 : 0, 11);
  return nonce;
}

function aadOf(header: ContainerHeader, index: number, final: boolean, length: number): Buffer {
  const aad = Buffer.alloc(16 + 9);
  header.recordingId.copy(aad, 0);
  aad.writeUInt32BE(index, 16);
  aad.writeUInt8(final ? 1 : 0, 20);
  aad.writeUInt32BE(length, 21);
  return aad;
}

/** One chunk record (length, cipher text, tag) for chunk `index`. */
export function sealChunk(
  key: Buffer,
  header: ContainerHeader,
  index: number,
  final: boolean,
  plain: Buffer,
): Buffer {
  if (index > 0xffffffff) throw new ContainerError('a recording holds at most 2^32 chunks');
  const cipher = createCipheriv('aes-256-gcm', key, nonceOf(header, index, final));
  cipher.setAAD(aadOf(header, index, final, plain.length));
  const record = Buffer.allocUnsafe(RECORD_OVERHEAD + plain.length);
  record.writeUInt32BE(plain.length, 0);
  const body = cipher.update(plain);
  body.copy(record, 4);
  cipher.final();
  cipher.getAuthTag().copy(record, 4 + plain.length);
  return record;
}

/**
 * The plaintext of a chunk record. Throws ContainerError when it does not authenticate as chunk
 * `index` with that final flag of this recording (altered, moved, or another key).
 */
export function openChunk(
  key: Buffer,
  header: ContainerHeader,
  index: number,
  final: boolean,
  record: Buffer,
): Buffer {
  const length = record.readUInt32BE(0);
  if (record.length !== RECORD_OVERHEAD + length)
    throw new ContainerError(`chunk ${index} is cut short`);
  const decipher = createDecipheriv('aes-256-gcm', key, nonceOf(header, index, final));
  decipher.setAAD(aadOf(header, index, final, length));
  decipher.setAuthTag(record.subarray(4 + length));
  try {
    return Buffer.concat([decipher.update(record.subarray(4, 4 + length)), decipher.final()]);
  } catch {
    throw new ContainerError(
      `chunk ${index}${final ? ' (the final one)' : ''} does not authenticate: the file was altered, cut or reordered`,
    );
  }
}

/** The index and footer of a finished file for chunks of these plaintext lengths. */
export function encodeIndex(lengths: readonly number[], flags: number): Buffer {
  const out = Buffer.alloc(lengths.length * 4 + FOOTER_BYTES);
  lengths.forEach((length, i) => out.writeUInt32BE(length, i * 4));
  const at = lengths.length * 4;
  out.writeUInt32BE(lengths.length, at);
  out.writeUInt8(flags, at + 4);
  INDEX_MAGIC.copy(out, at + 8);
  return out;
}

/** The footer's chunk count and flags, or null when the bytes are not a footer. */
export function parseFooter(footer: Buffer): { count: number; flags: number } | null {
  if (footer.length !== FOOTER_BYTES || !footer.subarray(8).equals(INDEX_MAGIC)) return null;
  return { count: footer.readUInt32BE(0), flags: footer.readUInt8(4) };
}

/**
 * Walks the chunk records after a header (a segment, or a file without index) and returns each
 * record's offset and plaintext length, stopping at the first record that is cut short or
 * claims more than the header allows (a torn write at a crash).
 */
export function scanRecords(
  bytes: Buffer,
  start: number,
  maxChunkBytes: number,
): { records: Array<{ offset: number; length: number }>; end: number; torn: boolean } {
  const records: Array<{ offset: number; length: number }> = [];
  let at = start;
  while (at + 4 <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    if (length > maxChunkBytes || at + RECORD_OVERHEAD + length > bytes.length)
      return { records, end: at, torn: true };
    records.push({ offset: at, length });
    at += RECORD_OVERHEAD + length;
  }
  return { records, end: at, torn: at !== bytes.length };
}

function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value, 0);
  return out;
}
