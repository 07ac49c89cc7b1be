/**
 * `outbound flow validate FILE` checks a flow file and names every problem by node and field.
 * `outbound flow chat FILE|NAME[@VERSION] [--contact key=value …] [--tz ZONE]` is the typed test
 * chat: the bot's prompts are printed, each line typed (or piped) is the customer's answer; "#5"
 * presses a key, an empty line is silence. It ends with the outcome the call would have had. A
 * NAME (no such file) is a flow saved in the data folder's store, its latest version or @VERSION.
 * The chat runs over the same TextChannel as the console's test chat (engine/flows).
 *
 * `outbound flow save FILE [--wait]` stores a flow file as a new version through the API's
 * flows.save, the Flows page's Save: sent to a running `outbound serve`, else on an engine started
 * for the command (engine.ts). A refused flow names every problem by node and field (exit 2, as
 * `flow validate`); an unchanged definition stores nothing. Phrase models train in a long-running
 * engine: with --wait the command follows the version's training (the state `flow.training`
 * carries, read through flows.get) until it is ready, training in this process when no server
 * runs; without it the output says where and when training happens. `outbound flow list` lists the
 * saved flows with their latest version (and, from a running server, its training state).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import type {
  FlowDetail,
  FlowEvalFigures,
  FlowEvalPart,
  FlowEvalReport,
  FlowSummary,
  FlowTraining,
} from '../engine/api/contract.js';
import { ApiError } from '../engine/api/errors.js';
import { checkFlow, DialogRuntime, type Flow } from '../engine/dialog/index.js';
import { EventHub } from '../engine/events/index.js';
import {
  EvalInputError,
  evaluateAudio,
  evaluateText,
  parseTextSet,
  readAudioSet,
} from '../engine/flows/eval.js';
import { FlowService, parseChatLine, TextChannel } from '../engine/flows/index.js';
import { type Logger, silentLogger } from '../engine/log.js';
import { openRecordingKeys, type RecordingKeys } from '../engine/recording/index.js';
import { openKeyFileSecretBox } from '../engine/secrets/index.js';
import { openStore } from '../engine/store/index.js';
import { type ApiRequest, withWorkspaceApi } from './engine.js';
import type { Output } from './output.js';
import { UsageError } from './usage.js';

export interface FlowCommandOptions {
  contact: string[];
  timeZone: string | undefined;
  input: NodeJS.ReadableStream;
  /** The data folder whose store holds saved flows (for a NAME instead of a FILE). */
  dataDir: string;
  /** flow save: follow the saved version's training until its phrase models are ready. */
  wait: boolean;
  /** flow save: the engine it starts when no `outbound serve` runs on the workspace. */
  version: string;
  log: Logger;
  /** flow save --wait: how often the training state is read; default 250 ms. */
  pollMs?: number;
  /** flow eval: a typed test set (TSV) or a folder of WAV files, and the question for lines without one. */
  text?: string | undefined;
  audio?: string | undefined;
  node?: string | undefined;
}

/** A flow saved in the store, by `name` or `name@version`; null (after saying why) when there is none. */
async function loadStoredFlow(
  ref: string,
  dataDir: string,
  out: Output,
): Promise<{ flow: Flow; version: number } | null> {
  const at = ref.lastIndexOf('@');
  const name = at > 0 ? ref.slice(0, at) : ref;
  const version = at > 0 ? Number(ref.slice(at + 1)) : undefined;
  if (version !== undefined && !(Number.isInteger(version) && version >= 1))
    throw new UsageError(`a flow version is a whole number from 1 (got "${ref}")`);
  const store = await openStore({ dataDir, database: process.env.OUTBOUND_DATABASE });
  try {
    const flows = new FlowService({
      store,
      events: new EventHub(),
      log: silentLogger,
      defaultTimeZone: async () => 'Asia/Shanghai',
    });
    const loaded = await flows.load(name, version);
    out.record(
      { event: 'flow', name: loaded.name, version: loaded.version },
      `${loaded.name} v${loaded.version} (${dataDir})`,
    );
    return { flow: loaded.flow, version: loaded.version };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    out.error(
      error.code === 'NOT_FOUND' ? 'FLOW_NOT_FOUND' : error.code,
      `${error.message} (no such file either; flows are saved in ${dataDir})`,
    );
    return null;
  } finally {
    await store.close();
  }
}

