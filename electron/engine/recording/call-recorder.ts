/**
 * CallRecorder: one call's stereo recording (left = the customer, right = what went out to them),
 * written as it happens so that a killed process loses at most about half a second, and encrypted
 * before it touches the disk: each flush is one AES-256-GCM chunk under the recording's own key
 * (container.ts), written together with an empty final chunk that the next flush overwrites, so a
 * segment cut by a kill -9 still ends in a valid final chunk. Nothing plaintext is ever written.
 *
 * push() is synchronous and cheap: it interleaves the frame into a preallocated buffer. Every
 * `flushMs` of audio (or `flushMs` after the first buffered frame, if frames stop coming) the buffer
 * is handed to the writer, which seals it and appends it to the open segment with one positional
 * write. The writer runs one operation at a time per recorder, on the libuv pool, so the event loop
 * stays free (sealing half a second of audio takes tens of microseconds). Every `segmentMs` the
 * segment is fsynced and closed, and the next one starts with the same header.
 *
 * Sequence numbers: the first frame's seq is the start (nothing is filled before it). Missing seqs
 * are filled with silence, so both channels and wall time stay aligned. A duplicate or a frame up
 * to `reorderWindowMs` behind is dropped and counted. Anything further off — a jump forward of more
 * than `maxGapMs`, or a jump back of more than `reorderWindowMs` — is taken as a restarted stream:
 * the recorder resyncs to the new seq and fills the gap the timestamps show only when that is
 * between 0 and `maxGapMs`, so a clock or numbering change never allocates minutes of silence.
 *
 * Errors never throw out of push(): they go to `onError` (once per kind). A full disk (ENOSPC,
 * EDQUOT, EFBIG) does not end the recording: the segment is cut back to its last whole chunk (so
 * the parts on disk stay a valid, index-contiguous stream), the audio that comes meanwhile is
 * counted lost, and every `retryMs` the next write tries again; when the disk has room, the lost
 * span is written as silence (up to `maxGapMs`), so the timeline stays aligned, and `onResume`
 * says how long the gap was. A disk already full when the recording starts stalls it the same
 * way (meta.json is written with the first audio once there is room). finish() tries once more.
 * Any other write failure, or a disk still full at finish(), stops the recording: finish() then
 * joins what was written when the disk has room for it (the result's `incomplete` says why it
 * stops short), else rejects and the parts stay on disk for recoverRecordings at the next start.
 */
import { type FileHandle, mkdir, open, rm, stat, statfs } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join, resolve } from 'node:path';

import { describeFsError } from '../audio/wav.js';
import { sealChunk } from './container.js';
import { DIR_MODE, FILE_MODE, finalizeParts, syncDir, writeFully } from './finalize.js';
import type { NewRecording, RecordingKeys } from './keys.js';
import {
  activeParts,
  checkCallId,
  finalPathOf,
  META_FILE,
  partsDirOf,
  RecordingError,
  type RecordingMeta,
  type RecordingResult,
  segmentName,
  tempPathOf,
} from './layout.js';

export interface CallRecorderOptions {
  /** The recordings root; the call's files go directly under it (paths are made absolute). */
  dir: string;
  callId: string;
  /** What wraps the recording's own key (keys.ts); the audio is encrypted with nothing else. */
  keys: RecordingKeys;
  /** Default 16000. */
  sampleRate?: number;
  /** Length of one pushed frame. Default 20 (320 samples per channel at 16 kHz). */
  frameMs?: number;
  /** A segment is closed (sizes patched, fsynced) after this much audio. Default 10 000. */
  segmentMs?: number;
  /** Audio buffered in memory before it is written: what a kill -9 can lose. Default 500. */
  flushMs?: number;
  /** The longest run of missing frames filled with silence. Default 60 000. */
  maxGapMs?: number;
  /** How far back a late or repeated frame may be and still be dropped (rather than seen as a restart). Default 1000. */
  reorderWindowMs?: number;
  /** Audio allowed to wait for a slow disk before frames are dropped. Default 60 000. */
  maxBacklogMs?: number;
  /** Epoch ms stored in meta.json. Default Date.now(). */
  startedAt?: number;
  /** Told about failures (once per kind); push() itself never throws for them. */
  onError?: (error: RecordingError) => void;
  /** Told when writing resumes after a full disk: the gap (now silence in the recording). */
  onResume?: (info: RecorderResume) => void;
  /** How often a recording stalled by a full disk tries to write again. Default 1000. */
  retryMs?: number;
  /**
   * Free space finish() leaves on the disk when it joins what was written before a write failure
   * (see salvage()); with less, the parts wait for the next start. Default 16 MiB.
   */
  reserveBytes?: number;
}

