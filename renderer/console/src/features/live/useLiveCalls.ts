/**
 * The live calls the wall shows: `live.list` once (and on every reconnect), then `call.updated`
 * events folded in. Events are buffered and applied once per animation frame, so 100 calls each
 * updating several times a second cost one React update per frame, not one per event.
 */
import { useEffect, useRef } from 'react';

import type { LiveCall } from '../../api/contract.js';
import { useCommand, useEvent } from '../../api/hooks.js';
import { applyCallUpdates } from './liveCalls.js';

export function useLiveCalls() {
  const live = useCommand('live.list', {});
  const pending = useRef<LiveCall[]>([]);
  const frame = useRef(0);
  const { setData } = live;

  useEvent('call.updated', (call) => {
    pending.current.push(call);
    if (frame.current !== 0) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const batch = pending.current;
      pending.current = [];
      setData((previous) =>
        previous ? { calls: applyCallUpdates(previous.calls, batch) } : previous,
      );
    });
  });

  useEffect(
    () => () => {
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    },
    [],
  );

  return live;
}
