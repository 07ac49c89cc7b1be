/**
 * Joining a call's segments into its final recording, for a recorder's finish() and for recovery
 * after a crash. Encrypted segments (container.ts) are joined by copying their chunk records as
 * they are — no key needed, so recovery works in public-key mode too — and appending the index.
 * Plaintext segments an older version left are encrypted on the way. Writes `<callId>.wav.tmp`,
 * fsyncs, renames it to `<callId>.wav`, then removes the `.parts` folder. A crash at any point
 * leaves either the parts (and this runs again) or the finished file (and only the parts' removal
 * is redone).
 */
import { type FileHandle, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import {
  describeFsError,
  parseWavHeader,
  WAV_HEADER_BYTES,
  WavError,
  type WavLayout,
} from '../audio/wav.js';
import type { Logger } from '../log.js';
import {
  CONTAINER_MAGIC,
  ContainerError,
  type ContainerHeader,
  encodeIndex,
  FLAG_NO_FINAL,
  isContainer,
  openChunk,
  parseHeader,
  RECORD_OVERHEAD,
  scanRecords,
  sealChunk,
} from './container.js';
import { type RecordingKeys } from './keys.js';
import {
  activeParts,
  finalPathOf,
  LEGACY_SEGMENT_PATTERN,
  META_FILE,
  PARTS_SUFFIX,
  RecordingError,
  type RecordingMeta,
  type RecordingResult,
  SEGMENT_PATTERN,
  tempPathOf,
} from './layout.js';
import { readLayout } from './reader.js';

const COPY_BUFFER_BYTES = 256 * 1024;
/** Enough to reach the data chunk of any header this recorder (or a sane tool) writes. */
const HEADER_PROBE_BYTES = 4096;
const DEFAULT_SAMPLE_RATE = 16_000;
const MAX_WAV_DATA_BYTES = 0xffffffff - 36;
/** Files (0600) and folders (0700) of recordings: only this user reads them. */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

export interface FinalizeOutcome extends RecordingResult {
  /** From meta.json; null when it was missing or unreadable. */
  startedAt: number | null;
  /** Things that were off but did not stop the recording from being saved. */
  warnings: string[];
}

interface Segment {
  path: string;
  layout: WavLayout;
}

/** Half a second of 16-bit stereo: the chunk size for audio encrypted after the fact. */
export function halfSecondBytes(sampleRate: number): number {
  return Math.max(4, Math.round(sampleRate / 2) * 4);
}

/**
 * Joins `<dir>/<callId>.parts` into `<dir>/<callId>.wav`. Throws RecordingError. With
 * `adoptExisting` (recovery), a final file already there is taken as the result of an earlier run
 * that crashed before removing the parts; without it (finish()), it is a conflict.
 */
export async function finalizeParts(
  dir: string,
  callId: string,
  keys: RecordingKeys,
  { adoptExisting = false } = {},
): Promise<FinalizeOutcome> {
  const partsDir = join(dir, `${callId}${PARTS_SUFFIX}`);
  const finalPath = finalPathOf(dir, callId);
  const tempPath = tempPathOf(dir, callId);
  const warnings: string[] = [];

  // A crash between the rename and the removal of the parts: the final file is complete.
  const existing = await describeExisting(finalPath);
  if (existing && !adoptExisting) {
    throw new RecordingError(
      'EXISTS',
      `${finalPath} already exists; the recording stays in ${partsDir}`,
      { path: finalPath },
    );
  }
  if (existing) {
    const startedAt = (await readMeta(partsDir, callId, []).catch(() => null))?.startedAt ?? null;
    await removeParts(partsDir);
    return { ...existing, startedAt, warnings };
  }

  const meta = await readMeta(partsDir, callId, warnings);
  const names = await listParts(partsDir);
  const legacy = numbered(names, LEGACY_SEGMENT_PATTERN, partsDir);
  const sealed = numbered(names, SEGMENT_PATTERN, partsDir);
  if (legacy.length > 0 && sealed.length > 0)
    throw new RecordingError(
      'CORRUPT',
      `${partsDir} holds both plaintext and encrypted segments; its parts are kept`,
      { path: partsDir },
    );
  let joined: { sampleRate: number; dataBytes: number };
  if (legacy.length > 0) {
    const segments = await readSegments(partsDir, legacy, meta, warnings);
    const sampleRate = meta?.sampleRate ?? segments[0]?.layout.sampleRate ?? DEFAULT_SAMPLE_RATE;
    const dataBytes = segments.reduce((sum, segment) => sum + segment.layout.dataBytes, 0);
    checkLength(dataBytes, partsDir);
    await encryptPlainSegments(
      tempPath,
      keys,
      sampleRate,
      callId,
      meta?.startedAt ?? null,
      segments,
    );
    joined = { sampleRate, dataBytes };
  } else {
    joined = await joinSealed(tempPath, partsDir, sealed, keys, meta, callId, warnings);
  }
  try {
    await rename(tempPath, finalPath);
  } catch (error) {
    await rm(tempPath, { force: true }).catch(() => undefined);
    throw new RecordingError(
      'FINALIZE_FAILED',
      `Could not rename ${tempPath} to ${finalPath}: ${describeFsError(error)}`,
      { cause: error, path: finalPath },
    );
  }
  await syncDir(dir);
  await removeParts(partsDir);
  return {
    path: finalPath,
    channels: 2,
    sampleRate: joined.sampleRate,
    durationMs: Math.round((joined.dataBytes / 4 / joined.sampleRate) * 1000),
    bytes: WAV_HEADER_BYTES + joined.dataBytes,
    startedAt: meta?.startedAt ?? null,
    warnings,
  };
}

function checkLength(dataBytes: number, partsDir: string): void {
  if (dataBytes > MAX_WAV_DATA_BYTES) {
    throw new RecordingError(
      'FINALIZE_FAILED',
      `the recording in ${partsDir} is longer than a WAV file can hold (4 GiB)`,
      { path: partsDir },
    );
  }
}

async function listParts(partsDir: string): Promise<string[]> {
  try {
    return await readdir(partsDir);
  } catch (error) {
    throw new RecordingError(
      'FINALIZE_FAILED',
      `Could not list ${partsDir}: ${describeFsError(error)}`,
      { cause: error, path: partsDir },
    );
  }
}

/** The segment files matching `pattern`, in order; a gap in their numbers is CORRUPT. */
function numbered(
  names: string[],
  pattern: RegExp,
  partsDir: string,
): Array<{ name: string; index: number }> {
  const found = names
    .map((name) => ({ name, match: pattern.exec(name) }))
    .filter((entry) => entry.match !== null)
    .map((entry) => ({ name: entry.name, index: Number(entry.match![1]) }))
    .sort((a, b) => a.index - b.index);
  for (let i = 1; i < found.length; i++) {
    if (found[i]!.index !== found[i - 1]!.index + 1) {
      throw new RecordingError(
        'CORRUPT',
        `${partsDir} is missing segment ${found[i - 1]!.index + 1}; its parts are kept`,
        { path: partsDir },
      );
    }
  }
  return found;
}

/**
 * Joins encrypted segments: one header (they all carry the same), every chunk record in order
 * (the empty final chunk each write leaves after itself is dropped except at the very end), then
 * the index. Nothing already stored is lost to a bad part: a part that is empty, has no OBREC1
 * magic or only part of its header (a full disk at the moment it was created) is left out with a
 * warning naming it, and a torn end (a write cut short) is dropped, keeping the whole chunks
 * before it. When this workspace holds the recording's key, every chunk is authenticated on the
 * way: a chunk that authenticates only at a later index (chunks lost in between) gets the lost
 * span as sealed silence, so the timeline stays aligned; one that does not authenticate at all
 * cuts its part there, so unauthenticated bytes are never kept. Without the key (public-key mode)
 * the records are copied as they are and the reader authenticates them. A recording whose end was
 * torn gets a final chunk sealed now when this workspace holds its key; otherwise the footer says
 * it has none (readers report it incomplete).
 */
async function joinSealed(
  tempPath: string,
  partsDir: string,
  segments: Array<{ name: string; index: number }>,
  keys: RecordingKeys,
  meta: RecordingMeta | null,
  callId: string,
  warnings: string[],
): Promise<{ sampleRate: number; dataBytes: number }> {
  let header: ContainerHeader | null = null;
  // The recording's key when this workspace holds it (null: public-key mode, copy as is).
  let key: Buffer | null = null;
  const records: Buffer[] = [];
  const lengths: number[] = [];
  let tail: Buffer | null = null;
  // Parts left out that held more than a cut header: kept on disk if nothing else is readable.
  let unreadable: string | null = null;
  for (let i = 0; i < segments.length; i++) {
    const path = join(partsDir, segments[i]!.name);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new RecordingError(
        'FINALIZE_FAILED',
        `Could not read ${path}: ${describeFsError(error)}`,
        { cause: error, path },
      );
    }
    let segmentHeader: ContainerHeader;
    try {
      segmentHeader = parseHeader(bytes);
    } catch (error) {
      // Created but never given its (whole) header: the disk was full, or a crash came first.
      // Such a part holds no chunk this recording can use, so it is left out, and said so.
      if (error instanceof ContainerError) {
        warnings.push(
          bytes.length === 0
            ? `${path} is empty (its header was never written); it was left out`
            : headerNeverWritten(bytes, header)
              ? `${path} holds only part of its header (${bytes.length} bytes); it was left out`
              : `${path} was left out: ${error.message} (${bytes.length} bytes)`,
        );
        if (bytes.length > 0 && !headerNeverWritten(bytes, header))
          unreadable ??= `${path}: ${error.message}`;
        tail = null;
        continue;
      }
      throw new RecordingError(
        'CORRUPT',
        `${path}: ${(error as Error).message}; its parts are kept`,
        { cause: error, path },
      );
    }
    if (header && !header.bytes.equals(segmentHeader.bytes))
      throw new RecordingError(
        'CORRUPT',
        `${path} belongs to another recording than the segments before it; its parts are kept`,
        { path },
      );
    if (!header) {
      header = segmentHeader;
      try {
        key = keys.unwrap(header);
      } catch {
        key = null;
      }
    }
    const scan = scanRecords(bytes, segmentHeader.bytes.length, segmentHeader.maxChunkBytes);
    if (scan.torn)
      warnings.push(
        `${path} ends in a torn write (${bytes.length - scan.end} bytes); it was dropped`,
      );
    tail = null;
    for (const { offset, length } of scan.records) {
      const record = bytes.subarray(offset, offset + RECORD_OVERHEAD + length);
      if (length === 0) {
        tail = record; // a final chunk: kept only if nothing follows it
        continue;
      }
      tail = null;
      if (key) {
        const at = authenticatedIndex(key, header, records.length, record);
        if (at === null) {
          warnings.push(
            `${path}: the chunk at byte ${offset} does not authenticate as chunk ${records.length}; the part was cut there (${bytes.length - offset} bytes left out)`,
          );
          break;
        }
        if (at > records.length) {
          const lost = at - records.length;
          const chunkMs = (header.maxChunkBytes / 4 / header.sampleRate) * 1000;
          warnings.push(
            `${path}: ${lost} chunk(s) before chunk ${at} are missing; about ${Math.round(lost * chunkMs)} ms of silence stand in for them`,
          );
          const silence = Buffer.alloc(header.maxChunkBytes);
          while (records.length < at) {
            records.push(sealChunk(key, header, records.length, false, silence));
            lengths.push(silence.length);
          }
        }
      }
      records.push(record);
      lengths.push(length);
    }
  }
  const sampleRate = header?.sampleRate ?? meta?.sampleRate ?? DEFAULT_SAMPLE_RATE;
  const dataBytes = lengths.reduce((sum, length) => sum + length, 0);
  checkLength(dataBytes, partsDir);
  let flags = 0;
  if (!header && unreadable !== null)
    throw new RecordingError('CORRUPT', `${unreadable}; its parts are kept`, { path: partsDir });
  if (!header) {
    // Nothing was ever written: an empty recording, under a key of its own.
    const fresh = newRecording(keys, sampleRate, callId, meta?.startedAt ?? null, partsDir);
    header = fresh.header;
    tail = sealChunk(fresh.key, header, 0, true, Buffer.alloc(0));
  } else if (tail && key && !authenticates(key, header, records.length, true, tail)) {
    tail = sealChunk(key, header, records.length, true, Buffer.alloc(0));
    warnings.push('the final chunk did not authenticate; a new one was sealed');
  } else if (!tail) {
    if (key) {
      tail = sealChunk(key, header, records.length, true, Buffer.alloc(0));
      warnings.push('the recording ended in a torn write; a final chunk was sealed for it');
    } else {
      flags |= FLAG_NO_FINAL;
      warnings.push(
        'the recording ended in a torn write and its key is not held here: it is kept without a final chunk (readers say it is incomplete)',
      );
    }
  }
  if (tail) {
    records.push(tail);
    lengths.push(0);
  }
  await writeSealed(tempPath, header, records, lengths, flags);
  return { sampleRate, dataBytes };
}

