/**
 * Measures how well a flow version understands its customers (issue 12, item 8): a test set of
 * typed answers, or of WAV files, each with the intent it should get (or `none`: to be rejected),
 * run through the SAME decisions a call makes — typed text through the ask node's own
 * recognizeText (the compiled classifier with its library phrasings, negation and accept/reject
 * band, then entities), audio through the node's phrase model and library model as the call bot
 * hears an utterance. Typed lines whose question is `library` run through the common-answer
 * library on its own (`libraryFlow`: one question whose intents each `use` one common answer, as a
 * flow author would write it), so one file gives a language's whole figure. Used by
 * `outbound flow eval`, the API's flows.evaluate, the Flows page and `npm run bench`.
 *
 * Definitions (what each figure in FlowEvalReport counts; docs/FLOWS.md says the same):
 * - `got`: the intent the node would act on, or ask about first when the line falls between the
 *   thresholds (`uncertain`: the bot says "Just to check: …"), else `none`.
 * - correct: got = expected. An in-scope line in the band counts as correct when its candidate is
 *   right (the customer's "yes" to the confirmation takes it); a `none` line in the band counts
 *   as wrong for accuracy (a needless question), but not as a false accept (nothing is acted on
 *   before the customer's yes).
 * - false accept: a line expecting `none` acted on outright, without a confirmation. `none`
 *   holds off-topic lines and answers no intent of the question covers; the lines the set tags
 *   `offtopic` give the off-topic false accepts apart (no figure when no line is tagged).
 * - polarity of an intent: positive when it uses affirm or already_done, negative when it uses
 *   deny, not_interested or opt_out, else none (a library line's intents are the answers).
 * - negated line: the set tags it (`neg`, `neg=<intent>`), or it expects a negative intent, or
 *   its text reads as "no" to the NLU's yes/no reader (not, n't, never, 不, 没, 别 …).
 * - negation error (a negated answer taken as its opposite): a line given another intent than
 *   expected that is either the intent its tags name as its opposite (`neg=<intent>`), or, for a
 *   negated line, one of the opposite polarity: a positive intent for a line that expects anything
 *   but a positive intent ("I won't be home" taken as yes), a negative intent for one that expects
 *   a positive intent (a double negative: "not a problem" taken as no). In or out of the band: the
 *   bot would act on, or confirm, the opposite of what was said. A negated line taken as another
 *   intent of its own polarity ("not a problem" as already_done), a neutral one or none is wrong,
 *   but not a negation error.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

import type { FlowEvalFigures, FlowEvalItem, FlowEvalPart, FlowEvalReport } from '../api/flows.js';
import { floatToInt16, parseWav, resample, toMono } from '../audio/index.js';
import { CompiledFlow, type Flow, type NodeOf, validateFlow } from '../dialog/index.js';
import { recognizeText } from '../dialog/nodes/ask.js';
import { extractEntities } from '../nlu/index.js';
import { COMMON_ANSWERS, type CommonAnswer } from '../nlu/library/index.js';
import { readAudioFile, type RecordingKeys } from '../recording/index.js';
import type { RecognitionResult } from '../speech/index.js';

/** The expected label of a line that should be rejected (off-topic, or no intent covers it). */
export const NONE = 'none';
/** The question column of a line for the common-answer library on its own. */
export const LIBRARY = 'library';
/** The tag of an off-topic line (issue 12's off-topic false accepts count these). */
const OFF_TOPIC_TAG = 'offtopic';

const POSITIVE: ReadonlySet<CommonAnswer> = new Set(['affirm', 'already_done']);
const NEGATIVE: ReadonlySet<CommonAnswer> = new Set(['deny', 'not_interested', 'opt_out']);

/** One test line (or clip): what was said, what it should be, and which question it answers. */
export interface EvalCase {
  /** 1-based line in its TSV, or position in an audio set. */
  line: number;
  /** The typed text, or the clip's path inside its folder. */
  input: string;
  expected: string;
  nodeId: string;
  /** The test set marks the line as a negation (tag `neg` or `neg=…`). */
  negation?: boolean;
  /** Intents the line must never be taken as (tags `neg=<intent>`): doing so is a negation error. */
  never?: string[];
  /** The test set tags the line `offtopic` (it expects none). */
  offTopic?: boolean;
}

