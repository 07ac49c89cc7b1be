/**
 * Dialog flows as the engine manages them: versioned in the store (the store's flow name is the
 * flow file's `id`), validated before anything is written, audit-logged, announced as
 * `flows.changed`, and trained in the background (one flow version at a time) through the
 * FlowTrainer the bot side provides, with each version's latest training state kept in memory
 * and announced as `flow.training`.
 *
 * A refused save stores nothing, so the previous version stays the one calls run. Versions are
 * immutable; a call pins the version it started with through `load(name, version)`.
 */
import type {
  ChatEnded,
  ChatTurn,
  FlowDetail,
  FlowIssueView,
  FlowSummary,
  FlowTraining,
} from '../api/contract.js';
import { ApiError } from '../api/errors.js';
import { type Actor, type AuditAction, writeAudit } from '../audit/index.js';
import type { FlowTrainer, FlowTrainingProgress } from '../bot/flow-training.js';
import type { promptIn } from '../dialog/index.js';
import {
  checkFlow,
  type Flow,
  type FlowIssue,
  type ListenResult,
  type Literal,
  SAMPLE_FLOWS,
  templateVariables,
} from '../dialog/index.js';
import type { EventHub } from '../events/index.js';
import type { Logger } from '../log.js';
import type { FlowRecord, JsonObject, Repositories, Store } from '../store/types.js';
import { FlowChats } from './chat.js';

/** A stored flow version, validated and ready for a DialogRuntime. */
export interface LoadedFlow {
  /** The store's flow id (calls.flow_id). */
  flowId: number;
  /** The flow's name in the store = the flow file's `id`. */
  name: string;
  version: number;
  flow: Flow;
}

export interface SaveResult {
  name: string;
  version: number;
  /** A new version was stored; false when the definition equals the latest version. */
  created: boolean;
  /** The flow itself did not exist before. */
  newFlow: boolean;
}

export interface FlowServiceOptions {
  store: Store;
  events: EventHub;
  log: Logger;
  /** The contacts' default time zone for test chats (the settings'). */
  defaultTimeZone: () => Promise<string>;
  /** Test chats idle for this long are dropped; default 10 minutes. */
  chatIdleMs?: number;
  /** Clock for training timestamps (tests pin it). */
  now?: () => number;
  /** Least time between two progress events of one training run; default 100 ms. Stage and node changes are always sent. */
  progressIntervalMs?: number;
}

type ContactValue = string | number | boolean;

/** The issue as the API shows it. */
function issueView(issue: FlowIssue): FlowIssueView {
  return { nodeId: issue.nodeId, field: issue.field, message: issue.message };
}

/** JSON with object keys sorted, so a re-save of the same flow with keys reordered is no change. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : v,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why a definition was refused, naming each issue's node and field. */
export function invalidFlowError(
  definition: unknown,
  issues: readonly FlowIssue[],
  warnings: readonly FlowIssue[] = [],
): ApiError {
  const id =
    isPlainObject(definition) && typeof definition['id'] === 'string'
      ? ` "${definition['id']}"`
      : '';
  const count = `${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}`;
  return new ApiError(
    'INVALID_FLOW',
    `Flow${id} not saved (${count}): ${issues.map((i) => i.text).join('; ')}`,
    undefined,
    {
      issues: issues.map(issueView),
      warnings: warnings.map(issueView),
    },
  );
}

