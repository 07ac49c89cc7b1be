/**
 * Routing's side of the dialer's pacing (dialer/ports.ts AgentCapacity): how many agents could take
 * a call of a queue right now — signed on as `available`, with every skill the queue asks for —
 * minus the transfers already waiting in that queue (each will take one of them). Kept as a
 * snapshot refreshed whenever an agent's status changes or a transfer starts or ends, so the
 * dialer's synchronous `available(queue)` never waits on the store; `onChange` wakes the dialer.
 *
 * And the handoff for flowless (human-first) campaign calls: the answered call is offered to the
 * campaign's queue like a bot transfer (same offers, windows and wrap-up).
 */
import type { CallSession } from '../telephony/call-session.js';
import type { AgentDevicesFor } from './bot-transfer.js';
import { transferCallOf } from './bot-transfer.js';
import type { RoutingService } from './routing-service.js';

export interface AgentCapacityPort {
  available(queue: string): number;
  onChange(listener: () => void): () => void;
}

export class RoutingAgentCapacity implements AgentCapacityPort {
  private byQueue = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private readonly off: () => void;
  private refreshing: Promise<void> = Promise.resolve();

  constructor(private readonly routing: RoutingService) {
    // refresh() never rejects (a failed read keeps the last snapshot), so nothing is lost by void.
    this.off = routing.onChange(() => void this.refresh());
    void this.refresh();
  }

  available(queue: string): number {
    return this.byQueue.get(queue) ?? this.byQueue.get('default') ?? 0;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.off();
  }

  /** Serialized, so an older snapshot never lands after a newer one. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(async () => {
      try {
        const next = await this.routing.freeAgentsByQueue();
        const changed =
          next.size !== this.byQueue.size ||
          [...next].some(([queue, n]) => this.byQueue.get(queue) !== n);
        this.byQueue = next;
        if (changed) for (const listener of this.listeners) listener();
      } catch {
        // The store closing while the engine stops: keep the last snapshot.
      }
    });
    return this.refreshing;
  }
}

/** The dialer line's AgentHandoff: resolves true when an agent took the campaign call. */
export function campaignHandoff(routing: RoutingService, devices: AgentDevicesFor) {
  return async (
    session: CallSession,
    queue: string,
    reason: string,
    options: { autoAccept?: boolean; signal?: AbortSignal } = {},
  ): Promise<boolean> => {
    const result = await routing.transfer(transferCallOf(session, devices), {
      queue,
      reason,
      fields: {},
      lastIntent: null,
      transcript: [],
      ...(options.autoAccept ? { autoAccept: true } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return result.taken;
  };
}
