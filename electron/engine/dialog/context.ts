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

export class DialogContext {
  readonly variables = new Map<string, Literal>();
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

  setVariable(nodeId: string, name: string, value: Literal): void {
    this.variables.set(name, value);
    this.emit({ type: 'variable_set', nodeId, name, value });
  }

  /** Renders and says a prompt; resolves to whether it played to the end (false: barge-in). */
  async say(
    nodeId: string,
    prompt: PromptText,
    bargeIn: boolean,
    signal: AbortSignal,
  ): Promise<boolean> {
    const template = promptIn(prompt, this.language);
    const { text, missing } = renderTemplate(template, (name) => this.variables.get(name));
    const personal = templateVariables(template).length > 0;
    const parts = personal ? promptParts(template, (name) => this.variables.get(name)) : [];
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