/** The contact fields a flow reads ({name} in prompts, contact conditions and sets), with its defaults. */
export function contactFields(flow: Flow): Array<{ name: string; default: ContactValue | null }> {
  const read = new Set<string>();
  const assigned = new Set<string>();
  const prompt = (text: Parameters<typeof promptIn>[0] | undefined): void => {
    if (text === undefined) return;
    const texts =
      typeof text === 'string'
        ? [text]
        : Object.values(text).filter((t): t is string => typeof t === 'string');
    for (const t of texts) for (const name of templateVariables(t)) read.add(name);
  };
  for (const node of Object.values(flow.nodes)) {
    switch (node.kind) {
      case 'say':
        prompt(node.text);
        break;
      case 'ask':
        prompt(node.prompt);
        prompt(node.noInput.prompt);
        prompt(node.noMatch.prompt);
        break;
      case 'transfer':
      case 'hangup':
        prompt(node.say);
        break;
      case 'branch':
        for (const { when } of node.conditions)
          if (when.source === 'contact' && when.key !== undefined) read.add(when.key);
        break;
      case 'set':
        for (const [name, value] of Object.entries(node.assign)) {
          assigned.add(name);
          if ('contact' in value) read.add(value.contact);
        }
        break;
      case 'collect':
        prompt(node.prompt);
        prompt(node.retryPrompt);
        assigned.add(node.variable);
        break;
      case 'callback':
        // Sets them for the prompts after it (callback.ts).
        assigned.add('callback_time');
        assigned.add('callback_at');
        break;
    }
  }
  const names = [
    ...new Set([
      ...Object.keys(flow.variables),
      ...[...read].filter((name) => !assigned.has(name)),
    ]),
  ];
  return names.map((name) => {
    const value: Literal | undefined = flow.variables[name];
    return { name, default: value === undefined ? null : value };
  });
}

export class FlowService {
  private readonly store: Store;
  private readonly events: EventHub;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly progressIntervalMs: number;
  private readonly defaultTimeZone: () => Promise<string>;
  private readonly chats: FlowChats;
  private trainer: FlowTrainer | null = null;
  /** The latest training state per `name@version`. */
  private readonly training = new Map<string, FlowTraining>();
  /** The training queue: one run at a time, in the order the versions were saved. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(options: FlowServiceOptions) {
    ({
      store: this.store,
      events: this.events,
      log: this.log,
      defaultTimeZone: this.defaultTimeZone,
    } = options);
    this.now = options.now ?? Date.now;
    this.progressIntervalMs = options.progressIntervalMs ?? 100;
    this.chats = new FlowChats({
      ...(options.chatIdleMs !== undefined ? { idleMs: options.chatIdleMs } : {}),
    });
  }

  // --- for the rest of the engine ---------------------------------------------------------------

  /**
   * The trainer that builds a saved version's phrase models (the bot side sets it). With
   * `trainLatest`, the latest version of every flow not trained yet in this run is queued too.
   */
  setTrainer(trainer: FlowTrainer | null, options: { trainLatest?: boolean } = {}): void {
    this.trainer = trainer;
    if (!trainer || !options.trainLatest) return;
    void this.store.flows.list().then(
      (flows) => {
        for (const f of flows)
          if (f.latestVersion !== null && !this.training.has(key(f.name, f.latestVersion)))
            void this.loadAndTrain(f.name, f.latestVersion);
      },
      (error: unknown) => this.log.error('Listing flows to train failed', { error: String(error) }),
    );
  }

  /**
   * A stored flow version, validated, for running a call (the latest when `version` is left out).
   * Throws ApiError NOT_FOUND naming the flow or version, INVALID_FLOW if a stored version no longer validates.
   */
  async load(name: string, version?: number): Promise<LoadedFlow> {
    const { record, version: v, definition } = await this.stored(this.store, name, version);
    const check = checkFlow(definition);
    if (!check.flow) throw invalidFlowError(definition, check.errors, check.warnings);
    return { flowId: record.id, name: record.name, version: v, flow: check.flow };
  }

  /** Installs the shipped sample flows that are not in the store yet (an edited sample is left alone). */
  async installSamples(actor: Actor): Promise<string[]> {
    const installed: string[] = [];
    for (const [name, definition] of Object.entries(SAMPLE_FLOWS)) {
      if (await this.store.flows.getByName(name)) continue;
      const result = await this.save(definition, actor, { audit: 'flows.install_sample' });
      installed.push(result.name);
    }
    return installed;
  }

  /** The latest training state of a flow version, if it was queued in this run. */
  trainingState(name: string, version: number): FlowTraining | null {
    return this.training.get(key(name, version)) ?? null;
  }

  /** Resolves when every queued training run has finished (tests, shutdown). */
  whenTrainingIdle(): Promise<void> {
    return this.queue;
  }

  close(): void {
    this.closed = true;
    this.chats.close();
  }

  // --- the API ------------------------------------------------------------------------------------