/** A malformed test set: every bad line, named. */
export class EvalInputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      problems.length === 1
        ? (problems[0] ?? '')
        : `${problems.length} problems:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
    this.name = 'EvalInputError';
  }
}

/**
 * The common-answer library as a flow, for lines whose question is `library`: one question (id
 * `library`), one intent per common answer (`use`, no examples of its own), nothing else.
 */
export function libraryFlow(language: Flow['language']): Flow {
  return validateFlow({
    id: `library-eval-${language === 'en' ? 'en' : 'zh'}`,
    name: 'Common-answer library (evaluation)',
    language,
    start: LIBRARY,
    nodes: {
      [LIBRARY]: {
        kind: 'ask',
        prompt: language === 'en' ? 'Hello?' : '您好？',
        intents: COMMON_ANSWERS.map((answer) => ({ name: answer, use: answer, next: 'end' })),
        noInput: { maxAttempts: 1, next: 'end' },
        noMatch: { maxAttempts: 1, next: 'end' },
      },
      end: { kind: 'hangup', say: language === 'en' ? 'Goodbye.' : '再见。', disposition: 'done' },
    },
  });
}

/** Compiled once per language: the library is fixed while the engine runs. */
const compiledLibraries = new Map<Flow['language'], CompiledFlow>();
function compiledLibrary(language: Flow['language']): CompiledFlow {
  let compiled = compiledLibraries.get(language);
  if (!compiled) {
    compiled = new CompiledFlow(libraryFlow(language));
    compiledLibraries.set(language, compiled);
  }
  return compiled;
}

function askNodes(flow: Flow): Array<NodeOf<'ask'>> {
  return Object.values(flow.nodes).filter((n): n is NodeOf<'ask'> => n.kind === 'ask');
}

/**
 * Which node a line without one answers: `defaultNode` (checked), else the flow's only question;
 * a problem text when neither works.
 */
function resolveDefaultNode(
  flow: Flow,
  defaultNode: string | undefined,
): string | { problem: string } {
  const asks = askNodes(flow);
  if (defaultNode !== undefined) {
    if (asks.some((n) => n.id === defaultNode)) return defaultNode;
    return {
      problem: `no question "${defaultNode}" in flow "${flow.id}" (its questions: ${asks.map((n) => n.id).join(', ') || 'none'})`,
    };
  }
  if (asks.length === 1 && asks[0]) return asks[0].id;
  return {
    problem: `flow "${flow.id}" has ${asks.length} questions (${asks.map((n) => n.id).join(', ')}): name one with --node, or give each line a third column`,
  };
}

/**
 * The intent name a label stands for at a node: an intent's name, `none`, or a common answer that
 * exactly one of the node's intents uses (a set written against the library: "affirm"). Null when
 * it is none of these.
 */
function resolveExpected(node: NodeOf<'ask'>, label: string): string | null {
  if (label === NONE) return NONE;
  if (node.intents.some((i) => i.name === label)) return label;
  const users = node.intents.filter((i) => i.use === label);
  return users.length === 1 && users[0] ? users[0].name : null;
}

/** How a message names a question: the library's, or a flow's by its id. */
function questionName(nodeId: string, isLibrary: boolean): string {
  return isLibrary ? 'the common-answer library' : `question "${nodeId}"`;
}

/** Checks one case's node and expected label; the problem text when it is wrong. */
function checkCase(
  flow: Flow,
  where: string,
  nodeId: string,
  expected: string,
  isLibrary = false,
): { nodeId: string; expected: string } | string {
  const node = flow.nodes[nodeId];
  if (!node || node.kind !== 'ask')
    return `${where}: no question "${nodeId}" in flow "${flow.id}" (its questions: ${askNodes(flow)
      .map((n) => n.id)
      .join(', ')})`;
  const resolved = resolveExpected(node, expected);
  if (resolved === null)
    return `${where}: "${expected}" is not an intent of ${questionName(nodeId, isLibrary)} (${node.intents.map((i) => i.name).join(', ')}, or ${NONE})`;
  return { nodeId, expected: resolved };
}

/**
 * A line's tags (comma separated): `neg` marks a negation, `neg=<intent>` names the intent that is
 * the line's opposite (an intent of its question, or a common answer exactly one of them uses),
 * `offtopic` an off-topic line; any other tag is the set's own and ignored. The problem text when
 * a tag contradicts the line.
 */
function readTags(
  flow: Flow,
  where: string,
  { nodeId, expected }: { nodeId: string; expected: string },
  tagColumn: string,
  isLibrary: boolean,
): Pick<EvalCase, 'negation' | 'never' | 'offTopic'> | string {
  const node = flow.nodes[nodeId] as NodeOf<'ask'>;
  const tags = tagColumn
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const never: string[] = [];
  for (const tag of tags.filter((t) => t.startsWith('neg='))) {
    const named = resolveExpected(node, tag.slice(4));
    if (named === null || named === NONE)
      return `${where}: tag "${tag}": "${tag.slice(4)}" is not an intent of ${questionName(nodeId, isLibrary)} (${node.intents.map((i) => i.name).join(', ')})`;
    if (named === expected)
      return `${where}: tag "${tag}" names the expected intent itself (neg=<intent> names the line's opposite)`;
    never.push(named);
  }
  const offTopic = tags.includes(OFF_TOPIC_TAG);
  if (offTopic && expected !== NONE)
    return `${where}: tagged ${OFF_TOPIC_TAG} but expects "${expected}" (an off-topic line expects ${NONE})`;
  const negation = tags.some((t) => t === 'neg' || t.startsWith('neg='));
  return {
    ...(negation ? { negation } : {}),
    ...(never.length > 0 ? { never } : {}),
    ...(offTopic ? { offTopic } : {}),
  };
}

