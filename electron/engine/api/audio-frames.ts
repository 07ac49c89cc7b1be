/**
 * The audio frames that cross between the media host and the engine, kept free of any import so
 * the AudioWorklets can share these constants and the G.711 μ-law codec without pulling the
 * schemas in.
 *
 * Audio crosses as G.711 μ-law (8 bits a sample, ITU-T G.711) at the engine's 16 kHz: a quarter
 * of 16-bit stereo. The call's audio reaches the page as G.711 or Opus from the carrier, so this
 * costs recognition, recording and DTMF detection nothing they can measure (docs/BENCHMARKS.md,
 * "Media link under load"); the engine decodes to 16-bit PCM at once and everything after the link
 * (speech, AMD, DTMF, recordings) sees 16-bit frames as before.
 *
 * A capture frame carries the customer (left) always. The right channel (what the customer heard)
 * is sent only when it is more than the bot's own audio (an agent, a barging supervisor, a fade):
 * while the bot alone talks, the page sends which of the bot's playback frames were playing during
 * the frame instead ("runs", sample-exact), and the engine rebuilds the channel from the frames it
 * sent. A silent right channel is neither.
 */

/** The engine's audio format: 16 kHz mono in 20 ms frames. */
export const SAMPLE_RATE = 16_000;
export const FRAME_MS = 20;
export const SAMPLES_PER_FRAME = (SAMPLE_RATE * FRAME_MS) / 1000; // 320

/**
 * Frames the media host's player can hold per call (10.24 s). The engine keeps far less than this
 * in flight, so nothing it sends is ever dropped for lack of room.
 */
export const PLAYBACK_RING_FRAMES = 512;

export const FRAME_KIND = {
  /** host → engine: the customer, and what they heard (mixed audio or the bot's runs). */
  capture: 1,
  /** engine → host: mono audio for the call's outgoing track (the bot's voice). */
  playback: 2,
} as const;
export type FrameKind = (typeof FRAME_KIND)[keyof typeof FRAME_KIND];

/**
 * Header, little-endian: kind u8 | flags u8 | frame length in bytes u16 (header included) |
 * channel u32 | seq u32 | timestampMs f64. Then, for playback: 320 μ-law samples. For capture:
 * 320 μ-law samples of the customer; then either 320 μ-law samples of the right channel
 * (flags & CAPTURE_RIGHT_MIXED) or (flags >> 4) bot runs of CAPTURE_RUN_BYTES each.
 */
export const FRAME_HEADER_BYTES = 20;
export const CAPTURE_RIGHT_MIXED = 0x01;
/** At most this many runs in a frame (the page sends the mixed channel rather than more). */
export const CAPTURE_MAX_RUNS = 4;
/** A run: offset in the frame u16 | length u16 | playback seq u32 | offset in that frame u16. */
export const CAPTURE_RUN_BYTES = 10;
export const PLAYBACK_FRAME_BYTES = FRAME_HEADER_BYTES + SAMPLES_PER_FRAME;
/** The largest capture frame (both channels as audio). */
export const CAPTURE_FRAME_MAX_BYTES = FRAME_HEADER_BYTES + SAMPLES_PER_FRAME * 2;
/** A capture frame whose right channel is the bot's runs (or silence: no runs). */
export function captureFrameBytes(runs: number): number {
  return FRAME_HEADER_BYTES + SAMPLES_PER_FRAME + runs * CAPTURE_RUN_BYTES;
}

export interface FrameHeader {
  kind: FrameKind;
  /** Capture: CAPTURE_RIGHT_MIXED and the run count (<< 4); playback: 0. */
  flags: number;
  /** The whole frame's length in bytes, header included. */
  bytes: number;
  /** The call's audio channel, given by the engine when it dials. */
  channel: number;
  /** Consecutive per call and direction, from 0. */
  seq: number;
  /** Wall clock (epoch ms): when a capture frame's last sample was captured, when playback was sent. */
  timestampMs: number;
}

