import type { LiveCall } from '../../api/contract.js';

/** Whether a call still belongs on the live wall. */
export function isLive(call: LiveCall): boolean {
  return call.state !== 'done' && call.endedAt === null;
}

/**
 * Folds one `call.updated` event into the live list: updates the call in place, adds a new one,
 * drops one that ended. Oldest call first, so rows do not jump around while the wall is watched.
 */
export function applyCallUpdate(calls: readonly LiveCall[], update: LiveCall): LiveCall[] {
  return applyCallUpdates(calls, [update]);
}

/**
 * Folds a batch of `call.updated` events (the wall applies what arrived during one animation
 * frame at once): the last update of each call wins; calls that did not change keep their object,
 * so memoized rows skip them. O(calls + updates), not one copy of the list per event.
 */
export function applyCallUpdates(
  calls: readonly LiveCall[],
  updates: readonly LiveCall[],
): LiveCall[] {
  if (updates.length === 0) return calls as LiveCall[];
  const latest = new Map<string, LiveCall>();
  for (const update of updates) latest.set(update.id, update);
  const next: LiveCall[] = [];
  let added = false;
  for (const call of calls) {
    const update = latest.get(call.id);
    if (!update) {
      next.push(call);
      continue;
    }
    latest.delete(call.id);
    if (isLive(update)) next.push(update);
  }
  for (const update of latest.values()) {
    if (!isLive(update)) continue;
    next.push(update);
    added = true;
  }
  return added ? sortLive(next) : next;
}

export function sortLive(calls: readonly LiveCall[]): LiveCall[] {
  return [...calls].sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
}

/** How long the call has been going: since it was answered, else since dialing began. */
export function liveDurationMs(call: LiveCall, now: number): number {
  return Math.max(0, now - (call.answeredAt ?? call.startedAt));
}

/** Bot reply latency bands for the wall's badge: a reply within 800 ms feels immediate, past 1.5 s callers talk over it. */
export const LATENCY_GOOD_MS = 800;
export const LATENCY_SLOW_MS = 1_500;

export type LatencyBand = 'good' | 'fair' | 'slow';

export function latencyBand(ms: number): LatencyBand {
  if (ms < LATENCY_GOOD_MS) return 'good';
  if (ms < LATENCY_SLOW_MS) return 'fair';
  return 'slow';
}
