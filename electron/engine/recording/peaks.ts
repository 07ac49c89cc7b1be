/**
 * Waveform peaks of a recording, for the History player: per channel, the largest absolute sample
 * in each bin. The file is read in chunks (a one-hour stereo call is ~230 MB; it is never held
 * whole; an encrypted one is decrypted chunk by chunk, nothing of it is written), and the bin length grows for long calls so a channel never has more than `maxBins`
 * values: what the console receives stays small whatever the call's length.
 */
import { decodeSamples, parseWavHeader, type WavLayout } from '../audio/index.js';
import type { RecordingReader } from './reader.js';

export interface Peaks {
  sampleRate: number;
  channels: number;
  /** Sample frames in the file. */
  frames: number;
  durationMs: number;
  /** Samples of one channel per bin. */
  binFrames: number;
  binMs: number;
  /** One array per channel, each value 0..1. */
  peaks: number[][];
}

const HEADER_BYTES = 64 * 1024;
const CHUNK_BYTES = 1 << 20;

/** How many samples make one bin: `perSecond` bins a second, fewer when that would exceed `maxBins`. */
export function binFramesFor(
  frames: number,
  sampleRate: number,
  perSecond: number,
  maxBins: number,
): number {
  const base = Math.max(1, Math.round(sampleRate / perSecond));
  const needed = Math.ceil(frames / Math.max(1, maxBins));
  return Math.max(base, needed);
}

/** Peaks of decoded channels (the chunked reader feeds the same accumulator). */
export class PeakAccumulator {
  readonly peaks: number[][];
  private readonly current: number[];
  private filled = 0;

  constructor(
    channels: number,
    private readonly binFrames: number,
  ) {
    this.peaks = Array.from({ length: channels }, () => []);
    this.current = new Array<number>(channels).fill(0);
  }

  push(samples: readonly Float32Array[]): void {
    const length = samples[0]?.length ?? 0;
    for (let i = 0; i < length; i++) {
      for (let c = 0; c < samples.length; c++) {
        const v = Math.abs(samples[c]![i]!);
        if (v > this.current[c]!) this.current[c] = v;
      }
      if (++this.filled === this.binFrames) this.flush();
    }
  }

  /** Closes the last, partial bin. */
  finish(): number[][] {
    if (this.filled > 0) this.flush();
    return this.peaks;
  }

  private flush(): void {
    for (let c = 0; c < this.current.length; c++) {
      // Three decimals are plenty for a drawing and keep the JSON small.
      this.peaks[c]!.push(Math.min(1, Math.round(this.current[c]! * 1000) / 1000));
      this.current[c] = 0;
    }
    this.filled = 0;
  }
}

/** Reads a recording's peaks in 1 MB pieces. Throws WavError for a file that is not a WAV. */
export async function readPeaks(
  reader: Pick<RecordingReader, 'read' | 'size'>,
  options: { perSecond: number; maxBins: number },
): Promise<Peaks> {
  {
    const size = reader.size;
    const head = await reader.read(0, Math.min(HEADER_BYTES, size));
    const layout = parseWavHeader(head, size);
    const binFrames = binFramesFor(
      layout.frames,
      layout.sampleRate,
      options.perSecond,
      options.maxBins,
    );
    const accumulator = new PeakAccumulator(layout.channels, binFrames);
    const chunkBytes = Math.max(
      layout.blockAlign,
      Math.floor(CHUNK_BYTES / layout.blockAlign) * layout.blockAlign,
    );
    const end = layout.dataOffset + layout.dataBytes;
    for (let at = layout.dataOffset; at < end;) {
      const want = Math.min(chunkBytes, end - at);
      const buffer = await reader.read(at, want);
      const bytesRead = buffer.length;
      const frames = Math.floor(bytesRead / layout.blockAlign);
      if (frames === 0) break;
      const chunkLayout: WavLayout = {
        ...layout,
        dataOffset: 0,
        dataBytes: frames * layout.blockAlign,
        frames,
      };
      accumulator.push(decodeSamples(buffer, chunkLayout));
      at += frames * layout.blockAlign;
    }
    return {
      sampleRate: layout.sampleRate,
      channels: layout.channels,
      frames: layout.frames,
      durationMs: Math.round((layout.frames / layout.sampleRate) * 1000),
      binFrames,
      binMs: (binFrames / layout.sampleRate) * 1000,
      peaks: accumulator.finish(),
    };
  }
}