/** A typed test set as read: its cases, and how many lines were for other flows (skipped). */
export interface TextSet {
  /** Lines for the flow's own questions. */
  cases: EvalCase[];
  /** Lines whose question is `library`: the common-answer library on its own (node `library`). */
  library: EvalCase[];
  /** Lines whose target is another flow. */
  skipped: number;
}

/**
 * Reads a typed test set: `text<TAB>expected[<TAB>node[<TAB>tags]]` per line, `#` comments and
 * blank lines skipped. The node column may also be `flow:<flowId>/<nodeId>` (lines for another
 * flow are skipped, so one file can hold the sets of many flows) or `library` (the common-answer
 * library on its own, in the flow's language); tags as `readTags` reads them. Every bad line is
 * named in one EvalInputError.
 */
export function parseTextSet(tsv: string, flow: Flow, defaultNode?: string): TextSet {
  const problems: string[] = [];
  const cases: EvalCase[] = [];
  const library: EvalCase[] = [];
  const libraryOwn = libraryFlow(flow.language);
  let skipped = 0;
  let fallback: string | { problem: string } | undefined;
  const lines = tsv.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    const cols = raw.split('\t').map((c) => c.trim());
    const [text = '', expected = '', target = '', tagCol = ''] = cols;
    if (cols.length < 2 || cols.length > 4) {
      problems.push(
        `line ${line}: expected text<TAB>expected[<TAB>node[<TAB>tags]], got ${cols.length} column${cols.length === 1 ? '' : 's'}`,
      );
      return;
    }
    let nodeId = target;
    const isLibrary = target === LIBRARY;
    const of = isLibrary ? libraryOwn : flow;
    const flowTarget = /^flow:([^/]+)\/(.+)$/.exec(target);
    if (flowTarget) {
      if (flowTarget[1] !== flow.id) return void skipped++;
      nodeId = flowTarget[2] ?? '';
    }
    if (text === '') return void problems.push(`line ${line}: the text is empty`);
    if (expected === '')
      return void problems.push(`line ${line}: no expected intent (an intent, or ${NONE})`);
    if (nodeId === '') {
      fallback ??= resolveDefaultNode(flow, defaultNode);
      if (typeof fallback !== 'string')
        return void problems.push(`line ${line}: ${fallback.problem}`);
      nodeId = fallback;
    }
    const checked = checkCase(of, `line ${line}`, nodeId, expected, isLibrary);
    if (typeof checked === 'string') return void problems.push(checked);
    const tags = readTags(of, `line ${line}`, checked, tagCol, isLibrary);
    if (typeof tags === 'string') return void problems.push(tags);
    (isLibrary ? library : cases).push({ line, input: text, ...checked, ...tags });
  });
  if (problems.length > 0) throw new EvalInputError(problems.slice(0, 50));
  if (cases.length === 0 && library.length === 0)
    throw new EvalInputError([
      skipped > 0
        ? `none of the test set's ${skipped} lines is for flow "${flow.id}" or the library`
        : 'the test set has no lines (only comments or blanks)',
    ]);
  return { cases, library, skipped };
}

export interface EvalTextOptions {
  /** Version label reported (informational). */
  version?: number | null;
  /** The zone dates in the answers are read in (entities); default UTC. */
  timeZone?: string;
  /** The instant relative dates are resolved against; default now. */
  now?: Date;
  /** Lines for the common-answer library on its own (TextSet.library), reported apart and in the whole. */
  library?: readonly EvalCase[];
}

