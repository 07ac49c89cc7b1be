/**
 * The phrase recognizer's models for a flow: one per `ask` node whose intents have example
 * phrases in the flow's language, trained on the speech workers' training thread (synthetic
 * voices, augmented, seeded: see speech/recognizers/phrase/train.ts) and cached on disk by their
 * content, so a flow version is trained once — when it is saved — and every call of it loads the
 * same models. Static prompts are pre-rendered into the prompt cache at the same time, so the
 * bot's scripted lines start at once.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

import { floatToInt16, parseWav, resample, toMono } from '../audio/index.js';
import {
  confirmationQuestion,
  disclosureText,
  type Flow,
  type FlowLanguage,
  type NodeOf,
  promptIn,
  promptParts,
  templateVariables,
} from '../dialog/index.js';
import { findModelsDir } from '../models/index.js';
import { type CommonAnswer, isCommonAnswer } from '../nlu/library/index.js';
import { readAudioFile, type RecordingKeys } from '../recording/index.js';
import type {
  PhraseModel,
  PhraseSpec,
  QuestionSpec,
  RecordedAnswer,
  TrainProgress,
} from '../speech/index.js';
import type { SpeechWorkerPool } from '../speech/index.js';
import {
  type LibraryModelFile,
  type LibraryRecognition,
  readLibraryModel,
} from '../speech/index.js';
import type { FlowTrainer, FlowTrainingProgress, FlowTrainingResult } from './flow-training.js';
import { hesitationQuestion } from './hesitations.js';
import type { BotVoice } from './prompts.js';

export interface AskModel {
  /** Content key of the question (phrases + language): what the workers cache the model under. */
  key: string;
  /** The question's own model (its intents' own examples); null when every intent only uses the library. */
  model: PhraseModel | null;
  /** The common-answer library's model, for the intents that `use` one of its answers. */
  library?: LibraryRecognition;
}

/** The hesitation spotter's model and its key on the speech workers. */
export interface HesitationSpotter {
  key: string;
  model: PhraseModel;
}

/** The common answers an ask node's intents use, mapped to the intent that uses each (the first one). */
export function askUses(node: NodeOf<'ask'>): Partial<Record<CommonAnswer, string>> {
  const uses: Partial<Record<CommonAnswer, string>> = {};
  for (const intent of node.intents) {
    // Read defensively: `use` is checked against the library's names by the flow schema.
    const use = (intent as { use?: unknown }).use;
    if (typeof use === 'string' && isCommonAnswer(use)) uses[use] ??= intent.name;
  }
  return uses;
}

/**
 * The recordings an ask node lists (paths under the phrase-recordings folder): its intents', and
 * its `noneRecordings` (intent null: they train the "none of these" class).
 */
export function askRecordings(node: NodeOf<'ask'>): Array<{ intent: string | null; path: string }> {
  return [
    ...node.intents.flatMap((intent) =>
      (intent.recordings ?? []).map((path) => ({ intent: intent.name, path })),
    ),
    ...(node.noneRecordings ?? []).map((path) => ({ intent: null, path })),
  ];
}

/**
 * Reads an ask node's recordings as 16 kHz mono; an error names the node, intent and file. Label
 * clips are encrypted (recording/clips.ts): they are decrypted here, in the engine, and the
 * training worker gets their PCM only (keys never reach a worker). An answer's id hashes the WAV
 * it stands for, so a clip keeps its id (and the cached model) when it is encrypted.
 */
export async function loadRecordings(
  node: NodeOf<'ask'>,
  dir: string,
  keys: () => RecordingKeys | null = () => null,
): Promise<RecordedAnswer[]> {
  const out: RecordedAnswer[] = [];
  for (const { intent: name, path } of askRecordings(node)) {
    const intent = name ?? 'none';
    const file = join(dir, ...path.split('/'));
    let bytes: Buffer;
    try {
      bytes = await readAudioFile(file, keys);
    } catch (error) {
      throw new Error(
        `node "${node.id}", intent "${intent}": recording "${path}" ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? `is not in ${dir}` : `cannot be read (${(error as Error).message})`}`,
        { cause: error },
      );
    }
    let samples: Int16Array;
    try {
      const wav = parseWav(bytes);
      const mono = toMono(wav.samples);
      samples = floatToInt16(
        wav.sampleRate === 16_000 ? mono : resample(mono, wav.sampleRate, 16_000),
      );
    } catch (error) {
      throw new Error(
        `node "${node.id}", intent "${intent}": recording "${path}" is not a usable WAV file (${(error as Error).message})`,
        { cause: error },
      );
    }
    if (samples.length < 16_000 * 0.2 || samples.length > 16_000 * 15) {
      throw new Error(
        `node "${node.id}", intent "${intent}": recording "${path}" lasts ${(samples.length / 16).toFixed(0)} ms; an answer is 0.2–15 s`,
      );
    }
    out.push({
      intent: name,
      samples,
      id: `${path}#${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`,
    });
  }
  return out;
}

