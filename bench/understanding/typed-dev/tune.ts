/**
 * The text NLU's tuning loop (issue 12): typed set v1 (test/eval/typed/<lang>.tsv) and the
 * development set beside this file (bench/understanding/typed-dev/<lang>.tsv) through the path
 * `outbound flow eval --text` runs (flows/eval.ts), with every miss printed and the lines
 * identical to a training phrasing listed, then dev2 and sets v2–v5 (test/eval/typed/v2–v5.*.tsv:
 * blind until their misses were seen, v2 and v3 on 2026-12-07, v4 in that day's benchmark, v5 in
 * the benchmark of 2026-12-08; development sets since). It never reads set v6
 * (test/eval/typed/v6.*.tsv), the blind set now, which only `npm run bench -- understanding` reads.
 *
 * Run: `node --import tsx bench/understanding/typed-dev/tune.ts [en|zh-CN] [--misses]`.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { FlowEvalItem } from '../../../electron/engine/api/flows.js';
import {
  evaluateText,
  figuresOf,
  LIBRARY,
  parseTextSet,
} from '../../../electron/engine/flows/eval.js';
import {
  COMMON_ANSWERS,
  commonAnswerPhrases,
  offTopicSentences,
} from '../../../electron/engine/nlu/library/index.js';
import type { EvalLanguage } from '../../../test/eval/audio/voices.js';
import { type Target, targetsOf } from '../targets.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const NOW = new Date('2026-03-03T09:00:00Z');

const norm = (text: string): string =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

function trainingPhrasings(targets: Map<string, Target>, language: EvalLanguage): Set<string> {
  const out = new Set<string>();
  for (const answer of COMMON_ANSWERS)
    for (const p of commonAnswerPhrases(answer, language)) out.add(norm(p));
  for (const s of offTopicSentences(language)) out.add(norm(s));
  for (const t of targets.values())
    for (const intent of t.node.intents) {
      const ex = intent.examples;
      const list = ex === undefined ? [] : Array.isArray(ex) ? ex : (ex[language] ?? []);
      for (const e of list) out.add(norm(e));
    }
  return out;
}

async function run(language: EvalLanguage, path: string, name: string, misses: boolean) {
  const tsv = await readFile(path, 'utf8');
  const texts = new Map<number, string>();
  tsv.split('\n').forEach((l, i) => texts.set(i + 1, l.split('\t')[0] ?? ''));
  const targets = targetsOf(language);
  const items: FlowEvalItem[] = [];
  const flows = new Map<string, Target>();
  for (const t of targets.values()) if (t.id !== LIBRARY) flows.set(t.flow.id, t);
  let libraryRun = false;
  for (const target of flows.values()) {
    const parsed = parseTextSet(tsv, target.flow);
    const report = evaluateText(target.compiled, parsed.cases, {
      now: NOW,
      timeZone: 'UTC',
      library: libraryRun ? [] : parsed.library,
    });
    libraryRun = true;
    items.push(...report.items, ...(report.library?.items ?? []));
  }
  const f = figuresOf(items);
  const trained = trainingPhrasings(targets, language);
  const leaked = items.filter((i) => trained.has(norm(texts.get(i.line) ?? '')));
  const pct = (x: number | null | undefined) => ((x ?? 0) * 100).toFixed(1) + ' %';
  const inScope = items.filter((i) => i.expected !== 'none');
  const outright = inScope.filter((i) => i.correct && !i.uncertain).length;
  console.log(
    `${name}: accuracy ${f.correct}/${f.lines} ${pct(f.accuracy)}; off-topic false accepts ${f.offTopicFalseAccepts}/${f.offTopicTagged} ${pct(f.offTopicFalseAcceptRate)}; false accepts (none) ${f.falseAccepts}/${f.offTopic}; negation errors ${f.negationErrors}/${f.negated}; accepted outright ${outright}/${inScope.length}; identical to training ${leaked.length}`,
  );
  if (misses)
    for (const i of items.filter((x) => !x.correct).sort((a, b) => a.line - b.line))
      console.log(
        `  ${name}:${i.line} "${texts.get(i.line)}" expected ${i.expected}, got ${i.got}${i.uncertain ? ' (to confirm)' : ''} ${i.confidence.toFixed(2)}${i.negationError ? ' NEGATION ERROR' : ''}`,
      );
  if (misses && leaked.length)
    console.log(`  identical to training: ${leaked.map((i) => texts.get(i.line)).join(' | ')}`);
}

const args = process.argv.slice(2);
const misses = args.includes('--misses');
const langs = args.filter((a) => a === 'en' || a === 'zh-CN') as EvalLanguage[];
for (const language of langs.length ? langs : (['en', 'zh-CN'] as const)) {
  await run(language, join(root, 'test/eval/typed', `${language}.tsv`), `v1.${language}`, misses);
  await run(language, join(here, `${language}.tsv`), `dev.${language}`, misses);
  await run(language, join(here, `dev2.${language}.tsv`), `dev2.${language}`, misses);
  // Sets v2–v4 were blind until their misses were seen: development sets since.
  for (const set of ['v2', 'v3', 'v4', 'v5'])
    await run(
      language,
      join(root, 'test/eval/typed', `${set}.${language}.tsv`),
      `${set}.${language}`,
      misses,
    );
}