/** What one line came to: the node's decision. */
interface Decision {
  got: string;
  confidence: number;
  uncertain: boolean;
  matchedBy: FlowEvalItem['matchedBy'];
}

interface Decided {
  c: EvalCase;
  decision: Decision;
  /** The NLU's yes/no reader hears a "no" in the text. */
  saysNo: boolean;
}

/** Typed lines through one compiled flow's ask nodes, as a call would take them. */
function decideText(
  compiled: CompiledFlow,
  cases: readonly EvalCase[],
  time: { reference: Date; timeZone: string },
): Decided[] {
  return cases.map((c) => {
    const node = compiled.flow.nodes[c.nodeId] as NodeOf<'ask'>;
    const entities = extractEntities(c.input, time);
    const r = recognizeText(compiled, node, c.input, entities);
    const decision: Decision = r.intent
      ? {
          got: r.intent.name,
          confidence: r.confidence,
          uncertain: r.uncertain,
          matchedBy: r.matchedBy,
        }
      : { got: NONE, confidence: r.best?.confidence ?? 0, uncertain: false, matchedBy: null };
    return { c, decision, saysNo: entities.yesNo?.value === 'no' };
  });
}

/**
 * Runs typed lines through the ask nodes' own text recognition and reports the figures; the
 * library's lines (options.library) through the common-answer library on its own, reported apart
 * (`library`) and with the flow's in `whole`.
 */
export function evaluateText(
  flow: Flow | CompiledFlow,
  cases: readonly EvalCase[],
  options: EvalTextOptions = {},
): FlowEvalReport {
  const compiled = flow instanceof CompiledFlow ? flow : new CompiledFlow(flow);
  const time = { reference: options.now ?? new Date(), timeZone: options.timeZone ?? 'UTC' };
  const own = report(
    compiled.flow,
    'text',
    options.version ?? compiled.version,
    decideText(compiled, cases, time),
  );
  const libraryCases = options.library ?? [];
  if (libraryCases.length === 0) return own;
  const library = compiledLibrary(compiled.flow.language);
  const part = partOf(
    library.flow,
    decideText(library, libraryCases, time).map((d) => itemOf(library.flow, d)),
  );
  return { ...own, library: part, whole: figuresOf([...own.items, ...part.items]) };
}

/** Recognizes one clip for one question as the call bot would (null: the node has no speech model). */
export type ClipRecognition = (samples: Int16Array) => Promise<RecognitionResult | null>;

export interface EvalAudioDeps {
  /** Per ask node, its phrase model (and library model) over a 16 kHz clip. */
  recognizers: ReadonlyMap<string, ClipRecognition>;
  version?: number | null;
}

/** One clip of an audio set. */
export interface AudioCase extends EvalCase {
  /** 16 kHz mono. */
  samples: Int16Array;
}

/** Runs WAV clips through the flow's phrase models and reports the figures. */
export async function evaluateAudio(
  flow: Flow,
  clips: readonly AudioCase[],
  deps: EvalAudioDeps,
): Promise<FlowEvalReport> {
  const decided: Decided[] = [];
  for (const clip of clips) {
    const recognize = deps.recognizers.get(clip.nodeId);
    if (!recognize)
      throw new EvalInputError([
        `${clip.input}: question "${clip.nodeId}" has no speech model (no examples or common answers)`,
      ]);
    const result = await recognize(clip.samples);
    const decision: Decision =
      result && !result.noMatch && result.intent !== undefined
        ? {
            got: result.intent,
            confidence: result.confidence,
            uncertain: result.uncertain === true,
            matchedBy: 'recognizer',
          }
        : { got: NONE, confidence: result?.confidence ?? 0, uncertain: false, matchedBy: null };
    // Audio has no transcript to read a "no" in; a negated clip is known by its expected intent.
    decided.push({ c: clip, decision, saysNo: false });
  }
  return report(flow, 'audio', deps.version ?? null, decided);
}

function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** +1 for an intent that uses affirm or already_done, -1 for deny, not_interested, opt_out, else 0. */
function polarity(flow: Flow, nodeId: string, intent: string): -1 | 0 | 1 {
  if (intent === NONE) return 0;
  const node = flow.nodes[nodeId];
  const use = node?.kind === 'ask' ? node.intents.find((i) => i.name === intent)?.use : undefined;
  return use === undefined ? 0 : POSITIVE.has(use) ? 1 : NEGATIVE.has(use) ? -1 : 0;
}

