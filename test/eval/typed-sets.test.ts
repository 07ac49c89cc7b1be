/**
 * The typed held-out sets (test/eval/typed/: v1 `<lang>.tsv`, v2 `v2.<lang>.tsv`) stay well formed
 * and keep what issue 12 asks of them: every line names a question of a sample flow (or the
 * library) and an intent of it (or none), its tags are known ones, `outbound flow eval --text`
 * reads each file as it is, and each set holds at least 300 lines a language with at least 15 %
 * negations and 15 % off-topic lines. Nothing here recognizes a line: no result of the sets is
 * computed or printed (their figures are `npm run bench -- understanding`'s alone).
 */
import { readFile } from 'node:fs/promises';

import { describe, expect, it } from 'vitest';

import { type Flow, SAMPLE_FLOWS, validateFlow } from '../../electron/engine/dialog/index.js';
import { libraryFlow, parseTextSet } from '../../electron/engine/flows/eval.js';
import { type EvalLanguage, readTyped, TYPED_SETS, typedSetFile } from './audio/voices.js';

const PLAIN_TAGS = new Set([
  'neg',
  'hedge',
  'filler',
  'polite',
  'rude',
  'colloq',
  'regional',
  'typo',
  'offtopic',
]);

/** The ask nodes of a language's sample flows and of the library, by target id: their intents. */
function intentsByTarget(language: EvalLanguage): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (id: string, flow: Flow): void => {
    for (const node of Object.values(flow.nodes))
      if (node.kind === 'ask')
        out.set(
          id === 'library' ? id : `${id}/${node.id}`,
          new Set(node.intents.map((i) => i.name)),
        );
  };
  add('library', libraryFlow(language));
  for (const flow of sampleFlows(language)) add(`flow:${flow.id}`, flow);
  return out;
}

function sampleFlows(language: EvalLanguage): Flow[] {
  return Object.values(SAMPLE_FLOWS)
    .map((raw) => validateFlow(raw))
    .filter((flow) => flow.language === language);
}

describe.each(
  TYPED_SETS.flatMap((set) => (['en', 'zh-CN'] as const).map((l) => [set, l] as const)),
)('held-out typed set %s, %s', (set, language) => {
  const file = typedSetFile(language, set);

  it('names a known question, one of its intents (or none) and known tags on every line', async () => {
    const intents = intentsByTarget(language);
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const line of await readTyped(language, set)) {
      const at = `${file.name}:${line.line}`;
      const known = intents.get(line.target);
      if (!known) {
        problems.push(`${at}: unknown target "${line.target}"`);
        continue;
      }
      if (line.text.trim() === '' || line.text !== line.text.trim())
        problems.push(`${at}: empty text or spaces around it`);
      if (line.expected !== 'none' && !known.has(line.expected))
        problems.push(`${at}: "${line.expected}" is not an intent of ${line.target}`);
      for (const tag of line.tags) {
        const never = tag.startsWith('neg=') ? tag.slice(4) : null;
        if (never === null ? !PLAIN_TAGS.has(tag) : !known.has(never) || never === line.expected)
          problems.push(`${at}: tag "${tag}" is not a known tag for ${line.target}`);
      }
      if (line.tags.filter((t) => t.startsWith('neg=')).length > 1)
        problems.push(`${at}: at most one neg=<intent> tag (readTyped keeps the first)`);
      if (line.tags.includes('offtopic') && line.expected !== 'none')
        problems.push(`${at}: an offtopic line expects none`);
      const key = `${line.target}\t${line.text.toLowerCase()}`;
      if (seen.has(key)) problems.push(`${at}: the same line twice at ${line.target}`);
      seen.add(key);
    }
    expect(problems).toEqual([]);
  });

  it("keeps issue 12's minimums: 300 lines, 15 % negations, 15 % off-topic", async () => {
    const lines = await readTyped(language, set);
    const negations = lines.filter((l) => l.tags.some((t) => t === 'neg' || t.startsWith('neg=')));
    const offTopic = lines.filter((l) => l.tags.includes('offtopic'));
    expect(lines.length).toBeGreaterThanOrEqual(300);
    expect(negations.length / lines.length).toBeGreaterThanOrEqual(0.15);
    expect(offTopic.length / lines.length).toBeGreaterThanOrEqual(0.15);
  });

  it('is read as it is by outbound flow eval --text for each sample flow', async () => {
    const tsv = await readFile(file.path, 'utf8');
    const lines = await readTyped(language, set);
    let read = 0;
    const library = lines.filter((l) => l.target === 'library').length;
    for (const flow of sampleFlows(language)) {
      const parsed = parseTextSet(tsv, flow);
      expect(parsed.cases.length).toBe(
        lines.filter((l) => l.target.startsWith(`flow:${flow.id}/`)).length,
      );
      // The library's lines are read too, against the common-answer library on its own.
      expect(parsed.library.length).toBe(library);
      expect(parsed.library.filter((c) => c.offTopic).length).toBe(
        lines.filter((l) => l.target === 'library' && l.tags.includes('offtopic')).length,
      );
      read += parsed.cases.length;
    }
    expect(read + library).toBe(lines.length);
  });
});
