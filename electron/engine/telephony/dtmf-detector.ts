/**
 * In-band DTMF: the keys a customer presses, heard in the call's audio. The media host's JsSIP
 * reports only SIP INFO keys; RFC 4733 telephone-events reach it as audio (Chromium's NetEq plays
 * them out as tones), and some trunks send the tones in-band anyway. So the customer's capture is
 * listened to here: Goertzel filters at the eight DTMF frequencies over each 20 ms frame.
 *
 * A frame holds a key when one row and one column tone together carry most of its energy (speech
 * spreads its energy over moving harmonics and never does for long), each stands well above its
 * neighbours, and their levels are within the twist the ITU allows. A key is reported once, after
 * two such frames in a row (40 ms, the shortest tone Q.24 asks to accept), and may be reported
 * again only after two frames without it (the shortest pause).
 *
 * Pure and synchronous: 16 kHz Int16 frames in, a key (or null) out.
 */

const ROWS = [697, 770, 852, 941] as const;
const COLUMNS = [1209, 1336, 1477, 1633] as const;
const KEYS = ['123A', '456B', '789C', '*0#D'] as const;

export interface DtmfDetectorOptions {
  /** Sample rate of the frames (default 16,000). */
  sampleRate?: number;
  /** Share of the frame's energy the two tones must hold together (default 0.75). */
  minPurity?: number;
  /** A quieter frame is not looked at, dBFS (default -36). */
  minLevelDb?: number;
  /** Highest ratio between the two tones' levels, dB either way (default 8). */
  maxTwistDb?: number;
}

export class DtmfDetector {
  private readonly coefficients: { rows: number[]; columns: number[] };
  private readonly minPurity: number;
  private readonly minMeanSquare: number;
  private readonly maxTwist: number;
  /** The key the last frame held (null: none). */
  private last: string | null = null;
  /** How many frames in a row held `last`, and how many since the reported key was last heard. */
  private run = 0;
  private reported: string | null = null;
  private quietFrames = 0;

  constructor(options: DtmfDetectorOptions = {}) {
    const rate = options.sampleRate ?? 16_000;
    const coefficient = (hz: number): number => 2 * Math.cos((2 * Math.PI * hz) / rate);
    this.coefficients = { rows: ROWS.map(coefficient), columns: COLUMNS.map(coefficient) };
    this.minPurity = options.minPurity ?? 0.75;
    this.minMeanSquare = (32768 * 10 ** ((options.minLevelDb ?? -36) / 20)) ** 2;
    this.maxTwist = 10 ** ((options.maxTwistDb ?? 8) / 10);
  }

  /** One frame of the customer's audio: the key that has just been pressed, or null. */
  push(frame: Int16Array): string | null {
    const key = this.keyIn(frame);
    if (key !== null && key === this.last) this.run++;
    else this.run = key === null ? 0 : 1;
    this.last = key;
    if (key === this.reported && key !== null) {
      this.quietFrames = 0;
      return null;
    }
    if (this.reported !== null && ++this.quietFrames >= 2) this.reported = null;
    if (key !== null && this.run >= 2 && this.reported === null) {
      this.reported = key;
      this.quietFrames = 0;
      return key;
    }
    return null;
  }

  /** The key one frame holds, or null. */
  keyIn(frame: Int16Array): string | null {
    const n = frame.length;
    if (n === 0) return null;
    let energy = 0;
    for (let i = 0; i < n; i++) energy += frame[i]! * frame[i]!;
    if (energy / n < this.minMeanSquare) return null;
    // |X(f)|² / (energy · n / 2): 1.0 for a pure tone at f.
    const scale = 2 / (energy * n);
    const rows = this.coefficients.rows.map((k) => goertzel(frame, k) * scale);
    const columns = this.coefficients.columns.map((k) => goertzel(frame, k) * scale);
    const row = strongest(rows);
    const column = strongest(columns);
    if (row.power + column.power < this.minPurity) return null;
    if (row.power > column.power * this.maxTwist || column.power > row.power * this.maxTwist)
      return null;
    // Each tone stands well above the other tones of its group (leakage of one tone is far less).
    if (row.second > row.power * 0.2 || column.second > column.power * 0.2) return null;
    return KEYS[row.index]![column.index]!;
  }
}

function goertzel(frame: Int16Array, coefficient: number): number {
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < frame.length; i++) {
    const s = frame[i]! + coefficient * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
}

function strongest(powers: number[]): { index: number; power: number; second: number } {
  let index = 0;
  for (let i = 1; i < powers.length; i++) if (powers[i]! > powers[index]!) index = i;
  const second = Math.max(0, ...powers.filter((_, i) => i !== index));
  return { index, power: powers[index]!, second };
}
