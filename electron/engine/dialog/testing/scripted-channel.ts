/**
 * A DialogChannel that plays a scripted customer: each listen() takes the next scripted answer
 * (text, DTMF key, silence, or "hang" = never answers, for cancellation tests). Records everything
 * the bot said and did. Used by the tests; handy for a typed test chat too.
 */
import type { DialogChannel, ListenOptions, ListenResult, SayOptions } from '../types.js';

export type ScriptedAnswer =
  | string
  | { dtmf: string }
  | { silence: true }
  | { hang: true }
  /** Exactly what a speech channel would hand back (an intent the recognizer chose, unsure or not). */
  | { heard: ListenResult };

export type ChannelAction =
  | { type: 'say'; text: string; bargeIn: boolean }
  | {
      type: 'listen';
      timeoutMs: number;
      answer: ListenResult | 'hang';
      expect?: ListenOptions['expect'];
    }
  | { type: 'transfer'; queue: string; reason: string }
  | { type: 'callback'; at: Date }
  | { type: 'hangup'; disposition: string }
  /** A sensitive node's span started (true) or ended. */
  | { type: 'sensitive'; active: boolean; nodeId: string };

export class ScriptedChannel implements DialogChannel {
  readonly actions: ChannelAction[] = [];
  private readonly script: ScriptedAnswer[];

  constructor(script: readonly ScriptedAnswer[]) {
    this.script = [...script];
  }

  get said(): string[] {
    return this.actions.flatMap((a) => (a.type === 'say' ? [a.text] : []));
  }

  get remaining(): number {
    return this.script.length;
  }

  say(text: string, options: SayOptions): Promise<{ completed: boolean }> {
    this.actions.push({ type: 'say', text, bargeIn: options.bargeIn });
    return Promise.resolve({ completed: true });
  }

  listen(options: ListenOptions): Promise<ListenResult> {
    const next = this.script.shift() ?? { silence: true };
    const expect = options.expect ? { expect: options.expect } : {};
    if (typeof next === 'object' && 'hang' in next) {
      this.actions.push({
        type: 'listen',
        timeoutMs: options.timeoutMs,
        answer: 'hang',
        ...expect,
      });
      return new Promise(() => undefined); // never resolves: only cancel() ends it
    }
    const answer: ListenResult =
      typeof next === 'string'
        ? { kind: 'text', text: next }
        : 'heard' in next
          ? next.heard
          : 'dtmf' in next
            ? { kind: 'dtmf', digits: next.dtmf }
            : { kind: 'no_input' };
    this.actions.push({ type: 'listen', timeoutMs: options.timeoutMs, answer, ...expect });
    return Promise.resolve(answer);
  }

  sensitive(active: boolean, nodeId: string): void {
    this.actions.push({ type: 'sensitive', active, nodeId });
  }

  transfer(queue: string, reason: string): Promise<void> {
    this.actions.push({ type: 'transfer', queue, reason });
    return Promise.resolve();
  }

  scheduleCallback(at: Date): Promise<void> {
    this.actions.push({ type: 'callback', at });
    return Promise.resolve();
  }

  hangup(disposition: string): Promise<void> {
    this.actions.push({ type: 'hangup', disposition });
    return Promise.resolve();
  }
}