  validate(definition: unknown): {
    ok: boolean;
    issues: FlowIssueView[];
    warnings: FlowIssueView[];
  } {
    const check = checkFlow(definition);
    return {
      ok: check.flow !== null,
      issues: check.errors.map(issueView),
      warnings: check.warnings.map(issueView),
    };
  }

  /**
   * Validates and stores a flow definition as a new version of the flow named by its `id` (the
   * flow is created if new). An unchanged definition returns the latest version. Training starts
   * in the background; the save never waits for it.
   */
  async save(
    definition: unknown,
    actor: Actor,
    options: { audit?: AuditAction } = {},
  ): Promise<SaveResult> {
    const check = checkFlow(definition);
    if (!check.flow || !isPlainObject(definition))
      throw invalidFlowError(definition, check.errors, check.warnings);
    const flow = check.flow;
    // What the author wrote (not the normalized flow): the editor shows it back as written.
    const stored = JSON.parse(JSON.stringify(definition)) as JsonObject;
    const result = await this.store.transaction(async (tx): Promise<SaveResult> => {
      let record = await tx.flows.getByName(flow.id);
      const newFlow = record === null;
      if (!record) record = await tx.flows.create({ name: flow.id, language: flow.language });
      if (record.latestVersion !== null) {
        const latest = await tx.flows.getVersion(record.id, record.latestVersion);
        if (latest && canonicalJson(latest.definition) === canonicalJson(stored)) {
          return { name: record.name, version: latest.version, created: false, newFlow: false };
        }
      }
      const version = await tx.flows.addVersion(record.id, stored);
      if (record.language !== flow.language) await tx.flows.setLanguage(record.id, flow.language);
      await writeAudit(tx, actor, {
        action: options.audit ?? 'flows.save',
        subject: record.name,
        details: {
          version: version.version,
          language: flow.language,
          nodes: Object.keys(flow.nodes).length,
          ...(newFlow ? { created: true } : {}),
        },
      });
      return { name: record.name, version: version.version, created: true, newFlow };
    });
    if (result.created)
      this.events.emit('flows.changed', { name: result.name, version: result.version });
    if (result.created || !this.training.has(key(result.name, result.version)))
      this.enqueueTraining(result.name, result.version, flow);
    return result;
  }

  async list(): Promise<FlowSummary[]> {
    const flows = await this.store.flows.list();
    return Promise.all(
      flows.map(async (f) => ({
        id: f.id,
        name: f.name,
        language: f.language,
        latestVersion: f.latestVersion,
        updatedAt: f.updatedAt,
        // One cheap indexed count per flow; flows are few.
        versions: f.latestVersion === null ? 0 : (await this.store.flows.listVersions(f.id)).length,
        training: f.latestVersion === null ? null : this.trainingState(f.name, f.latestVersion),
      })),
    );
  }

  async get(name: string, version?: number): Promise<FlowDetail> {
    const { record, version: v, definition } = await this.stored(this.store, name, version);
    const versions = await this.store.flows.listVersions(record.id);
    const check = checkFlow(definition);
    return {
      name: record.name,
      title: typeof definition['name'] === 'string' ? definition['name'] : record.name,
      language: record.language,
      version: v,
      latestVersion: record.latestVersion ?? v,
      definition,
      versions: versions.map((x) => ({
        ...x,
        training: this.trainingState(record.name, x.version),
      })),
      training: this.trainingState(record.name, v),
      contactFields: check.flow ? contactFields(check.flow) : [],
    };
  }

  async startChat(input: {
    name: string;
    version?: number;
    contact?: Record<string, ContactValue>;
    timeZone?: string;
  }): Promise<{
    chatId: string;
    name: string;
    version: number;
    turns: ChatTurn[];
    ended: ChatEnded;
  }> {
    const timeZone = input.timeZone ?? (await this.defaultTimeZone());
    try {
      new Intl.DateTimeFormat('en', { timeZone });
    } catch {
      throw new ApiError(
        'INVALID_PARAMS',
        `timeZone: must be an IANA time zone such as Asia/Shanghai (got ${timeZone})`,
        'timeZone',
      );
    }
    const loaded = await this.load(input.name, input.version);
    const step = await this.chats.start(loaded.flow, loaded.version, loaded.name, {
      fields: input.contact ?? {},
      timeZone,
    });
    return { ...step, name: loaded.name, version: loaded.version };
  }