/** One decided line as the report shows it, with its negation judged (see the header). */
function itemOf(flow: Flow, { c, decision, saysNo }: Decided): FlowEvalItem {
  const expected = polarity(flow, c.nodeId, c.expected);
  const got = polarity(flow, c.nodeId, decision.got);
  const negated = c.negation === true || expected === -1 || saysNo;
  // What a negated line means: yes when it expects a positive intent (a double negative), else no.
  const sense = expected === 1 ? 1 : -1;
  const opposite = (c.never?.includes(decision.got) ?? false) || (negated && got === -sense);
  return {
    line: c.line,
    input: c.input,
    nodeId: c.nodeId,
    expected: c.expected,
    got: decision.got,
    confidence: decision.confidence,
    uncertain: decision.uncertain,
    matchedBy: decision.matchedBy,
    correct: decision.got === c.expected && !(c.expected === NONE && decision.uncertain),
    falseAccept: c.expected === NONE && decision.got !== NONE && !decision.uncertain,
    offTopic: c.offTopic === true,
    negated,
    negationError: decision.got !== c.expected && opposite,
  };
}

/** The figures of any set of report items (a part, the whole, or a bench's subset). */
export function figuresOf(items: readonly FlowEvalItem[]): FlowEvalFigures {
  const inScope = items.filter((i) => i.expected !== NONE);
  const none = items.filter((i) => i.expected === NONE);
  const offTopic = items.filter((i) => i.offTopic);
  const correct = items.filter((i) => i.correct).length;
  const acceptedCorrect = inScope.filter((i) => i.correct).length;
  const falseAccepts = none.filter((i) => i.falseAccept).length;
  const offTopicFalseAccepts = offTopic.filter((i) => i.falseAccept).length;
  const uncertain = items.filter((i) => i.uncertain).length;
  return {
    lines: items.length,
    accuracy: rate(correct, items.length),
    correct,
    inScope: inScope.length,
    acceptedCorrect,
    acceptedCorrectRate: rate(acceptedCorrect, inScope.length),
    offTopic: none.length,
    falseAccepts,
    falseAcceptRate: rate(falseAccepts, none.length),
    offTopicTagged: offTopic.length,
    offTopicFalseAccepts,
    offTopicFalseAcceptRate: rate(offTopicFalseAccepts, offTopic.length),
    wrongIntent: inScope.filter((i) => i.got !== NONE && i.got !== i.expected).length,
    negated: items.filter((i) => i.negated).length,
    negationErrors: items.filter((i) => i.negationError).length,
    uncertain,
    uncertainShare: rate(uncertain, items.length),
  };
}

/** A part's figures, confusion matrix and per-intent rows over its items. */
function partOf(flow: Flow, items: FlowEvalItem[]): FlowEvalPart {
  const names = new Set<string>();
  for (const i of items) {
    if (i.expected !== NONE) names.add(i.expected);
    if (i.got !== NONE) names.add(i.got);
  }
  const labels = [...[...names].sort(), NONE];
  const at = new Map(labels.map((l, n) => [l, n]));
  const confusion = labels.map(() => labels.map(() => 0));
  for (const i of items) {
    const row = confusion[at.get(i.expected) ?? 0];
    const col = at.get(i.got) ?? 0;
    if (row) row[col] = (row[col] ?? 0) + 1;
  }
  const perIntent: FlowEvalPart['perIntent'] = [];
  for (const node of askNodes(flow)) {
    const here = items.filter((i) => i.nodeId === node.id);
    if (here.length === 0) continue;
    for (const intent of node.intents) {
      const expecting = here.filter((i) => i.expected === intent.name);
      const taken = here.filter((i) => i.got === intent.name);
      const correct = expecting.filter((i) => i.correct).length;
      if (expecting.length === 0 && taken.length === 0) continue;
      perIntent.push({
        nodeId: node.id,
        intent: intent.name,
        lines: expecting.length,
        correct,
        taken: taken.length,
        precision: rate(taken.filter((i) => i.correct).length, taken.length),
        recall: rate(correct, expecting.length),
      });
    }
  }
  return { ...figuresOf(items), labels, confusion, perIntent, items };
}