/**
 * True when a part that does not parse looks cut before its header was whole: a prefix of the
 * header the parts before it carry (of an OBREC1 header when it is the first).
 */
function headerNeverWritten(bytes: Buffer, header: ContainerHeader | null): boolean {
  if (header)
    return (
      bytes.length < header.bytes.length && header.bytes.subarray(0, bytes.length).equals(bytes)
    );
  const magic = CONTAINER_MAGIC.subarray(0, Math.min(bytes.length, CONTAINER_MAGIC.length));
  return bytes.subarray(0, magic.length).equals(magic);
}

/** Whether a record authenticates as chunk `index` with that final flag. */
function authenticates(
  key: Buffer,
  header: ContainerHeader,
  index: number,
  final: boolean,
  record: Buffer,
): boolean {
  try {
    openChunk(key, header, index, final, record);
    return true;
  } catch {
    return false;
  }
}

/** Chunk records lost in a row that recovery fills with silence (beyond: the part is cut). */
const MAX_LOST_CHUNKS = 1200;

/**
 * The index at which a record authenticates: `expected`, or a later one when chunks before it were
 * lost (up to MAX_LOST_CHUNKS); null when it does not authenticate as any of them.
 */
function authenticatedIndex(
  key: Buffer,
  header: ContainerHeader,
  expected: number,
  record: Buffer,
): number | null {
  for (let index = expected; index <= expected + MAX_LOST_CHUNKS; index++)
    if (authenticates(key, header, index, false, record)) return index;
  return null;
}