  sendChat(chatId: string, answer: ListenResult): Promise<{ turns: ChatTurn[]; ended: ChatEnded }> {
    return this.chats.send(chatId, answer);
  }

  stopChat(chatId: string): void {
    this.chats.stop(chatId);
  }

  // --- inside ------------------------------------------------------------------------------------

  private async stored(
    repos: Repositories,
    name: string,
    version: number | undefined,
  ): Promise<{ record: FlowRecord; version: number; definition: JsonObject }> {
    const record = await repos.flows.getByName(name);
    if (!record) throw new ApiError('NOT_FOUND', `No flow named "${name}"`);
    if (record.latestVersion === null)
      throw new ApiError('NOT_FOUND', `Flow "${name}" has no saved version`);
    const v = version ?? record.latestVersion;
    const row = await repos.flows.getVersion(record.id, v);
    if (!row)
      throw new ApiError(
        'NOT_FOUND',
        `Flow "${name}" has no version ${v} (the latest is ${record.latestVersion})`,
      );
    return { record, version: v, definition: row.definition };
  }

  private async loadAndTrain(name: string, version: number): Promise<void> {
    try {
      const loaded = await this.load(name, version);
      this.enqueueTraining(name, version, loaded.flow);
    } catch (error) {
      this.log.error('A stored flow version could not be loaded for training', {
        flow: name,
        version,
        error: String(error),
      });
    }
  }

  private setTraining(state: FlowTraining): void {
    this.training.set(key(state.flow, state.version), state);
    this.events.emit('flow.training', state);
  }

  private enqueueTraining(name: string, version: number, flow: Flow): void {
    const trainer = this.trainer;
    if (!trainer || this.closed) return;
    this.setTraining({ flow: name, version, state: 'queued', at: this.now() });
    this.queue = this.queue.then(() => this.train(trainer, name, version, flow));
  }

  private async train(
    trainer: FlowTrainer,
    name: string,
    version: number,
    flow: Flow,
  ): Promise<void> {
    if (this.closed) return;
    const startedAt = this.now();
    this.setTraining({ flow: name, version, state: 'training', at: startedAt });
    let lastSent = 0;
    let last: FlowTrainingProgress | null = null;
    const onProgress = (progress: FlowTrainingProgress): void => {
      const now = this.now();
      const state: FlowTraining = {
        flow: name,
        version,
        state: 'training',
        progress: { ...progress },
        at: startedAt,
      };
      // Progress can come thousands of times a run: every stage or node change is sent, the rest at most every progressIntervalMs.
      const milestone =
        !last ||
        last.stage !== progress.stage ||
        last.nodeId !== progress.nodeId ||
        progress.done === progress.total;
      last = progress;
      if (milestone || now - lastSent >= this.progressIntervalMs) {
        lastSent = now;
        this.setTraining(state);
      } else {
        this.training.set(key(name, version), state);
      }
    };
    try {
      const result = await trainer.train(flow, onProgress);
      const nodes = result.nodes.length;
      this.setTraining({
        flow: name,
        version,
        state: 'ready',
        progress: { nodeId: null, nodesDone: nodes, nodes, stage: 'done', done: 1, total: 1 },
        at: this.now(),
      });
      this.log.info('Flow trained', {
        flow: name,
        version,
        nodes,
        cached: result.cached,
        elapsedMs: result.elapsedMs,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.closed) {
        // Cut short by the engine stopping (a one-shot CLI command, a restart): not a failure.
        // The version trains again when a long-running engine next opens the workspace.
        this.training.delete(key(name, version));
        this.log.info('Flow training stopped with the engine', { flow: name, version });
        return;
      }
      this.setTraining({ flow: name, version, state: 'failed', error: message, at: this.now() });
      this.log.error('Flow training failed', { flow: name, version, error: message });
    }
  }
}

function key(name: string, version: number): string {
  return `${name}@${version}`;
}
