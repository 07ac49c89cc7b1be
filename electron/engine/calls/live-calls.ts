/**
 * The calls running right now, as the Live page sees them. The telephony and dialer subsystems
 * feed it; it emits `call.updated` for each change. Finished calls leave it (History has them).
 *
 * What other parts of the engine learn about a call beside its state (the bot's reply latency
 * from its `bot_prompt` events, the agent who took it) is kept here per call and laid over every
 * upsert, so the publisher of the call's state need not know about it.
 */
import type { LiveCall } from '../api/contract.js';
import type { EventHub } from '../events/index.js';

/** Fields other subsystems add to a live call. */
export type LiveCallExtras = Partial<
  Pick<LiveCall, 'botLatencyMs' | 'agentName' | 'lastUtterance' | 'amd'>
>;

export class LiveCalls {
  private readonly calls = new Map<string, LiveCall>();
  private readonly extras = new Map<string, LiveCallExtras>();

  constructor(private readonly events: EventHub) {}

  list(): LiveCall[] {
    return [...this.calls.values()].sort((a, b) => a.startedAt - b.startedAt);
  }

  get(id: string): LiveCall | undefined {
    return this.calls.get(id);
  }

  upsert(call: LiveCall): void {
    const merged: LiveCall = { ...call, ...this.extras.get(call.id) };
    if (merged.state === 'done') {
      this.calls.delete(call.id);
      this.extras.delete(call.id);
    } else this.calls.set(call.id, merged);
    this.events.emit('call.updated', merged);
  }

  /** Adds fields to a live call (kept for its later upserts) and publishes it; ignored for a call not live. */
  patch(id: string, extras: LiveCallExtras): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.extras.set(id, { ...this.extras.get(id), ...extras });
    this.upsert(call);
  }

  /**
   * A call event the engine emitted: a `bot_prompt` that answered the customer carries the time
   * from the end of their speech to the prompt going out (call-bot.ts `sinceSpeechEndMs`), the
   * latency the wall shows. Prompts that answer nothing (the greeting) have no such field.
   */
  noteCallEvent(event: { callId: string; type: string; data: Record<string, unknown> }): void {
    // An operator announcement heard while ringing (空号识别): the wall shows what was heard.
    if (event.type === 'line_status' && typeof event.data.phrase === 'string') {
      this.patch(event.callId, { lastUtterance: `📢 ${event.data.phrase}` });
      return;
    }
    // Answering-machine detection's decision: the wall shows it with its time from the answer.
    if (event.type === 'amd') {
      const { result, atMs, revised } = event.data;
      if (
        (result === 'human' || result === 'machine' || result === 'unknown') &&
        typeof atMs === 'number' &&
        typeof revised === 'boolean'
      )
        this.patch(event.callId, { amd: { result, atMs, revised } });
      return;
    }
    if (event.type !== 'bot_prompt') return;
    const latency = event.data.sinceSpeechEndMs;
    if (typeof latency === 'number' && Number.isFinite(latency) && latency >= 0)
      this.patch(event.callId, { botLatencyMs: Math.round(latency) });
  }

  get size(): number {
    return this.calls.size;
  }
}
