/**
 * The engine's default agent capacity until routing supplies its own: agents (users) whose status
 * is 'available', whatever the queue. Read from the store when agents change (the engine's
 * `agents.changed` event) and every few seconds, so `available()` stays synchronous.
 */
import type { EventHub } from '../events/event-hub.js';
import type { Store } from '../store/types.js';
import type { AgentCapacity } from './ports.js';

export class AvailableUsersCapacity implements AgentCapacity {
  private count = 0;
  private readonly listeners = new Set<() => void>();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly off: () => void;

  constructor(
    private readonly store: Store,
    events: EventHub,
    refreshMs = 5_000,
  ) {
    this.off = events.subscribe((message) => {
      if (message.event === 'agents.changed') void this.refresh();
    });
    this.timer = setInterval(() => void this.refresh(), refreshMs);
    this.timer.unref?.();
    void this.refresh();
  }

  available(): number {
    return this.count;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async refresh(): Promise<void> {
    try {
      const count = (await this.store.users.list()).filter((u) => u.status === 'available').length;
      if (count === this.count) return;
      this.count = count;
      for (const listener of this.listeners) listener();
    } catch {
      // The store closing while the engine stops: keep the last count.
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.off();
  }
}