function newRecording(
  keys: RecordingKeys,
  sampleRate: number,
  callId: string,
  startedAt: number | null,
  path: string,
  channels: 1 | 2 = 2,
): ReturnType<RecordingKeys['newRecording']> {
  try {
    return keys.newRecording({
      sampleRate,
      channels,
      maxChunkBytes: halfSecondBytes(sampleRate),
      meta: { callId, startedAt },
    });
  } catch (error) {
    throw new RecordingError(
      'KEY_FAILED',
      `Could not make a key for the recording ${path}: ${(error as Error).message}`,
      { cause: error, path },
    );
  }
}

async function writeSealed(
  tempPath: string,
  header: ContainerHeader,
  records: Buffer[],
  lengths: number[],
  flags: number,
): Promise<void> {
  let out: FileHandle | null = null;
  try {
    out = await open(tempPath, 'w', FILE_MODE);
    let position = 0;
    // Small records are gathered into ~256 KB writes.
    const pending: Buffer[] = [header.bytes];
    let pendingBytes = header.bytes.length;
    const drain = async (): Promise<void> => {
      const joined = Buffer.concat(pending, pendingBytes);
      await writeFully(out!, joined, joined.length, position);
      position += joined.length;
      pending.length = 0;
      pendingBytes = 0;
    };
    for (const record of [...records, encodeIndex(lengths, flags)]) {
      pending.push(record);
      pendingBytes += record.length;
      if (pendingBytes >= COPY_BUFFER_BYTES) await drain();
    }
    await drain();
    await out.sync();
    await out.close();
    out = null;
  } catch (error) {
    await out?.close().catch(() => undefined);
    await rm(tempPath, { force: true }).catch(() => undefined);
    throw new RecordingError(
      'FINALIZE_FAILED',
      `Could not write ${tempPath}: ${describeFsError(error)}`,
      { cause: error, path: tempPath },
    );
  }
}

