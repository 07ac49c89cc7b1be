/**
 * WAV files: parsing any common RIFF/WAVE layout into float samples, and writing 16-bit PCM.
 *
 * Read: PCM integer 8/16/24/32-bit, IEEE float 32/64-bit, G.711 A-law/µ-law (8 kHz phone
 * recordings often come as those), WAVE_FORMAT_EXTENSIBLE around any of these, RF64, any channel
 * count and rate. Unknown and odd-sized chunks are skipped (with their pad byte). A `data` size of
 * 0 or 0xFFFFFFFF means "until the end of the file" (streams and crash-truncated files); a size
 * larger than the file is cut to what is there. Only whole sample frames are read.
 *
 * Float data passes through unchanged (it may exceed ±1); integer data maps to -1..1 by dividing
 * by 2^(bits-1).
 */
import { readFile, writeFile } from 'node:fs/promises';

import { floatToInt16 } from './resample.js';

export type WavErrorCode =
  | 'READ_FAILED'
  | 'TOO_SHORT'
  | 'NOT_RIFF'
  | 'NOT_WAVE'
  | 'NO_FMT'
  | 'TRUNCATED_FMT'
  | 'UNSUPPORTED_FORMAT'
  | 'UNSUPPORTED_BITS'
  | 'BAD_FORMAT'
  | 'NO_DATA'
  | 'NO_AUDIO';

