/**
 * The engine's end of the media host link: sends commands and matches replies, validates every
 * event the page sends, and splits binary audio frames out by call channel. Transport-neutral:
 * the headless shell gives it a WebSocket, the Electron shell a MessagePort.
 */
import {
  type BotRun,
  CAPTURE_RIGHT_MIXED,
  CAPTURE_RUN_BYTES,
  decodeMulawFrame,
  FRAME_HEADER_BYTES,
  FRAME_KIND,
  type HostCommandName,
  type HostCommandParams,
  type HostCommandResult,
  hostCommands,
  type HostEventData,
  HostEventMessage,
  type HostEventName,
  hostEvents,
  HostReplyMessage,
  isHostEventName,
  PLAYBACK_FRAME_BYTES,
  readFrameHeader,
  readRun,
  SAMPLES_PER_FRAME,
  writeFrameHeader,
} from '../api/media-host.js';
import type { Logger } from '../log.js';
import { type DelaySummary, LinkStatsRecorder, type MediaLinkStats } from './link-stats.js';

/** One link to one media host page, whatever carries it. */
export interface MediaHostConnection {
  sendText(text: string): void;
  sendBinary(data: Uint8Array): void;
  onText(listener: (text: string) => void): void;
  onBinary(listener: (data: Uint8Array) => void): void;
  onClose(listener: (reason: string) => void): void;
  close(): void;
}

export interface CaptureFrame {
  channel: number;
  seq: number;
  timestampMs: number;
  /** The customer: 320 samples, 16 kHz. */
  left: Int16Array;
  /** What the customer heard from us. */
  right: Int16Array;
}

/**
 * A capture frame as it crossed the link: the customer decoded to 16-bit, and the right channel
 * either decoded (`right`: someone besides the bot was heard) or as the bot's runs, which the
 * call rebuilds from the playback frames it sent (telephony/playback-history.ts). Neither: silence.
 */
export interface LinkCaptureFrame {
  channel: number;
  seq: number;
  timestampMs: number;
  left: Int16Array;
  right: Int16Array | null;
  runs: BotRun[];
}

export class MediaHostCommandError extends Error {
  override readonly name = 'MediaHostCommandError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

type EventListeners = { [E in HostEventName]?: Array<(data: HostEventData<E>) => void> };

export class MediaHostClient {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    {
      resolve(value: unknown): void;
      reject(error: Error): void;
      timer: ReturnType<typeof setTimeout>;
    }
  >();
  private readonly listeners: EventListeners = {};
  private captureListener: ((frame: LinkCaptureFrame) => void) | null = null;
  private playbackBatch: Uint8Array[] = [];
  private playbackFlush: ReturnType<typeof setImmediate> | null = null;
  private closedReason: string | null = null;
  private readonly closeListeners: Array<(reason: string) => void> = [];
  /** Bytes, frames, capture delay and the page's queue depths on this link. */
  private readonly stats = new LinkStatsRecorder();
  private readonly ready: Promise<HostEventData<'host.ready'>>;

  constructor(
    private readonly connection: MediaHostConnection,
    private readonly log: Logger,
  ) {
    // Listen for the page's first words before the link delivers anything.
    this.ready = new Promise((resolve, reject) => {
      this.on('host.ready', (info) => resolve(info));
      this.on('host.error', ({ message }) => reject(new Error(message)));
      this.onClose((reason) => reject(new Error(`link closed (${reason})`)));
    });
    this.ready.catch(() => undefined); // observed by whenReady; a late failure is not unhandled
    this.on('link.stats', (report) => this.stats.pageReport(report));
    connection.onText((text) => this.receiveText(text));
    connection.onBinary((data) => this.receiveBinary(data));
    connection.onClose((reason) => this.handleClose(reason));
  }

