/**
 * One shared one-second clock for every ticking duration on the wall: each duration cell
 * subscribes (useSyncExternalStore), so a tick re-renders the 100 small cells and nothing else,
 * and the rows stay memoized. The timer runs only while someone listens.
 */
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === null) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 1_000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}

export function useSecondClock(): number {
  return useSyncExternalStore(subscribe, () => now);
}