async function loadFlowFile(
  path: string,
  out: Output,
): Promise<ReturnType<typeof checkFlow> | null> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    out.error(
      'BAD_FLOW_FILE',
      `${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(error as Error).message})`}`,
    );
    return null;
  }
  return checkFlow(json);
}

export async function flowCommand(
  rest: string[],
  options: FlowCommandOptions,
  out: Output,
): Promise<number> {
  const [sub, file, ...extra] = rest;
  if (sub === 'list') {
    if (file !== undefined)
      throw new UsageError(`flow list takes no arguments (got "${rest.slice(1).join(' ')}")`);
    if (options.wait)
      throw new UsageError('--wait is an option of "flow save", not of "flow list"');
    return listFlows(options, out);
  }
  if (
    (sub !== 'validate' && sub !== 'chat' && sub !== 'save' && sub !== 'eval') ||
    !file ||
    extra.length > 0
  ) {
    throw new UsageError(
      'flow takes: flow validate FILE | flow save FILE [--wait] | flow list | flow chat FILE|NAME[@VERSION] [--contact key=value …] [--tz ZONE] | flow eval FILE|NAME[@VERSION] --text FILE.tsv|--audio DIR [--node ID]',
    );
  }
  if (sub === 'eval') {
    if ((options.text === undefined) === (options.audio === undefined))
      throw new UsageError('flow eval takes one of --text FILE.tsv or --audio DIR');
  } else if (
    options.text !== undefined ||
    options.audio !== undefined ||
    options.node !== undefined
  )
    throw new UsageError(
      `--text, --audio and --node are options of "flow eval", not of "flow ${sub}"`,
    );
  if (options.wait && sub !== 'save')
    throw new UsageError(`--wait is an option of "flow save", not of "flow ${sub}"`);
  if (sub === 'save') return saveFlow(file, options, out);
  if (
    (sub === 'chat' || sub === 'eval') &&
    !existsSync(file) &&
    !file.toLowerCase().endsWith('.json')
  ) {
    const stored = await loadStoredFlow(file, options.dataDir, out);
    if (!stored) return 1;
    return sub === 'chat'
      ? chat(stored.flow, options, out)
      : evaluate(stored.flow, stored.version, options, out);
  }
  const check = await loadFlowFile(file, out);
  if (!check) return 2;
  for (const warning of check.warnings)
    out.record({ event: 'warning', ...warning }, `warning: ${warning.text}`);
  if (!check.flow) {
    for (const issue of check.errors)
      out.record({ event: 'invalid', ...issue }, `error: ${issue.text}`);
    out.error(
      'INVALID_FLOW',
      `${file}: ${check.errors.length} problem${check.errors.length === 1 ? '' : 's'}`,
    );
    return 2;
  }
  const flow = check.flow;
  if (sub === 'validate') {
    out.record(
      {
        event: 'valid',
        id: flow.id,
        name: flow.name,
        language: flow.language,
        nodes: Object.keys(flow.nodes).length,
      },
      `${file}: valid (${flow.name}, ${flow.language}, ${Object.keys(flow.nodes).length} nodes)`,
    );
    return 0;
  }
  if (sub === 'eval') return evaluate(flow, null, options, out);
  return chat(flow, options, out);
}

/** The workspace's recording keys, opened on first use (label clips are encrypted with them). */
function workspaceKeys(options: FlowCommandOptions): () => RecordingKeys {
  let keys: RecordingKeys | undefined;
  return () =>
    (keys ??= openRecordingKeys(
      options.dataDir,
      openKeyFileSecretBox(options.dataDir, options.log),
    ));
}

/**
 * `flow eval`: a typed test set through the ask nodes' own text recognition, or WAV clips through
 * the flow's phrase models on the speech workers (trained first when the cache lacks them), then
 * the report. Exit 0 with a report, whatever its figures; 2 for a bad test set (every bad line named).
 */
async function evaluate(
  flow: Flow,
  version: number | null,
  options: FlowCommandOptions,
  out: Output,
): Promise<number> {
  let report: FlowEvalReport;
  try {
    if (options.text !== undefined) {
      let tsv: string;
      try {
        tsv = await readFile(options.text, 'utf8');
      } catch (error) {
        out.error(
          'BAD_TEST_SET',
          `${options.text}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
        );
        return 2;
      }
      const { cases, library, skipped } = parseTextSet(tsv, flow, options.node);
      if (skipped > 0)
        out.record(
          { event: 'skipped', lines: skipped },
          `(${skipped} line${skipped === 1 ? '' : 's'} for other flows skipped)`,
        );
      report = evaluateText(flow, cases, {
        version,
        library,
        ...(options.timeZone ? { timeZone: options.timeZone } : {}),
      });
    } else {
      const clips = await readAudioSet(
        options.audio ?? '',
        flow,
        options.node,
        workspaceKeys(options),
      );
      report = await evaluateClips(flow, version, clips, options, out);
    }
  } catch (error) {
    if (!(error instanceof EvalInputError)) throw error;
    for (const problem of error.problems)
      out.record({ event: 'invalid', message: problem }, `error: ${problem}`);
    out.error(
      'BAD_TEST_SET',
      `${options.text ?? options.audio}: ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}`,
    );
    return 2;
  }
  printReport(report, out);
  return 0;
}

