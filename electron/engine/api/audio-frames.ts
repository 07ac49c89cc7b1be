/**
 * The audio frames that cross between the media host and the engine, kept free of any import so
 * the AudioWorklets can share these constants without pulling the schemas in.
 */

/** The engine's audio format: 16 kHz mono Int16 in 20 ms frames. */
export const SAMPLE_RATE = 16_000;
export const FRAME_MS = 20;
export const SAMPLES_PER_FRAME = (SAMPLE_RATE * FRAME_MS) / 1000; // 320

/**
 * Frames the media host's player can hold per call (10.24 s). The engine keeps far less than this
 * in flight, so nothing it sends is ever dropped for lack of room.
 */
export const PLAYBACK_RING_FRAMES = 512;

export const FRAME_KIND = {
  /** host → engine: stereo, left = what the customer said, right = what went out to them. */
  capture: 1,
  /** engine → host: mono audio for the call's outgoing track (the bot's voice). */
  playback: 2,
} as const;
export type FrameKind = (typeof FRAME_KIND)[keyof typeof FRAME_KIND];

/**
 * Byte layout (little-endian): kind u8 | 3 reserved | channel u32 | seq u32 | reserved u32 |
 * timestampMs f64 | samples Int16 (capture: 320 left then 320 right; playback: 320).
 */
export const FRAME_HEADER_BYTES = 24;
export const CAPTURE_FRAME_BYTES = FRAME_HEADER_BYTES + SAMPLES_PER_FRAME * 2 * 2;
export const PLAYBACK_FRAME_BYTES = FRAME_HEADER_BYTES + SAMPLES_PER_FRAME * 2;

export interface FrameHeader {
  kind: FrameKind;
  /** The call's audio channel, given by the engine when it dials. */
  channel: number;
  /** Consecutive per call and direction, from 0. */
  seq: number;
  /** Wall clock (epoch ms) when the frame was captured or sent. */
  timestampMs: number;
}

/** Writes a header at `offset` of `view` (a batch of frames shares one view). */
export function writeFrameHeader(view: DataView, header: FrameHeader, offset = 0): void {
  view.setUint8(offset, header.kind);
  view.setUint8(offset + 1, 0);
  view.setUint16(offset + 2, 0, true);
  view.setUint32(offset + 4, header.channel, true);
  view.setUint32(offset + 8, header.seq >>> 0, true);
  view.setUint32(offset + 12, 0, true);
  view.setFloat64(offset + 16, header.timestampMs, true);
}

/** Reads a frame's header and checks its size against its kind; null when it is not a frame. */
export function readFrameHeader(view: DataView): FrameHeader | null {
  if (view.byteLength < FRAME_HEADER_BYTES) return null;
  const kind = view.getUint8(0);
  if (kind === FRAME_KIND.capture && view.byteLength !== CAPTURE_FRAME_BYTES) return null;
  if (kind === FRAME_KIND.playback && view.byteLength !== PLAYBACK_FRAME_BYTES) return null;
  if (kind !== FRAME_KIND.capture && kind !== FRAME_KIND.playback) return null;
  return {
    kind,
    channel: view.getUint32(4, true),
    seq: view.getUint32(8, true),
    timestampMs: view.getFloat64(16, true),
  };
}