/** Writing resumed after a full disk stalled it. */
export interface RecorderResume {
  /** The segment file writing resumed in. */
  path: string;
  /** Audio lost while the disk was full. */
  lostMs: number;
  /** How much of it is silence in the recording (all of it up to `maxGapMs`). */
  silenceMs: number;
  /** Wall time from the failed write to the resumed one. */
  stalledMs: number;
}

/** One frame from the media host: `left` = the customer, `right` = what went out to them. */
export interface RecorderFrame {
  /** uint32, consecutive from 0. */
  seq: number;
  timestampMs: number;
  left: Int16Array;
  right: Int16Array;
}

export interface RecorderStats {
  /** Frames pushed and recorded. */
  frames: number;
  /** Frames of silence put in for missing seqs. */
  silentFrames: number;
  /** Duplicates and frames that came too late. */
  dropped: number;
  /** Times the stream was seen to restart (seq far off). */
  restarts: number;
  /** Frames refused for the wrong length or an invalid seq. */
  invalid: number;
  /** Frames not recorded because writing failed or the disk fell behind. */
  lost: number;
  /** Frames pushed after finish() or abort(). */
  late: number;
  /** Audio in the recording so far (recorded and silent frames). */
  recordedMs: number;
  /** Audio bytes written to segments (plaintext bytes; the chunks on disk are 20 bytes longer each). */
  writtenBytes: number;
  /** Segments started. */
  segments: number;
}

type Op =
  | { kind: 'open' }
  | { kind: 'data'; segment: number; buffer: Buffer; bytes: number }
  | { kind: 'close'; segment: number }
  | { kind: 'resume'; segment: number };

/** Write errors that mean "no room now" (worth retrying when space comes back). */
const SPACE_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

const BIG_ENDIAN = endianness() === 'BE';
const EMPTY = Buffer.alloc(0);

export class CallRecorder {
  readonly dir: string;
  readonly callId: string;
  readonly sampleRate: number;
  readonly partsDir: string;
  readonly finalPath: string;

  private readonly frameMs: number;
  private readonly segmentMs: number;
  private readonly samplesPerFrame: number;
  private readonly frameBytes: number;
  private readonly bufferFrames: number;
  private readonly segmentFrames: number;
  private readonly maxGapFrames: number;
  private readonly reorderFrames: number;
  private readonly maxBacklogBytes: number;
  private readonly flushMs: number;
  private readonly startedAt: number;
  private readonly onError: ((error: RecordingError) => void) | undefined;
  private readonly onResume: ((info: RecorderResume) => void) | undefined;
  private readonly retryMs: number;
  private resumes = 0;
  /** A full disk stopped writing for now (see the class comment); null while writing works. */
  private stall: {
    error: RecordingError;
    since: number;
    triedAt: number;
    /** Frames not written since the failure. */
    lostFrames: number;
    /** Of those, frames already written back as silence. */
    silenceFrames: number;
  } | null = null;
  private readonly reserveBytes: number;
  /** meta.json is still to be written: the disk was full when the recording started. */
  private metaPending = false;
  private readonly keys: RecordingKeys;
  private sealing: NewRecording | null = null;
  private chunkIndex = 0;

  private state: 'recording' | 'finishing' | 'aborted' = 'recording';
  private failure: RecordingError | null = null;
  private readonly reported = new Set<string>();

  // Filling side (push).
  private buffer: Buffer;
  private view: Int16Array;
  private filled = 0; // frames in `buffer`
  private readonly pool: Buffer[] = [];
  private segment = 1;
  private segmentFramesSoFar = 0;
  private nextSeq: number | null = null;
  private lastTimestampMs = 0;
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;

  // Writing side (one operation at a time, chained).
  private tail: Promise<void> = Promise.resolve();
  private handle: FileHandle | null = null;
  private handleSegment = 0;
  /**
   * The number of the last segment file created. Files are numbered as they are created (not by
   * the filling side's segment), so a stretch the full disk kept from being written leaves no
   * gap in the numbers.
   */
  private fileNumber = 0;
  private segmentBytes = 0;