/**
 * Encrypts plaintext audio into a finished recording at `tempPath`: `read(position, length)`
 * gives PCM bytes in order (fewer only at the end). Shared by old parts, migrate.ts and label
 * clips (clips.ts: mono, `channels` 1).
 */
export async function encryptPcm(
  tempPath: string,
  keys: RecordingKeys,
  sampleRate: number,
  meta: { callId: string; startedAt: number | null },
  dataBytes: number,
  read: (position: number, buffer: Buffer, length: number) => Promise<number>,
  channels: 1 | 2 = 2,
): Promise<void> {
  const fresh = newRecording(keys, sampleRate, meta.callId, meta.startedAt, tempPath, channels);
  const chunkBytes = fresh.header.maxChunkBytes;
  const buffer = Buffer.allocUnsafe(chunkBytes);
  const records: Buffer[] = [];
  const lengths: number[] = [];
  for (let done = 0; done < dataBytes;) {
    const want = Math.min(chunkBytes, dataBytes - done);
    const got = await read(done, buffer, want);
    if (got === 0) throw new Error(`the audio ended after ${done} of ${dataBytes} bytes`);
    records.push(
      sealChunk(fresh.key, fresh.header, records.length, false, buffer.subarray(0, got)),
    );
    lengths.push(got);
    done += got;
  }
  records.push(sealChunk(fresh.key, fresh.header, records.length, true, Buffer.alloc(0)));
  lengths.push(0);
  await writeSealed(tempPath, fresh.header, records, lengths, 0);
}

