import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import {
  encodeWav,
  encodeWavHeader,
  parseWav,
  parseWavHeader,
  readWav,
  UNKNOWN_DATA_SIZE,
  WavError,
  writeWav,
} from './wav.js';

interface Chunk {
  id: string;
  body: Buffer;
  /** Overrides the size field (the body is written as is). */
  size?: number;
}

function chunk(id: string, body: Buffer, size?: number): Chunk {
  return size === undefined ? { id, body } : { id, body, size };
}

function riff(chunks: Chunk[], { riffId = 'RIFF', form = 'WAVE' } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const c of chunks) {
    const head = Buffer.alloc(8);
    head.write(c.id, 0, 'ascii');
    head.writeUInt32LE(c.size ?? c.body.length, 4);
    parts.push(head, c.body);
    if (c.size === undefined && c.body.length % 2 === 1) parts.push(Buffer.alloc(1)); // pad byte
  }
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(12);
  head.write(riffId, 0, 'ascii');
  head.writeUInt32LE(4 + body.length, 4);
  head.write(form, 8, 'ascii');
  return Buffer.concat([head, body]);
}

function fmt(
  tag: number,
  channels: number,
  rate: number,
  bits: number,
  blockAlign = channels * Math.ceil(bits / 8),
): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(tag, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE(rate * blockAlign, 8);
  b.writeUInt16LE(blockAlign, 12);
  b.writeUInt16LE(bits, 14);
  return b;
}

function extensibleFmt(
  subTag: number,
  channels: number,
  rate: number,
  bits: number,
  validBits = bits,
  guidTail?: number[],
): Buffer {
  const blockAlign = channels * Math.ceil(bits / 8);
  const b = Buffer.alloc(40);
  fmt(0xfffe, channels, rate, bits, blockAlign).copy(b, 0);
  b.writeUInt16LE(22, 16); // cbSize
  b.writeUInt16LE(validBits, 18);
  b.writeUInt32LE(channels === 2 ? 3 : 4, 20); // channel mask
  b.writeUInt16LE(subTag, 24);
  Buffer.from(
    guidTail ?? [
      0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
    ],
  ).copy(b, 26);
  return b;
}

function int16Data(samples: number[]): Buffer {
  const b = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => b.writeInt16LE(s, i * 2));
  return b;
}

function expectWavError(run: () => unknown, code: string, message: string | RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(WavError);
  expect((caught as WavError).code).toBe(code);
  if (typeof message === 'string') expect((caught as WavError).message).toBe(message);
  else expect((caught as WavError).message).toMatch(message);
}

