/**
 * The voicemail beep: a steady tone between 400 and 2,000 Hz that ends a machine's greeting.
 * Goertzel filters over a 40 ms window every 20 ms: a coarse 25 Hz grid over the band, refined
 * around the strongest bin, measures how much of the window's energy one frequency holds (1.0 for
 * a pure tone). A beep is a run of such tonal frames at a steady frequency; speech never holds one
 * frequency that purely for that long (its harmonics move with the pitch and share the energy).
 *
 * Pure and synchronous: 20 ms frames in (16 kHz Int16, as the call's capture gives them), the
 * frame's tone (or null) and finished beeps out.
 */

export interface BeepOptions {
  /** Sample rate of the frames (default 16,000). */
  sampleRate?: number;
  /** Lowest and highest tone looked for, Hz (defaults 400 and 2,000). */
  minHz?: number;
  maxHz?: number;
  /** Share of the window's energy the tone must hold (default 0.7). */
  minPurity?: number;
  /** A quieter window is not looked at, dBFS (default -45). */
  minLevelDb?: number;
  /** Shortest beep, ms (default 120). */
  minDurationMs?: number;
  /** The tone may wander by this share of its frequency within one beep (default 0.02). */
  maxDrift?: number;
}

/** One beep, with times from the first frame pushed. */
export interface Beep {
  startMs: number;
  endMs: number;
  durationMs: number;
  frequencyHz: number;
}

/** What one frame gave: a beep that has lasted long enough (`started`, once per beep) or one that ended. */
export interface BeepStep {
  /** The frame's tone, or null. */
  toneHz: number | null;
  /** Set on the frame where a tone run first reaches the minimum length. */
  started: Beep | null;
  /** Set on the first frame after a beep ended (the greeting's end). */
  ended: Beep | null;
}

const FRAME_MS = 20;

export class BeepDetector {
  private readonly rate: number;
  private readonly frame: number;
  private readonly window: Float64Array;
  private readonly coarse: number[];
  private readonly minPurity: number;
  private readonly minEnergy: number;
  private readonly minFrames: number;
  private readonly maxDrift: number;
  private frames = 0;
  private run: { start: number; hz: number; frames: number; sumHz: number } | null = null;
  private announced = false;

  constructor(options: BeepOptions = {}) {
    this.rate = options.sampleRate ?? 16_000;
    this.frame = Math.round((this.rate * FRAME_MS) / 1000);
    this.window = new Float64Array(this.frame * 2);
    const minHz = options.minHz ?? 400;
    const maxHz = options.maxHz ?? 2000;
    this.coarse = [];
    for (let hz = minHz; hz <= maxHz; hz += 25) this.coarse.push(hz);
    this.minPurity = options.minPurity ?? 0.7;
    const level = 10 ** ((options.minLevelDb ?? -45) / 10);
    this.minEnergy = level; // mean square, full scale = 1
    this.minFrames = Math.ceil((options.minDurationMs ?? 120) / FRAME_MS);
    this.maxDrift = options.maxDrift ?? 0.02;
  }

  /** One 20 ms frame. */
  push(frame: Int16Array): BeepStep {
    if (frame.length !== this.frame)
      throw new RangeError(`a beep frame is ${this.frame} samples, got ${frame.length}`);
    const w = this.window;
    w.copyWithin(0, this.frame);
    for (let i = 0; i < this.frame; i++) w[this.frame + i] = (frame[i] ?? 0) / 32768;
    this.frames++;
    const toneHz = this.frames >= 2 ? this.tone() : null;
    const step: BeepStep = { toneHz, started: null, ended: null };
    const run = this.run;
    const steady =
      toneHz !== null &&
      run !== null &&
      Math.abs(toneHz - run.sumHz / run.frames) <=
        Math.max(15, (run.sumHz / run.frames) * this.maxDrift);
    if (run && steady && toneHz !== null) {
      run.frames++;
      run.sumHz += toneHz;
    } else {
      if (run && this.announced) step.ended = this.beepOf(run);
      this.run =
        toneHz === null ? null : { start: this.frames - 1, hz: toneHz, frames: 1, sumHz: toneHz };
      this.announced = false;
    }
    if (this.run && !this.announced && this.run.frames >= this.minFrames) {
      this.announced = true;
      step.started = this.beepOf(this.run);
    }
    return step;
  }

  private beepOf(run: { start: number; frames: number; sumHz: number }): Beep {
    // The window is 40 ms: a tone seen in frame n began up to one frame earlier.
    const startMs = Math.max(0, (run.start - 1) * FRAME_MS);
    const endMs = (run.start + run.frames) * FRAME_MS;
    return {
      startMs,
      endMs,
      durationMs: endMs - startMs,
      frequencyHz: Math.round(run.sumHz / run.frames),
    };
  }

  /** The window's dominant frequency when it holds at least `minPurity` of the energy, else null. */
  private tone(): number | null {
    const w = this.window;
    let energy = 0;
    for (let i = 0; i < w.length; i++) energy += (w[i] ?? 0) * (w[i] ?? 0);
    if (energy / w.length < this.minEnergy) return null;
    let bestHz = 0;
    let best = 0;
    for (const hz of this.coarse) {
      const p = this.power(hz);
      if (p > best) {
        best = p;
        bestHz = hz;
      }
    }
    // A tone between two grid points loses up to 60 % at the nearest one: refine around it.
    for (const step of [12.5, 6.25, 3.125]) {
      for (const hz of [bestHz - step, bestHz + step]) {
        const p = this.power(hz);
        if (p > best) {
          best = p;
          bestHz = hz;
        }
      }
    }
    const purity = (2 * best) / (w.length * energy);
    return purity >= this.minPurity ? bestHz : null;
  }

  /** Goertzel: |X(f)|² over the window. */
  private power(hz: number): number {
    const w = this.window;
    const coeff = 2 * Math.cos((2 * Math.PI * hz) / this.rate);
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < w.length; i++) {
      const s0 = (w[i] ?? 0) + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    return s1 * s1 + s2 * s2 - coeff * s1 * s2;
  }
}
