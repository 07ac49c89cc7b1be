import { describe, expect, it } from 'vitest';

import {
  CAPTURE_FRAME_MAX_BYTES,
  CAPTURE_RIGHT_MIXED,
  captureFrameBytes,
  encodeMulawFrame,
  FRAME_HEADER_BYTES,
  FRAME_KIND,
  SAMPLES_PER_FRAME,
  writeFrameHeader,
  writeRun,
} from '../api/media-host.js';
import { type Logger, silentLogger } from '../log.js';
import {
  type LinkCaptureFrame,
  MediaHostClient,
  type MediaHostConnection,
} from './media-host-client.js';

function fakeConnection() {
  const sent: string[] = [];
  const binary: Uint8Array[] = [];
  let onText: (text: string) => void = () => {};
  let onBinary: (data: Uint8Array) => void = () => {};
  let onClose: (reason: string) => void = () => {};
  const connection: MediaHostConnection = {
    sendText: (text) => sent.push(text),
    sendBinary: (data) => binary.push(data),
    onText: (l) => (onText = l),
    onBinary: (l) => (onBinary = l),
    onClose: (l) => (onClose = l),
    close: () => {},
  };
  return {
    connection,
    sent,
    binary,
    text: (t: string) => onText(t),
    bin: (d: Uint8Array) => onBinary(d),
    close: (r: string) => onClose(r),
  };
}

/** A capture frame with both channels as μ-law (someone besides the bot was heard). */
function mixedFrame(channel: number, seq: number, value: number): Uint8Array {
  const bytes = new Uint8Array(CAPTURE_FRAME_MAX_BYTES);
  writeFrameHeader(new DataView(bytes.buffer), {
    kind: FRAME_KIND.capture,
    flags: CAPTURE_RIGHT_MIXED,
    bytes: CAPTURE_FRAME_MAX_BYTES,
    channel,
    seq,
    timestampMs: 1,
  });
  encodeMulawFrame(new Int16Array(SAMPLES_PER_FRAME).fill(value), bytes, FRAME_HEADER_BYTES);
  encodeMulawFrame(
    new Int16Array(SAMPLES_PER_FRAME).fill(-value),
    bytes,
    FRAME_HEADER_BYTES + SAMPLES_PER_FRAME,
  );
  return bytes;
}

/** A capture frame whose right channel is the bot's frame 41 from sample 20, over samples 0–99. */
function botFrame(channel: number, seq: number, value: number): Uint8Array {
  const size = captureFrameBytes(1);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  writeFrameHeader(view, {
    kind: FRAME_KIND.capture,
    flags: 1 << 4,
    bytes: size,
    channel,
    seq,
    timestampMs: 1,
  });
  encodeMulawFrame(new Int16Array(SAMPLES_PER_FRAME).fill(value), bytes, FRAME_HEADER_BYTES);
  writeRun(view, FRAME_HEADER_BYTES + SAMPLES_PER_FRAME, { at: 0, length: 100, seq: 41, from: 20 });
  return bytes;
}

describe('MediaHostClient', () => {
  it('matches replies to commands and turns a refusal into an error with its code', async () => {
    const fake = fakeConnection();
    const client = new MediaHostClient(fake.connection, silentLogger);
    const ok = client.request('trunk.remove', { trunkId: 3 });
    const refused = client.request('call.hangup', { callId: 'c1' });
    const [first, second] = fake.sent.map((t) => JSON.parse(t) as { id: number; command: string });
    expect(first).toMatchObject({ command: 'trunk.remove' });
    fake.text(
      JSON.stringify({
        type: 'reply',
        id: second!.id,
        ok: false,
        error: { code: 'NO_SUCH_CALL', message: 'No live call c1' },
      }),
    );
    fake.text(JSON.stringify({ type: 'reply', id: first!.id, ok: true, result: {} }));
    await expect(ok).resolves.toEqual({});
    await expect(refused).rejects.toMatchObject({
      code: 'NO_SUCH_CALL',
      message: 'No live call c1',
    });
  });

  it('drops malformed events with a warning instead of passing them on or throwing', () => {
    const fake = fakeConnection();
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (m) => warnings.push(m) };
    const client = new MediaHostClient(fake.connection, log);
    const seen: unknown[] = [];
    client.on('call.milestone', (m) => seen.push(m));
    fake.text('not json');
    fake.text(
      JSON.stringify({
        type: 'event',
        event: 'call.milestone',
        data: { callId: 'c1', milestone: 'teleported', at: 1 },
      }),
    );
    fake.text(
      JSON.stringify({
        type: 'event',
        event: 'call.milestone',
        data: { callId: 'c1', milestone: 'ringing', at: 1, sipCode: 180 },
      }),
    );
    expect(seen).toEqual([
      expect.objectContaining({ milestone: 'ringing', sipCode: 180, originator: null }),
    ]);
    expect(warnings).toEqual([
      'Media host sent text that is not JSON',
      'Media host sent a malformed call.milestone event',
    ]);
  });

  it('splits a batch of capture frames of either kind by channel and counts what it cannot read', () => {
    const fake = fakeConnection();
    const client = new MediaHostClient(fake.connection, silentLogger);
    const frames: LinkCaptureFrame[] = [];
    client.onCapture((frame) => frames.push(frame));
    const first = mixedFrame(1, 7, 104);
    const second = botFrame(2, 9, 196);
    const batch = new Uint8Array(first.length + second.length);
    batch.set(first, 0);
    batch.set(second, first.length);
    fake.bin(batch);
    fake.bin(new Uint8Array(10));
    // 104 and 196 are μ-law steps, so they cross exactly.
    expect(frames.map((f) => [f.channel, f.seq, f.left[0], f.right?.[0] ?? null])).toEqual([
      [1, 7, 104, -104],
      [2, 9, 196, null],
    ]);
    expect(frames[1]!.runs).toEqual([{ at: 0, length: 100, seq: 41, from: 20 }]);
    expect(client.badFrames).toBe(1);
    expect(client.linkStats().capture).toMatchObject({
      frames: 2,
      bytes: batch.length + 10,
      badFrames: 1,
    });
  });

  it('fails pending commands at once when the host goes away', async () => {
    const fake = fakeConnection();
    const client = new MediaHostClient(fake.connection, silentLogger);
    const pending = client.request('trunk.remove', { trunkId: 1 });
    fake.close('code 1006');
    await expect(pending).rejects.toMatchObject({ code: 'HOST_GONE' });
    await expect(client.request('trunk.remove', { trunkId: 1 })).rejects.toMatchObject({
      code: 'HOST_GONE',
    });
  });
});

describe('MediaHostClient start-up', () => {
  it('sees a "ready" the page sent before anyone asked', async () => {
    // A link that delivers the page's first message as soon as a text listener is attached.
    const early = JSON.stringify({
      type: 'event',
      event: 'host.ready',
      data: { userAgent: 'test', sampleRate: 16000, at: 1 },
    });
    const connection: MediaHostConnection = {
      sendText: () => {},
      sendBinary: () => {},
      onText: (listener) => listener(early),
      onBinary: () => {},
      onClose: () => {},
      close: () => {},
    };
    const client = new MediaHostClient(connection, silentLogger);
    await expect(client.whenReady(100)).resolves.toMatchObject({
      userAgent: 'test',
      sampleRate: 16000,
    });
  });
});