describe('parseWav: sample formats', () => {
  it('reads 16-bit stereo PCM, channels de-interleaved', () => {
    const wav = parseWav(
      riff([
        chunk('fmt ', fmt(1, 2, 16000, 16)),
        chunk('data', int16Data([1000, -2000, 16384, -32768, 32767, 0])),
      ]),
    );
    expect(wav.sampleRate).toBe(16000);
    expect(wav.channels).toBe(2);
    expect(Array.from(wav.samples[0]!)).toEqual([1000 / 32768, 16384 / 32768, 32767 / 32768]);
    expect(Array.from(wav.samples[1]!)).toEqual([-2000 / 32768, -1, 0]);
  });

  it('reads 8-bit unsigned PCM', () => {
    const wav = parseWav(
      riff([chunk('fmt ', fmt(1, 1, 8000, 8)), chunk('data', Buffer.from([0, 128, 255, 64]))]),
    );
    expect(Array.from(wav.samples[0]!)).toEqual([-1, 0, 127 / 128, -0.5]);
  });

  it('reads 24-bit PCM, negative values sign-extended', () => {
    const data = Buffer.from([
      0x00, 0x00, 0x40, 0x00, 0x00, 0xc0, 0xff, 0xff, 0x7f, 0x01, 0x00, 0x80,
    ]);
    const wav = parseWav(riff([chunk('fmt ', fmt(1, 1, 44100, 24)), chunk('data', data)]));
    expect(Array.from(wav.samples[0]!)).toEqual([0.5, -0.5, 8388607 / 8388608, -8388607 / 8388608]);
  });

  it('reads 32-bit integer PCM', () => {
    const data = Buffer.alloc(8);
    data.writeInt32LE(1 << 30, 0);
    data.writeInt32LE(-(2 ** 31), 4);
    const wav = parseWav(riff([chunk('fmt ', fmt(1, 1, 48000, 32)), chunk('data', data)]));
    expect(Array.from(wav.samples[0]!)).toEqual([0.5, -1]);
  });

  it('reads 32- and 64-bit IEEE float as is', () => {
    const f32 = Buffer.alloc(8);
    f32.writeFloatLE(0.25, 0);
    f32.writeFloatLE(-1.5, 4);
    expect(
      Array.from(
        parseWav(riff([chunk('fmt ', fmt(3, 1, 22050, 32)), chunk('data', f32)])).samples[0]!,
      ),
    ).toEqual([0.25, -1.5]);
    const f64 = Buffer.alloc(16);
    f64.writeDoubleLE(-0.125, 0);
    f64.writeDoubleLE(0.75, 8);
    expect(
      Array.from(
        parseWav(riff([chunk('fmt ', fmt(3, 1, 22050, 64)), chunk('data', f64)])).samples[0]!,
      ),
    ).toEqual([-0.125, 0.75]);
  });

  it('reads G.711 µ-law and A-law', () => {
    const mu = parseWav(
      riff([
        chunk('fmt ', fmt(7, 1, 8000, 8)),
        chunk('data', Buffer.from([0xff, 0x00, 0x80, 0x7f])),
      ]),
    );
    expect(Array.from(mu.samples[0]!).map((v) => Math.round(v * 32768))).toEqual([
      0, -32124, 32124, 0,
    ]);
    const a = parseWav(
      riff([
        chunk('fmt ', fmt(6, 1, 8000, 8)),
        chunk('data', Buffer.from([0xd5, 0x55, 0xaa, 0x2a])),
      ]),
    );
    expect(Array.from(a.samples[0]!).map((v) => Math.round(v * 32768))).toEqual([
      8, -8, 32256, -32256,
    ]);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE (PCM and float sub-formats, 24 valid bits in 32)', () => {
    const pcm = Buffer.alloc(8);
    pcm.writeInt32LE(0x40000000, 0); // left-justified 24-bit 0.5
    pcm.writeInt32LE(-0x40000000, 4);
    const wav = parseWav(
      riff([chunk('fmt ', extensibleFmt(1, 2, 96000, 32, 24)), chunk('data', pcm)]),
    );
    expect(wav).toMatchObject({ sampleRate: 96000, channels: 2 });
    expect([wav.samples[0]![0], wav.samples[1]![0]]).toEqual([0.5, -0.5]);

    const float = Buffer.alloc(4);
    float.writeFloatLE(0.5, 0);
    expect(
      parseWav(riff([chunk('fmt ', extensibleFmt(3, 1, 48000, 32)), chunk('data', float)]))
        .samples[0]![0],
    ).toBe(0.5);
  });

  it('reads any channel count, in file order', () => {
    const samples: number[] = [];
    for (let frame = 0; frame < 3; frame++)
      for (let c = 0; c < 6; c++) samples.push(c * 1000 + frame);
    const wav = parseWav(
      riff([chunk('fmt ', fmt(1, 6, 48000, 16)), chunk('data', int16Data(samples))]),
    );
    expect(wav.channels).toBe(6);
    for (let c = 0; c < 6; c++)
      expect(Array.from(wav.samples[c]!).map((v) => v * 32768)).toEqual([
        c * 1000,
        c * 1000 + 1,
        c * 1000 + 2,
      ]);
  });
});