  private readonly counters = {
    frames: 0,
    silentFrames: 0,
    dropped: 0,
    restarts: 0,
    invalid: 0,
    lost: 0,
    late: 0,
    writtenBytes: 0,
    segments: 0,
  };
  private readonly opened: Promise<void>;
  private finishing: Promise<RecordingResult> | null = null;
  private aborting: Promise<void> | null = null;

  /**
   * Starts a recording: validates the call id (throws RecordingError BAD_CALL_ID, or EXISTS when
   * this process already records the call) and begins creating the folder and meta.json, which
   * `ready()` waits for.
   */
  constructor(options: CallRecorderOptions) {
    checkCallId(options.callId);
    this.dir = resolve(options.dir);
    this.callId = options.callId;
    this.sampleRate = options.sampleRate ?? 16_000;
    this.frameMs = options.frameMs ?? 20;
    this.segmentMs = options.segmentMs ?? 10_000;
    this.flushMs = options.flushMs ?? 500;
    this.startedAt = options.startedAt ?? Date.now();
    this.onError = options.onError;
    this.onResume = options.onResume;
    this.retryMs = options.retryMs ?? 1000;
    this.reserveBytes = options.reserveBytes ?? 16 * 1024 * 1024;
    this.keys = options.keys;
    this.samplesPerFrame = (this.sampleRate * this.frameMs) / 1000;
    if (!Number.isInteger(this.sampleRate) || this.sampleRate <= 0)
      throw new RangeError(`invalid sample rate ${this.sampleRate}`);
    if (!Number.isInteger(this.samplesPerFrame) || this.samplesPerFrame <= 0) {
      throw new RangeError(
        `a ${this.frameMs} ms frame is not a whole number of samples at ${this.sampleRate} Hz`,
      );
    }
    this.frameBytes = this.samplesPerFrame * 4;
    const frames = (ms: number): number => Math.max(1, Math.round(ms / this.frameMs));
    this.bufferFrames = frames(this.flushMs);
    this.segmentFrames = frames(this.segmentMs);
    this.maxGapFrames = frames(options.maxGapMs ?? 60_000);
    this.reorderFrames = frames(options.reorderWindowMs ?? 1000);
    this.maxBacklogBytes = frames(options.maxBacklogMs ?? 60_000) * this.frameBytes;

    this.partsDir = partsDirOf(this.dir, this.callId);
    this.finalPath = finalPathOf(this.dir, this.callId);
    if (activeParts.has(this.partsDir)) {
      throw new RecordingError(
        'EXISTS',
        `call ${this.callId} is already being recorded into ${this.partsDir}`,
        { path: this.partsDir },
      );
    }
    activeParts.add(this.partsDir);

    this.buffer = this.newBuffer();
    this.view = new Int16Array(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length / 2);
    this.enqueue({ kind: 'open' });
    this.opened = this.tail.then(() => {
      if (this.failure) throw this.failure;
    });
    this.opened.catch(() => undefined); // reported through onError; ready() rethrows
  }

  /** Creates a recorder and waits until its folder and meta.json are on disk. */
  static async create(options: CallRecorderOptions): Promise<CallRecorder> {
    const recorder = new CallRecorder(options);
    try {
      await recorder.ready();
    } catch (error) {
      await recorder.abortKeepingOthers();
      throw error;
    }
    return recorder;
  }

  /** Resolves once meta.json is written; rejects with the RecordingError if it could not be. */
  ready(): Promise<void> {
    return this.opened;
  }

  get stats(): RecorderStats {
    return {
      ...this.counters,
      recordedMs: (this.counters.frames + this.counters.silentFrames) * this.frameMs,
    };
  }