function report(
  flow: Flow,
  kind: 'text' | 'audio',
  version: number | null,
  decided: readonly Decided[],
): FlowEvalReport {
  return {
    flow: flow.id,
    version,
    language: flow.language,
    kind,
    ...partOf(
      flow,
      decided.map((d) => itemOf(flow, d)),
    ),
    library: null,
    whole: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Audio sets on disk

const MAX_CLIP_MS = 30_000;

/** A WAV file as 16 kHz mono Int16; the error names the file. */
async function readClip(
  path: string,
  name: string,
  keys: () => RecordingKeys | null,
): Promise<Int16Array> {
  let samples: Int16Array;
  try {
    // History's label clips are encrypted (recording/clips.ts); other WAVs are read as they are.
    const wav = parseWav(new Uint8Array(await readAudioFile(path, keys)));
    const mono = toMono(wav.samples);
    samples = floatToInt16(
      wav.sampleRate === 16_000 ? mono : resample(mono, wav.sampleRate, 16_000),
    );
  } catch (error) {
    throw new EvalInputError([`${name}: not a usable WAV file (${(error as Error).message})`]);
  }
  if (samples.length === 0 || samples.length / 16 > MAX_CLIP_MS)
    throw new EvalInputError([
      `${name}: lasts ${(samples.length / 16).toFixed(0)} ms; a clip is up to ${MAX_CLIP_MS} ms`,
    ]);
  return samples;
}

/**
 * Reads an audio set: a folder with `labels.tsv` (`file<TAB>expected[<TAB>node]`, files relative
 * to the folder), or else one subfolder per expected intent (`none/` for off-topic) holding WAVs.
 * A question's folder of label clips is such a set: `keys` decrypt them (asked for only then).
 */
export async function readAudioSet(
  dir: string,
  flow: Flow,
  defaultNode?: string,
  keys: () => RecordingKeys | null = () => null,
): Promise<AudioCase[]> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new EvalInputError([`${dir}: not a folder`]);
  const labelsFile = join(dir, 'labels.tsv');
  const entries: Array<{ line: number; file: string; expected: string; node: string }> = [];
  const problems: string[] = [];
  const labels = await readFile(labelsFile, 'utf8').catch(() => null);
  if (labels !== null) {
    labels
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)
      .forEach((raw, index) => {
        if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
        const cols = raw.split('\t').map((c) => c.trim());
        if (cols.length < 2 || cols.length > 3 || !cols[0] || !cols[1])
          return void problems.push(
            `labels.tsv line ${index + 1}: expected file<TAB>expected[<TAB>node]`,
          );
        entries.push({ line: index + 1, file: cols[0], expected: cols[1], node: cols[2] ?? '' });
      });
  } else {
    const folders = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory());
    for (const folder of folders.sort((a, b) => a.name.localeCompare(b.name))) {
      const files = (await readdir(join(dir, folder.name)))
        .filter((f) => f.toLowerCase().endsWith('.wav'))
        .sort();
      for (const file of files)
        entries.push({
          line: entries.length + 1,
          file: `${folder.name}/${file}`,
          expected: folder.name,
          node: '',
        });
    }
    if (entries.length === 0)
      problems.push(`${dir}: no labels.tsv and no <expected>/<file>.wav subfolders with WAV files`);
  }
  let fallback: string | { problem: string } | undefined;
  const checkedEntries: Array<{ line: number; file: string; nodeId: string; expected: string }> =
    [];
  for (const e of entries) {
    const where = labels !== null ? `labels.tsv line ${e.line} (${e.file})` : e.file;
    let nodeId = e.node;
    if (nodeId === '') {
      fallback ??= resolveDefaultNode(flow, defaultNode);
      if (typeof fallback !== 'string') {
        problems.push(`${where}: ${fallback.problem}`);
        continue;
      }
      nodeId = fallback;
    }
    const checked = checkCase(flow, where, nodeId, e.expected);
    if (typeof checked === 'string') problems.push(checked);
    else checkedEntries.push({ line: e.line, file: e.file, ...checked });
  }
  if (problems.length > 0) throw new EvalInputError(problems.slice(0, 50));
  const clips: AudioCase[] = [];
  for (const e of checkedEntries) {
    const path = join(dir, e.file);
    if (relative(dir, path).startsWith('..'))
      throw new EvalInputError([`labels.tsv line ${e.line}: "${e.file}" is outside the folder`]);
    clips.push({
      line: e.line,
      input: e.file,
      nodeId: e.nodeId,
      expected: e.expected,
      samples: await readClip(path, e.file, keys),
    });
  }
  return clips;
}
