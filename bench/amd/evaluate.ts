/**
 * Runs the answering-machine detector over a set's lines (rendered by render.ts) as a call would
 * feed it, 20 ms at a time from the answer, and scores it: accuracy on people and on machines,
 * time to decision, beeps heard. `node --import tsx bench/amd/evaluate.ts [tuning|dev] [JSON]`
 * prints the tuning or development set line by line (the only sets to tune on), with the
 * detector's tuning changed by the JSON if given; the evaluation set is read by bench/amd.bench.ts
 * alone.
 */
import { join } from 'node:path';

import { type AmdDecision, AmdDetector, type AmdTuning } from '../../electron/engine/amd/index.js';
import { percentile } from '../harness.js';
import { readSet, render, type SetLine } from './render.js';

export interface LineResult {
  line: SetLine;
  decision: AmdDecision | null;
  /** The first beep end heard (ms), if any. */
  beepEndMs: number | null;
  /** Where the line's beep really ended, or null. */
  trueBeepEndMs: number | null;
}

export async function runSet(
  lines: SetLine[],
  tuning: Partial<AmdTuning> = {},
): Promise<LineResult[]> {
  const results: LineResult[] = [];
  for (const line of lines) {
    const { samples, beepEndMs } = await render(line);
    const detector = new AmdDetector({ tuning });
    let heardBeep: number | null = null;
    for (let i = 0; i + 320 <= samples.length; i += 320)
      for (const event of detector.push(samples.subarray(i, i + 320)))
        if (event.type === 'beep' && event.phase === 'end') heardBeep ??= event.beep.endMs;
    results.push({
      line,
      decision: detector.decision,
      beepEndMs: heardBeep,
      trueBeepEndMs: beepEndMs,
    });
  }
  return results;
}

export interface Score {
  humans: number;
  machines: number;
  humanRight: number;
  humanUnknown: number;
  machineRight: number;
  machineUnknown: number;
  humanDecisionMs: { p50: number; p95: number };
  machineDecisionMs: { p50: number; p95: number };
  beeps: number;
  beepsHeard: number;
  /** Beep heard within 200 ms of where it ends. */
  beepsOnTime: number;
  falseBeeps: number;
}

export function score(
  results: LineResult[],
  filter: (line: SetLine) => boolean = () => true,
): Score {
  const chosen = results.filter((r) => filter(r.line));
  const humans = chosen.filter((r) => r.line.label === 'human');
  const machines = chosen.filter((r) => r.line.label === 'machine');
  const times = (rs: LineResult[]): { p50: number; p95: number } => {
    const t = rs
      .map((r) => r.decision?.atMs ?? Number.NaN)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    return { p50: percentile(t, 50), p95: percentile(t, 95) };
  };
  const withBeep = chosen.filter((r) => r.trueBeepEndMs !== null);
  return {
    humans: humans.length,
    machines: machines.length,
    humanRight: humans.filter((r) => r.decision?.result === 'human').length,
    humanUnknown: humans.filter(
      (r) => r.decision?.result !== 'human' && r.decision?.result !== 'machine',
    ).length,
    machineRight: machines.filter((r) => r.decision?.result === 'machine').length,
    machineUnknown: machines.filter(
      (r) => r.decision?.result !== 'human' && r.decision?.result !== 'machine',
    ).length,
    humanDecisionMs: times(humans),
    machineDecisionMs: times(machines),
    beeps: withBeep.length,
    beepsHeard: withBeep.filter((r) => r.beepEndMs !== null).length,
    beepsOnTime: withBeep.filter(
      (r) => r.beepEndMs !== null && Math.abs(r.beepEndMs - (r.trueBeepEndMs ?? 0)) <= 200,
    ).length,
    falseBeeps: chosen.filter((r) => r.trueBeepEndMs === null && r.beepEndMs !== null).length,
  };
}

export function describe(r: LineResult): string {
  const d = r.decision;
  return `${r.line.id} ${r.line.label} → ${d ? `${d.result} (${d.reason}) at ${d.atMs} ms, greeting ${d.greetingMs} ms, ${d.words} words` : 'no decision'}${r.trueBeepEndMs !== null ? `; beep ends ${r.trueBeepEndMs} ms, heard ${r.beepEndMs ?? 'no'}` : r.beepEndMs !== null ? `; FALSE beep at ${r.beepEndMs}` : ''}`;
}

export const TUNING_SET = join(import.meta.dirname, 'tuning.tsv');
export const DEV_SET = join(import.meta.dirname, 'dev.tsv');
export const EVAL_SET = join(import.meta.dirname, '..', '..', 'test', 'eval', 'amd', 'eval.tsv');

if (process.argv[1] === import.meta.filename) {
  const set = process.argv[2] === 'dev' ? DEV_SET : TUNING_SET;
  const tuning = process.argv[3] ? (JSON.parse(process.argv[3]) as Partial<AmdTuning>) : {};
  const results = await runSet(await readSet(set), tuning);
  for (const r of results) process.stdout.write(`${describe(r)}\n`);
  process.stdout.write(`${JSON.stringify(score(results), null, 1)}\n`);
}
