import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { silentLogger } from '../log.js';
import { useTestStores } from '../store/testing/temp.js';
import { closeInterruptedCalls } from './recovery.js';

const openStore = useTestStores();

describe('closing calls a stop left open', () => {
  it('closes a live call as interrupted, and a call in wrap-up with its stored outcome and end time', async () => {
    const store = await openStore();
    const t0 = Date.now() - 60_000;
    await store.calls.create({
      id: 'live',
      number: '+8613800138000',
      startedAt: t0,
      state: 'dialing',
    });
    await store.calls.update('live', { state: 'answered', answeredAt: t0 + 1000 });
    await store.calls.update('live', { state: 'bot' });
    await store.calls.create({
      id: 'wrapping',
      number: '+8613800138001',
      startedAt: t0,
      state: 'dialing',
    });
    for (const state of ['answered', 'bot', 'transferring', 'agent'] as const)
      await store.calls.update('wrapping', {
        state,
        ...(state === 'answered' ? { answeredAt: t0 + 1000 } : {}),
      });
    await store.calls.update('wrapping', {
      state: 'wrap_up',
      outcome: 'transferred',
      endedAt: t0 + 30_000,
      endReason: 'customer hung up',
    });

    const dataDir = join(store.path, '..');
    const report = await closeInterruptedCalls(
      store,
      dataDir,
      join(dataDir, 'recordings'),
      silentLogger,
    );
    expect(report.closedCalls).toBe(2);
    expect(await store.calls.get('live')).toMatchObject({ state: 'done', outcome: 'completed' });
    const wrapped = await store.calls.get('wrapping');
    expect(wrapped).toMatchObject({ state: 'done', outcome: 'transferred', endedAt: t0 + 30_000 });
    expect(wrapped?.endReason).toBe(
      "customer hung up; the app stopped before the agent's wrap-up was submitted",
    );
    expect((await store.calls.transitions('wrapping')).map((t) => t.to).slice(-2)).toEqual([
      'wrap_up',
      'done',
    ]);
  });
});