  /** Settles when the page says it is ready (or fails to start, or the link closes first). */
  whenReady(timeoutMs: number): Promise<HostEventData<'host.ready'>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "ready" within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.ready.then(
        (info) => {
          clearTimeout(timer);
          resolve(info);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /** Frames the engine could not use (unknown layout); counted, never thrown. */
  get badFrames(): number {
    return this.stats.badFrames;
  }

  /** What this link has carried and how late its capture frames arrived. */
  linkStats(now = Date.now()): MediaLinkStats {
    return this.stats.snapshot(now);
  }

  /** The capture delays of the frames that arrived since `from` (epoch ms). */
  captureDelaySince(from: number): DelaySummary {
    return this.stats.recent(from);
  }

  get isClosed(): boolean {
    return this.closedReason !== null;
  }

  request<C extends HostCommandName>(
    command: C,
    params: HostCommandParams<C>,
    timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS,
  ): Promise<HostCommandResult<C>> {
    if (this.closedReason !== null)
      return Promise.reject(
        new MediaHostCommandError('HOST_GONE', `The media host is gone (${this.closedReason})`),
      );
    const id = this.nextId++;
    const parsed = hostCommands[command].params.parse(params); // a bug on our side if this throws
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new MediaHostCommandError(
            'TIMEOUT',
            `The media host did not answer ${command} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          const result = hostCommands[command].result.safeParse(value);
          if (result.success) resolve(result.data as HostCommandResult<C>);
          else
            reject(
              new MediaHostCommandError(
                'BAD_REPLY',
                `The media host's reply to ${command} is malformed: ${result.error.message}`,
              ),
            );
        },
        reject,
        timer,
      });
      const text = JSON.stringify({ type: 'command', id, command, params: parsed });
      this.stats.textBytesOut += text.length;
      this.connection.sendText(text);
    });
  }

  on<E extends HostEventName>(event: E, listener: (data: HostEventData<E>) => void): void {
    const list = (this.listeners[event] ??= []) as Array<(data: HostEventData<E>) => void>;
    list.push(listener);
  }

  onCapture(listener: (frame: LinkCaptureFrame) => void): void {
    this.captureListener = listener;
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closedReason !== null) listener(this.closedReason);
    else this.closeListeners.push(listener);
  }

  /**
   * Queues a playback frame (320 μ-law samples); the frames of one tick (all calls) go out as one
   * message.
   */
  sendPlayback(channel: number, seq: number, mulaw: Uint8Array): void {
    if (this.closedReason !== null) return;
    const bytes = new Uint8Array(PLAYBACK_FRAME_BYTES);
    writeFrameHeader(new DataView(bytes.buffer), {
      kind: FRAME_KIND.playback,
      flags: 0,
      bytes: PLAYBACK_FRAME_BYTES,
      channel,
      seq,
      timestampMs: Date.now(),
    });
    bytes.set(mulaw.subarray(0, SAMPLES_PER_FRAME), FRAME_HEADER_BYTES);
    this.playbackBatch.push(bytes);
    this.stats.playbackFrames++;
    this.stats.playbackBytes += bytes.byteLength;
    if (this.playbackFlush) return;
    this.playbackFlush = setImmediate(() => {
      this.playbackFlush = null;
      const batch = this.playbackBatch;
      this.playbackBatch = [];
      if (this.closedReason !== null) return;
      if (batch.length === 1 && batch[0]) this.connection.sendBinary(batch[0]);
      else this.connection.sendBinary(Buffer.concat(batch));
    });
  }

  close(): void {
    this.connection.close();
    this.handleClose('closed by the engine');
  }

  private receiveText(text: string): void {
    this.stats.textBytesIn += text.length;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.log.warn('Media host sent text that is not JSON', { text: text.slice(0, 200) });
      return;
    }
    const reply = HostReplyMessage.safeParse(raw);
    if (reply.success) {
      const pending = this.pending.get(reply.data.id);
      if (!pending) return;
      this.pending.delete(reply.data.id);
      clearTimeout(pending.timer);
      if (reply.data.ok) pending.resolve(reply.data.result);
      else
        pending.reject(new MediaHostCommandError(reply.data.error.code, reply.data.error.message));
      return;
    }
    const event = HostEventMessage.safeParse(raw);
    if (!event.success || !isHostEventName(event.data.event)) {
      this.log.warn('Media host sent an unknown message', { text: text.slice(0, 200) });
      return;
    }
    const name = event.data.event;
    const data = hostEvents[name].safeParse(event.data.data);
    if (!data.success) {
      this.log.warn(`Media host sent a malformed ${name} event`, { error: data.error.message });
      return;
    }
    for (const listener of (this.listeners[name] ?? []) as Array<(data: unknown) => void>) {
      try {
        listener(data.data);
      } catch (error) {
        this.log.error(`A ${name} listener failed`, {
          error: error instanceof Error ? error.stack : String(error),
        });
      }
    }
  }

  /** Capture frames back to back (the host sends a tick's frames together), each with its length. */
  private receiveBinary(data: Uint8Array): void {
    this.stats.captureBytes += data.byteLength;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const now = Date.now();
    for (let offset = 0; offset < data.byteLength;) {
      const header = readFrameHeader(view, offset);
      if (!header || header.kind !== FRAME_KIND.capture) {
        this.stats.badFrames++; // the rest of the message cannot be framed
        return;
      }
      this.stats.captureFrames++;
      this.stats.captureDelay(now - header.timestampMs, now);
      const body = offset + FRAME_HEADER_BYTES;
      const left = new Int16Array(SAMPLES_PER_FRAME);
      decodeMulawFrame(data, left, 0, body, SAMPLES_PER_FRAME);
      let right: Int16Array | null = null;
      const runs: BotRun[] = [];
      if (header.flags & CAPTURE_RIGHT_MIXED) {
        right = new Int16Array(SAMPLES_PER_FRAME);
        decodeMulawFrame(data, right, 0, body + SAMPLES_PER_FRAME, SAMPLES_PER_FRAME);
      } else {
        for (let r = 0; r < header.flags >> 4; r++)
          runs.push(readRun(view, body + SAMPLES_PER_FRAME + r * CAPTURE_RUN_BYTES));
      }
      offset += header.bytes;
      try {
        this.captureListener?.({
          channel: header.channel,
          seq: header.seq,
          timestampMs: header.timestampMs,
          left,
          right,
          runs,
        });
      } catch (error) {
        this.log.error('An audio frame listener failed', {
          error: error instanceof Error ? error.stack : String(error),
        });
      }
    }
  }

  private handleClose(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    for (const [, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(
        new MediaHostCommandError('HOST_GONE', `The media host went away (${reason})`),
      );
    }
    this.pending.clear();
    for (const listener of this.closeListeners) listener(reason);
  }
}
