/**
 * Speech timing from the phones' recordings, for the benches that time turns at the phone (bot,
 * load): loud or quiet per 10 ms frame, and the loud stretches with short gaps bridged.
 */
import { toMono, type WavAudio } from '../electron/engine/audio/index.js';

const LOUD = 0.01; // ≈ −40 dBFS per 10 ms frame

/** Loud/quiet per 10 ms frame. */
export function loudness(wav: WavAudio): boolean[] {
  const x = toMono(wav.samples);
  const frame = wav.sampleRate / 100;
  const out: boolean[] = [];
  for (let at = 0; at + frame <= x.length; at += frame) {
    let e = 0;
    for (let i = at; i < at + frame; i++) e += x[i]! ** 2;
    out.push(Math.sqrt(e / frame) > LOUD);
  }
  return out;
}

/** [start, end) in ms of each loud stretch, merging gaps shorter than `bridgeMs`. */
export function stretches(loud: boolean[], bridgeMs: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = -1;
  let quiet = 0;
  for (let i = 0; i <= loud.length; i++) {
    if (i < loud.length && loud[i]) {
      if (start < 0) start = i;
      quiet = 0;
    } else if (start >= 0) {
      quiet++;
      if (quiet * 10 >= bridgeMs || i === loud.length) {
        out.push([start * 10, (i - quiet + 1) * 10]);
        start = -1;
        quiet = 0;
      }
    }
  }
  return out;
}
