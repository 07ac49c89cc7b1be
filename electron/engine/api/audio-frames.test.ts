import { describe, expect, it } from 'vitest';

import {
  CAPTURE_FRAME_BYTES,
  FRAME_KIND,
  readFrameHeader,
  writeFrameHeader,
} from './audio-frames.js';

describe('audio frame headers', () => {
  it('writes each frame of a batch at its own offset in one shared view, and reads them back', () => {
    const batch = new Uint8Array(CAPTURE_FRAME_BYTES * 3);
    const view = new DataView(batch.buffer);
    for (let i = 0; i < 3; i++)
      writeFrameHeader(
        view,
        { kind: FRAME_KIND.capture, channel: 7 + i, seq: 1000 + i, timestampMs: 1.5e12 + i },
        i * CAPTURE_FRAME_BYTES,
      );
    const read = [0, 1, 2].map((i) =>
      readFrameHeader(new DataView(batch.buffer, i * CAPTURE_FRAME_BYTES, CAPTURE_FRAME_BYTES)),
    );
    expect(read).toEqual(
      [0, 1, 2].map((i) => ({
        kind: FRAME_KIND.capture,
        channel: 7 + i,
        seq: 1000 + i,
        timestampMs: 1.5e12 + i,
      })),
    );
  });
});
