/**
 * BotService: what the engine holds for running the bot on calls — the phrase models (trained when
 * a flow is saved), the prompt renderer, and compiled flow versions shared by every call of the
 * same version. `prepare()` resolves a flow (a stored version, pinned, or a flow file) and its
 * models before the call is dialed, so the call never waits for training, and warms a speech
 * worker; `attach()` then runs it on a call (from before the answer: the bot renders the call's
 * opening prompts while the phone rings).
 */
import { join } from 'node:path';

import type { CallUtterance } from '../api/calls.js';
import {
  CompiledFlow,
  CompiledFlowCache,
  type DialogContact,
  type Flow,
  type FlowLanguage,
  type Literal,
} from '../dialog/index.js';
import type { Logger } from '../log.js';
import { extractEntities } from '../nlu/index.js';
import type { RecordingKeys } from '../recording/index.js';
import type { EndpointerOptions, LibraryRecognition, SpeechWorkerPool } from '../speech/index.js';
import type { Store } from '../store/types.js';
import type { CallSession } from '../telephony/index.js';
import { CallBot, type CallBotDeps } from './call-bot.js';
import {
  type AskModel,
  type HesitationSpotter,
  PhraseModels,
  staticPrompts,
} from './phrase-models.js';
import { type BotVoice, defaultVoice, PromptRenderer } from './prompts.js';

export interface StoredFlow {
  flowId: number;
  name: string;
  version: number;
  flow: Flow;
}

export interface BotServiceOptions {
  pool: () => SpeechWorkerPool;
  store: Store;
  log: Logger;
  /** Trained models, synthesized clips and rendered prompts live here (content-addressed). */
  cacheDir: string;
  /** Size limit of the rendered static prompts on disk (default 512 MiB, least recently used go). */
  promptCacheMaxBytes?: number;
  /** Real recordings of answers that flows list (`intents[].recordings`). */
  recordingsDir: string;
  /** Decrypts History's label clips among them (recording/clips.ts); asked for only when one is read. */
  recordingKeys?: () => RecordingKeys | null;
  /** The common-answer library's speech models (native-models/library; default: found beside the app). */
  libraryDir?: string;
  onUtterance(utterance: CallUtterance): void;
  /** Reads a stored flow version (latest when no version). */
  loadFlow(name: string, version?: number): Promise<StoredFlow>;
  transfer?: CallBotDeps['transfer'];
}

export type BotFlowSpec = { name: string; version?: number } | { flow: Flow };

export interface BotContactSpec {
  fields?: Record<string, Literal | undefined>;
  /** IANA zone; default Asia/Shanghai for Mandarin flows, this machine's zone otherwise. */
  timeZone?: string;
}

/** A flow version made ready for calls: compiled, with its phrase models loaded. */
export interface PreparedFlow {
  compiled: CompiledFlow;
  flowRef: { flowId: number; version: number } | null;
  name: string;
  models: Map<string, AskModel>;
  /** The backchannel spotter for prompts without a question model (CallBotOptions.backchannels). */
  backchannels?: LibraryRecognition;
  /** The hesitation spotter for the end of turn (CallBotOptions.hesitations). */
  hesitations?: HesitationSpotter;
}

export class BotService {
  readonly phraseModels: PhraseModels;
  readonly prompts: PromptRenderer;
  private readonly compiled = new CompiledFlowCache();

  constructor(private readonly options: BotServiceOptions) {
    this.prompts = new PromptRenderer(options.pool, join(options.cacheDir, 'prompts'), {
      log: options.log,
      ...(options.promptCacheMaxBytes !== undefined
        ? { diskMaxBytes: options.promptCacheMaxBytes }
        : {}),
    });
    this.phraseModels = new PhraseModels({
      pool: options.pool,
      cacheDir: join(options.cacheDir, 'phrase-models'),
      recordingsDir: options.recordingsDir,
      ...(options.recordingKeys ? { recordingKeys: options.recordingKeys } : {}),
      ...(options.libraryDir !== undefined ? { libraryDir: options.libraryDir } : {}),
      voiceFor: defaultVoice,
      prerender: (text, voice) => this.prompts.prerender(text, voice),
    });
  }

