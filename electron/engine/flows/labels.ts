/**
 * History's labelling loop: an admin marks what a customer's utterance really meant (one of the
 * ask node's intents, or `none`), and the bot learns from it.
 *
 * 1. `label()`: the customer's channel of the call's recording (left, see recording/) is cut
 *    around the utterance ([start − 200 ms, end + 100 ms], as the bot's recognizer takes it) into a
 *    16 kHz mono clip under the workspace's phrase-recordings folder,
 *    `labelled/<flow id>/<node>/<intent | none>/<call>-<start>.wav`, encrypted at rest like the
 *    call recordings (recording/clips.ts: the same container, the workspace keys), and a row of
 *    `utterance_labels` says where it came from (call, time, flow version, node) and who labelled
 *    it when. The audio never leaves the workspace.
 * 2. `apply()`: a new flow version whose ask nodes list the labelled clips (an intent's
 *    `recordings`; `none` in the node's `noneRecordings`, which trains the "none of these" class),
 *    saved like any other version, so it trains in the background. The `labelled/<flow id>/`
 *    clips are the loop's own: a relabelled clip moves, recordings an admin listed by hand stay.
 * 3. `accuracy()`: the labelled clips, which are also the question's test set, recognized by a
 *    version's phrase models and by the version before it, through the same speech worker
 *    recognition calls use.
 */
import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import type { CommandHandlers } from '../api/dispatcher.js';
import { ApiError } from '../api/errors.js';
import { type LabelAccuracy, NONE_INTENT, type UtteranceLabel } from '../api/labels.js';
import {
  decodeSamples,
  floatToInt16,
  parseWav,
  parseWavHeader,
  resample,
  toMono,
  type WavLayout,
} from '../audio/index.js';
import { type Actor, auditActor, requestActor, writeAudit } from '../audit/index.js';
import type { AskModel, PhraseModels } from '../bot/phrase-models.js';
import { recordingFile } from '../calls/history-commands.js';
import type { Flow, NodeOf } from '../dialog/index.js';
import type { Logger } from '../log.js';
import {
  openRecording,
  readAudioFile,
  type RecordingKeys,
  writeEncryptedClip,
} from '../recording/index.js';
import type { RecognitionResult } from '../speech/index.js';
import type { JsonObject, Store, UtteranceLabelRecord } from '../store/types.js';
import type { FlowService } from './flow-service.js';

/** Audio taken before and after the utterance, as the bot's recognizer takes it (bot/call-bot.ts). */
export const CLIP_PRE_ROLL_MS = 200;
export const CLIP_POST_ROLL_MS = 100;
/** What a recording listed in a flow may last (bot/phrase-models.ts loadRecordings). */
export const CLIP_MIN_MS = 200;
export const CLIP_MAX_MS = 15_000;
const RATE = 16_000;

/** The customer's channel of a call recording (the recorder's layout: customer left). */
const CUSTOMER_CHANNEL = 0;

/**
 * Cuts [fromMs, toMs) of one channel of a WAV file as 16 kHz mono, reading only that range (a
 * one-hour call is ~230 MB). The range is clipped to the file; `startMs`/`endMs` say what was cut.
 */
export async function cutClip(
  path: string,
  fromMs: number,
  toMs: number,
  channel = CUSTOMER_CHANNEL,
  keys: RecordingKeys | null = null,
): Promise<{ samples: Int16Array; startMs: number; endMs: number; recordingMs: number }> {
  // Call recordings are encrypted: the reader decrypts just the chunks the clip spans.
  const file = await openRecording(path, keys);
  try {
    const size = file.size;
    const head = await file.read(0, Math.min(64 * 1024, size));
    const layout = parseWavHeader(head, size);
    const recordingMs = Math.round((layout.frames / layout.sampleRate) * 1000);
    if (channel >= layout.channels)
      throw new Error(`${path} has ${layout.channels} channel(s), not a channel ${channel + 1}`);
    const first = Math.max(0, Math.floor((fromMs * layout.sampleRate) / 1000));
    const last = Math.min(layout.frames, Math.ceil((toMs * layout.sampleRate) / 1000));
    const frames = Math.max(0, last - first);
    const bytes =
      frames > 0
        ? await file.read(layout.dataOffset + first * layout.blockAlign, frames * layout.blockAlign)
        : Buffer.alloc(0);
    const range: WavLayout = {
      ...layout,
      dataOffset: 0,
      dataBytes: bytes.length,
      frames,
    };
    const mono = decodeSamples(bytes, range)[channel]!;
    const samples = floatToInt16(
      layout.sampleRate === RATE ? mono : resample(mono, layout.sampleRate, RATE),
    );
    return {
      samples,
      startMs: Math.round((first / layout.sampleRate) * 1000),
      endMs: Math.round((last / layout.sampleRate) * 1000),
      recordingMs,
    };
  } finally {
    await file.close();
  }
}

