/** Test helpers for the phrase recognizer: model location and a held-out-voice evaluation. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chunkFrames, floatToInt16, int16ToFloat } from '../../../audio/index.js';
import type { TtsEngine, TtsLanguage } from '../../../tts/index.js';
import type { Recognizer } from '../recognizer.js';
import { addNoise, createRng, normalizeLevel, offset, telephone } from './augment.js';

export const EMBEDDING_MODEL_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../../native-models/embedding',
);

export interface EvalCase {
  text: string;
  /** Expected intent; undefined for an unrelated sentence (expect noMatch). */
  intent?: string;
  voice: string;
  rate: number;
  pitch: number;
}

export interface EvalOutcome extends EvalCase {
  top?: string;
  accepted?: string;
  confidence: number;
  noMatch: boolean;
  /** Between the reject and accept thresholds: the dialog would confirm it, not act on it. */
  uncertain?: boolean;
}

/**
 * Speaks each case (synthetic speech), puts it through a call-like path (200 ms lead, 300 ms
 * tail, −22 dBFS, pink noise at 20 dB SNR, the telephone channel), streams it in 20 ms frames
 * into the recognizer and collects the results.
 */
export async function evaluate(
  recognizer: Recognizer,
  tts: TtsEngine,
  language: TtsLanguage,
  cases: readonly EvalCase[],
  seed = 99,
): Promise<EvalOutcome[]> {
  const rng = createRng(seed);
  const out: EvalOutcome[] = [];
  for (const c of cases) {
    const audio = await tts.synthesize(c.text, {
      language,
      voice: c.voice,
      rate: c.rate,
      pitch: c.pitch,
    });
    let x = offset(int16ToFloat(audio.samples), 3200, 4800);
    x = telephone(addNoise(normalizeLevel(x, -22), 20, rng, 'pink'));
    recognizer.start({ startMs: 1000 });
    for (const frame of chunkFrames(floatToInt16(x))) recognizer.push(frame);
    const r = await recognizer.finish();
    out.push({
      ...c,
      top: r.alternatives[0]?.intent,
      accepted: r.intent,
      confidence: r.confidence,
      noMatch: r.noMatch,
      ...(r.uncertain ? { uncertain: true } : {}),
    });
  }
  return out;
}

export interface EvalSummary {
  phrases: number;
  top1: number;
  /** Right intent, taken outright (not uncertain). */
  acceptedCorrect: number;
  /** Right intent, uncertain (the dialog confirms it first). */
  uncertainCorrect: number;
  unrelated: number;
  /** Unrelated and not taken outright: no match, or uncertain (confirmed first). */
  rejected: number;
  /** Unrelated and uncertain. */
  unrelatedUncertain: number;
}

export function summarize(outcomes: readonly EvalOutcome[]): EvalSummary {
  const pos = outcomes.filter((o) => o.intent !== undefined);
  const neg = outcomes.filter((o) => o.intent === undefined);
  return {
    phrases: pos.length,
    top1: pos.filter((o) => o.top === o.intent).length,
    acceptedCorrect: pos.filter((o) => !o.noMatch && !o.uncertain && o.accepted === o.intent)
      .length,
    uncertainCorrect: pos.filter((o) => o.uncertain && o.accepted === o.intent).length,
    unrelated: neg.length,
    rejected: neg.filter((o) => o.noMatch || o.uncertain).length,
    unrelatedUncertain: neg.filter((o) => o.uncertain).length,
  };
}
