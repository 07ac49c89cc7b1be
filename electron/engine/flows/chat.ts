/**
 * Test chats over the API: the real DialogRuntime on a TextChannel, stepped by the console. A chat
 * runs until the bot waits for the customer (or the dialog ends) and hands back the turns since
 * the last step: the bot's prompts, the customer's answers with the intent and confidence they
 * matched, and system turns saying why the bot went where it did (no input, no match, variables,
 * transfer, callback, end).
 *
 * Chats are keyed by random ids, not by connection (a console reload keeps its chat), and dropped
 * after `idleMs` without a step so an abandoned chat does not hold a runtime forever.
 */
import { randomUUID } from 'node:crypto';

import { ApiError } from '../api/errors.js';
import type { ChatEnded, ChatTurn } from '../api/flows.js';
import {
  type DialogContact,
  type DialogEvent,
  type DialogOutcome,
  DialogRuntime,
  type Flow,
  type ListenResult,
} from '../dialog/index.js';
import { maskText } from '../privacy/index.js';
import { TextChannel } from './text-channel.js';

export interface ChatStep {
  turns: ChatTurn[];
  ended: ChatEnded;
}

/** One chat: a dialog run and the turns it produced. */
export class FlowChat {
  private readonly runtime: DialogRuntime;
  private readonly turns: ChatTurn[] = [];
  private returned = 0;
  private pending: ((answer: ListenResult) => void) | null = null;
  private outcome: DialogOutcome | null = null;
  private readonly waiters: Array<() => void> = [];
  private started = false;

  constructor(
    private readonly flow: Flow,
    contact: DialogContact,
    now?: () => Date,
  ) {
    const channel = new TextChannel(
      () =>
        new Promise<ListenResult>((resolve) => {
          this.pending = resolve;
          this.wake();
        }),
    );
    this.runtime = new DialogRuntime({ flow, channel, contact, ...(now ? { now } : {}) });
    this.runtime.on((event) => this.onEvent(event));
  }

  /** Runs to the first question (or the end). */
  async start(): Promise<ChatStep> {
    if (!this.started) {
      this.started = true;
      void this.runtime.run().then((outcome) => {
        this.outcome = outcome;
        this.wake();
      });
    }
    await this.idle();
    return this.step();
  }

  /** Gives the bot the customer's answer and runs to its next question (or the end). */
  async send(answer: ListenResult): Promise<ChatStep> {
    if (this.outcome)
      throw new ApiError(
        'CONFLICT',
        `The chat has ended (${this.outcome.reason}, disposition ${this.outcome.disposition}); start a new one`,
      );
    const resolve = this.pending;
    if (!resolve)
      throw new ApiError(
        'CONFLICT',
        'The bot is not waiting for an answer yet; wait for the previous reply',
      );
    this.pending = null;
    const nodeId = this.runtime.nodeId;
    const node = nodeId === null ? undefined : this.flow.nodes[nodeId];
    // A sensitive node's input (a card number) is shown masked, in a test chat as on a call.
    const sensitive = node !== undefined && 'sensitive' in node && node.sensitive === true;
    this.turns.push(customerTurn(answer, nodeId, sensitive));
    resolve(answer);
    await this.idle();
    return this.step();
  }

  stop(): void {
    this.runtime.cancel();
  }

  get ended(): boolean {
    return this.outcome !== null;
  }

  private step(): ChatStep {
    const turns = this.turns.slice(this.returned);
    this.returned = this.turns.length;
    return { turns, ended: this.outcome ? endedOf(this.outcome) : null };
  }