/** Where a labelled clip goes, relative to the phrase-recordings folder. */
export function labelClipPath(
  flowId: number,
  nodeId: string,
  intent: string | null,
  callId: string,
  startMs: number,
): string {
  return `${labelledPrefix(flowId)}${nodeId}/${intent ?? NONE_INTENT}/${callId}-${startMs}.wav`;
}

function labelledPrefix(flowId: number): string {
  return `labelled/${flowId}/`;
}

/** Recognizes clips with a flow version's phrase models, as calls do (by ask node). */
export interface ClipRecognizer {
  /** Per ask node, a function recognizing one clip (null: the node has no model). */
  forFlow(
    flow: Flow,
  ): Promise<Map<string, (samples: Int16Array) => Promise<RecognitionResult | null>>>;
}

export interface UtteranceLabelsOptions {
  store: Store;
  flows: FlowService;
  /** The workspace's data folder (recordings are stored relative to it). */
  dataDir: string;
  /** The phrase-recordings folder flows' `recordings` are relative to. */
  recordingsDir: string;
  /**
   * The keys call recordings are encrypted with: a clip is cut from the decrypted audio and
   * written encrypted with them (recording/clips.ts). Asked for only when needed.
   */
  recordingKeys: () => RecordingKeys;
  recognizer: ClipRecognizer;
  log: Logger;
}

interface Evaluation {
  state: 'running' | 'done' | 'failed';
  result?: LabelAccuracy;
  error?: string;
}

type ApiClip = LabelAccuracy['clips'][number];
type ClipResult = NonNullable<ApiClip['after']>;

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The ask nodes of a stored definition as written (nodes by id, or a list of nodes with ids). */
function askNodesOf(definition: JsonObject): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const nodes = definition['nodes'];
  const add = (id: unknown, node: unknown): void => {
    if (typeof id !== 'string' || typeof node !== 'object' || node === null) return;
    if ((node as Record<string, unknown>)['kind'] === 'ask')
      out.set(id, node as Record<string, unknown>);
  };
  if (Array.isArray(nodes))
    for (const node of nodes) add((node as Record<string, unknown> | null)?.['id'], node);
  else if (typeof nodes === 'object' && nodes !== null)
    for (const [id, node] of Object.entries(nodes)) add(id, node);
  return out;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Every recording path a definition lists (intents' and nodes' none recordings). */
function listedRecordings(definition: JsonObject): Set<string> {
  const out = new Set<string>();
  for (const node of askNodesOf(definition).values()) {
    for (const path of stringList(node['noneRecordings'])) out.add(path);
    const intents = node['intents'];
    if (Array.isArray(intents))
      for (const intent of intents)
        for (const path of stringList((intent as Record<string, unknown> | null)?.['recordings']))
          out.add(path);
  }
  return out;
}

export class UtteranceLabels {
  private readonly evaluations = new Map<string, Evaluation>();

  constructor(private readonly options: UtteranceLabelsOptions) {}

