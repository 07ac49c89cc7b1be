import { expect, it } from 'vitest';

import { readingBeside, urgently } from './database.js';
import { describeBackends } from './testing/backends.js';
import { sleep } from './testing/temp.js';

const randomPause = () => sleep(Math.random() * 3);

describeBackends('concurrent use of one store', (testStore, backend) => {
  it('keeps 50 concurrent transactions whole and apart while plain writes interleave', async () => {
    const store = await testStore();
    await store.calls.create({ id: 'background', number: '+1', startedAt: 0 });
    const failsOnPurpose = (i: number) => i % 10 === 9;

    const work: Array<Promise<unknown>> = [];
    for (let i = 0; i < 50; i++) {
      work.push(
        store.transaction(async (tx) => {
          await randomPause();
          await tx.calls.create({ id: `t${i}`, number: '+8613800138000', startedAt: i });
          for (let step = 0; step < 5; step++) {
            await randomPause();
            await tx.calls.appendEvent(`t${i}`, { at: i, type: 'step', data: { step } });
          }
          if (failsOnPurpose(i)) throw new Error(`rollback ${i}`);
        }),
      );
      // Issued while transactions are open: each must wait, and must not vanish with a rollback.
      work.push(store.calls.appendEvent('background', { at: i, type: 'plain', data: { i } }));
      work.push(store.audit.add({ actor: 'test', action: 'plain', subject: String(i) }));
    }
    const results = await Promise.allSettled(work);

    const failures = results.flatMap((r) =>
      r.status === 'rejected' ? [(r.reason as Error).message] : [],
    );
    expect(failures.sort()).toEqual([
      'rollback 19',
      'rollback 29',
      'rollback 39',
      'rollback 49',
      'rollback 9',
    ]);

    for (let i = 0; i < 50; i++) {
      const events = await store.calls.events(`t${i}`);
      if (failsOnPurpose(i)) {
        expect(await store.calls.get(`t${i}`)).toBeNull();
        expect(events).toEqual([]);
        continue;
      }
      expect(events.map((e) => e.type)).toEqual([
        'created',
        'step',
        'step',
        'step',
        'step',
        'step',
      ]);
      // Consecutive ids: nothing else was written to call_events while this transaction was open.
      expect(events.map((e) => e.id - events[0]!.id)).toEqual([0, 1, 2, 3, 4, 5]);
    }
    expect((await store.calls.events('background')).filter((e) => e.type === 'plain')).toHaveLength(
      50,
    );
    expect(await store.audit.list()).toHaveLength(50);
  });

  it('serializes read-modify-write transactions, so no update is lost', async () => {
    const store = await testStore();
    await store.settings.setMany({ counter: 0 });
    await Promise.all(
      Array.from({ length: 40 }, () =>
        store.transaction(async (tx) => {
          const { counter } = await tx.settings.getAll();
          await randomPause();
          await tx.settings.setMany({ counter: (counter as number) + 1 });
        }),
      ),
    );
    expect((await store.settings.getAll()).counter).toBe(40);
  });

  it('reserves an available agent once among many at once (the status write that checks the status it replaces)', async () => {
    const store = await testStore();
    const mei = await store.users.create({
      username: 'mei',
      displayName: 'Mei',
      role: 'agent',
      skills: [],
    });
    await store.routing.setAgentStatus(mei.id, 'available', 1);
    const won = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.routing.setAgentStatus(mei.id, 'offered', 10 + i, 'available'),
      ),
    );
    expect(won.filter(Boolean)).toHaveLength(1);
    expect((await store.routing.agentStatuses()).find((s) => s.id === mei.id)).toMatchObject({
      status: 'offered',
      changedAt: 10 + won.indexOf(true),
    });
    expect(await store.routing.setAgentStatus(999_999, 'offered', 50, 'available')).toBe(false);
    await expect(store.routing.setAgentStatus(999_999, 'available', 50)).rejects.toThrow(
      /does not exist/,
    );
  });

  it('runs a repository call that needs its own transaction inside an open one (as a savepoint)', async () => {
    const store = await testStore();
    await store.transaction(async (tx) => {
      await tx.calls.create({ id: 'c1', number: '+1', startedAt: 1 }); // its own transaction, nested
      await expect(
        tx.calls.update('c1', { state: 'dialing' }, { at: 2, type: 'x', data: [] as never }),
      ).rejects.toMatchObject({ code: 'SQLITE' });
      await tx.calls.update('c1', { state: 'dialing' }, { at: 2, type: 'state' });
    });
    expect(await store.calls.get('c1')).toMatchObject({ state: 'dialing' });
    expect((await store.calls.events('c1')).map((e) => e.type)).toEqual(['created', 'state']);
  });

  it('lets code in a transaction that uses the store (not tx) join the transaction rather than deadlock', async () => {
    const store = await testStore();
    await expect(
      store.transaction(async (tx) => {
        await tx.users.create({ username: 'amy', displayName: 'Amy', role: 'agent', skills: [] });
        await store.audit.add({ actor: 'test', action: 'via store', subject: null }); // e.g. an event listener
        expect(await store.users.list()).toHaveLength(1); // sees the open transaction's writes
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await store.users.list()).toEqual([]);
    expect(await store.audit.list()).toEqual([]);
  });
  it('runs urgent work (a hang-up) ahead of the queued plain writes, never inside the transaction in progress', async () => {
    const store = await testStore();
    await store.calls.create({ id: 'live', number: '+1', startedAt: 0, state: 'dialing' });
    await store.calls.create({ id: 'busy', number: '+2', startedAt: 0 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const order: string[] = [];
    // An import batch holding the writer, and plain writes queued behind it.
    const held = store.transaction(async (tx) => {
      await tx.calls.appendEvent('busy', { at: 1, type: 'held' });
      await gate;
      order.push('held transaction');
    });
    await sleep(20);
    const plain = Array.from({ length: 10 }, (_, i) =>
      store.calls
        .appendEvent('busy', { at: 2, type: 'plain' })
        .then(() => order.push(`plain ${i}`)),
    );
    const hangUp = urgently(() =>
      store.transaction(async (tx) => {
        await tx.calls.update('live', {
          state: 'done',
          outcome: 'no_answer',
          endedAt: 3,
          endReason: 'hung up',
        });
        await tx.calls.appendEvent('live', { at: 3, type: 'ended' });
      }),
    ).then(() => order.push('hang-up'));
    if (backend === 'postgres') {
      // A lane of its own beside the writer's: it does not even wait for the transaction.
      await hangUp;
      expect(order).toEqual(['hang-up']);
    }
    await sleep(20);
    release();
    await Promise.all([held, hangUp, ...plain]);
    expect(order.slice(0, 2)).toEqual(
      backend === 'postgres' ? ['hang-up', 'held transaction'] : ['held transaction', 'hang-up'],
    );
    expect(order.slice(2)).toEqual(Array.from({ length: 10 }, (_, i) => `plain ${i}`));
    expect(await store.calls.get('live')).toMatchObject({ state: 'done', outcome: 'no_answer' });
  });

  it('urgent work inside an open transaction joins it (no deadlock) and rolls back with it', async () => {
    const store = await testStore();
    await store.calls.create({ id: 'c1', number: '+1', startedAt: 1 });
    await expect(
      store.transaction(async () => {
        await urgently(() => store.calls.appendEvent('c1', { at: 2, type: 'urgent' }));
        expect((await store.calls.events('c1')).map((e) => e.type)).toContain('urgent');
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect((await store.calls.events('c1')).map((e) => e.type)).toEqual(['created']);
  });

  it('reads beside the writer inside readingBeside: committed rows at once while a transaction holds the writer; other reads wait for it', async () => {
    const store = await testStore();
    await store.calls.create({ id: 'c1', number: '+1', startedAt: 1 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held = store.transaction(async (tx) => {
      await tx.calls.appendEvent('c1', { at: 2, type: 'uncommitted' });
      await gate;
    });
    await sleep(20);
    let plainDone = false;
    const plain = store.calls.events('c1').then((events) => {
      plainDone = true;
      return events;
    });
    const beside = await readingBeside(() => store.calls.events('c1'));
    expect(beside.map((e) => e.type)).toEqual(['created']);
    expect(plainDone).toBe(false);
    release();
    await held;
    expect((await plain).map((e) => e.type)).toEqual(['created', 'uncommitted']);
    // Inside a transaction a read sees its own rows, readingBeside or not.
    await store.transaction(async (tx) => {
      await tx.calls.appendEvent('c1', { at: 3, type: 'own' });
      const seen = await readingBeside(() => store.calls.events('c1'));
      expect(seen.map((e) => e.type)).toContain('own');
    });
  });
});
