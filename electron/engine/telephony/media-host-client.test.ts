import { describe, expect, it } from 'vitest';

import {
  CAPTURE_FRAME_BYTES,
  FRAME_HEADER_BYTES,
  FRAME_KIND,
  SAMPLES_PER_FRAME,
  writeFrameHeader,
} from '../api/media-host.js';
import { type Logger, silentLogger } from '../log.js';
import {
  type CaptureFrame,
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

function captureFrame(channel: number, seq: number, value: number): Uint8Array {
  const bytes = new Uint8Array(CAPTURE_FRAME_BYTES);
  writeFrameHeader(new DataView(bytes.buffer), {
    kind: FRAME_KIND.capture,
    channel,
    seq,
    timestampMs: 1,
  });
  new Int16Array(bytes.buffer, FRAME_HEADER_BYTES, SAMPLES_PER_FRAME).fill(value);
  new Int16Array(bytes.buffer, FRAME_HEADER_BYTES + SAMPLES_PER_FRAME * 2, SAMPLES_PER_FRAME).fill(
    -value,
  );
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

  it('splits a batch of capture frames by channel and counts what it cannot read', () => {
    const fake = fakeConnection();
    const client = new MediaHostClient(fake.connection, silentLogger);
    const frames: CaptureFrame[] = [];
    client.onCapture((frame) =>
      frames.push({ ...frame, left: frame.left.slice(), right: frame.right.slice() }),
    );
    const batch = new Uint8Array(CAPTURE_FRAME_BYTES * 2);
    batch.set(captureFrame(1, 7, 100), 0);
    batch.set(captureFrame(2, 9, 200), CAPTURE_FRAME_BYTES);
    fake.bin(batch);
    fake.bin(new Uint8Array(10));
    expect(frames.map((f) => [f.channel, f.seq, f.left[0], f.right[0]])).toEqual([
      [1, 7, 100, -100],
      [2, 9, 200, -200],
    ]);
    expect(client.badFrames).toBe(1);
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
