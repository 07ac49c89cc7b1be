/**
 * Where a call's recording lives on disk, and the errors recording reports. Every file holding
 * audio is encrypted (container.ts); none is ever plaintext, not even while the call runs.
 *
 *   <dir>/<callId>.parts/meta.json            written first: who, when, which format (no audio)
 *   <dir>/<callId>.parts/segment-000001.enc   closed segments: encrypted chunks, fsynced
 *   <dir>/<callId>.parts/segment-00000N.enc   the open segment: grows chunk by chunk
 *   <dir>/<callId>.wav.tmp                    the joined recording while it is being written
 *   <dir>/<callId>.wav                        the finished recording (renamed from .tmp): an
 *                                             encrypted container that decrypts to a WAV (the name
 *                                             says what it stands for; reader.ts reads it)
 * Older versions wrote plaintext `segment-N.wav` parts and WAV files: recovery still joins such
 * parts (encrypting them), and migrate.ts encrypts old finished files in place at start.
 */
import { join } from 'node:path';

export type RecordingErrorCode =
  /** The call id cannot be used as a file name. */
  | 'BAD_CALL_ID'
  /** A recording (finished or left over) for this call id is already there. */
  | 'EXISTS'
  /** The recording folder or its meta.json could not be created. */
  | 'CREATE_FAILED'
  /** Writing audio to a segment failed (disk full, folder removed, …). */
  | 'WRITE_FAILED'
  /** The disk fell so far behind that frames were dropped. */
  | 'BACKLOG'
  /** A pushed frame had the wrong number of samples or an invalid sequence number. */
  | 'BAD_FRAME'
  /** Joining the segments into the final file failed. */
  | 'FINALIZE_FAILED'
  /** A leftover segment or meta.json is not what this recorder writes. */
  | 'CORRUPT'
  /** The recording keys could not make or open a recording's key. */
  | 'KEY_FAILED'
  /** finish() after abort(). */
  | 'ABORTED';

export class RecordingError extends Error {
  override readonly name = 'RecordingError';
  /** The file or folder concerned, when there is one. */
  readonly path: string | undefined;
  constructor(
    readonly code: RecordingErrorCode,
    message: string,
    options: { cause?: unknown; path?: string } = {},
  ) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.path = options.path;
  }
}

export const PARTS_SUFFIX = '.parts';
export const META_FILE = 'meta.json';
export const SEGMENT_PATTERN = /^segment-(\d+)\.enc$/;
/** Plaintext segments an older version left behind. */
export const LEGACY_SEGMENT_PATTERN = /^segment-(\d+)\.wav$/;

/** Call ids become file names: letters, digits, '.', '_' and '-', not starting with '.', ≤ 200 characters. */
const CALL_ID_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

export function checkCallId(callId: string): void {
  if (!CALL_ID_PATTERN.test(callId)) {
    throw new RecordingError(
      'BAD_CALL_ID',
      `call id ${JSON.stringify(callId)} cannot name a recording file: use 1–200 letters, digits, '.', '_' or '-', not starting with '.'`,
    );
  }
}

export function partsDirOf(dir: string, callId: string): string {
  return join(dir, `${callId}${PARTS_SUFFIX}`);
}

export function finalPathOf(dir: string, callId: string): string {
  return join(dir, `${callId}.wav`);
}

export function tempPathOf(dir: string, callId: string): string {
  return join(dir, `${callId}.wav.tmp`);
}

export function segmentName(index: number): string {
  return `segment-${String(index).padStart(6, '0')}.enc`;
}

/** What meta.json holds. */
export interface RecordingMeta {
  version: 1;
  callId: string;
  /** Epoch ms when the recorder was created. */
  startedAt: number;
  sampleRate: number;
  channels: 2;
  bitsPerSample: 16;
  frameMs: number;
  segmentMs: number;
  /** Channel 0 (left) is what came in from the customer; channel 1 (right) is what went out to them. */
  channelLayout: ['customer', 'outbound'];
}

/** What finish() and recovery return for a finished recording. */
export interface RecordingResult {
  path: string;
  channels: 2;
  sampleRate: number;
  durationMs: number;
  /** Size of the WAV it stands for, header included (the file itself is encrypted). */
  bytes: number;
  /** Set when writing failed part-way (a full disk): why the recording stops short. */
  incomplete?: string;
}

/** Calls whose recorder is live in this process: recovery leaves their folders alone. */
export const activeParts = new Set<string>();
