/**
 * Reading a finished recording as the WAV it stands for, decrypting on the fly: the media route
 * (HTTP Range), History's peaks, label clips, exports. An encrypted file (container.ts) is read
 * chunk by chunk — a range in the middle of a long call costs the header, the index and the one or
 * two chunks it touches — and the 44-byte WAV header is synthesised. A plaintext WAV from an
 * older version (before migrate.ts encrypted it) is passed through as it is.
 *
 * `openRecording(path, keys)` is the one public way to a recording's plaintext; it throws
 * RecordingKeyError when this workspace cannot decrypt it (PRIVATE_KEY_MISSING in public-key mode)
 * and RecordingReadError when the file is damaged or cut.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { Readable } from 'node:stream';

import {
  encodeWavHeader,
  parseWav,
  parseWavHeader,
  WAV_HEADER_BYTES,
  type WavAudio,
  WavError,
} from '../audio/wav.js';
import {
  ContainerError,
  type ContainerHeader,
  FLAG_NO_FINAL,
  FOOTER_BYTES,
  isContainer,
  openChunk,
  parseFooter,
  parseHeader,
  RECORD_OVERHEAD,
} from './container.js';
import type { RecordingKeys } from './keys.js';

const HEAD_BYTES = 64 * 1024;
const STREAM_PIECE_BYTES = 256 * 1024;

export class RecordingReadError extends Error {
  override readonly name = 'RecordingReadError';
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, options);
  }
}

export interface RecordingReader {
  readonly path: string;
  readonly encrypted: boolean;
  readonly sampleRate: number;
  readonly channels: number;
  /** Bytes of PCM audio. */
  readonly dataBytes: number;
  /** Bytes of the WAV it stands for (what the media route serves). */
  readonly size: number;
  readonly durationMs: number;
  /** False when the file ends without its final chunk (a torn write nobody could seal). */
  readonly complete: boolean;
  /** Bytes [position, position + length) of the WAV (fewer at its end). */
  read(position: number, length: number): Promise<Buffer>;
  /** Bytes start..end (inclusive) of the WAV as a stream; closes nothing but itself. */
  stream(start?: number, end?: number): Readable;
  close(): Promise<void>;
}

/** What a finished encrypted file is, from its header and index alone (no key needed). */
export interface ContainerLayout {
  header: ContainerHeader;
  /** File offset of each chunk record. */
  offsets: number[];
  /** Plaintext length of each chunk. */
  lengths: number[];
  flags: number;
  dataBytes: number;
}

/** Reads the header and index of a finished encrypted recording; throws ContainerError. */
export async function readLayout(file: FileHandle, size: number): Promise<ContainerLayout> {
  const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
  await file.read(head, 0, head.length, 0);
  const header = parseHeader(head);
  if (size < header.bytes.length + FOOTER_BYTES)
    throw new ContainerError('it has no index (an unfinished recording?)');
  const footerBytes = Buffer.alloc(FOOTER_BYTES);
  await file.read(footerBytes, 0, FOOTER_BYTES, size - FOOTER_BYTES);
  const footer = parseFooter(footerBytes);
  if (!footer) throw new ContainerError('it has no index (an unfinished recording?)');
  const indexAt = size - FOOTER_BYTES - footer.count * 4;
  if (indexAt < header.bytes.length) throw new ContainerError('its index is damaged');
  const index = Buffer.alloc(footer.count * 4);
  await file.read(index, 0, index.length, indexAt);
  const offsets: number[] = [];
  const lengths: number[] = [];
  let at = header.bytes.length;
  let dataBytes = 0;
  for (let i = 0; i < footer.count; i++) {
    const length = index.readUInt32BE(i * 4);
    if (length > header.maxChunkBytes) throw new ContainerError('its index is damaged');
    offsets.push(at);
    lengths.push(length);
    at += RECORD_OVERHEAD + length;
    dataBytes += length;
  }
  if (at !== indexAt) throw new ContainerError('its index does not match its chunks');
  return { header, offsets, lengths, flags: footer.flags, dataBytes };
}

/**
 * Opens a finished recording (encrypted, or a plaintext WAV of an older version). `keys` may be
 * null only for plaintext files.
 */