  /** Labels one customer utterance; see the header. */
  async label(input: {
    callId: string;
    startMs: number;
    intent: string;
    actor: Actor;
  }): Promise<UtteranceLabel> {
    const { store } = this.options;
    const call = await store.calls.get(input.callId);
    if (!call) throw new ApiError('NOT_FOUND', `No call with id "${input.callId}"`);
    const utterances = (await store.calls.utterances(call.id)).filter(
      (u) => u.speaker === 'customer',
    );
    const utterance = utterances.find((u) => u.startMs === input.startMs);
    if (!utterance)
      throw new ApiError(
        'NOT_FOUND',
        `Call "${call.id}" has no customer utterance starting at ${input.startMs} ms (${utterances.length === 0 ? 'it has none' : `its customer utterances start at ${utterances.map((u) => `${u.startMs} ms`).join(', ')}`})`,
      );
    if (call.flowId === null || call.flowVersion === null)
      throw new ApiError('CONFLICT', `Call "${call.id}" ran no stored flow: nothing to label`);
    if (utterance.nodeId === null)
      throw new ApiError(
        'CONFLICT',
        `The utterance at ${input.startMs} ms of call "${call.id}" answered no question of the flow (it has no node)`,
      );
    const { record, flow } = await this.flowVersion(call.flowId, call.flowVersion);
    const node = flow.nodes[utterance.nodeId];
    if (!node || node.kind !== 'ask')
      throw new ApiError(
        'CONFLICT',
        `The utterance at ${input.startMs} ms of call "${call.id}" was heard at node "${utterance.nodeId}", which is not a question (ask node) of flow "${record.name}" version ${call.flowVersion}`,
      );
    const names = node.intents.map((i) => i.name);
    const intent = input.intent === NONE_INTENT ? null : input.intent;
    if (intent !== null && !names.includes(intent))
      throw new ApiError(
        'INVALID_PARAMS',
        `intent: "${input.intent}" is not an answer of question "${node.id}" (its intents: ${names.join(', ')}; or "${NONE_INTENT}")`,
        'intent',
      );
    const recording = await recordingFile(store, this.options.dataDir, call.id);
    if (!recording)
      throw new ApiError(
        'NOT_FOUND',
        `Call "${call.id}" has no recording to cut the utterance from (recording was off, or the file is gone)`,
      );
    const clip = await cutClip(
      recording.path,
      utterance.startMs - CLIP_PRE_ROLL_MS,
      utterance.endMs + CLIP_POST_ROLL_MS,
      CUSTOMER_CHANNEL,
      this.options.recordingKeys(),
    ).catch((error: unknown) => {
      throw new ApiError(
        'CONFLICT',
        `The recording of call "${call.id}" cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    const clipMs = Math.round((clip.samples.length / RATE) * 1000);
    if (clipMs < CLIP_MIN_MS || clipMs > CLIP_MAX_MS)
      throw new ApiError(
        'CONFLICT',
        clip.samples.length === 0 || utterance.startMs >= clip.recordingMs
          ? `The utterance at ${input.startMs} ms is past the end of call "${call.id}"'s recording (${clip.recordingMs} ms)`
          : `The clip of the utterance at ${input.startMs} ms would last ${clipMs} ms; a labelled clip lasts ${CLIP_MIN_MS / 1000}–${CLIP_MAX_MS / 1000} s`,
      );

    const clipPath = labelClipPath(record.id, node.id, intent, call.id, utterance.startMs);
    const target = join(this.options.recordingsDir, ...clipPath.split('/'));
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    // Encrypted like the recording it was cut from (recording/clips.ts): no plaintext on disk.
    await writeEncryptedClip(target, this.options.recordingKeys(), RATE, clip.samples, {
      callId: call.id,
    });

    const { label, replaced } = await store.transaction(async (tx) => {
      const put = await tx.labels.put({
        callId: call.id,
        startMs: utterance.startMs,
        endMs: utterance.endMs,
        flowId: record.id,
        flowVersion: call.flowVersion!,
        nodeId: node.id,
        intent,
        clipPath,
        clipMs,
        source: 'history',
        labelledBy: auditActor(input.actor).name,
      });
      await writeAudit(tx, input.actor, {
        action: 'calls.label_utterance',
        subject: call.id,
        details: {
          startMs: utterance.startMs,
          flow: record.name,
          version: call.flowVersion!,
          nodeId: node.id,
          intent: intent ?? NONE_INTENT,
          clipPath,
          ...(put.replaced ? { replaced: put.replaced.intent ?? NONE_INTENT } : {}),
        },
      });
      return put;
    });
    if (replaced && replaced.clipPath !== clipPath)
      await this.dropClip(record.id, replaced.clipPath);
    return this.view(label, record.name);
  }

  /** The flow a call ran, its ask nodes' intents, and the call's labels. */
  async forCall(callId: string): Promise<{
    flow: { name: string; version: number } | null;
    nodes: Array<{ nodeId: string; intents: string[] }>;
    labels: UtteranceLabel[];
  }> {
    const { store } = this.options;
    const call = await store.calls.get(callId);
    if (!call) throw new ApiError('NOT_FOUND', `No call with id "${callId}"`);
    const labels = await store.labels.forCall(callId);
    if (call.flowId === null || call.flowVersion === null)
      return { flow: null, nodes: [], labels: [] };
    let loaded: { record: { id: number; name: string }; flow: Flow };
    try {
      loaded = await this.flowVersion(call.flowId, call.flowVersion);
    } catch {
      // A version that no longer validates: nothing to label against, History still shows the call.
      return { flow: null, nodes: [], labels: [] };
    }
    const nodes = Object.values(loaded.flow.nodes)
      .filter((n): n is NodeOf<'ask'> => n.kind === 'ask')
      .map((n) => ({ nodeId: n.id, intents: n.intents.map((i) => i.name) }));
    return {
      flow: { name: loaded.record.name, version: call.flowVersion },
      nodes,
      labels: labels.map((l) => this.view(l, loaded.record.name)),
    };
  }

  /** A flow's labels, each marked with whether the latest version lists its clip. */
  async forFlow(name: string): Promise<{
    name: string;
    latestVersion: number;
    labels: Array<UtteranceLabel & { inLatest: boolean }>;
  }> {
    const { record, version, definition } = await this.latest(name);
    const listed = listedRecordings(definition);
    const labels = await this.options.store.labels.forFlow(record.id);
    return {
      name: record.name,
      latestVersion: version,
      labels: labels.map((l) => ({
        ...this.view(l, record.name),
        inLatest: listed.has(l.clipPath),
      })),
    };
  }

  /** A new version of the flow listing every labelled clip; see the header. */
  async apply(
    name: string,
    actor: Actor,
  ): Promise<{
    name: string;
    version: number;
    previousVersion: number;
    created: boolean;
    clips: number;
    added: number;
    removed: number;
    skipped: Array<{ clipPath: string; reason: string }>;
  }> {
    const { record, version, definition } = await this.latest(name);
    const next = JSON.parse(JSON.stringify(definition)) as JsonObject;
    const nodes = askNodesOf(next);
    const labels = await this.options.store.labels.forFlow(record.id);
    const prefix = labelledPrefix(record.id);
    const skipped: Array<{ clipPath: string; reason: string }> = [];
    const wanted = new Map<string, Map<string | null, string[]>>();
    for (const label of labels) {
      const node = nodes.get(label.nodeId);
      const intents = Array.isArray(node?.['intents'])
        ? (node['intents'] as Array<Record<string, unknown>>)
        : [];
      if (!node) {
        skipped.push({
          clipPath: label.clipPath,
          reason: `version ${version} has no question "${label.nodeId}"`,
        });
        continue;
      }
      if (label.intent !== null && !intents.some((i) => i['name'] === label.intent)) {
        skipped.push({
          clipPath: label.clipPath,
          reason: `question "${label.nodeId}" of version ${version} has no intent "${label.intent}"`,
        });
        continue;
      }
      const byIntent = wanted.get(label.nodeId) ?? new Map<string | null, string[]>();
      wanted.set(label.nodeId, byIntent);
      byIntent.set(label.intent, [...(byIntent.get(label.intent) ?? []), label.clipPath]);
    }
    let added = 0;
    let removed = 0;
    const merge = (holder: Record<string, unknown>, key: string, clips: string[]): void => {
      const before = stringList(holder[key]);
      const kept = before.filter((p) => !p.startsWith(prefix));
      const ours = new Set(before.filter((p) => p.startsWith(prefix)));
      const after = [...kept, ...clips];
      added += clips.filter((p) => !ours.has(p)).length;
      removed += [...ours].filter((p) => !clips.includes(p)).length;
      if (after.length > 0) holder[key] = after;
      else delete holder[key];
    };
    for (const [nodeId, node] of nodes) {
      const byIntent = wanted.get(nodeId);
      const intents = Array.isArray(node['intents'])
        ? (node['intents'] as Array<Record<string, unknown>>)
        : [];
      for (const intent of intents) {
        if (typeof intent !== 'object' || intent === null) continue;
        const name = typeof intent['name'] === 'string' ? intent['name'] : null;
        merge(intent, 'recordings', (name !== null && byIntent?.get(name)) || []);
      }
      merge(node, 'noneRecordings', byIntent?.get(null) ?? []);
    }
    const saved = await this.options.flows.save(next, actor, { audit: 'flows.apply_labels' });
    return {
      name: saved.name,
      version: saved.version,
      previousVersion: version,
      created: saved.created,
      clips: labels.length - skipped.length,
      added,
      removed,
      skipped,
    };
  }

  /**
   * The labelled clips recognized by `version` (default the latest) and by `before` (default the
   * version before it). Evaluated in the background: 'running' until done.
   */
  async accuracy(input: {
    name: string;
    version?: number;
    before?: number;
  }): Promise<LabelAccuracy> {
    const { record, version: latest } = await this.latest(input.name);
    const after = input.version ?? latest;
    const before = input.before ?? (after > 1 ? after - 1 : null);
    if (after > latest || (before !== null && before > latest))
      throw new ApiError(
        'NOT_FOUND',
        `Flow "${record.name}" has no version ${Math.max(after, before ?? 0)} (the latest is ${latest})`,
      );
    const labels = await this.options.store.labels.forFlow(record.id);
    const key = createHash('sha256')
      .update(
        JSON.stringify([
          record.id,
          before,
          after,
          labels.map((l) => [l.clipPath, l.intent, l.labelledAt]),
        ]),
      )
      .digest('hex');
    let evaluation = this.evaluations.get(key);
    if (!evaluation) {
      // One result kept per flow: a newer question replaces what an older one computed.
      for (const [k, e] of this.evaluations)
        if (e.result?.name === record.name) this.evaluations.delete(k);
      const fresh: Evaluation = { state: 'running' };
      evaluation = fresh;
      this.evaluations.set(key, fresh);
      void this.evaluate(record.name, labels, before, after).then(
        (result) => {
          fresh.state = 'done';
          fresh.result = result;
        },
        (error: unknown) => {
          fresh.state = 'failed';
          fresh.error = error instanceof Error ? error.message : String(error);
          this.options.log.error('Evaluating labelled clips failed', {
            flow: record.name,
            error: fresh.error,
          });
          // Asking again tries again.
          setTimeout(() => this.evaluations.delete(key), 0);
        },
      );
    }
    return (
      evaluation.result ?? {
        name: record.name,
        state: evaluation.state,
        ...(evaluation.error !== undefined ? { error: evaluation.error } : {}),
        before: null,
        after: null,
        clips: [],
      }
    );
  }

  // --- inside ------------------------------------------------------------------------------------

  private view(label: UtteranceLabelRecord, flowName: string): UtteranceLabel {
    return {
      callId: label.callId,
      startMs: label.startMs,
      endMs: label.endMs,
      flow: flowName,
      flowVersion: label.flowVersion,
      nodeId: label.nodeId,
      intent: label.intent ?? NONE_INTENT,
      clipPath: label.clipPath,
      clipMs: label.clipMs,
      source: label.source,
      labelledBy: label.labelledBy,
      labelledAt: label.labelledAt,
    };
  }

  private async flowRecord(flowId: number): Promise<{ id: number; name: string }> {
    const record = (await this.options.store.flows.list()).find((f) => f.id === flowId);
    if (!record) throw new ApiError('NOT_FOUND', `No flow with store id ${flowId}`);
    return record;
  }

  private async flowVersion(
    flowId: number,
    version: number,
  ): Promise<{ record: { id: number; name: string }; flow: Flow }> {
    const record = await this.flowRecord(flowId);
    const loaded = await this.options.flows.load(record.name, version);
    return { record, flow: loaded.flow };
  }

  private async latest(
    name: string,
  ): Promise<{ record: { id: number; name: string }; version: number; definition: JsonObject }> {
    const record = await this.options.store.flows.getByName(name);
    if (!record) throw new ApiError('NOT_FOUND', `No flow named "${name}"`);
    if (record.latestVersion === null)
      throw new ApiError('NOT_FOUND', `Flow "${name}" has no saved version`);
    const row = await this.options.store.flows.getVersion(record.id, record.latestVersion);
    if (!row)
      throw new ApiError('NOT_FOUND', `Flow "${name}" has no version ${record.latestVersion}`);
    return { record, version: row.version, definition: row.definition };
  }

  /** Removes a replaced clip unless a stored version of the flow lists it (that version must still train). */
  private async dropClip(flowId: number, clipPath: string): Promise<void> {
    const { store } = this.options;
    for (const { version } of await store.flows.listVersions(flowId)) {
      const row = await store.flows.getVersion(flowId, version);
      if (row && listedRecordings(row.definition).has(clipPath)) return;
    }
    await rm(join(this.options.recordingsDir, ...clipPath.split('/')), { force: true });
  }

  private async evaluate(
    name: string,
    labels: UtteranceLabelRecord[],
    beforeVersion: number | null,
    afterVersion: number,
  ): Promise<LabelAccuracy> {
    const after = await this.options.flows.load(name, afterVersion);
    const before =
      beforeVersion === null ? null : await this.options.flows.load(name, beforeVersion);
    // A clip counts when its node and intent exist in every version compared.
    const fits = (flow: Flow, label: UtteranceLabelRecord): boolean => {
      const node = flow.nodes[label.nodeId];
      return (
        node?.kind === 'ask' &&
        (label.intent === null || node.intents.some((i) => i.name === label.intent))
      );
    };
    const clips = labels.filter(
      (l) => fits(after.flow, l) && (before === null || fits(before.flow, l)),
    );
    const audio = new Map<string, Int16Array>();
    for (const label of clips) audio.set(label.clipPath, await this.readClip(label.clipPath));
    const run = async (flow: Flow): Promise<Map<string, ClipResult>> => {
      const recognizers = await this.options.recognizer.forFlow(flow);
      const out = new Map<string, ClipResult>();
      for (const label of clips) {
        const recognize = recognizers.get(label.nodeId);
        const result = recognize ? await recognize(audio.get(label.clipPath)!) : null;
        const heard = result && !result.noMatch && result.intent ? result.intent : null;
        const best = heard === null ? result?.alternatives.find((a) => a.intent) : undefined;
        out.set(label.clipPath, {
          intent: heard ?? NONE_INTENT,
          confidence: round3(result?.confidence ?? 0),
          correct: heard === label.intent,
          ...(best?.intent
            ? { candidate: { intent: best.intent, confidence: round3(best.confidence) } }
            : {}),
        });
      }
      return out;
    };
    const afterResults = await run(after.flow);
    const beforeResults = before ? await run(before.flow) : null;
    const summary = (
      version: number,
      results: Map<string, { correct: boolean }>,
    ): LabelAccuracy['after'] => {
      const correct = [...results.values()].filter((r) => r.correct).length;
      return {
        version,
        correct,
        total: results.size,
        accuracy: results.size === 0 ? null : correct / results.size,
      };
    };
    return {
      name,
      state: 'done',
      before: before && beforeResults ? summary(before.version, beforeResults) : null,
      after: summary(after.version, afterResults),
      clips: clips.map((l): ApiClip => ({
        clipPath: l.clipPath,
        callId: l.callId,
        startMs: l.startMs,
        nodeId: l.nodeId,
        expected: l.intent ?? NONE_INTENT,
        before: beforeResults?.get(l.clipPath) ?? null,
        after: afterResults.get(l.clipPath) ?? null,
      })),
    };
  }

  private async readClip(clipPath: string): Promise<Int16Array> {
    // Decrypted here, in the engine; the speech worker gets the samples only.
    const bytes = await readAudioFile(
      join(this.options.recordingsDir, ...clipPath.split('/')),
      this.options.recordingKeys,
    );
    const wav = parseWav(bytes);
    const mono = toMono(wav.samples);
    return floatToInt16(wav.sampleRate === RATE ? mono : resample(mono, wav.sampleRate, RATE));
  }
}

/**
 * A ClipRecognizer over the bot's phrase models: `recognize` is how a call recognizes an
 * utterance with a node's models (the engine passes the speech workers' path).
 */
export function phraseClipRecognizer(
  models: Pick<PhraseModels, 'forFlow'>,
  recognize: (ask: AskModel, samples: Int16Array) => Promise<RecognitionResult | null>,
): ClipRecognizer {
  return {
    async forFlow(flow) {
      const out = new Map<string, (samples: Int16Array) => Promise<RecognitionResult | null>>();
      for (const [nodeId, ask] of await models.forFlow(flow))
        out.set(nodeId, (samples) => recognize(ask, samples));
      return out;
    },
  };
}

/** The API's labelling commands. */
export function labelCommandHandlers(
  labels: () => UtteranceLabels,
  actor: Actor,
): Pick<
  CommandHandlers,
  | 'calls.labelUtterance'
  | 'calls.labels'
  | 'flows.labels'
  | 'flows.applyLabels'
  | 'flows.labelAccuracy'
> {
  return {
    'calls.labelUtterance': ({ callId, startMs, intent }, context) =>
      labels().label({ callId, startMs, intent, actor: requestActor(context, actor) }),
    'calls.labels': ({ callId }) => labels().forCall(callId),
    'flows.labels': ({ name }) => labels().forFlow(name),
    'flows.applyLabels': ({ name }, context) => labels().apply(name, requestActor(context, actor)),
    'flows.labelAccuracy': ({ name, version, before }) =>
      labels().accuracy({
        name,
        ...(version !== undefined ? { version } : {}),
        ...(before !== undefined ? { before } : {}),
      }),
  };
}