/** Writes a header at `offset` of `view` (a batch of frames shares one view). */
export function writeFrameHeader(view: DataView, header: FrameHeader, offset = 0): void {
  view.setUint8(offset, header.kind);
  view.setUint8(offset + 1, header.flags);
  view.setUint16(offset + 2, header.bytes, true);
  view.setUint32(offset + 4, header.channel, true);
  view.setUint32(offset + 8, header.seq >>> 0, true);
  view.setFloat64(offset + 12, header.timestampMs, true);
}

/**
 * Reads the header of the frame at `offset` and checks its length against its kind and flags
 * (and against what is left of the message); null when it is not a frame.
 */
export function readFrameHeader(view: DataView, offset = 0): FrameHeader | null {
  if (view.byteLength - offset < FRAME_HEADER_BYTES) return null;
  const kind = view.getUint8(offset);
  const flags = view.getUint8(offset + 1);
  const bytes = view.getUint16(offset + 2, true);
  if (bytes > view.byteLength - offset) return null;
  if (kind === FRAME_KIND.playback) {
    if (bytes !== PLAYBACK_FRAME_BYTES || flags !== 0) return null;
  } else if (kind === FRAME_KIND.capture) {
    const runs = flags >> 4;
    if (flags & CAPTURE_RIGHT_MIXED) {
      if (runs !== 0 || bytes !== CAPTURE_FRAME_MAX_BYTES) return null;
    } else if ((flags & 0x0e) !== 0 || runs > CAPTURE_MAX_RUNS || bytes !== captureFrameBytes(runs))
      return null;
  } else return null;
  return {
    kind,
    flags,
    bytes,
    channel: view.getUint32(offset + 4, true),
    seq: view.getUint32(offset + 8, true),
    timestampMs: view.getFloat64(offset + 12, true),
  };
}

/** One stretch of a capture frame's right channel that was the bot's playback frame `seq`. */
export interface BotRun {
  /** First sample in the capture frame. */
  at: number;
  length: number;
  /** The playback frame (engine's seq) and the sample in it where the stretch starts. */
  seq: number;
  from: number;
}

export function writeRun(view: DataView, offset: number, run: BotRun): void {
  view.setUint16(offset, run.at, true);
  view.setUint16(offset + 2, run.length, true);
  view.setUint32(offset + 4, run.seq >>> 0, true);
  view.setUint16(offset + 8, run.from, true);
}

export function readRun(view: DataView, offset: number): BotRun {
  return {
    at: view.getUint16(offset, true),
    length: view.getUint16(offset + 2, true),
    seq: view.getUint32(offset + 4, true),
    from: view.getUint16(offset + 8, true),
  };
}

// ---------------------------------------------------------------------------------------------
// G.711 μ-law (the classic 16-bit-input formulation: bias 0x84, clip 32635, segments of 16 steps).

const BIAS = 0x84;
const CLIP = 32635;

/** One 16-bit sample to μ-law. */
export function encodeMulaw(sample: number): number {
  let s = sample | 0;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** μ-law to 16-bit, all 256 codes. */
export const MULAW_DECODE: Int16Array = (() => {
  const table = new Int16Array(256);
  for (let code = 0; code < 256; code++) {
    const u = ~code & 0xff;
    const exponent = (u >> 4) & 0x07;
    const magnitude = ((((u & 0x0f) << 3) + BIAS) << exponent) - BIAS;
    table[code] = u & 0x80 ? -magnitude : magnitude;
  }
  return table;
})();

/** Every 16-bit sample's μ-law code (64 KiB), for encoding 320 samples with 320 lookups. */
const MULAW_ENCODE: Uint8Array = (() => {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encodeMulaw(i - 32768);
  return table;
})();

/** Encodes `count` samples of `from` (from `start`) into `to` at `at`. */
export function encodeMulawFrame(
  from: Int16Array,
  to: Uint8Array,
  at = 0,
  start = 0,
  count = from.length - start,
): void {
  for (let i = 0; i < count; i++) to[at + i] = MULAW_ENCODE[from[start + i]! + 32768]!;
}

/** Decodes `count` μ-law codes of `from` (from `start`) into `to` at `at`. */
export function decodeMulawFrame(
  from: Uint8Array,
  to: Int16Array,
  at = 0,
  start = 0,
  count = from.length - start,
): void {
  for (let i = 0; i < count; i++) to[at + i] = MULAW_DECODE[from[start + i]!]!;
}