async function encryptPlainSegments(
  tempPath: string,
  keys: RecordingKeys,
  sampleRate: number,
  callId: string,
  startedAt: number | null,
  segments: Segment[],
): Promise<void> {
  const handles: FileHandle[] = [];
  try {
    for (const segment of segments) handles.push(await open(segment.path, 'r'));
    const total = segments.reduce((sum, s) => sum + s.layout.dataBytes, 0);
    await encryptPcm(
      tempPath,
      keys,
      sampleRate,
      { callId, startedAt },
      total,
      async (position, buffer, length) => {
        let at = position;
        let filled = 0;
        for (let i = 0; i < segments.length && filled < length; i++) {
          const { dataBytes, dataOffset } = segments[i]!.layout;
          if (at >= dataBytes) {
            at -= dataBytes;
            continue;
          }
          const want = Math.min(length - filled, dataBytes - at);
          const { bytesRead } = await handles[i]!.read(buffer, filled, want, dataOffset + at);
          filled += bytesRead;
          if (bytesRead < want) break;
          at = 0;
        }
        return filled;
      },
    );
  } catch (error) {
    if (error instanceof RecordingError) throw error;
    await rm(tempPath, { force: true }).catch(() => undefined);
    throw new RecordingError(
      'FINALIZE_FAILED',
      `Could not encrypt the plaintext segments in ${segments[0] ? segments[0].path : tempPath}: ${describeFsError(error)}`,
      { cause: error, path: tempPath },
    );
  } finally {
    for (const handle of handles) await handle.close().catch(() => undefined);
  }
}

async function describeExisting(finalPath: string): Promise<RecordingResult | null> {
  let handle: FileHandle;
  try {
    handle = await open(finalPath, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RecordingError(
      'FINALIZE_FAILED',
      `Could not open ${finalPath}: ${describeFsError(error)}`,
      { cause: error, path: finalPath },
    );
  }
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(size, HEADER_PROBE_BYTES));
    await handle.read(head, 0, head.length, 0);
    if (isContainer(head)) {
      const layout = await readLayout(handle, size);
      return {
        path: finalPath,
        channels: 2,
        sampleRate: layout.header.sampleRate,
        durationMs: Math.round((layout.dataBytes / 4 / layout.header.sampleRate) * 1000),
        bytes: WAV_HEADER_BYTES + layout.dataBytes,
      };
    }
    const layout = parseStereo16(head, size, finalPath, null);
    return {
      path: finalPath,
      channels: 2,
      sampleRate: layout.sampleRate,
      durationMs: Math.round((layout.frames / layout.sampleRate) * 1000),
      bytes: size,
    };
  } catch (error) {
    if (error instanceof RecordingError || error instanceof ContainerError) {
      throw new RecordingError(
        'CORRUPT',
        `${finalPath} already exists and is not a finished recording (${error.message}); its parts are kept`,
        {
          path: finalPath,
        },
      );
    }
    throw new RecordingError(
      'FINALIZE_FAILED',
      `Could not read ${finalPath}: ${describeFsError(error)}`,
      { cause: error, path: finalPath },
    );
  } finally {
    await handle.close();
  }
}