/** Clips through the flow's phrase models (and library models) on the speech workers, as a call hears them. */
async function evaluateClips(
  flow: Flow,
  version: number | null,
  clips: Awaited<ReturnType<typeof readAudioSet>>,
  options: FlowCommandOptions,
  out: Output,
): Promise<FlowEvalReport> {
  const { checkModels, findModelsDir } = await import('../engine/models/index.js');
  const { SpeechWorkerPool } = await import('../engine/speech/index.js');
  const { defaultVoice, PhraseModels } = await import('../engine/bot/index.js');
  const dir = findModelsDir();
  if (!dir) throw new Error('The speech models folder (native-models) was not found');
  const models = await checkModels(dir);
  const path = (role: string): string => {
    const file = models.files.find((f) => f.role === role);
    if (!file) throw new Error(`The models manifest lists no model with role "${role}"`);
    return file.absolutePath;
  };
  const pool = new SpeechWorkerPool({
    vadModelPath: path('vad'),
    melModelPath: path('mel'),
    embeddingModelPath: path('embedding'),
  });
  try {
    const phrases = new PhraseModels({
      pool: () => pool,
      cacheDir: join(
        process.env.OUTBOUND_SPEECH_CACHE || join(options.dataDir, 'cache'),
        'phrase-models',
      ),
      recordingsDir: join(options.dataDir, 'phrase-recordings'),
      // History's label clips are encrypted: the keys are opened only when the flow lists one.
      recordingKeys: workspaceKeys(options),
      voiceFor: defaultVoice,
    });
    let shown = '';
    const trained = await phrases.train(flow, (p) => {
      const line = p.nodeId && p.stage !== 'cached' ? `training: ${p.nodeId}, ${p.stage}` : '';
      if (line && line !== shown) {
        shown = line;
        out.record({ event: 'training', nodeId: p.nodeId, stage: p.stage }, line);
      }
    });
    if (trained.cached < trained.nodes.length)
      out.record(
        { event: 'trained', elapsedMs: trained.elapsedMs },
        `(phrase models trained in ${(trained.elapsedMs / 1000).toFixed(0)} s)`,
      );
    const recognizers = new Map<
      string,
      (samples: Int16Array) => ReturnType<typeof pool.recognize>
    >();
    for (const [nodeId, ask] of await phrases.forFlow(flow))
      recognizers.set(nodeId, (samples) =>
        pool.recognize(undefined, ask.key, ask.model, samples, 0, ask.library),
      );
    return await evaluateAudio(flow, clips, { recognizers, version });
  } finally {
    await pool.close();
  }
}