  /** Records one frame. Never throws for I/O; see the class comment for how seqs are handled. */
  push(frame: RecorderFrame): void {
    if (this.state !== 'recording') {
      this.counters.late++;
      return;
    }
    const { seq } = frame;
    if (
      frame.left.length !== this.samplesPerFrame ||
      frame.right.length !== this.samplesPerFrame ||
      !Number.isInteger(seq) ||
      seq < 0
    ) {
      this.counters.invalid++;
      this.report(
        new RecordingError(
          'BAD_FRAME',
          `call ${this.callId}: a frame must have ${this.samplesPerFrame} samples per channel and a whole seq; got ${frame.left.length}/${frame.right.length} samples, seq ${seq} (dropped)`,
        ),
      );
      return;
    }
    if (this.nextSeq !== null) {
      const delta = seq - this.nextSeq;
      if (delta < 0 && -delta <= this.reorderFrames) {
        this.counters.dropped++;
        return;
      }
      if (delta > 0 && delta <= this.maxGapFrames) {
        this.silence(delta);
      } else if (delta !== 0) {
        this.counters.restarts++;
        const missing = Math.round((frame.timestampMs - this.lastTimestampMs) / this.frameMs) - 1;
        if (missing > 0 && missing <= this.maxGapFrames) this.silence(missing);
      }
    }
    this.nextSeq = seq + 1;
    this.lastTimestampMs = frame.timestampMs;
    if (!this.room()) return;
    const view = this.view;
    const left = frame.left;
    const right = frame.right;
    const n = this.samplesPerFrame;
    for (let i = 0, o = this.filled * n * 2; i < n; i++, o += 2) {
      view[o] = left[i]!;
      view[o + 1] = right[i]!;
    }
    this.counters.frames++;
    this.advance();
  }

  /** Writes what is buffered and waits for every write so far; resolves even after a failure (see finish()). */
  async flush(): Promise<void> {
    this.flushBuffer();
    await this.tail;
  }

  /**
   * Ends the recording: writes what is buffered, closes the last segment, joins the segments into
   * `<dir>/<callId>.wav` (streamed, fsynced, written under a temporary name then renamed) and
   * removes the parts. Idempotent: every call gets the same promise. Rejects with the
   * RecordingError that stopped the recording (the parts are then kept for recoverRecordings).
   */
  finish(): Promise<RecordingResult> {
    if (this.finishing) return this.finishing;
    if (this.state === 'aborted') {
      return Promise.reject(
        new RecordingError('ABORTED', `call ${this.callId}: the recording was aborted`, {
          path: this.partsDir,
        }),
      );
    }
    this.flushBuffer();
    this.state = 'finishing';
    this.enqueue({ kind: 'resume', segment: this.segment });
    this.enqueue({ kind: 'close', segment: this.segment });
    this.finishing = (async () => {
      try {
        await this.tail;
        if (this.stall) this.failure ??= this.stall.error;
        if (this.failure) return await this.salvage(this.failure);
        const outcome = await finalizeParts(this.dir, this.callId, this.keys);
        return {
          path: outcome.path,
          channels: outcome.channels,
          sampleRate: outcome.sampleRate,
          durationMs: outcome.durationMs,
          bytes: outcome.bytes,
        };
      } finally {
        activeParts.delete(this.partsDir);
      }
    })();
    return this.finishing;
  }

  /**
   * finish() after a write failure (a full disk, usually): the audio written before it is still a
   * good recording, so it is joined now when the disk has room for the joined copy and
   * `reserveBytes` to spare (joining must never take the last space the database needs), and
   * the result says where it stops short. Otherwise the parts stay on disk, where the next start's
   * recoverRecordings joins them, and finish() rejects with the write error.
   */
  private async salvage(failure: RecordingError): Promise<RecordingResult> {
    if (failure.code !== 'WRITE_FAILED') throw failure;
    const needed = this.counters.writtenBytes + this.bufferFrames * this.frameBytes;
    let free: number;
    try {
      const fs = await statfs(this.dir);
      free = fs.bavail * fs.bsize;
    } catch {
      throw failure;
    }
    if (free < needed + this.reserveBytes) throw failure;
    let outcome;
    try {
      outcome = await finalizeParts(this.dir, this.callId, this.keys);
    } catch {
      throw failure; // already reported; the parts stay for recoverRecordings
    }
    return {
      path: outcome.path,
      channels: outcome.channels,
      sampleRate: outcome.sampleRate,
      durationMs: outcome.durationMs,
      bytes: outcome.bytes,
      incomplete: failure.message,
    };
  }

  /** Stops recording and deletes everything it wrote, the finished file included. Idempotent. */
  abort(): Promise<void> {
    this.aborting ??= this.abortKeepingOthers();
    return this.aborting;
  }

