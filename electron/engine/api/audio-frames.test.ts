import { describe, expect, it } from 'vitest';

import {
  CAPTURE_FRAME_MAX_BYTES,
  CAPTURE_RIGHT_MIXED,
  captureFrameBytes,
  decodeMulawFrame,
  encodeMulaw,
  encodeMulawFrame,
  FRAME_KIND,
  MULAW_DECODE,
  PLAYBACK_FRAME_BYTES,
  readFrameHeader,
  writeFrameHeader,
} from './audio-frames.js';

describe('audio frame headers', () => {
  it('writes each frame of a batch at its own offset in one shared view, and reads them back', () => {
    const sizes = [CAPTURE_FRAME_MAX_BYTES, captureFrameBytes(2), captureFrameBytes(0)];
    const flags = [CAPTURE_RIGHT_MIXED, 2 << 4, 0];
    const batch = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
    const view = new DataView(batch.buffer);
    const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
    for (let i = 0; i < 3; i++)
      writeFrameHeader(
        view,
        {
          kind: FRAME_KIND.capture,
          flags: flags[i]!,
          bytes: sizes[i]!,
          channel: 7 + i,
          seq: 1000 + i,
          timestampMs: 1.5e12 + i,
        },
        offsets[i],
      );
    expect(offsets.map((offset) => readFrameHeader(view, offset))).toEqual(
      [0, 1, 2].map((i) => ({
        kind: FRAME_KIND.capture,
        flags: flags[i],
        bytes: sizes[i],
        channel: 7 + i,
        seq: 1000 + i,
        timestampMs: 1.5e12 + i,
      })),
    );
  });

  it('refuses a frame whose length does not fit its kind, its flags or the message', () => {
    const bytes = new Uint8Array(PLAYBACK_FRAME_BYTES);
    const view = new DataView(bytes.buffer);
    const header = {
      kind: FRAME_KIND.playback,
      flags: 0,
      bytes: PLAYBACK_FRAME_BYTES,
      channel: 1,
      seq: 0,
      timestampMs: 0,
    };
    writeFrameHeader(view, header);
    expect(readFrameHeader(view)).toMatchObject({ kind: FRAME_KIND.playback });
    writeFrameHeader(view, { ...header, bytes: PLAYBACK_FRAME_BYTES + 1 });
    expect(readFrameHeader(view)).toBeNull();
    writeFrameHeader(view, {
      ...header,
      kind: FRAME_KIND.capture,
      flags: 5 << 4,
      bytes: captureFrameBytes(5),
    });
    expect(readFrameHeader(view)).toBeNull();
    writeFrameHeader(view, { ...header, kind: 9 as never });
    expect(readFrameHeader(view)).toBeNull();
  });
});

describe('G.711 μ-law', () => {
  it('decodes every code to the value it encodes back to (the codec is exact on its own output)', () => {
    for (let code = 0; code < 256; code++) {
      const value = MULAW_DECODE[code]!;
      // 0x7f and 0xff are both zero; every other code round-trips to itself.
      expect(MULAW_DECODE[encodeMulaw(value)]).toBe(value);
    }
  });

  it('keeps a 16-bit signal within its quantisation step: about 38 dB of signal to noise on speech levels', () => {
    const samples = Int16Array.from({ length: 16_000 }, (_, i) =>
      Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16_000) + 3000 * Math.sin(i / 7)),
    );
    const codes = new Uint8Array(samples.length);
    encodeMulawFrame(samples, codes);
    const back = new Int16Array(samples.length);
    decodeMulawFrame(codes, back);
    let signal = 0;
    let noise = 0;
    for (let i = 0; i < samples.length; i++) {
      signal += samples[i]! ** 2;
      noise += (samples[i]! - back[i]!) ** 2;
    }
    expect(10 * Math.log10(signal / noise)).toBeGreaterThan(35);
    expect(MULAW_DECODE[encodeMulaw(0)]).toBe(0);
    expect(MULAW_DECODE[encodeMulaw(32767)]).toBe(32124);
    expect(MULAW_DECODE[encodeMulaw(-32768)]).toBe(-32124);
  });
});