/**
 * The phrases an ask node expects, in the flow's language (plain example lists are split by
 * script): its intents' own examples only. An intent's `use` of a common answer trains nothing
 * here: the library's model, built with the app, recognizes those (see `PhraseModels.forFlow`).
 */
export function askQuestion(node: NodeOf<'ask'>, language: FlowLanguage): QuestionSpec | null {
  const phrases: PhraseSpec[] = [];
  const seen = new Set<string>();
  for (const intent of node.intents) {
    const ex = intent.examples;
    const list =
      ex === undefined
        ? []
        : Array.isArray(ex)
          ? ex.filter((text) => scriptOf(text) === language)
          : (ex[language] ?? []);
    for (const text of list) {
      const key = text.trim().toLowerCase();
      if (key === '' || seen.has(key)) continue;
      seen.add(key);
      phrases.push({ text: text.trim(), intent: intent.name });
    }
  }
  return phrases.length > 0 || askRecordings(node).length > 0 ? { language, phrases } : null;
}

function scriptOf(text: string): FlowLanguage {
  return /\p{Script=Han}/u.test(text) ? 'zh-CN' : 'en';
}

export function questionKey(question: QuestionSpec): string {
  const recordings = (question.recordings ?? []).map((r) => [r.intent, r.id]);
  return createHash('sha256')
    .update(
      JSON.stringify([
        question.language,
        question.phrases.map((p) => [p.text, p.intent]),
        recordings,
      ]),
    )
    .digest('hex')
    .slice(0, 20);
}

/**
 * Every text of a flow that has no `{variable}`, and the sentences without one of the prompts
 * that have (the bot says those as their own parts, see promptParts): rendered once per flow
 * version.
 */
export function staticPrompts(flow: Flow): string[] {
  const texts = new Set<string>();
  const add = (prompt: Parameters<typeof promptIn>[0] | undefined): void => {
    if (prompt === undefined) return;
    const text = promptIn(prompt, flow.language).trim();
    if (text === '') return;
    if (templateVariables(text).length === 0) texts.add(text);
    else
      for (const part of promptParts(text, () => undefined))
        if (!part.personal) texts.add(part.text);
  };
  // The disclosure first: every call of the flow opens with it.
  add(disclosureText(flow) ?? undefined);
  for (const node of Object.values(flow.nodes)) {
    switch (node.kind) {
      case 'say':
        add(node.text);
        break;
      case 'ask':
        add(node.prompt);
        add(node.noInput.prompt);
        add(node.noMatch.prompt);
        // "Just to check: …, is that right?" for a spoken answer depends on the intent alone: said
        // from the cache, not synthesized while the customer waits (issue 17: up to 250 ms on a
        // loaded machine the first time each was asked).
        if (node.confirm !== 'never')
          for (const intent of node.intents) add(confirmationQuestion(intent, flow.language));
        break;
      case 'transfer':
      case 'hangup':
        add(node.say);
        break;
      default:
        break;
    }
  }
  return [...texts];
}

export interface PhraseModelsOptions {
  /** The speech workers (started on first use). */
  pool: () => SpeechWorkerPool;
  /** Where trained models and their synthesized clips are kept (shared by every flow: keys are content hashes). */
  cacheDir: string;
  /** Where the recordings that flows list for their answers live (`intents[].recordings` are relative to it). */
  recordingsDir?: string;
  /** Decrypts the label clips among them (asked for only when an encrypted one is read). */
  recordingKeys?: () => RecordingKeys | null;
  /** The common-answer library's models (native-models/library; default: found beside the app). */
  libraryDir?: string;
  /** Renders a static prompt into the prompt cache (the bot's prompt renderer). */
  prerender?: (text: string, voice: BotVoice) => Promise<void>;
  voiceFor: (language: FlowLanguage) => BotVoice;
}

