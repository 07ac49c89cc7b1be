/**
 * Joining a call's segments into its final WAV, for a recorder's finish() and for recovery after a
 * crash. Streams segment by segment through one reused buffer; writes `<callId>.wav.tmp`, fsyncs,
 * renames it to `<callId>.wav`, then removes the `.parts` folder. A crash at any point leaves either
 * the parts (and this runs again) or the finished file (and only the parts' removal is redone).
 */
import { type FileHandle, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import {
  describeFsError,
  encodeWavHeader,
  parseWavHeader,
  WAV_HEADER_BYTES,
  WavError,
  type WavLayout,
} from '../audio/wav.js';
import {
  activeParts,
  finalPathOf,
  META_FILE,
  PARTS_SUFFIX,
  RecordingError,
  type RecordingMeta,
  type RecordingResult,
  SEGMENT_PATTERN,
  tempPathOf,
} from './layout.js';

const COPY_BUFFER_BYTES = 256 * 1024;
/** Enough to reach the data chunk of any header this recorder (or a sane tool) writes. */
const HEADER_PROBE_BYTES = 4096;
const DEFAULT_SAMPLE_RATE = 16_000;
const MAX_WAV_DATA_BYTES = 0xffffffff - 36;

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

/**
 * Joins `<dir>/<callId>.parts` into `<dir>/<callId>.wav`. Throws RecordingError. With
 * `adoptExisting` (recovery), a final file already there is taken as the result of an earlier run
 * that crashed before removing the parts; without it (finish()), it is a conflict.
 */
export async function finalizeParts(
  dir: string,
  callId: string,
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
  const segments = await readSegments(partsDir, meta, warnings);
  const sampleRate = meta?.sampleRate ?? segments[0]?.layout.sampleRate ?? DEFAULT_SAMPLE_RATE;
  const dataBytes = segments.reduce((sum, segment) => sum + segment.layout.dataBytes, 0);
  if (dataBytes > MAX_WAV_DATA_BYTES) {
    throw new RecordingError(
      'FINALIZE_FAILED',
      `the recording in ${partsDir} is longer than a WAV file can hold (4 GiB)`,
      { path: partsDir },
    );
  }

  await writeJoined(tempPath, sampleRate, dataBytes, segments);
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
    sampleRate,
    durationMs: Math.round((dataBytes / 4 / sampleRate) * 1000),
    bytes: WAV_HEADER_BYTES + dataBytes,
    startedAt: meta?.startedAt ?? null,
    warnings,
  };
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
    const layout = parseStereo16(head, size, finalPath, null);
    return {
      path: finalPath,
      channels: 2,
      sampleRate: layout.sampleRate,
      durationMs: Math.round((layout.frames / layout.sampleRate) * 1000),
      bytes: size,
    };
  } catch (error) {
    if (error instanceof RecordingError) {
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
  meta: RecordingMeta | null,
  warnings: string[],
): Promise<Segment[]> {
  let names: string[];
  try {
    names = await readdir(partsDir);
  } catch (error) {
    throw new RecordingError(
      'FINALIZE_FAILED',
      `Could not list ${partsDir}: ${describeFsError(error)}`,
      { cause: error, path: partsDir },
    );
  }
  const numbered = names
    .map((name) => ({ name, match: SEGMENT_PATTERN.exec(name) }))
    .filter((entry) => entry.match !== null)
    .map((entry) => ({ name: entry.name, index: Number(entry.match![1]) }))
    .sort((a, b) => a.index - b.index);
  for (let i = 1; i < numbered.length; i++) {
    if (numbered[i]!.index !== numbered[i - 1]!.index + 1) {
      throw new RecordingError(
        'CORRUPT',
        `${partsDir} is missing segment ${numbered[i - 1]!.index + 1}; its parts are kept`,
        { path: partsDir },
      );
    }
  }

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

async function writeJoined(
  tempPath: string,
  sampleRate: number,
  dataBytes: number,
  segments: Segment[],
): Promise<void> {
  let out: FileHandle | null = null;
  let current = tempPath;
  try {
    out = await open(tempPath, 'w');
    await writeFully(
      out,
      encodeWavHeader({ sampleRate, channels: 2, dataBytes }),
      WAV_HEADER_BYTES,
      0,
    );
    let position = WAV_HEADER_BYTES;
    const buffer = Buffer.allocUnsafe(Math.min(COPY_BUFFER_BYTES, Math.max(dataBytes, 1)));
    for (const segment of segments) {
      current = segment.path;
      const input = await open(segment.path, 'r');
      try {
        let done = 0;
        while (done < segment.layout.dataBytes) {
          const want = Math.min(buffer.length, segment.layout.dataBytes - done);
          const { bytesRead } = await input.read(buffer, 0, want, segment.layout.dataOffset + done);
          if (bytesRead === 0)
            throw new Error(`it ended after ${done} of ${segment.layout.dataBytes} audio bytes`);
          current = tempPath;
          await writeFully(out, buffer, bytesRead, position);
          current = segment.path;
          position += bytesRead;
          done += bytesRead;
        }
      } finally {
        await input.close();
      }
    }
    current = tempPath;
    await out.sync();
    await out.close();
    out = null;
  } catch (error) {
    await out?.close().catch(() => undefined);
    await rm(tempPath, { force: true }).catch(() => undefined);
    const verb = current === tempPath ? 'write' : 'read';
    throw new RecordingError(
      'FINALIZE_FAILED',
      `Could not ${verb} ${current}: ${describeFsError(error)}`,
      { cause: error, path: current },
    );
  }
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
 */
export async function recoverRecordings(recordingsDir: string): Promise<RecoveryOutcome[]> {
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
      outcomes.push({ callId, ...(await finalizeParts(dir, callId, { adoptExisting: true })) });
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
