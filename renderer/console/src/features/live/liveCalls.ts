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
  const rest = calls.filter((call) => call.id !== update.id);
  if (!isLive(update)) return rest;
  const index = calls.findIndex((call) => call.id === update.id);
  if (index !== -1) {
    const next = [...calls];
    next[index] = update;
    return next;
  }
  return sortLive([...rest, update]);
}

export function sortLive(calls: readonly LiveCall[]): LiveCall[] {
  return [...calls].sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
}

/** How long the call has been going: since it was answered, else since dialing began. */
export function liveDurationMs(call: LiveCall, now: number): number {
  return Math.max(0, now - (call.answeredAt ?? call.startedAt));
}