function pct(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(1)} %`;
}

/** The figures of a part of the report (docs/FLOWS.md says what each counts). */
function figureLines(f: FlowEvalFigures, kind: FlowEvalReport['kind']): string[] {
  const row = (name: string, value: string, note: string): string =>
    `  ${name.padEnd(25)} ${value}  (${note})`;
  return [
    row(
      'intent accuracy',
      pct(f.accuracy),
      `${f.correct} of ${f.lines}: right intent, or none rejected`,
    ),
    row(
      'accepted-correct',
      pct(f.acceptedCorrectRate),
      `${f.acceptedCorrect} of ${f.inScope} answers`,
    ),
    row(
      'false accepts',
      pct(f.falseAcceptRate),
      `${f.falseAccepts} of ${f.offTopic} lines expecting none acted on: off-topic, or no intent covers them`,
    ),
    // Audio sets have no tag column: their none clips are the false accepts' lines above.
    ...(kind === 'audio'
      ? []
      : f.offTopicTagged > 0
        ? [
            row(
              'off-topic false accepts',
              pct(f.offTopicFalseAcceptRate),
              `${f.offTopicFalseAccepts} of ${f.offTopicTagged} lines tagged offtopic acted on`,
            ),
          ]
        : [
            row(
              'off-topic false accepts',
              '-',
              'no line is tagged offtopic: tag off-topic lines in the fourth column for this figure',
            ),
          ]),
    `  ${'wrong intent'.padEnd(25)} ${f.wrongIntent}`,
    row(
      'negation errors',
      String(f.negationErrors),
      `of ${f.negated} negated lines: a negated answer taken as its opposite`,
    ),
    row('would confirm', pct(f.uncertainShare), `${f.uncertain} lines between the thresholds`),
  ];
}

/** Per intent and the confusion matrix of a part. */
function detailLines(part: FlowEvalPart): string[] {
  const lines = ['', '  per intent (node/intent: lines, correct, recall, precision)'];
  for (const p of part.perIntent)
    lines.push(
      `    ${`${p.nodeId}/${p.intent}`.padEnd(30)} ${String(p.lines).padStart(4)} ${String(p.correct).padStart(4)}  ${pct(p.recall).padStart(7)}  ${pct(p.precision).padStart(7)}`,
    );
  const width = Math.max(6, ...part.labels.map((l) => l.length)) + 1;
  lines.push('', '  confusion (rows: expected, columns: got)');
  lines.push(`    ${''.padEnd(width)}${part.labels.map((l) => l.padStart(width)).join('')}`);
  part.labels.forEach((label, r) => {
    lines.push(
      `    ${label.padEnd(width)}${(part.confusion[r] ?? []).map((n) => String(n).padStart(width)).join('')}`,
    );
  });
  return lines;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The report: the flow's figures, per intent, the confusion matrix; the same for the library's
 * lines and the whole set's figures when the set has library lines; then the lines it got wrong.
 */
function printReport(report: FlowEvalReport, out: Output): void {
  const lines: string[] = [
    `${report.flow}${report.version !== null ? ` v${report.version}` : ''} (${report.language}), ${report.kind} test set: ${plural(report.lines, 'line')}${report.library ? ' for its questions' : ''}`,
    ...figureLines(report, report.kind),
    ...detailLines(report),
  ];
  if (report.library && report.whole) {
    lines.push(
      '',
      `common-answer library on its own (${report.language}): ${plural(report.library.lines, 'line')}`,
      ...figureLines(report.library, report.kind),
      ...detailLines(report.library),
      '',
      `whole set (the flow's questions and the library): ${plural(report.whole.lines, 'line')}`,
      ...figureLines(report.whole, report.kind),
    );
  }
  const wrong = [...report.items, ...(report.library?.items ?? [])].filter((i) => !i.correct);
  if (wrong.length > 0) {
    lines.push('', `  not right (${wrong.length}):`);
    for (const i of wrong.slice(0, 200))
      lines.push(
        `    line ${i.line}: ${JSON.stringify(i.input)} at ${i.nodeId}: expected ${i.expected}, got ${i.got}${i.uncertain ? ' (would confirm)' : ''} ${i.confidence.toFixed(2)}${i.falseAccept ? (i.offTopic ? ' OFF-TOPIC FALSE ACCEPT' : ' FALSE ACCEPT') : ''}${i.negationError ? ' NEGATION ERROR' : ''}`,
      );
    if (wrong.length > 200)
      lines.push(`    … and ${wrong.length - 200} more (--json lists every line)`);
  }
  out.record({ event: 'report', ...report }, lines.join('\n'));
}