/** Trains and hands out the phrase models of flows; one training at a time. */
export class PhraseModels implements FlowTrainer {
  private readonly models = new Map<string, Promise<PhraseModel>>();
  private readonly library = new Map<FlowLanguage, Promise<LibraryModelFile>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PhraseModelsOptions) {}

  /** The ask nodes of a flow that a phrase model serves, with their recordings read. */
  async questions(flow: Flow): Promise<Map<string, QuestionSpec>> {
    const out = new Map<string, QuestionSpec>();
    for (const node of Object.values(flow.nodes)) {
      if (node.kind !== 'ask') continue;
      const question = askQuestion(node, flow.language);
      if (!question) continue;
      if (askRecordings(node).length > 0) {
        if (!this.options.recordingsDir)
          throw new Error(
            `node "${node.id}": lists recordings, but this engine has no phrase-recordings folder`,
          );
        question.recordings = await loadRecordings(
          node,
          this.options.recordingsDir,
          this.options.recordingKeys,
        );
      }
      out.set(node.id, question);
    }
    return out;
  }

  train(
    flow: Flow,
    onProgress?: (progress: FlowTrainingProgress) => void,
  ): Promise<FlowTrainingResult> {
    const run = this.queue.then(() => this.trainNow(flow, onProgress));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The models a call of this flow uses, by ask node id (trained now if they were not yet): each
   * node's own question model and, when its intents use common answers, the library's model.
   */
  async forFlow(flow: Flow): Promise<Map<string, AskModel>> {
    const out = new Map<string, AskModel>();
    const questions = await this.questions(flow);
    for (const node of Object.values(flow.nodes)) {
      if (node.kind !== 'ask') continue;
      const question = questions.get(node.id);
      const uses = askUses(node);
      const library =
        Object.keys(uses).length > 0 ? await this.libraryModel(flow.language) : undefined;
      if (!question && !library) continue;
      out.set(node.id, {
        key: question ? questionKey(question) : `library-only-${node.id}`,
        model: question ? await this.model(question) : null,
        ...(library
          ? {
              library: {
                key: `library-${library.language}-${library.dataHash}`,
                model: library.model,
                uses,
              },
            }
          : {}),
      });
    }
    return out;
  }

  /**
   * The backchannel spotter of a language (CallBotOptions.backchannels): the shipped library
   * model hearing its affirm only. Undefined when the library model is missing: speech during a
   * say node's prompt is then judged by its length alone.
   */
  async backchannelSpotter(language: FlowLanguage): Promise<LibraryRecognition | undefined> {
    const library = await this.libraryModel(language).catch(() => undefined);
    if (!library) return undefined;
    return {
      key: `library-${library.language}-${library.dataHash}`,
      model: library.model,
      uses: { affirm: 'affirm' },
    };
  }

  /**
   * The hesitation spotter of a language (CallBotOptions.hesitations, bot/hesitations.ts): a phrase
   * model of fillers and openers against short answers, trained like a question's model the first
   * time a flow of the language is prepared or trained, then cached with the question models.
   */
  async hesitationSpotter(language: FlowLanguage): Promise<HesitationSpotter> {
    const question = hesitationQuestion(language);
    return { key: questionKey(question), model: await this.model(question) };
  }

  /** The shipped library model of a language (read once; an error says how to rebuild it). */
  private libraryModel(language: FlowLanguage): Promise<LibraryModelFile> {
    let file = this.library.get(language);
    if (!file) {
      const modelsDir = findModelsDir();
      const dir = this.options.libraryDir ?? (modelsDir ? join(modelsDir, 'library') : null);
      file = (async () => {
        const read = dir ? await readLibraryModel(dir, language) : null;
        if (!read)
          throw new Error(
            `the common-answer library's ${language} speech model is missing (${dir ?? 'no native-models folder'}): reinstall the app, or run \`npm run build:library\``,
          );
        return read;
      })();
      file.catch(() => this.library.delete(language));
      this.library.set(language, file);
    }
    return file;
  }

  private model(
    question: QuestionSpec,
    onProgress?: (progress: TrainProgress) => void,
  ): Promise<PhraseModel> {
    const key = questionKey(question);
    let model = this.models.get(key);
    if (!model) {
      model = this.options.pool().train(question, this.options.cacheDir, onProgress);
      model.catch(() => this.models.delete(key));
      this.models.set(key, model);
    }
    return model;
  }

  private async trainNow(
    flow: Flow,
    onProgress?: (progress: FlowTrainingProgress) => void,
  ): Promise<FlowTrainingResult> {
    const started = performance.now();
    const questions = [...(await this.questions(flow))];
    const report = (progress: FlowTrainingProgress): void => {
      try {
        onProgress?.(progress);
      } catch {
        // progress is informational
      }
    };
    let cached = 0;
    report({
      nodeId: null,
      nodesDone: 0,
      nodes: questions.length,
      stage: 'queued',
      done: 0,
      total: 1,
    });
    for (const [i, [nodeId, question]] of questions.entries()) {
      // Another ask node of this run (or an earlier run) with the same phrases already has it.
      let fromCache = this.models.has(questionKey(question));
      try {
        await this.model(question, (p) => {
          if (p.stage === 'cached') fromCache = true;
          report({
            nodeId,
            nodesDone: i,
            nodes: questions.length,
            stage: p.stage,
            done: p.done,
            total: p.total,
          });
        });
      } catch (error) {
        throw new Error(
          `node "${nodeId}": training its phrase recognizer failed: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      if (fromCache) cached++;
    }
    // The language's hesitation spotter, trained once for every flow (its calls' end of turn
    // hears it; a failure only leaves the calls without it, see BotService.prepare).
    if (questions.length > 0) await this.hesitationSpotter(flow.language).catch(() => undefined);
    if (this.options.prerender) {
      const voice = this.options.voiceFor(flow.language);
      for (const text of staticPrompts(flow)) await this.options.prerender(text, voice);
    }
    report({
      nodeId: null,
      nodesDone: questions.length,
      nodes: questions.length,
      stage: 'done',
      done: 1,
      total: 1,
    });
    return {
      nodes: questions.map(([id]) => id),
      elapsedMs: Math.round(performance.now() - started),
      cached,
    };
  }
}