  private async abortKeepingOthers(): Promise<void> {
    const finishing = this.finishing;
    this.state = 'aborted';
    this.clearTimer();
    this.filled = 0;
    if (finishing) await finishing.catch(() => undefined);
    await this.tail;
    await this.closeHandle();
    // Only remove what this recorder made: an EXISTS failure means the files are someone else's.
    if (this.failure?.code !== 'EXISTS' && this.failure?.code !== 'BAD_CALL_ID') {
      await rm(this.partsDir, { recursive: true, force: true }).catch(() => undefined);
      if (this.finishing) await rm(this.finalPath, { force: true }).catch(() => undefined);
      await rm(tempPathOf(this.dir, this.callId), { force: true }).catch(() => undefined);
    }
    activeParts.delete(this.partsDir);
  }

  // ---- filling ---------------------------------------------------------------------------------

  private newBuffer(): Buffer {
    // Own ArrayBuffer at offset 0, so the Int16Array view over it is aligned.
    return Buffer.from(new ArrayBuffer(this.bufferFrames * this.frameBytes));
  }

  /** False (and the frame counted lost) when writing failed or the disk is too far behind. */
  private room(): boolean {
    if (this.failure) {
      this.counters.lost++;
      return false;
    }
    if (this.pendingBytes >= this.maxBacklogBytes) {
      this.counters.lost++;
      this.report(
        new RecordingError(
          'BACKLOG',
          `call ${this.callId}: the disk under ${this.partsDir} is too slow; audio is being dropped`,
          { path: this.partsDir },
        ),
      );
      return false;
    }
    return true;
  }

  private silence(frames: number): void {
    for (let f = 0; f < frames; f++) {
      if (!this.room()) continue;
      const from = this.filled * this.samplesPerFrame * 2;
      this.view.fill(0, from, from + this.samplesPerFrame * 2);
      this.counters.silentFrames++;
      this.advance();
    }
  }