describe('parseWav: layout', () => {
  it('skips unknown and odd-sized chunks before and after the audio', () => {
    const bytes = riff([
      chunk('JUNK', Buffer.from([1, 2, 3])), // odd: followed by a pad byte
      chunk('fmt ', fmt(1, 1, 8000, 16)),
      chunk('LIST', Buffer.from('INFOISFT\x05\x00\x00\x00abcd\x00', 'binary')),
      chunk('fact', Buffer.alloc(4)),
      chunk('data', int16Data([7, 8, 9])),
      chunk('id3 ', Buffer.from('xyz')),
    ]);
    expect(Array.from(parseWav(bytes).samples[0]!).map((v) => v * 32768)).toEqual([7, 8, 9]);
  });

  it('honours a larger fmt chunk (cbSize and extra bytes)', () => {
    const long = Buffer.concat([fmt(1, 1, 8000, 16), Buffer.from([2, 0, 0xaa, 0xbb])]);
    expect(
      parseWav(riff([chunk('fmt ', long), chunk('data', int16Data([5]))])).samples[0]![0],
    ).toBe(5 / 32768);
  });

  it.each([0, UNKNOWN_DATA_SIZE])(
    'reads a data size of %i as "until the end of the file"',
    (size) => {
      const bytes = riff([
        chunk('fmt ', fmt(1, 2, 16000, 16)),
        chunk('data', int16Data([1, 2, 3, 4, 5, 6]), size),
      ]);
      const layout = parseWavHeader(bytes);
      expect(layout).toMatchObject({
        dataOffset: 44,
        dataBytes: 12,
        frames: 3,
        declaredDataBytes: null,
        truncated: false,
      });
      expect(Array.from(parseWav(bytes).samples[1]!).map((v) => v * 32768)).toEqual([2, 4, 6]);
    },
  );

  it('cuts a data chunk that runs past the end of the file, whole frames only', () => {
    // 2 channels × 16 bits = 4-byte frames; 10 bytes present → 2 frames.
    const bytes = riff([
      chunk('fmt ', fmt(1, 2, 16000, 16)),
      chunk('data', Buffer.from([1, 0, 2, 0, 3, 0, 4, 0, 5, 0]), 4000),
    ]);
    expect(parseWavHeader(bytes)).toMatchObject({
      dataBytes: 8,
      frames: 2,
      declaredDataBytes: 4000,
      truncated: true,
    });
    expect(parseWav(bytes).samples[0]!.length).toBe(2);
  });

  it('parses a header from a prefix given the file size', () => {
    const bytes = encodeWav({
      sampleRate: 16000,
      channels: [new Int16Array(1000), new Int16Array(1000)],
    });
    expect(parseWavHeader(bytes.subarray(0, 64), bytes.length)).toMatchObject({
      dataBytes: 4000,
      frames: 1000,
      channels: 2,
    });
    const bigList = riff([
      chunk('fmt ', fmt(1, 1, 8000, 16)),
      chunk('LIST', Buffer.alloc(10_000)),
      chunk('data', int16Data([1])),
    ]);
    expectWavError(
      () => parseWavHeader(bigList.subarray(0, 4096), bigList.length),
      'NO_DATA',
      'no data chunk within the first 4096 bytes read',
    );
    expect(parseWavHeader(bigList).frames).toBe(1);
  });

  it('accepts RF64 with its ds64 sizes', () => {
    const ds64 = Buffer.alloc(28);
    ds64.writeUInt32LE(8, 8); // data size, low 32 bits
    const bytes = riff(
      [
        chunk('ds64', ds64),
        chunk('fmt ', fmt(1, 1, 8000, 16)),
        chunk('data', int16Data([1, 2, 3, 4, 5]), UNKNOWN_DATA_SIZE),
      ],
      {
        riffId: 'RF64',
      },
    );
    expect(parseWav(bytes).samples[0]!.length).toBe(4);
  });
});