export async function openRecording(
  path: string,
  keys: RecordingKeys | null,
): Promise<RecordingReader> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    await file.read(head, 0, head.length, 0);
    if (!isContainer(head)) return plainReader(path, file, head, size);
    let layout: ContainerLayout;
    try {
      layout = await readLayout(file, size);
    } catch (error) {
      if (error instanceof ContainerError)
        throw new RecordingReadError(path, error.message, { cause: error });
      throw error;
    }
    if (!keys)
      throw new RecordingReadError(path, 'it is encrypted and no recording keys were given');
    const key = keys.unwrap(layout.header);
    return await encryptedReader(path, file, layout, key);
  } catch (error) {
    await file.close();
    throw error;
  }
}

function plainReader(path: string, file: FileHandle, head: Buffer, size: number): RecordingReader {
  let layout;
  try {
    layout = parseWavHeader(head, size);
  } catch (error) {
    if (error instanceof WavError)
      throw new RecordingReadError(path, error.message, { cause: error });
    throw error;
  }
  const read = async (position: number, length: number): Promise<Buffer> => {
    const want = Math.max(0, Math.min(length, size - position));
    const out = Buffer.alloc(want);
    let done = 0;
    while (done < want) {
      const { bytesRead } = await file.read(out, done, want - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return out.subarray(0, done);
  };
  return {
    path,
    encrypted: false,
    sampleRate: layout.sampleRate,
    channels: layout.channels,
    dataBytes: layout.dataBytes,
    size,
    durationMs: Math.round((layout.frames / layout.sampleRate) * 1000),
    complete: true,
    read,
    stream: (start = 0, end = size - 1) => streamOf(read, start, end),
    close: () => file.close(),
  };
}

async function encryptedReader(
  path: string,
  file: FileHandle,
  layout: ContainerLayout,
  key: Buffer,
): Promise<RecordingReader> {
  const { header, offsets, lengths } = layout;
  const count = lengths.length;
  // The last chunk must be the empty final one, unless the footer says the file has none.
  const complete = (layout.flags & FLAG_NO_FINAL) === 0;
  const isFinal = (index: number): boolean => complete && index === count - 1;
  if (complete && (count === 0 || lengths[count - 1] !== 0))
    throw new RecordingReadError(path, 'it does not end with its final chunk: it was cut');
  const starts: number[] = [];
  let total = 0;
  for (const length of lengths) {
    starts.push(total);
    total += length;
  }
  const dataBytes = total;
  const wavHeader = encodeWavHeader({
    sampleRate: header.sampleRate,
    channels: header.channels,
    dataBytes,
  });
  let cached: { index: number; plain: Buffer } | null = null;
  const chunk = async (index: number): Promise<Buffer> => {
    if (cached?.index === index) return cached.plain;
    const record = Buffer.alloc(RECORD_OVERHEAD + lengths[index]!);
    const { bytesRead } = await file.read(record, 0, record.length, offsets[index]);
    if (bytesRead !== record.length)
      throw new RecordingReadError(path, `chunk ${index} is cut short`);
    let plain: Buffer;
    try {
      plain = openChunk(key, header, index, isFinal(index), record);
    } catch (error) {
      throw new RecordingReadError(path, (error as Error).message, { cause: error });
    }
    cached = { index, plain };
    return plain;
  };
  if (complete) await chunk(count - 1); // proves the recording was not cut short
  const size = WAV_HEADER_BYTES + dataBytes;
  const read = async (position: number, length: number): Promise<Buffer> => {
    const end = Math.min(size, position + Math.max(0, length));
    if (position >= end) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    let at = position;
    if (at < WAV_HEADER_BYTES) {
      parts.push(wavHeader.subarray(at, Math.min(WAV_HEADER_BYTES, end)));
      at = WAV_HEADER_BYTES;
    }
    while (at < end) {
      const data = at - WAV_HEADER_BYTES;
      const index = chunkAt(starts, lengths, data);
      const plain = await chunk(index);
      const from = data - starts[index]!;
      const take = Math.min(plain.length - from, end - at);
      parts.push(plain.subarray(from, from + take));
      at += take;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  };
  return {
    path,
    encrypted: true,
    sampleRate: header.sampleRate,
    channels: header.channels,
    dataBytes,
    size,
    durationMs: Math.round((dataBytes / (2 * header.channels) / header.sampleRate) * 1000),
    complete,
    read,
    stream: (start = 0, end = size - 1) => streamOf(read, start, end),
    close: () => file.close(),
  };
}

/** The chunk holding data byte `at` (binary search over the chunks' starts; empty chunks skipped). */
function chunkAt(starts: number[], lengths: number[], at: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  while (lengths[lo] === 0 && lo > 0) lo--;
  return lo;
}

function streamOf(
  read: (position: number, length: number) => Promise<Buffer>,
  start: number,
  end: number,
): Readable {
  async function* pieces(): AsyncGenerator<Buffer> {
    for (let at = start; at <= end;) {
      const piece = await read(at, Math.min(STREAM_PIECE_BYTES, end - at + 1));
      if (piece.length === 0) return;
      yield piece;
      at += piece.length;
    }
  }
  return Readable.from(pieces(), { objectMode: false });
}

/** A whole recording decoded (tests and small tools): what readWav gives for a plaintext file. */
export async function readRecordingWav(
  path: string,
  keys: RecordingKeys | null,
): Promise<WavAudio> {
  const reader = await openRecording(path, keys);
  try {
    return parseWav(await reader.read(0, reader.size));
  } finally {
    await reader.close();
  }
}

/**
 * A call's recording made in parts (a REFER moved the call to another seat, which recorded the
 * rest; issue 16 §3) read as one WAV: part after part, with `gapBytes` of silence before a part
 * that started after the one before it ended. The parts must share the sample rate and channels.
 * Closing it closes every part.
 */
export function joinRecordings(
  parts: ReadonlyArray<{ reader: RecordingReader; gapBytes: number }>,
): RecordingReader {
  const first = parts[0]?.reader;
  if (!first) throw new Error('joinRecordings needs at least one part');
  if (parts.length === 1) return first;
  for (const { reader } of parts)
    if (reader.sampleRate !== first.sampleRate || reader.channels !== first.channels)
      throw new RecordingReadError(
        reader.path,
        `its format (${reader.sampleRate} Hz, ${reader.channels} channels) differs from the call's first part (${first.sampleRate} Hz, ${first.channels} channels)`,
      );
  const frameBytes = 2 * first.channels;
  /** The data in order: silence (reader null) or a part's PCM from its data offset. */
  const segments: Array<{ reader: RecordingReader | null; from: number; length: number }> = [];
  for (const { reader, gapBytes } of parts) {
    const gap = Math.max(0, Math.floor(gapBytes / frameBytes) * frameBytes);
    if (gap > 0 && segments.length > 0) segments.push({ reader: null, from: 0, length: gap });
    // Our WAVs and the synthesised ones end with their data chunk.
    segments.push({ reader, from: reader.size - reader.dataBytes, length: reader.dataBytes });
  }
  const dataBytes = segments.reduce((sum, s) => sum + s.length, 0);
  const header = encodeWavHeader({
    sampleRate: first.sampleRate,
    channels: first.channels,
    dataBytes,
  });
  const size = WAV_HEADER_BYTES + dataBytes;
  const read = async (position: number, length: number): Promise<Buffer> => {
    const end = Math.min(size, position + Math.max(0, length));
    if (position >= end) return Buffer.alloc(0);
    const out: Buffer[] = [];
    let at = position;
    if (at < WAV_HEADER_BYTES) {
      out.push(header.subarray(at, Math.min(WAV_HEADER_BYTES, end)));
      at = WAV_HEADER_BYTES;
    }
    let segmentStart = WAV_HEADER_BYTES;
    for (const segment of segments) {
      if (at >= end) break;
      const segmentEnd = segmentStart + segment.length;
      if (at < segmentEnd) {
        const take = Math.min(segmentEnd, end) - at;
        const within = at - segmentStart;
        out.push(
          segment.reader
            ? await segment.reader.read(segment.from + within, take)
            : Buffer.alloc(take),
        );
        at += take;
      }
      segmentStart = segmentEnd;
    }
    return Buffer.concat(out);
  };
  return {
    path: first.path,
    encrypted: parts.some((p) => p.reader.encrypted),
    sampleRate: first.sampleRate,
    channels: first.channels,
    dataBytes,
    size,
    durationMs: Math.round((dataBytes / frameBytes / first.sampleRate) * 1000),
    complete: parts.every((p) => p.reader.complete),
    read,
    stream: (start = 0, end = size - 1) => streamOf(read, start, end),
    close: async () => {
      await Promise.all(parts.map((p) => p.reader.close()));
    },
  };
}