  /** Resolves once the bot waits for an answer or the run is over. */
  private idle(): Promise<void> {
    if (this.pending || this.outcome) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private onEvent(event: DialogEvent): void {
    const turn = turnOf(event);
    if (turn) {
      this.turns.push(turn);
      return;
    }
    if (event.type === 'answer') {
      // The answer belongs to the customer's line it was read from (not to the "yes" of a
      // confirmation after it): show what it matched beside it.
      const last =
        this.turns.findLast(
          (t) => t.speaker === 'customer' && event.text !== undefined && t.text === event.text,
        ) ?? this.turns.findLast((t) => t.speaker === 'customer');
      if (last)
        Object.assign(last, {
          intent: event.intent,
          confidence: clamp01(event.confidence),
          matchedBy: event.matchedBy,
        });
    }
  }
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

function customerTurn(answer: ListenResult, nodeId: string | null, sensitive: boolean): ChatTurn {
  switch (answer.kind) {
    case 'text':
      return {
        speaker: 'customer',
        kind: 'text',
        text: sensitive ? maskText(answer.text) : answer.text,
        nodeId,
      };
    case 'dtmf':
      return {
        speaker: 'customer',
        kind: 'dtmf',
        text: `#${sensitive ? '*'.repeat(answer.digits.length) : answer.digits}`,
        nodeId,
      };
    default:
      return { speaker: 'customer', kind: 'silence', text: '', nodeId };
  }
}

function turnOf(event: DialogEvent): ChatTurn | null {
  switch (event.type) {
    case 'prompt':
      return { speaker: 'bot', kind: 'prompt', text: event.text, nodeId: event.nodeId };
    case 'no_input':
      return {
        speaker: 'system',
        kind: 'no_input',
        text: `no input (attempt ${event.attempt}${event.exhausted ? ', giving up' : ''})`,
        nodeId: event.nodeId,
        attempt: event.attempt,
        exhausted: event.exhausted,
      };
    case 'no_match':
      return {
        speaker: 'system',
        kind: 'no_match',
        text: `no match (attempt ${event.attempt}${event.best ? `, best guess ${event.best.intent} ${event.best.confidence.toFixed(2)}` : ''}${event.exhausted ? ', giving up' : ''})`,
        nodeId: event.nodeId,
        attempt: event.attempt,
        exhausted: event.exhausted,
        ...(event.best
          ? { intent: event.best.intent, confidence: clamp01(event.best.confidence) }
          : {}),
      };
    case 'confirmation':
      return {
        speaker: 'system',
        kind: 'confirmation',
        text: `confirmation of ${event.intent}: ${event.result}${event.attempt !== undefined ? ` (attempt ${event.attempt}${event.exhausted ? ', giving up' : ''})` : ''}`,
        nodeId: event.nodeId,
        intent: event.intent,
        result: event.result,
        ...(event.attempt !== undefined ? { attempt: event.attempt } : {}),
        ...(event.exhausted !== undefined ? { exhausted: event.exhausted } : {}),
      };
    case 'variable_set':
      return {
        speaker: 'system',
        kind: 'variable_set',
        text: `${event.name} = ${JSON.stringify(event.value)}`,
        nodeId: event.nodeId,
        name: event.name,
        value: event.value,
      };
    case 'transfer':
      return {
        speaker: 'system',
        kind: 'transfer',
        text: `transfer to queue "${event.queue}" (${event.reason})`,
        nodeId: event.nodeId,
        queue: event.queue,
        reason: event.reason,
      };
    case 'callback':
      return {
        speaker: 'system',
        kind: 'callback',
        text: `callback scheduled for ${event.iso} (${event.spoken})`,
        nodeId: event.nodeId,
        at: event.iso,
      };
    case 'callback_unavailable':
      return {
        speaker: 'system',
        kind: 'callback_unavailable',
        text: `no callback time (${event.reason})`,
        nodeId: event.nodeId,
        reason: event.reason,
      };
    case 'ended':
      return {
        speaker: 'system',
        kind: 'ended',
        text: `ended: ${event.reason}, disposition ${event.disposition}${event.error ? ` (${event.error})` : ''}`,
        nodeId: event.nodeId,
        reason: event.reason,
        disposition: event.disposition,
      };
    default:
      return null;
  }
}

function endedOf(outcome: DialogOutcome): NonNullable<ChatEnded> {
  return {
    reason: outcome.reason,
    disposition: outcome.disposition,
    ...(outcome.transfer ? { transfer: outcome.transfer } : {}),
    ...(outcome.callbackAt ? { callbackAt: outcome.callbackAt.toISOString() } : {}),
    ...(outcome.error !== undefined ? { error: outcome.error } : {}),
  };
}

export interface FlowChatsOptions {
  /** Idle time after which a chat is dropped; default 10 minutes. */
  idleMs?: number;
  now?: () => number;
}

/** The open chats by id, with idle expiry. */
export class FlowChats {
  private readonly chats = new Map<
    string,
    { chat: FlowChat; name: string; version: number; usedAt: number }
  >();
  private readonly idleMs: number;
  private readonly now: () => number;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(options: FlowChatsOptions = {}) {
    this.idleMs = options.idleMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
  }

  async start(
    flow: Flow,
    version: number,
    name: string,
    contact: DialogContact,
  ): Promise<ChatStep & { chatId: string }> {
    this.sweep();
    const chatId = randomUUID();
    const chat = new FlowChat(flow, contact);
    this.chats.set(chatId, { chat, name, version, usedAt: this.now() });
    this.armSweeper();
    return { chatId, ...(await chat.start()) };
  }

  async send(chatId: string, answer: ListenResult): Promise<ChatStep> {
    this.sweep();
    const entry = this.chats.get(chatId);
    if (!entry)
      throw new ApiError(
        'NOT_FOUND',
        `No test chat "${chatId}": it was stopped, or dropped after ${Math.round(this.idleMs / 60_000)} minutes without a message`,
      );
    entry.usedAt = this.now();
    try {
      return await entry.chat.send(answer);
    } finally {
      entry.usedAt = this.now();
    }
  }

  stop(chatId: string): void {
    const entry = this.chats.get(chatId);
    if (!entry) return; // Stopping twice (or after expiry) is fine: the goal is reached.
    entry.chat.stop();
    this.chats.delete(chatId);
    if (this.chats.size === 0) this.disarmSweeper();
  }

  get size(): number {
    return this.chats.size;
  }

  /** Drops the chats idle for longer than idleMs. */
  sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.chats) {
      if (now - entry.usedAt > this.idleMs) {
        entry.chat.stop();
        this.chats.delete(id);
      }
    }
    if (this.chats.size === 0) this.disarmSweeper();
  }

  close(): void {
    for (const entry of this.chats.values()) entry.chat.stop();
    this.chats.clear();
    this.disarmSweeper();
  }

  private armSweeper(): void {
    if (this.sweeper) return;
    // Checked every minute; unref'd so an idle chat never keeps a process alive.
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, this.idleMs));
    this.sweeper.unref();
  }

  private disarmSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }
}
