/**
 * The trainer's nuisance attribute projection (train.ts `nuisanceBasis`, `projectFeatures`,
 * `foldProjection`) on made-up features: the direction along which voice settings differ is found
 * and removed, and a model fitted on projected features, folded, scores raw features the same.
 */
import { describe, expect, it } from 'vitest';

import { createRng } from './augment.js';
import { classProbabilities, type PhraseModel } from './model.js';
import { fitSoftmax, foldProjection, nuisanceBasis, projectFeatures } from './train.js';

const D = 8;
/** Two phrase classes apart on dimensions 2–3; each voice setting shifts everything along `voiceAxis`. */
const voiceAxis = [1, 1, 0, 0, 0, 0, 0, 0];
function examples(): { features: Float32Array; label: number; voice: string; setting?: number }[] {
  const rng = createRng(4);
  const out: { features: Float32Array; label: number; voice: string; setting?: number }[] = [];
  for (let setting = 0; setting < 5; setting++) {
    for (let n = 0; n < 40; n++) {
      const label = n % 3; // 2 = garbage
      const f = Float32Array.from({ length: D }, () => rng() - 0.5);
      f[2]! += label === 0 ? 2 : label === 1 ? -2 : 0;
      f[3]! += label === 2 ? 2 : 0;
      for (let j = 0; j < D; j++) f[j]! += (setting - 2) * 1.5 * voiceAxis[j]!;
      out.push({ features: f, label, voice: `v${setting}`, setting });
    }
  }
  // Real speech (the bank): shifted along dimension 5 from the synthetic garbage.
  for (let n = 0; n < 40; n++) {
    const f = Float32Array.from({ length: D }, () => rng() - 0.5);
    f[3]! += 2;
    f[5]! += 3;
    out.push({ features: f, label: 2, voice: 'bank' });
  }
  return out;
}

describe('nuisance attribute projection', () => {
  it('finds the voice settings’ direction and the real-speech direction', () => {
    const set = examples();
    const n = nuisanceBasis(set, 2, 1, true);
    expect(n.basis).toHaveLength(2);
    // In the standardized space the voice axis is (1/σ0, 1/σ1, 0, …).
    const v = voiceAxis.map((x, j) => x / n.std[j]!);
    const norm = Math.hypot(...v);
    const cos = n.basis[0]!.reduce((s, x, j) => s + (x * v[j]!) / norm, 0);
    expect(Math.abs(cos)).toBeGreaterThan(0.95);
    expect(Math.abs(n.basis[1]![5]!)).toBeGreaterThan(0.9);
    // Projected features no longer move with the voice setting along it.
    const p = projectFeatures(set[0]!.features, n);
    const zp = n.basis[0]!.reduce((s, x, j) => s + x * p[j]!, 0);
    expect(Math.abs(zp)).toBeLessThan(1e-5); // Float32 features
  });

  it('a model fitted on projected features, folded, gives the same probabilities on raw features', () => {
    const set = examples();
    const n = nuisanceBasis(set, 2, 1, true);
    const projected = set.map((e) => ({
      features: projectFeatures(e.features, n),
      label: e.label,
    }));
    const fitted = fitSoftmax(projected, {
      iterations: 20,
      l2: 1e-3,
      learningRate: 0.05,
      classes: 3,
    });
    const folded = foldProjection(fitted, n);
    const asModel = (f: typeof fitted): PhraseModel =>
      ({ featureMean: f.mean, featureStd: f.std, weights: f.weights, bias: f.bias }) as PhraseModel;
    let right = 0;
    for (const [i, e] of set.entries()) {
      const raw = classProbabilities(asModel(folded), e.features);
      const onProjected = classProbabilities(asModel(fitted), projected[i]!.features);
      for (let c = 0; c < 3; c++) expect(raw[c]).toBeCloseTo(onProjected[c]!, 5);
      if (raw.indexOf(Math.max(...raw)) === e.label) right++;
    }
    // The phrase classes are still told apart (dimensions 2–3 are untouched).
    expect(right / set.length).toBeGreaterThan(0.9);
  });
});