async function chat(flow: Flow, options: FlowCommandOptions, out: Output): Promise<number> {
  const fields: Record<string, string | number> = {};
  for (const pair of options.contact) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--contact takes key=value (got "${pair}")`);
    const value = pair.slice(at + 1);
    fields[pair.slice(0, at)] =
      value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  const lines = createInterface({ input: options.input })[Symbol.asyncIterator]();
  const channel = new TextChannel(
    async () => {
      const next = await lines.next();
      // The input ran out: silence from then on, so the flow's no-input path ends the chat.
      return next.done ? { kind: 'no_input' } : parseChatLine(next.value);
    },
    (action) => {
      if (action.type === 'say')
        out.record({ event: 'bot', text: action.text }, `bot: ${action.text}`);
      if (action.type === 'transfer')
        out.record(
          { event: 'transfer', queue: action.queue, reason: action.reason },
          `→ transferred to queue "${action.queue}" (${action.reason})`,
        );
      if (action.type === 'callback')
        out.record(
          { event: 'callback', at: action.at.toISOString() },
          `→ callback scheduled for ${action.at.toISOString()}`,
        );
      if (action.type === 'hangup')
        out.record(
          { event: 'hangup', disposition: action.disposition },
          `→ hang up (${action.disposition})`,
        );
    },
  );
  const runtime = new DialogRuntime({
    flow,
    channel,
    contact: { fields, timeZone: options.timeZone ?? 'Asia/Shanghai' },
  });
  runtime.on((event) => {
    if (event.type === 'answer')
      out.record(
        {
          event: 'answer',
          intent: event.intent,
          confidence: event.confidence,
          matchedBy: event.matchedBy,
        },
        `   (${event.intent}, ${event.confidence.toFixed(2)}, ${event.matchedBy})`,
      );
    if (event.type === 'confirmation')
      out.record(
        {
          event: 'confirmation',
          intent: event.intent,
          result: event.result,
          ...(event.attempt !== undefined ? { attempt: event.attempt } : {}),
        },
        `   (confirmation of ${event.intent}: ${event.result}${event.attempt !== undefined ? `, attempt ${event.attempt}` : ''})`,
      );
    if (event.type === 'no_match')
      out.record(
        { event: 'no_match', attempt: event.attempt },
        `   (no match, attempt ${event.attempt})`,
      );
    if (event.type === 'no_input')
      out.record(
        { event: 'no_input', attempt: event.attempt },
        `   (no input, attempt ${event.attempt})`,
      );
  });
  const outcome = await runtime.run();
  out.record(
    { event: 'outcome', ...outcome },
    `outcome: ${outcome.reason}, disposition ${outcome.disposition}`,
  );
  return outcome.reason === 'error' ? 1 : 0;
}

/** `flow save FILE [--wait]`: flows.save on the workspace, then (with --wait) its training. */
async function saveFlow(file: string, options: FlowCommandOptions, out: Output): Promise<number> {
  let definition: unknown;
  try {
    definition = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    out.error(
      'BAD_FLOW_FILE',
      `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(error as Error).message})`}`,
    );
    return 2;
  }
  // The engine's log says "Engine started" and the like; the command's own lines say what matters.
  // (An engine started for this command begins training the saved version and stops when the
  // command ends; without --wait that run is cut short on purpose, which the engine logs as info.)
  const log: Logger = { ...options.log, info() {} };
  return withWorkspaceApi(
    { dataDir: options.dataDir, version: options.version, log },
    out,
    async (request, where) => {
      const saved = (await request('flows.save', { definition })) as {
        name: string;
        version: number;
        created: boolean;
        newFlow: boolean;
      };
      const place = where === 'server' ? 'the running outbound serve' : options.dataDir;
      out.record(
        { event: 'saved', ...saved, where },
        saved.created
          ? `${file}: saved as ${saved.name} v${saved.version}${saved.newFlow ? ' (a new flow)' : ''} in ${place}`
          : `${file}: unchanged, ${saved.name} v${saved.version} is the latest version (no new version stored)`,
      );
      if (options.wait) return waitForTraining(request, saved.name, saved.version, options, out);
      out.record(
        { event: 'training', flow: saved.name, version: saved.version, state: 'pending', where },
        where === 'server'
          ? `Its phrase models train in outbound serve now (progress on the Flows page, or run flow save --wait).`
          : `Its phrase models train when outbound serve or the desktop app opens this workspace, or now with flow save --wait.`,
      );
      return 0;
    },
    (error) => saveRefused(error, file, out),
  );
}