  /** After a frame went into the buffer: flush when full, close the segment when it is long enough. */
  private advance(): void {
    this.filled++;
    this.segmentFramesSoFar++;
    if (this.segmentFramesSoFar >= this.segmentFrames) {
      this.flushBuffer();
      this.enqueue({ kind: 'close', segment: this.segment });
      this.segment++;
      this.segmentFramesSoFar = 0;
    } else if (this.filled >= this.bufferFrames) {
      this.flushBuffer();
    } else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flushBuffer();
      }, this.flushMs);
      this.timer.unref();
    }
  }

  private flushBuffer(): void {
    this.clearTimer();
    if (this.filled === 0 || this.state !== 'recording') return;
    const bytes = this.filled * this.frameBytes;
    this.pendingBytes += bytes;
    this.enqueue({ kind: 'data', segment: this.segment, buffer: this.buffer, bytes });
    this.buffer = this.pool.pop() ?? this.newBuffer();
    this.view = new Int16Array(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length / 2);
    this.filled = 0;
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  // ---- writing ---------------------------------------------------------------------------------

  /**
   * Queues one write behind the others. The queue never rejects: run() keeps a failure in
   * this.failure and reports it, so callers wait on this.tail when they need the writes done.
   */
  private enqueue(op: Op): void {
    this.tail = this.tail.then(() => this.run(op));
  }

  private async run(op: Op): Promise<void> {
    if (this.failure || this.state === 'aborted') {
      if (op.kind === 'data') this.release(op.buffer, op.bytes);
      return;
    }
    let path = this.partsDir;
    try {
      switch (op.kind) {
        case 'open':
          await this.createFolder();
          return;
        case 'data': {
          path = this.pathFor(op.segment);
          const frames = op.bytes / this.frameBytes;
          if (this.stall && !(await this.resume(op.segment, this.state === 'finishing'))) {
            this.counters.lost += frames;
            this.stall.lostFrames += frames;
            this.release(op.buffer, op.bytes);
            return;
          }
          if (BIG_ENDIAN) op.buffer.swap16();
          try {
            await this.writeChunk(op.segment, op.buffer.subarray(0, op.bytes));
          } catch (error) {
            if (!(await this.stallOn(error, path, frames))) throw error;
            this.counters.lost += frames;
            this.release(op.buffer, op.bytes);
            return;
          }
          this.counters.writtenBytes += op.bytes;
          this.release(op.buffer, op.bytes);
          return;
        }
        case 'resume':
          if (this.stall) await this.resume(op.segment, true);
          return;
        case 'close':
          if (this.handleSegment === op.segment) {
            path = this.pathFor(op.segment);
            await this.closeSegment();
          }
          return;
      }
    } catch (error) {
      if (op.kind === 'data') this.release(op.buffer, op.bytes);
      const failure =
        error instanceof RecordingError
          ? error
          : new RecordingError(
              op.kind === 'open' ? 'CREATE_FAILED' : 'WRITE_FAILED',
              `Could not write the recording ${path}: ${describeFsError(error)}`,
              {
                cause: error,
                path,
              },
            );
      this.failure = failure;
      this.clearTimer();
      await this.closeHandle();
      this.report(failure);
    }
  }

  /** The file that holds (or will hold) the audio of the filling side's `segment`. */
  private pathFor(segment: number): string {
    const open = this.handle !== null && this.handleSegment === segment;
    return join(this.partsDir, segmentName(open ? this.fileNumber : this.fileNumber + 1));
  }

  /** Seals `plain` as the next chunk and writes it with an empty final chunk after it. */
  private async writeChunk(segment: number, plain: Buffer): Promise<void> {
    const { key, header } = this.sealing!;
    if (this.handle !== null && this.handleSegment !== segment && this.segmentBytes === 0) {
      this.handleSegment = segment; // an empty file the full disk left: it takes the new segment
    } else if (this.handle === null || this.handleSegment !== segment) {
      await this.closeSegment();
      this.handle = await open(this.pathFor(segment), 'wx', FILE_MODE);
      this.fileNumber++;
      this.handleSegment = segment;
      this.segmentBytes = 0;
      this.counters.segments++;
    }
    if (this.segmentBytes === 0) {
      await writeFully(this.handle, header.bytes, header.bytes.length, 0);
      this.segmentBytes = header.bytes.length;
    }
    // The chunk, then an empty final chunk after it: one write, so a kill leaves both or
    // neither; the next chunk overwrites that tail.
    const record = sealChunk(key, header, this.chunkIndex, false, plain);
    const tail = sealChunk(key, header, this.chunkIndex + 1, true, EMPTY);
    const both = Buffer.concat([record, tail]);
    await writeFully(this.handle, both, both.length, this.segmentBytes);
    this.chunkIndex++;
    this.segmentBytes += record.length;
  }

  /**
   * After a write failed for lack of space: cuts the open segment back to its last whole chunk
   * (a torn chunk would misalign every chunk after it) and stalls. False when the error is not
   * about space or the cut fails: the failure is then final.
   */
  private async stallOn(error: unknown, path: string, frames: number): Promise<boolean> {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (code === undefined || !SPACE_ERRORS.has(code)) return false;
    if (this.handle !== null) {
      try {
        await this.handle.truncate(this.segmentBytes);
      } catch {
        return false;
      }
    }
    const now = Date.now();
    if (this.stall) {
      this.stall.lostFrames += frames;
      this.stall.triedAt = now;
      return true;
    }
    const failure = new RecordingError(
      'WRITE_FAILED',
      `Could not write the recording ${path}: ${describeFsError(error)}`,
      { cause: error, path },
    );
    this.stall = { error: failure, since: now, triedAt: now, lostFrames: frames, silenceFrames: 0 };
    this.report(failure);
    return true;
  }

  /**
   * Tries to write again after a stall (every `retryMs`, or now when `force`): the lost span as
   * silence (at most maxGapMs of it), after which writing goes on as before (true). False while
   * the disk is still full.
   */
  private async resume(segment: number, force: boolean): Promise<boolean> {
    const stall = this.stall!;
    const now = Date.now();
    if (!force && now - stall.triedAt < this.retryMs) return false;
    stall.triedAt = now;
    const path = this.pathFor(segment);
    const silence = Buffer.alloc(this.bufferFrames * this.frameBytes);
    const target = Math.min(stall.lostFrames, this.maxGapFrames);
    try {
      if (this.metaPending) {
        await this.writeMeta(join(this.partsDir, META_FILE));
        this.metaPending = false;
      }
      while (stall.silenceFrames < target) {
        const frames = Math.min(this.bufferFrames, target - stall.silenceFrames);
        await this.writeChunk(segment, silence.subarray(0, frames * this.frameBytes));
        stall.silenceFrames += frames;
        this.counters.writtenBytes += frames * this.frameBytes;
      }
    } catch (error) {
      if (await this.stallOn(error, path, 0)) return false;
      throw error;
    }
    this.stall = null;
    // A later full disk is reported again, a few times (a disk hovering at full must not flood
    // the call's events).
    if (++this.resumes < 5) this.reported.delete('WRITE_FAILED');
    try {
      this.onResume?.({
        path,
        lostMs: stall.lostFrames * this.frameMs,
        silenceMs: stall.silenceFrames * this.frameMs,
        stalledMs: now - stall.since,
      });
    } catch {
      // A throwing listener must not break the recorder.
    }
    return true;
  }

  private release(buffer: Buffer, bytes: number): void {
    this.pendingBytes -= bytes;
    if (buffer.length === this.bufferFrames * this.frameBytes && this.pool.length < 2)
      this.pool.push(buffer);
  }

  private async createFolder(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true, mode: DIR_MODE });
    } catch (error) {
      throw new RecordingError(
        'CREATE_FAILED',
        `Could not create the recordings folder ${this.dir}: ${describeFsError(error)}`,
        { cause: error, path: this.dir },
      );
    }
    if (await exists(this.finalPath)) {
      throw new RecordingError(
        'EXISTS',
        `call ${this.callId} already has a recording at ${this.finalPath}`,
        { path: this.finalPath },
      );
    }
    try {
      await mkdir(this.partsDir, { mode: DIR_MODE });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new RecordingError(
          'EXISTS',
          `${this.partsDir} already exists (left by an earlier run? recoverRecordings finalizes it)`,
          { path: this.partsDir },
        );
      }
      throw new RecordingError(
        'CREATE_FAILED',
        `Could not create ${this.partsDir}: ${describeFsError(error)}`,
        { cause: error, path: this.partsDir },
      );
    }
    try {
      this.sealing = this.keys.newRecording({
        sampleRate: this.sampleRate,
        maxChunkBytes: this.bufferFrames * this.frameBytes,
        meta: { callId: this.callId, startedAt: this.startedAt },
      });
    } catch (error) {
      throw new RecordingError(
        'KEY_FAILED',
        `Could not make a key for the recording of call ${this.callId}: ${(error as Error).message}`,
        { cause: error, path: this.partsDir },
      );
    }
    const path = join(this.partsDir, META_FILE);
    try {
      await this.writeMeta(path);
    } catch (error) {
      // A full disk at the start stalls the recording like one mid-call: meta.json is written
      // with the first audio once there is room (resume()), the span before it as silence. Failing
      // here left a call answered on a full disk with no recording at all (the soak's disk-full).
      if (SPACE_ERRORS.has((error as NodeJS.ErrnoException).code ?? '')) {
        this.metaPending = true;
        if (await this.stallOn(error, path, 0)) return;
      }
      throw new RecordingError(
        'CREATE_FAILED',
        `Could not write ${path}: ${describeFsError(error)}`,
        { cause: error, path },
      );
    }
  }

  /** Writes meta.json (fsynced, with its folder); a partial file is removed on failure. */
  private async writeMeta(path: string): Promise<void> {
    const meta: RecordingMeta = {
      version: 1,
      callId: this.callId,
      startedAt: this.startedAt,
      sampleRate: this.sampleRate,
      channels: 2,
      bitsPerSample: 16,
      frameMs: this.frameMs,
      segmentMs: this.segmentMs,
      channelLayout: ['customer', 'outbound'],
    };
    try {
      const handle = await open(path, 'wx', FILE_MODE);
      try {
        const text = Buffer.from(`${JSON.stringify(meta, null, 2)}\n`);
        await writeFully(handle, text, text.length, 0);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await syncDir(this.partsDir);
    } catch (error) {
      await rm(path, { force: true }).catch(() => undefined);
      throw error;
    }
  }

  /** Fsyncs and closes the open segment. */
  private async closeSegment(): Promise<void> {
    const handle = this.handle;
    if (handle === null) return;
    await handle.sync();
    this.handle = null;
    await handle.close();
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close().catch(() => undefined);
  }

  private report(error: RecordingError): void {
    if (this.reported.has(error.code)) return;
    this.reported.add(error.code);
    try {
      this.onError?.(error);
    } catch {
      // A throwing listener must not break the recorder.
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
