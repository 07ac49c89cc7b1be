/**
 * The per-call state a node runs against: the compiled flow, the channel, the contact, variables,
 * the last answer; plus cancellation helpers so every await stops when the run is cancelled.
 */
import type { Entities, TimeContext } from '../nlu/index.js';
import type { CompiledFlow } from './compile.js';
import type { EntityKind, FlowNode, Literal, PromptText } from './schema.js';
import { promptIn, promptParts, renderTemplate, templateVariables } from './template.js';
import type {
  Answer,
  DialogChannel,
  DialogContact,
  DialogEvent,
  ListenOptions,
  ListenResult,
} from './types.js';

export class DialogCancelledError extends Error {
  constructor(reason = 'cancelled') {
    super(`Dialog ${reason}`);
    this.name = 'DialogCancelledError';
  }
}

/** Resolves like `promise`, or rejects with DialogCancelledError as soon as `signal` aborts. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new DialogCancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new DialogCancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type DialogEventInput = DistributiveOmit<DialogEvent, 'atMs'>;

/** What a node's execute() returns: the next node, or the end of the dialog. */
export type NodeResult =
  { next: string } | { end: { reason: 'hangup' | 'transfer'; disposition: string } };

/** One node kind: a small class run against the call context and stopped by the signal. */
export interface NodeExecutor {
  readonly node: FlowNode;
  execute(ctx: DialogContext, signal: AbortSignal): Promise<NodeResult>;
}

/** The first entity of a kind in an answer, as a plain value (datetime → epoch ms). */
export function entityValue(entities: Entities | undefined, kind: EntityKind): Literal | undefined {
  if (!entities) return undefined;
  switch (kind) {
    case 'datetime':
      return entities.dateTimes[0]?.value.getTime();
    case 'money':
      return entities.money[0]?.amount;
    case 'number':
      return entities.numbers[0]?.value;
    case 'yesno':
      return entities.yesNo?.value;
    case 'phone':
      return entities.phones[0]?.digits;
  }
}

/** A variable holding personal data a sensitive node collected: shown only as `masked`. */
interface SensitiveVariable {
  masked: string;
  /** 'masked': the outcome keeps the masked form; 'none': the value is dropped with the call. */
  store: 'none' | 'masked';
}

export class DialogContext {
  readonly variables = new Map<string, Literal>();
  /** Variables whose value is personal data (sensitive collect nodes): never shown raw. */
  private readonly sensitiveVariables = new Map<string, SensitiveVariable>();
  /** The sensitive node listening now (its span: recording silent, input masked), if any. */
  private sensitiveNode: string | null = null;
  lastAnswer: Answer | null = null;
  callbackAt: Date | undefined;
  transfer: { queue: string; reason: string } | undefined;

  constructor(
    readonly compiled: CompiledFlow,
    readonly channel: DialogChannel,
    readonly contact: DialogContact,
    private readonly emitEvent: (event: DialogEventInput) => void,
    readonly now: () => Date,
  ) {
    for (const [k, v] of Object.entries(compiled.flow.variables)) this.variables.set(k, v);
    for (const [k, v] of Object.entries(contact.fields))
      if (v !== undefined) this.variables.set(k, v);
  }

  get language(): CompiledFlow['flow']['language'] {
    return this.compiled.flow.language;
  }

  emit(event: DialogEventInput): void {
    this.emitEvent(event);
  }

  timeContext(): TimeContext {
    return { reference: this.now(), timeZone: this.contact.timeZone };
  }

  /**
   * `sensitive`: the value is personal data; events, prompts ({name}) and the outcome only ever
   * see `sensitive.masked` (and the outcome only with store 'masked').
   */
  setVariable(nodeId: string, name: string, value: Literal, sensitive?: SensitiveVariable): void {
    this.variables.set(name, value);
    if (sensitive) this.sensitiveVariables.set(name, sensitive);
    else this.sensitiveVariables.delete(name);
    this.emit({ type: 'variable_set', nodeId, name, value: sensitive ? sensitive.masked : value });
  }

  /** A variable's value as prompts may say it and transcripts show it (masked when sensitive). */
  shownVariable(name: string): Literal | undefined {
    const sensitive = this.sensitiveVariables.get(name);
    return sensitive ? sensitive.masked : this.variables.get(name);
  }

  /** The variables as the call's outcome keeps them: sensitive ones masked (store 'masked') or left out. */
  outcomeVariables(): Record<string, Literal> {
    const out: Record<string, Literal> = {};
    for (const [name, value] of this.variables) {
      const sensitive = this.sensitiveVariables.get(name);
      if (!sensitive) out[name] = value;
      else if (sensitive.store === 'masked') out[name] = sensitive.masked;
    }
    return out;
  }

  /** True while a sensitive node listens (from its prompt until its input ends). */
  get sensitive(): boolean {
    return this.sensitiveNode !== null;
  }

  /**
   * Runs `body` as a sensitive span of node `nodeId`: the channel silences the recording and masks
   * the customer's input until it ends (also when it throws or the run is cancelled).
   */
  async sensitiveSpan<T>(nodeId: string, body: () => Promise<T>): Promise<T> {
    this.sensitiveNode = nodeId;
    this.channel.sensitive?.(true, nodeId);
    try {
      return await body();
    } finally {
      this.sensitiveNode = null;
      this.channel.sensitive?.(false, nodeId);
    }
  }

  /** Renders and says a prompt; resolves to whether it played to the end (false: barge-in). */
  async say(
    nodeId: string,
    prompt: PromptText,
    bargeIn: boolean,
    signal: AbortSignal,
  ): Promise<boolean> {
    const template = promptIn(prompt, this.language);
    // A sensitive variable is said (and shown) only masked: its raw value stays in the variable.
    const { text, missing } = renderTemplate(template, (name) => this.shownVariable(name));
    const personal = templateVariables(template).length > 0;
    const parts = personal ? promptParts(template, (name) => this.shownVariable(name)) : [];
    const { completed } = await raceAbort(
      this.channel.say(text, { bargeIn, signal, personal, ...(parts.length > 1 ? { parts } : {}) }),
      signal,
    );
    this.emit({ type: 'prompt', nodeId, text, bargeIn, completed, missingVariables: missing });
    return completed;
  }

  /** Waits for the customer's answer; `expect` tells the channel what kind of answer it is. */
  listen(
    timeoutMs: number,
    signal: AbortSignal,
    expect?: ListenOptions['expect'],
  ): Promise<ListenResult> {
    return raceAbort(
      this.channel.listen({ timeoutMs, signal, ...(expect ? { expect } : {}) }),
      signal,
    );
  }
}
