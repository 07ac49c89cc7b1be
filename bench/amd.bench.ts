/**
 * Answering-machine detection (electron/engine/amd/) on the held-out set test/eval/amd/eval.tsv
 * (never tuned on) and, for comparison, the sets it was tuned on (bench/amd/tuning.tsv and the
 * development set bench/amd/dev.tsv):
 * accuracy on people and on machines, time from the answer to the decision (p50 / p95), beeps
 * heard, and every miss by id.
 */
import {
  describe,
  DEV_SET,
  EVAL_SET,
  type LineResult,
  runSet,
  score,
  TUNING_SET,
} from './amd/evaluate.js';
import { readSet } from './amd/render.js';
import type { BenchRow, BenchSuite } from './harness.js';

const pct = (n: number, d: number): string =>
  d === 0 ? '–' : `${((100 * n) / d).toFixed(1)} % (${n}/${d})`;

function rows(name: string, results: LineResult[]): BenchRow[] {
  const groups: Array<[string, (r: LineResult['line']) => boolean]> = [
    ['all', () => true],
    ['English', (l) => l.lang === 'en'],
    ['Mandarin', (l) => l.lang === 'zh'],
    ['real recordings', (l) => l.real],
  ];
  return groups.map(([group, filter]) => {
    const s = score(results, filter);
    return {
      name: `${name}: ${group}`,
      values: {
        'people → human': pct(s.humanRight, s.humans),
        'people → unknown': String(s.humanUnknown),
        'machines → machine': pct(s.machineRight, s.machines),
        'machines → unknown': String(s.machineUnknown),
        'decision, people p50 / p95': `${s.humanDecisionMs.p50} / ${s.humanDecisionMs.p95} ms`,
        'decision, machines p50 / p95': `${s.machineDecisionMs.p50} / ${s.machineDecisionMs.p95} ms`,
        'beeps heard (±200 ms)': `${s.beepsOnTime}/${s.beeps}`,
        'false beeps': String(s.falseBeeps),
      },
    };
  });
}

const suite: BenchSuite = {
  title: 'Answering-machine detection',
  method:
    'Each line of the held-out set (test/eval/amd/eval.tsv: 42 people, 34 machines; English and Mandarin; real Asterisk IVR recordings and espeak-ng / festival voices never used in tuning; G.711 μ-law, line noise at 15–35 dB SNR on most) is rendered by bench/amd/render.ts and fed to AmdDetector 20 ms at a time from the answer, as a call feeds it. A decision is the last one the detector gave by the end of the clip (a human decision it revised to machine counts as machine, at the revision time). Time is from the answer. The sets tuned on are shown for comparison: bench/amd/tuning.tsv, and bench/amd/dev.tsv (28 people, 12 machines; the voices of the tuning set and espeak-ng cmn+m1/cmn+f1, new texts, mostly Mandarin answers). The dev set was added, and the thresholds retuned on it and tuning (maxGreetingMs 1800 → 2200, betweenWordsMs 80 → 150, resumedGreetingMs 1000 → 2000), after this held-out set had shown its 4 Mandarin misses (people who said "喂，" and went on, or spoke slowly past 1.8 s): those misses were known, but never tuned against; the held-out figures were rerun once after. Misses of the held-out set are listed below the table.',
  async run() {
    const evalResults = await runSet(await readSet(EVAL_SET));
    const tuningResults = await runSet(await readSet(TUNING_SET));
    const devResults = await runSet(await readSet(DEV_SET));
    const misses = evalResults.filter(
      (r) =>
        r.decision?.result !== r.line.label ||
        (r.trueBeepEndMs !== null) !== (r.beepEndMs !== null),
    );
    const out = [
      ...rows('held-out', evalResults),
      ...rows('tuning', tuningResults),
      ...rows('dev', devResults).filter((r) => !r.name.endsWith('real recordings')),
    ];
    misses.forEach((r, i) =>
      out.push({ name: `held-out miss ${i + 1}`, values: { 'people → human': describe(r) } }),
    );
    return out;
  },
};

export default suite;