async function readMeta(
  partsDir: string,
  callId: string,
  warnings: string[],
): Promise<RecordingMeta | null> {
  const path = join(partsDir, META_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      warnings.push(`${path} is missing; the format was taken from the segments`);
      return null;
    }
    throw new RecordingError(
      'FINALIZE_FAILED',
      `Could not read ${path}: ${describeFsError(error)}`,
      { cause: error, path },
    );
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch {
    warnings.push(`${path} is not valid JSON; the format was taken from the segments`);
    return null;
  }
  if (!isMeta(meta)) {
    throw new RecordingError(
      'CORRUPT',
      `${path} does not describe a 16-bit stereo recording this version can read`,
      { path },
    );
  }
  if (meta.callId !== callId)
    warnings.push(`${path} names call ${meta.callId}, its folder ${callId}`);
  return meta;
}

function isMeta(value: unknown): value is RecordingMeta {
  if (typeof value !== 'object' || value === null) return false;
  const meta = value as Record<string, unknown>;
  return (
    meta.version === 1 &&
    typeof meta.callId === 'string' &&
    typeof meta.startedAt === 'number' &&
    Number.isInteger(meta.sampleRate) &&
    (meta.sampleRate as number) > 0 &&
    meta.channels === 2 &&
    meta.bitsPerSample === 16
  );
}

async function readSegments(
  partsDir: string,
  numbered: Array<{ name: string; index: number }>,
  meta: RecordingMeta | null,
  warnings: string[],
): Promise<Segment[]> {
  let sampleRate = meta?.sampleRate ?? null;
  const segments: Segment[] = [];
  for (let i = 0; i < numbered.length; i++) {
    const path = join(partsDir, numbered[i]!.name);
    const last = i === numbered.length - 1;
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new RecordingError(
        'FINALIZE_FAILED',
        `Could not open ${path}: ${describeFsError(error)}`,
        { cause: error, path },
      );
    }
    try {
      const { size } = await handle.stat();
      // The last segment of a crashed recorder may have been created but never got its header.
      if (last && size < WAV_HEADER_BYTES) {
        if (size > 0)
          warnings.push(`${path} holds only ${size} bytes of its header; it was left out`);
        continue;
      }
      const head = Buffer.alloc(Math.min(size, HEADER_PROBE_BYTES));
      await handle.read(head, 0, head.length, 0);
      const layout = parseStereo16(head, size, path, sampleRate);
      sampleRate ??= layout.sampleRate;
      if (layout.truncated)
        warnings.push(`${path} is shorter than its header says; what is there was kept`);
      segments.push({ path, layout });
    } catch (error) {
      if (error instanceof RecordingError) throw error;
      throw new RecordingError(
        'FINALIZE_FAILED',
        `Could not read ${path}: ${describeFsError(error)}`,
        { cause: error, path },
      );
    } finally {
      await handle.close();
    }
  }
  return segments;
}