  /**
   * The flow's static prompts into the prompt renderer's memory, from the disk cache, in the
   * background (PromptRenderer.warm): the calls that follow say them without a disk read.
   */
  private warmPrompts(flow: Flow): void {
    void this.prompts.warm(staticPrompts(flow), defaultVoice(flow.language)).catch(() => undefined);
  }

  /** Resolves the flow and loads (or trains) its phrase models. */
  async prepare(spec: BotFlowSpec): Promise<PreparedFlow> {
    warmUpTextNlu();
    // A call follows: a speech worker with its TTS engine loaded by then lets the call's greeting
    // (synthesized per call when it names the contact) be ready at the answer. Warming a warm
    // worker costs nothing; a failure shows on the call itself.
    void Promise.resolve()
      .then(() => this.options.pool().warm())
      .catch(() => undefined);
    if ('flow' in spec) {
      this.warmPrompts(spec.flow);
      const compiled = new CompiledFlow(spec.flow);
      const backchannels = await this.phraseModels.backchannelSpotter(spec.flow.language);
      const models = await this.phraseModels.forFlow(spec.flow);
      const hesitations = await this.hesitationSpotter(spec.flow.language, models);
      return {
        compiled,
        flowRef: null,
        name: spec.flow.id,
        models,
        ...(backchannels ? { backchannels } : {}),
        ...(hesitations ? { hesitations } : {}),
      };
    }
    const stored = await this.options.loadFlow(spec.name, spec.version);
    this.warmPrompts(stored.flow);
    const compiled = this.compiled.get(stored.flow, stored.version);
    const backchannels = await this.phraseModels.backchannelSpotter(stored.flow.language);
    const models = await this.phraseModels.forFlow(stored.flow);
    const hesitations = await this.hesitationSpotter(stored.flow.language, models);
    return {
      compiled,
      flowRef: { flowId: stored.flowId, version: stored.version },
      name: stored.name,
      models,
      ...(backchannels ? { backchannels } : {}),
      ...(hesitations ? { hesitations } : {}),
    };
  }

  /**
   * The language's hesitation spotter when the flow asks anything (trained the first time, then
   * cached). A failure is logged and the calls end their turns without it, as before it existed.
   */
  private async hesitationSpotter(
    language: FlowLanguage,
    models: ReadonlyMap<string, AskModel>,
  ): Promise<HesitationSpotter | undefined> {
    if (models.size === 0) return undefined;
    try {
      return await this.phraseModels.hesitationSpotter(language);
    } catch (error) {
      this.options.log.error('Training the hesitation spotter failed', {
        language,
        error: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    }
  }

  /** Runs a prepared flow on a call (from its answer); the returned bot's `run()` settles when the dialog is over. */
  attach(
    session: CallSession,
    prepared: PreparedFlow,
    contact: BotContactSpec = {},
    tuning: { voice?: BotVoice; endpointer?: Partial<EndpointerOptions> } = {},
  ): CallBot {
    const language = prepared.compiled.flow.language;
    const dialogContact: DialogContact = {
      fields: contact.fields ?? {},
      timeZone:
        contact.timeZone ??
        (language === 'zh-CN' ? 'Asia/Shanghai' : Intl.DateTimeFormat().resolvedOptions().timeZone),
    };
    const { pool, store, log, onUtterance, transfer } = this.options;
    return new CallBot(
      session,
      {
        pool: pool(),
        prompts: this.prompts,
        store,
        log,
        onUtterance,
        ...(transfer ? { transfer } : {}),
      },
      {
        flow: prepared.compiled,
        flowRef: prepared.flowRef,
        models: prepared.models,
        ...(prepared.backchannels ? { backchannels: prepared.backchannels } : {}),
        ...(prepared.hesitations ? { hesitations: prepared.hesitations } : {}),
        contact: dialogContact,
        ...tuning,
      },
    );
  }
}

let nluWarm = false;
/**
 * The first date parse in a process builds chrono-node's patterns and the zone formatters
 * (~170 ms on this machine); do it before the first call rather than inside a customer's turn.
 */
function warmUpTextNlu(): void {
  if (nluWarm) return;
  nluWarm = true;
  const ctx = { reference: new Date(), timeZone: 'Asia/Shanghai' };
  for (const text of ['call me back tomorrow at 3 pm, yes', '明天下午三点还1280元，是的'])
    extractEntities(text, ctx);
}
