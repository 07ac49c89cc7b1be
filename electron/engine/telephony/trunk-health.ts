/**
 * Live health of each SIP trunk, in memory only (it describes this process's connections, so it
 * is never stored). The telephony code reports changes with `set`; the engine shows them in
 * trunks.list and forwards each change as a `trunk.health` event.
 *
 * `since` is when the trunk entered its current state: setting the same state and reason again
 * changes nothing and notifies no one, so a periodic re-REGISTER does not flood the console.
 */
import type { TrunkHealth, TrunkHealthState } from '../api/contract.js';

export type { TrunkHealth, TrunkHealthState } from '../api/contract.js';

/** What `set` takes: `reason` defaults to null, `since` to now. */
export interface TrunkHealthUpdate {
  state: TrunkHealthState;
  reason?: string | null;
  since?: number;
}

export type TrunkHealthListener = (trunkId: number, health: TrunkHealth) => void;

export class TrunkHealthRegistry {
  /** When this registry (the engine) started: a trunk with no report has been idle since then. */
  readonly startedAt: number;
  private readonly health = new Map<number, TrunkHealth>();
  private readonly listeners = new Set<TrunkHealthListener>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly onListenerError: (error: unknown) => void = () => {},
  ) {
    this.startedAt = now();
  }

  /** Records a trunk's health and notifies listeners; returns what is now recorded. */
  set(trunkId: number, update: TrunkHealthUpdate): TrunkHealth {
    const reason = update.reason ?? null;
    const previous = this.health.get(trunkId);
    if (previous && previous.state === update.state && previous.reason === reason) return previous;
    const next: TrunkHealth = { state: update.state, reason, since: update.since ?? this.now() };
    this.health.set(trunkId, next);
    for (const listener of this.listeners) {
      try {
        listener(trunkId, next);
      } catch (error) {
        this.onListenerError(error);
      }
    }
    return next;
  }

  /** The last reported health, or undefined when nothing has reported on this trunk yet. */
  get(trunkId: number): TrunkHealth | undefined {
    return this.health.get(trunkId);
  }

  /** The reported health, or idle since the trunk appeared (`createdAt`) or this engine started. */
  getOrIdle(trunkId: number, createdAt: number): TrunkHealth {
    return (
      this.health.get(trunkId) ?? {
        state: 'idle',
        reason: null,
        since: Math.max(createdAt, this.startedAt),
      }
    );
  }

  /** Forgets a removed trunk (without notifying: the trunk is gone from every list). */
  delete(trunkId: number): void {
    this.health.delete(trunkId);
  }

  /** Calls `listener` after every change; returns the function that unsubscribes it. */
  onChange(listener: TrunkHealthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