describe('parseWav: errors say what is wrong', () => {
  const pcmData = chunk('data', int16Data([0]));
  it.each([
    [
      'a text file',
      Buffer.from('hello, this is not audio at all'),
      'NOT_RIFF',
      'not a RIFF file (it starts with "hell")',
    ],
    ['a tiny file', Buffer.from('RIFF'), 'TOO_SHORT', 'not a WAV file: only 4 bytes long'],
    ['an AVI', riff([], { form: 'AVI ' }), 'NOT_WAVE', 'a RIFF file of type "AVI ", not WAVE'],
    ['big-endian RIFX', riff([], { riffId: 'RIFX' }), 'NOT_RIFF', /RIFX.*not supported/],
    [
      'an MP3 in a WAV',
      riff([chunk('fmt ', fmt(0x55, 1, 8000, 0)), pcmData]),
      'UNSUPPORTED_FORMAT',
      'unsupported format 0x0055 (MP3); convert to PCM WAV',
    ],
    [
      'IMA ADPCM',
      riff([chunk('fmt ', fmt(0x11, 1, 8000, 4)), pcmData]),
      'UNSUPPORTED_FORMAT',
      'unsupported format 0x0011 (IMA ADPCM); convert to PCM WAV',
    ],
    [
      'an unknown codec',
      riff([chunk('fmt ', fmt(0x1234, 1, 8000, 16)), pcmData]),
      'UNSUPPORTED_FORMAT',
      'unsupported format 0x1234 (unknown); convert to PCM WAV',
    ],
    [
      'a short fmt chunk',
      riff([chunk('fmt ', Buffer.alloc(12)), pcmData]),
      'TRUNCATED_FMT',
      'truncated fmt chunk (12 of at least 16 bytes)',
    ],
    [
      'a file ending in its fmt chunk',
      riff([chunk('fmt ', Buffer.alloc(10), 16)]),
      'TRUNCATED_FMT',
      'truncated fmt chunk (10 of at least 16 bytes)',
    ],
    [
      'a short extensible fmt',
      riff([chunk('fmt ', fmt(0xfffe, 1, 8000, 16)), pcmData]),
      'TRUNCATED_FMT',
      'truncated fmt chunk: WAVE_FORMAT_EXTENSIBLE needs 40 bytes, it has 16',
    ],
    [
      'a vendor sub-format',
      riff([
        chunk(
          'fmt ',
          extensibleFmt(1, 1, 8000, 16, 16, [0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
        ),
        pcmData,
      ]),
      'UNSUPPORTED_FORMAT',
      'unsupported WAVE_FORMAT_EXTENSIBLE sub-format {00000001-0000-0201-0304-05060708090a}; convert to PCM WAV',
    ],
    ['no fmt chunk', riff([pcmData]), 'NO_FMT', 'no fmt chunk before the data chunk'],
    ['no chunks at all', riff([]), 'NO_FMT', /no fmt chunk/],
    ['no data chunk', riff([chunk('fmt ', fmt(1, 1, 8000, 16))]), 'NO_DATA', 'no data chunk'],
    [
      '0 channels',
      riff([chunk('fmt ', fmt(1, 0, 8000, 16, 2)), pcmData]),
      'BAD_FORMAT',
      'the fmt chunk says 0 channels',
    ],
    [
      'a 0 Hz rate',
      riff([chunk('fmt ', fmt(1, 1, 0, 16)), pcmData]),
      'BAD_FORMAT',
      'the fmt chunk says a sample rate of 0 Hz',
    ],
    [
      'a small block align',
      riff([chunk('fmt ', fmt(1, 2, 8000, 16, 2)), pcmData]),
      'BAD_FORMAT',
      /block align of 2 bytes is too small/,
    ],
    ['4-bit PCM', riff([chunk('fmt ', fmt(1, 1, 8000, 4)), pcmData]), 'UNSUPPORTED_BITS', /4 bits/],
    [
      '16-bit float',
      riff([chunk('fmt ', fmt(3, 1, 8000, 16)), pcmData]),
      'UNSUPPORTED_BITS',
      'unsupported float sample size of 16 bits (32 and 64 are)',
    ],
  ])('%s', (_name, bytes, code, message) => {
    expectWavError(() => parseWav(bytes), code, message);
  });
});

describe('encoding and files', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'outbound-wav-'));
    dirs.push(dir);
    return dir;
  };

  it('writes a canonical 44-byte 16-bit header', () => {
    const header = encodeWavHeader({ sampleRate: 16000, channels: 2, dataBytes: 1280 });
    expect(header.length).toBe(44);
    expect(header.toString('ascii', 0, 4)).toBe('RIFF');
    expect(header.readUInt32LE(4)).toBe(36 + 1280);
    expect(header.readUInt32LE(28)).toBe(64000); // byte rate
    expect(header.readUInt16LE(32)).toBe(4); // block align
    expect(header.readUInt32LE(40)).toBe(1280);
    const streaming = encodeWavHeader({
      sampleRate: 16000,
      channels: 2,
      dataBytes: UNKNOWN_DATA_SIZE,
    });
    expect([streaming.readUInt32LE(4), streaming.readUInt32LE(40)]).toEqual([
      UNKNOWN_DATA_SIZE,
      UNKNOWN_DATA_SIZE,
    ]);
    expect(() => encodeWavHeader({ sampleRate: 0, channels: 1, dataBytes: 0 })).toThrow(RangeError);
  });

  it('round-trips Int16 and clips Float32 through writeWav/readWav', async () => {
    const path = join(await tempDir(), 'out.wav');
    await writeWav(path, { sampleRate: 8000, channels: [new Int16Array([1, -1, 32767, -32768])] });
    expect(Array.from((await readWav(path)).samples[0]!).map((v) => v * 32768)).toEqual([
      1, -1, 32767, -32768,
    ]);

    await writeWav(path, {
      sampleRate: 44100,
      channels: [new Float32Array([0.5, 2, -3, Number.NaN]), new Float32Array([-0.25, 1, -1, 0])],
    });
    const back = await readWav(path);
    expect(back).toMatchObject({ sampleRate: 44100, channels: 2 });
    expect(Array.from(back.samples[0]!)).toEqual([0.5, 32767 / 32768, -1, 0]);
    expect(Array.from(back.samples[1]!)).toEqual([-0.25, 32767 / 32768, -1, 0]);
  });

  it('names the file in read and parse errors', async () => {
    const dir = await tempDir();
    const missing = join(dir, 'missing.wav');
    await expect(readWav(missing)).rejects.toMatchObject({
      code: 'READ_FAILED',
      message: `${missing}: cannot read the file: no such file or folder (ENOENT)`,
    });
    const mp3 = join(dir, 'song.wav');
    await writeFile(
      mp3,
      riff([chunk('fmt ', fmt(0x55, 2, 44100, 0, 1)), chunk('data', Buffer.alloc(10))]),
    );
    await expect(readWav(mp3)).rejects.toMatchObject({
      code: 'UNSUPPORTED_FORMAT',
      message: `${mp3}: unsupported format 0x0055 (MP3); convert to PCM WAV`,
    });
  });

  it('rejects channels of different lengths', () => {
    expect(() =>
      encodeWav({ sampleRate: 8000, channels: [new Int16Array(2), new Int16Array(3)] }),
    ).toThrow(/differ in length/);
  });
});