function saveRefused(error: ApiError, file: string, out: Output): number {
  if (error.code !== 'INVALID_FLOW') {
    out.error(error.code, `${file}: ${error.message}`);
    return 1;
  }
  const details = (error.details ?? {}) as {
    issues?: Array<{ nodeId: string | null; field: string; message: string }>;
    warnings?: Array<{ nodeId: string | null; field: string; message: string }>;
  };
  const text = (i: { nodeId: string | null; field: string; message: string }): string => {
    const where = i.nodeId === null ? 'flow' : `node "${i.nodeId}"`;
    return i.field ? `${where}: ${i.field}: ${i.message}` : `${where}: ${i.message}`;
  };
  for (const warning of details.warnings ?? [])
    out.record({ event: 'warning', ...warning }, `warning: ${text(warning)}`);
  const issues = details.issues ?? [];
  for (const issue of issues) out.record({ event: 'invalid', ...issue }, `error: ${text(issue)}`);
  out.error(
    'INVALID_FLOW',
    `${file}: not saved, ${issues.length} problem${issues.length === 1 ? '' : 's'}; nothing was stored`,
  );
  return 2;
}

/** How long a saved version may show no training state before the command gives up (the engine has no trainer). */
const NO_TRAINING_MS = 10_000;

/** Follows a version's training (flows.get) until ready (0) or failed (1), printing each stage and node. */
async function waitForTraining(
  request: ApiRequest,
  name: string,
  version: number,
  options: FlowCommandOptions,
  out: Output,
): Promise<number> {
  const pollMs = options.pollMs ?? 250;
  const started = Date.now();
  let shown = '';
  for (;;) {
    const detail = (await request('flows.get', { name, version })) as FlowDetail;
    const training: FlowTraining | null = detail.training;
    if (training) {
      const line = trainingLine(training);
      if (line !== shown) {
        shown = line;
        out.record({ event: 'training', ...training }, line);
      }
      if (training.state === 'ready') {
        out.record(
          { event: 'ready', flow: name, version, elapsedMs: Date.now() - started },
          `${name} v${version} is ready for calls (${((Date.now() - started) / 1000).toFixed(1)} s).`,
        );
        return 0;
      }
      if (training.state === 'failed') {
        out.error(
          'TRAINING_FAILED',
          `${name} v${version}: training failed: ${training.error ?? 'no reason given'}`,
        );
        return 1;
      }
    } else if (Date.now() - started > NO_TRAINING_MS) {
      out.error('NO_TRAINING', `${name} v${version}: the engine reports no training for it`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** "training: node 2 of 3 (ask_time), embed" — one line per stage or node, not per percent. */
function trainingLine(training: FlowTraining): string {
  const p = training.progress;
  if (training.state !== 'training' || !p) return `training: ${training.state}`;
  const node = p.nodeId === null ? '' : ` (${p.nodeId})`;
  return `training: node ${Math.min(p.nodesDone + 1, Math.max(p.nodes, 1))} of ${p.nodes}${node}, ${p.stage}`;
}

/** `flow list`: every saved flow, its language and latest version; a server adds the training state. */
async function listFlows(options: FlowCommandOptions, out: Output): Promise<number> {
  return withWorkspaceApi(
    { dataDir: options.dataDir, version: options.version, log: { ...options.log, info() {} } },
    out,
    async (request, where) => {
      const { flows } = (await request('flows.list')) as { flows: FlowSummary[] };
      if (flows.length === 0)
        out.record(
          { event: 'flows.empty' },
          'No flows yet. Save one with: outbound flow save FILE',
        );
      for (const flow of flows) {
        // Training states live in a running engine; a one-shot command has none to report.
        const training = where === 'server' ? flow.training : null;
        out.record(
          {
            event: 'flow',
            name: flow.name,
            language: flow.language,
            latestVersion: flow.latestVersion,
            versions: flow.versions,
            updatedAt: new Date(flow.updatedAt).toISOString(),
            training: training?.state ?? null,
          },
          `${flow.name}  ${flow.language}  v${flow.latestVersion ?? '-'} (${flow.versions} version${flow.versions === 1 ? '' : 's'})${training ? `  ${trainingLine(training)}` : ''}`,
        );
      }
      return 0;
    },
    (error) => {
      out.error(error.code, error.message);
      return 1;
    },
  );
}