/** Parses a header and checks it is 16-bit stereo PCM (at `sampleRate` when given). */
function parseStereo16(
  head: Uint8Array,
  size: number,
  path: string,
  sampleRate: number | null,
): WavLayout {
  let layout: WavLayout;
  try {
    layout = parseWavHeader(head, size);
  } catch (error) {
    if (error instanceof WavError)
      throw new RecordingError('CORRUPT', `${path}: ${error.message}; its parts are kept`, {
        cause: error,
        path,
      });
    throw error;
  }
  const expected = `16-bit stereo PCM${sampleRate === null ? '' : ` at ${sampleRate} Hz`}`;
  if (
    layout.formatTag !== 1 ||
    layout.bitsPerSample !== 16 ||
    layout.channels !== 2 ||
    (sampleRate !== null && layout.sampleRate !== sampleRate)
  ) {
    throw new RecordingError(
      'CORRUPT',
      `${path} holds ${layout.bitsPerSample}-bit ${layout.formatName}, ${layout.channels} channel(s) at ${layout.sampleRate} Hz, not ${expected}; its parts are kept`,
      { path },
    );
  }
  return layout;
}

/** Writes all of `length` bytes at `position` (a regular file may take fewer per call when the disk fills). */
export async function writeFully(
  handle: FileHandle,
  buffer: Buffer,
  length: number,
  position: number,
): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesWritten } = await handle.write(buffer, done, length - done, position + done);
    if (bytesWritten === 0)
      throw Object.assign(new Error('no space left on the disk (ENOSPC)'), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}

/** Makes a rename durable; folders cannot be opened for fsync on Windows, so failures are ignored. */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: the data itself was fsynced before the rename.
  }
}

async function removeParts(partsDir: string): Promise<void> {
  try {
    await rm(partsDir, { recursive: true, force: true });
  } catch (error) {
    throw new RecordingError(
      'FINALIZE_FAILED',
      `The recording was saved but ${partsDir} could not be removed: ${describeFsError(error)}`,
      {
        cause: error,
        path: partsDir,
      },
    );
  }
}

/** A recording recovered from a crashed process. */
export interface RecoveredRecording extends FinalizeOutcome {
  callId: string;
  error?: undefined;
}

/** Leftovers that could not be turned into a recording; they stay on disk for a person to look at. */
export interface UnrecoverableRecording {
  callId: string;
  /** The `.parts` folder, kept as it was. */
  partsDir: string;
  code: RecordingError['code'];
  error: string;
}

export type RecoveryOutcome = RecoveredRecording | UnrecoverableRecording;

/**
 * Finalizes every `<callId>.parts` folder under `dir` that no live recorder of this process owns:
 * meant for startup, after a crash. Never throws for a bad leftover (it is returned with `error`
 * and kept on disk); only listing `dir` itself can fail. A missing `dir` gives [].
 * With `log`, each recording saved with warnings (parts left out or cut, a final chunk sealed)
 * is logged naming the call and the files.
 */
export async function recoverRecordings(
  recordingsDir: string,
  keys: RecordingKeys,
  log?: Pick<Logger, 'warn'>,
): Promise<RecoveryOutcome[]> {
  const dir = resolve(recordingsDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new RecordingError(
      'FINALIZE_FAILED',
      `Could not list the recordings folder ${dir}: ${describeFsError(error)}`,
      { cause: error, path: dir },
    );
  }
  const outcomes: RecoveryOutcome[] = [];
  for (const name of names
    .filter((n) => n.endsWith(PARTS_SUFFIX) && n.length > PARTS_SUFFIX.length)
    .sort()) {
    const partsDir = join(dir, name);
    if (activeParts.has(partsDir)) continue;
    const callId = name.slice(0, -PARTS_SUFFIX.length);
    try {
      if (!(await stat(partsDir)).isDirectory()) continue;
      const outcome = await finalizeParts(dir, callId, keys, { adoptExisting: true });
      outcomes.push({ callId, ...outcome });
      if (outcome.warnings.length > 0)
        log?.warn('Recovered a recording with damaged or missing parts', {
          callId,
          path: outcome.path,
          durationMs: outcome.durationMs,
          warnings: outcome.warnings,
        });
    } catch (error) {
      const failure =
        error instanceof RecordingError
          ? error
          : new RecordingError(
              'FINALIZE_FAILED',
              `Could not recover ${partsDir}: ${describeFsError(error)}`,
              { cause: error, path: partsDir },
            );
      outcomes.push({ callId, partsDir, code: failure.code, error: failure.message });
    }
  }
  return outcomes;
}