export class WavError extends Error {
  override readonly name = 'WavError';
  constructor(
    readonly code: WavErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Decoded audio: one Float32Array per channel, nominally -1..1. */
export interface WavAudio {
  sampleRate: number;
  channels: number;
  samples: Float32Array[];
}

/** What the header says, after unwrapping WAVE_FORMAT_EXTENSIBLE. */
export interface WavFormat {
  /** The effective format code: 1 PCM, 3 IEEE float, 6 A-law, 7 µ-law. */
  formatTag: number;
  formatName: string;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Bytes one sample of one channel takes in the file. */
  bytesPerSample: number;
  /** Bytes one sample frame (all channels) takes in the file. */
  blockAlign: number;
}

/** Where the audio is, as far as the bytes seen tell. */
export interface WavLayout extends WavFormat {
  /** Offset of the first audio byte. */
  dataOffset: number;
  /** Audio bytes that can be read: whole sample frames, within the file. */
  dataBytes: number;
  /** The `data` chunk's declared size; null for 0 / 0xFFFFFFFF ("until the end of the file"). */
  declaredDataBytes: number | null;
  /** True when the declared size runs past the end of the file (the file was cut short). */
  truncated: boolean;
  /** Sample frames that can be read: dataBytes / blockAlign. */
  frames: number;
}

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_ALAW = 0x0006;
const FORMAT_MULAW = 0x0007;
const FORMAT_EXTENSIBLE = 0xfffe;

const FORMAT_NAMES: Readonly<Record<number, string>> = {
  0x0001: 'PCM',
  0x0002: 'Microsoft ADPCM',
  0x0003: 'IEEE float',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0011: 'IMA ADPCM',
  0x0022: 'TrueSpeech',
  0x0031: 'GSM 6.10',
  0x0040: 'G.721 ADPCM',
  0x0045: 'G.726 ADPCM',
  0x0050: 'MPEG',
  0x0055: 'MP3',
  0x0064: 'G.726 ADPCM',
  0x0065: 'G.722 ADPCM',
  0x0092: 'Dolby AC-3',
  0x00ff: 'AAC',
  0x0161: 'Windows Media Audio',
  0x0162: 'Windows Media Audio Pro',
  0x1610: 'HE-AAC',
  0x2000: 'Dolby AC-3',
  0x6750: 'Ogg Vorbis',
  0x674f: 'Ogg Vorbis',
  0x6771: 'Ogg Vorbis',
  0xf1ac: 'FLAC',
  0xfffe: 'extensible',
};

/** The 14 bytes every standard KSDATAFORMAT_SUBTYPE GUID has after its 2-byte format code. */
const KSDATAFORMAT_TAIL = [
  0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

const UNKNOWN_SIZE = 0xffffffff;

export function formatName(tag: number): string {
  return FORMAT_NAMES[tag] ?? 'unknown';
}

function hex4(tag: number): string {
  return `0x${tag.toString(16).toUpperCase().padStart(4, '0')}`;
}

function fourcc(bytes: Uint8Array, offset: number): string {
  let text = '';
  for (let i = 0; i < 4; i++) {
    const c = bytes[offset + i] ?? 0;
    text += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?';
  }
  return text;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Reads the header of a WAV file from its first bytes (the whole file, or a prefix that reaches the
 * `data` chunk's header) and says where the audio is. `fileSize` is the whole file's size when
 * `head` is only a prefix.
 */
export function parseWavHeader(head: Uint8Array, fileSize: number = head.length): WavLayout {
  const dv = view(head);
  if (head.length < 12) {
    throw new WavError(
      'TOO_SHORT',
      `not a WAV file: only ${fileSize} byte${fileSize === 1 ? '' : 's'} long`,
    );
  }
  const riff = fourcc(head, 0);
  if (riff === 'RIFX')
    throw new WavError('NOT_RIFF', 'big-endian RIFX files are not supported; convert to PCM WAV');
  if (riff !== 'RIFF' && riff !== 'RF64' && riff !== 'BW64') {
    throw new WavError('NOT_RIFF', `not a RIFF file (it starts with "${riff}")`);
  }
  const form = fourcc(head, 8);
  if (form !== 'WAVE') throw new WavError('NOT_WAVE', `a RIFF file of type "${form}", not WAVE`);

  let format: WavFormat | null = null;
  let ds64DataBytes: number | null = null;
  let offset = 12;
  while (offset + 8 <= head.length) {
    const id = fourcc(head, offset);
    const size = dv.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > head.length) {
        throw new WavError(
          'TRUNCATED_FMT',
          `truncated fmt chunk (${Math.min(size, head.length - body)} of at least 16 bytes)`,
        );
      }
      format = readFormat(dv, body, size, head.length);
    } else if (id === 'ds64' && size >= 16 && body + 16 <= head.length) {
      ds64DataBytes = dv.getUint32(body + 8, true) + dv.getUint32(body + 12, true) * 2 ** 32;
    } else if (id === 'data') {
      if (!format) throw new WavError('NO_FMT', 'no fmt chunk before the data chunk');
      const available = Math.max(0, fileSize - body);
      let declared: number | null = size === 0 || size === UNKNOWN_SIZE ? null : size;
      if (size === UNKNOWN_SIZE && ds64DataBytes !== null && ds64DataBytes > 0)
        declared = ds64DataBytes;
      const usable = declared === null ? available : Math.min(declared, available);
      const dataBytes = usable - (usable % format.blockAlign);
      return {
        ...format,
        dataOffset: body,
        dataBytes,
        declaredDataBytes: declared,
        truncated: declared !== null && declared > available,
        frames: dataBytes / format.blockAlign,
      };
    }
    offset = body + size + (size & 1);
  }
  if (head.length < fileSize && offset + 8 > head.length) {
    throw new WavError('NO_DATA', `no data chunk within the first ${head.length} bytes read`);
  }
  if (!format)
    throw new WavError('NO_FMT', 'no fmt chunk (the file has no audio format description)');
  throw new WavError(
    'NO_DATA',
    offset > fileSize ? 'the file ends inside a chunk before any data chunk' : 'no data chunk',
  );
}

function readFormat(dv: DataView, body: number, size: number, end: number): WavFormat {
  let tag = dv.getUint16(body, true);
  const channels = dv.getUint16(body + 2, true);
  const sampleRate = dv.getUint32(body + 4, true);
  const declaredBlockAlign = dv.getUint16(body + 12, true);
  let bits = dv.getUint16(body + 14, true);

  if (tag === FORMAT_EXTENSIBLE) {
    if (size < 40 || body + 40 > end) {
      throw new WavError(
        'TRUNCATED_FMT',
        `truncated fmt chunk: WAVE_FORMAT_EXTENSIBLE needs 40 bytes, it has ${Math.min(size, end - body)}`,
      );
    }
    const sub = body + 24;
    const subTag = dv.getUint16(sub, true);
    for (let i = 0; i < KSDATAFORMAT_TAIL.length; i++) {
      if (dv.getUint8(sub + 2 + i) !== KSDATAFORMAT_TAIL[i]) {
        throw new WavError(
          'UNSUPPORTED_FORMAT',
          `unsupported WAVE_FORMAT_EXTENSIBLE sub-format ${guid(dv, sub)}; convert to PCM WAV`,
        );
      }
    }
    tag = subTag;
    // wValidBitsPerSample (body + 18) may be smaller than the container; samples are left-justified,
    // so scaling by the container's size is right either way.
  }

  const name = formatName(tag);
  if (tag !== FORMAT_PCM && tag !== FORMAT_FLOAT && tag !== FORMAT_ALAW && tag !== FORMAT_MULAW) {
    throw new WavError(
      'UNSUPPORTED_FORMAT',
      `unsupported format ${hex4(tag)} (${name}); convert to PCM WAV`,
    );
  }
  if (channels === 0) throw new WavError('BAD_FORMAT', 'the fmt chunk says 0 channels');
  if (sampleRate === 0)
    throw new WavError('BAD_FORMAT', 'the fmt chunk says a sample rate of 0 Hz');
  if (tag === FORMAT_PCM && (bits < 8 || bits > 32)) {
    throw new WavError(
      'UNSUPPORTED_BITS',
      `unsupported PCM sample size of ${bits} bits (8, 16, 24 and 32 are)`,
    );
  }
  if (tag === FORMAT_FLOAT && bits !== 32 && bits !== 64) {
    throw new WavError(
      'UNSUPPORTED_BITS',
      `unsupported float sample size of ${bits} bits (32 and 64 are)`,
    );
  }
  if ((tag === FORMAT_ALAW || tag === FORMAT_MULAW) && bits !== 8) {
    if (bits !== 0)
      throw new WavError(
        'UNSUPPORTED_BITS',
        `unsupported ${name} sample size of ${bits} bits (8 is)`,
      );
    bits = 8;
  }
  const bytesPerSample = Math.ceil(bits / 8);
  const minBlockAlign = bytesPerSample * channels;
  // Some writers leave blockAlign at 0; a larger one is a padded frame, which the stride honours.
  const blockAlign = declaredBlockAlign === 0 ? minBlockAlign : declaredBlockAlign;
  if (blockAlign < minBlockAlign) {
    throw new WavError(
      'BAD_FORMAT',
      `the fmt chunk's block align of ${blockAlign} bytes is too small for ${channels} channel(s) of ${bits}-bit samples`,
    );
  }
  return {
    formatTag: tag,
    formatName: name,
    sampleRate,
    channels,
    bitsPerSample: bits,
    bytesPerSample,
    blockAlign,
  };
}

function guid(dv: DataView, at: number): string {
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
  const bytes: string[] = [];
  for (let i = 8; i < 16; i++) bytes.push(hex(dv.getUint8(at + i), 2));
  return `{${hex(dv.getUint32(at, true), 8)}-${hex(dv.getUint16(at + 4, true), 4)}-${hex(dv.getUint16(at + 6, true), 4)}-${bytes.slice(0, 2).join('')}-${bytes.slice(2).join('')}}`;
}

/** Decodes a whole WAV file held in memory. Throws WavError. */
export function parseWav(bytes: Uint8Array): WavAudio {
  const layout = parseWavHeader(bytes);
  return {
    sampleRate: layout.sampleRate,
    channels: layout.channels,
    samples: decodeSamples(bytes, layout),
  };
}

/** Decodes `layout.frames` sample frames starting at `layout.dataOffset` into one array per channel. */
export function decodeSamples(bytes: Uint8Array, layout: WavLayout): Float32Array[] {
  const { channels, frames, blockAlign, bytesPerSample, formatTag } = layout;
  const dv = view(bytes);
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) out.push(new Float32Array(frames));
  for (let c = 0; c < channels; c++) {
    const dst = out[c]!;
    let at = layout.dataOffset + c * bytesPerSample;
    if (formatTag === FORMAT_FLOAT) {
      if (bytesPerSample === 4)
        for (let i = 0; i < frames; i++, at += blockAlign) dst[i] = dv.getFloat32(at, true);
      else for (let i = 0; i < frames; i++, at += blockAlign) dst[i] = dv.getFloat64(at, true);
    } else if (formatTag === FORMAT_ALAW || formatTag === FORMAT_MULAW) {
      const table = formatTag === FORMAT_ALAW ? ALAW_TABLE : MULAW_TABLE;
      for (let i = 0; i < frames; i++, at += blockAlign) dst[i] = table[bytes[at]!]!;
    } else {
      switch (bytesPerSample) {
        case 1:
          for (let i = 0; i < frames; i++, at += blockAlign) dst[i] = (bytes[at]! - 128) / 128;
          break;
        case 2:
          for (let i = 0; i < frames; i++, at += blockAlign) dst[i] = dv.getInt16(at, true) / 32768;
          break;
        case 3:
          for (let i = 0; i < frames; i++, at += blockAlign) {
            const v = bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
            dst[i] = ((v << 8) >> 8) / 8388608;
          }
          break;
        default:
          for (let i = 0; i < frames; i++, at += blockAlign)
            dst[i] = dv.getInt32(at, true) / 2147483648;
      }
    }
  }
  return out;
}

function buildG711Table(decode: (byte: number) => number): Float32Array {
  const table = new Float32Array(256);
  for (let b = 0; b < 256; b++) table[b] = decode(b) / 32768;
  return table;
}

/** ITU-T G.711 µ-law byte → 16-bit linear. */
function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

/** ITU-T G.711 A-law byte → 16-bit linear. */
function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

const MULAW_TABLE = buildG711Table(mulawToLinear);
const ALAW_TABLE = buildG711Table(alawToLinear);

/** Reads and decodes a WAV file. Errors are WavErrors whose message starts with the path. */
export async function readWav(path: string): Promise<WavAudio> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new WavError('READ_FAILED', `${path}: cannot read the file: ${describeFsError(error)}`, {
      cause: error,
    });
  }
  try {
    return parseWav(bytes);
  } catch (error) {
    if (error instanceof WavError)
      throw new WavError(error.code, `${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

export function describeFsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    ENOENT: 'no such file or folder',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'it is a folder',
    ENOSPC: 'no space left on the disk',
    EDQUOT: 'disk quota exceeded',
    EROFS: 'the file system is read-only',
    EMFILE: 'too many open files',
    EIO: 'input/output error',
  };
  return code && known[code] ? `${known[code]} (${code})` : error.message;
}

export interface WavHeaderOptions {
  sampleRate: number;
  channels: number;
  /** Bytes of audio that follow the header; UNKNOWN_DATA_SIZE for a file still being written. */
  dataBytes: number;
}

/** The `data` size to write while a file's length is not yet known ("until the end of the file"). */
export const UNKNOWN_DATA_SIZE = UNKNOWN_SIZE;
/** A canonical 16-bit PCM header is this long; the audio starts right after it. */
export const WAV_HEADER_BYTES = 44;

/** A 44-byte RIFF/WAVE header for 16-bit little-endian PCM. */
export function encodeWavHeader({ sampleRate, channels, dataBytes }: WavHeaderOptions): Buffer {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0)
    throw new RangeError(`invalid sample rate ${sampleRate}`);
  if (!Number.isInteger(channels) || channels <= 0 || channels > 0xffff)
    throw new RangeError(`invalid channel count ${channels}`);
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  const unknown = dataBytes === UNKNOWN_SIZE;
  if (
    !unknown &&
    (!Number.isInteger(dataBytes) || dataBytes < 0 || dataBytes > UNKNOWN_SIZE - 36)
  ) {
    throw new RangeError(`invalid data size ${dataBytes}: a WAV file holds at most 4 GiB`);
  }
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(unknown ? UNKNOWN_SIZE : 36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(FORMAT_PCM, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

export interface WavInput {
  sampleRate: number;
  /** One array per channel, all the same length; Float32Array samples are clipped to -1..1. */
  channels: Int16Array[] | Float32Array[];
}

/** Encodes 16-bit PCM WAV bytes (header and interleaved samples). */
export function encodeWav({ sampleRate, channels }: WavInput): Buffer {
  const count = channels.length;
  if (count === 0) throw new RangeError('a WAV file needs at least one channel');
  const frames = channels[0]!.length;
  for (const channel of channels) {
    if (channel.length !== frames)
      throw new RangeError(`channels differ in length (${channel.length} vs ${frames} samples)`);
  }
  const dataBytes = frames * count * 2;
  const out = Buffer.allocUnsafe(WAV_HEADER_BYTES + dataBytes);
  encodeWavHeader({ sampleRate, channels: count, dataBytes }).copy(out, 0);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let c = 0; c < count; c++) {
    const source = channels[c]!;
    const samples = source instanceof Int16Array ? source : floatToInt16(source);
    for (let i = 0, at = WAV_HEADER_BYTES + c * 2; i < frames; i++, at += count * 2)
      dv.setInt16(at, samples[i]!, true);
  }
  return out;
}

/** Writes a 16-bit PCM WAV file. */
export async function writeWav(path: string, input: WavInput): Promise<void> {
  await writeFile(path, encodeWav(input));
}
