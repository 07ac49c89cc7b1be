/**
 * The calls running right now, as the Live page sees them. The telephony and dialer subsystems
 * feed it; it emits `call.updated` for each change. Finished calls leave it (History has them).
 */
import type { LiveCall } from '../api/contract.js';
import type { EventHub } from '../events/event-hub.js';

export class LiveCalls {
  private readonly calls = new Map<string, LiveCall>();

  constructor(private readonly events: EventHub) {}

  list(): LiveCall[] {
    return [...this.calls.values()].sort((a, b) => a.startedAt - b.startedAt);
  }

  upsert(call: LiveCall): void {
    if (call.state === 'done') this.calls.delete(call.id);
    else this.calls.set(call.id, call);
    this.events.emit('call.updated', call);
  }

  get size(): number {
    return this.calls.size;
  }
}
