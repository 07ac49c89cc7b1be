import { describe, expect, it } from 'vitest';

import type { EventData } from '../api/contract.js';
import { ApiError } from '../api/errors.js';
import type { FlowTrainer, FlowTrainingProgress } from '../bot/flow-training.js';
import { APPOINTMENT_EN, BILL_REMINDER_ZH, type Flow } from '../dialog/index.js';
import { EventHub } from '../events/index.js';
import { silentLogger } from '../log.js';
import { openStore } from '../store/index.js';
import { useTempDirs, useTestStores } from '../store/testing/temp.js';
import type { Store } from '../store/types.js';
import { contactFields, FlowService } from './flow-service.js';

const testStore = useTestStores();
const tempDir = useTempDirs();

const small = (overrides: Record<string, unknown> = {}) => ({
  id: 'survey',
  name: 'Survey',
  language: 'en',
  start: 'hello',
  nodes: [
    { id: 'hello', kind: 'say', text: 'Hello {name}.', next: 'ask' },
    {
      id: 'ask',
      kind: 'ask',
      prompt: 'Happy?',
      intents: [{ name: 'yes', examples: ['yes', 'sure'], next: 'bye' }],
      noInput: { next: 'bye' },
      noMatch: { next: 'bye' },
    },
    { id: 'bye', kind: 'hangup', say: 'Bye.', disposition: 'done' },
  ],
  ...overrides,
});

type Emitted = { event: string; data: unknown };

function service(store: Store, extra: Partial<ConstructorParameters<typeof FlowService>[0]> = {}) {
  const events = new EventHub(() => {});
  const seen: Emitted[] = [];
  events.subscribe((message) => seen.push({ event: message.event, data: message.data }));
  const flows = new FlowService({
    store,
    events,
    log: silentLogger,
    defaultTimeZone: async () => 'Asia/Shanghai',
    ...extra,
  });
  return {
    flows,
    seen,
    of: <E extends 'flows.changed' | 'flow.training'>(event: E) =>
      seen.filter((e) => e.event === event).map((e) => e.data as EventData<E>),
  };
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

/** A trainer that reports progress and finishes when told to. */
class FakeTrainer implements FlowTrainer {
  readonly started: string[] = [];
  private releases: Array<(fail?: string) => void> = [];
  train(flow: Flow, onProgress?: (progress: FlowTrainingProgress) => void) {
    this.started.push(flow.id);
    onProgress?.({ nodeId: 'ask', nodesDone: 0, nodes: 1, stage: 'embed', done: 1, total: 4 });
    return new Promise<{ nodes: string[]; elapsedMs: number; cached: number }>(
      (resolve, reject) => {
        this.releases.push((fail) =>
          fail ? reject(new Error(fail)) : resolve({ nodes: ['ask'], elapsedMs: 5, cached: 0 }),
        );
      },
    );
  }
  async finish(fail?: string): Promise<void> {
    await expect.poll(() => this.releases.length).toBeGreaterThan(0);
    this.releases.shift()?.(fail);
  }
}

describe('FlowService', () => {
  it('saves a new flow as version 1, audit-logs it, announces it and loads it back', async () => {
    const store = await testStore();
    const { flows, of } = service(store);
    expect(await flows.save(small(), 'admin')).toEqual({
      name: 'survey',
      version: 1,
      created: true,
      newFlow: true,
    });
    const loaded = await flows.load('survey');
    expect(loaded).toMatchObject({ name: 'survey', version: 1, flowId: expect.any(Number) });
    expect(Object.keys(loaded.flow.nodes)).toEqual(['hello', 'ask', 'bye']);
    expect(of('flows.changed')).toEqual([{ name: 'survey', version: 1 }]);
    const audit = await store.audit.list();
    expect(audit[0]).toMatchObject({
      actor: 'admin',
      action: 'flows.save',
      subject: 'survey',
      details: { version: 1, created: true },
    });
  });

  it('adds a version only when the definition changed (key order and formatting do not count)', async () => {
    const store = await testStore();
    const { flows, of } = service(store);
    await flows.save(small(), 'admin');
    const reordered = Object.fromEntries(Object.entries(small()).reverse());
    expect(await flows.save(reordered, 'admin')).toEqual({
      name: 'survey',
      version: 1,
      created: false,
      newFlow: false,
    });
    expect(await flows.save(small({ name: 'Survey 2' }), 'admin')).toEqual({
      name: 'survey',
      version: 2,
      created: true,
      newFlow: false,
    });
    expect((await flows.load('survey', 1)).flow.name).toBe('Survey');
    expect((await flows.load('survey')).flow.name).toBe('Survey 2');
    expect(of('flows.changed').map((e) => e.version)).toEqual([1, 2]);
    const detail = await flows.get('survey');
    expect(detail.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(detail.definition).toEqual(small({ name: 'Survey 2' }));
    expect(detail.contactFields).toEqual([{ name: 'name', default: null }]);
    expect((await flows.list()).map((f) => [f.name, f.latestVersion, f.versions])).toEqual([
      ['survey', 2, 2],
    ]);
  });

  it('follows a language change of a new version', async () => {
    const store = await testStore();
    const { flows } = service(store);
    await flows.save(small(), 'admin');
    await flows.save(small({ language: 'zh-CN' }), 'admin');
    expect((await store.flows.getByName('survey'))?.language).toBe('zh-CN');
  });

  it('refuses an invalid flow with every issue by node and field, and the previous version still loads', async () => {
    const store = await testStore();
    const { flows, of } = service(store);
    await flows.save(small(), 'admin');
    const broken = small();
    (broken.nodes[0] as { next: string }).next = 'nowhere';
    (broken.nodes[1] as { intents: Array<{ next: string }> }).intents[0]!.next = 'gone';
    const error = await rejection(flows.save(broken, 'admin'));
    expect(error.code).toBe('INVALID_FLOW');
    expect(error.message).toContain('node "hello": next: no node "nowhere"');
    expect(error.message).toContain('node "ask": intents[0].next: no node "gone"');
    expect(error.details?.['issues']).toEqual([
      { nodeId: 'hello', field: 'next', message: 'no node "nowhere"' },
      { nodeId: 'ask', field: 'intents[0].next', message: 'no node "gone"' },
    ]);
    expect((await flows.load('survey')).version).toBe(1);
    expect(of('flows.changed')).toHaveLength(1);
    expect((await store.audit.list()).filter((a) => a.action === 'flows.save')).toHaveLength(1);

    expect(flows.validate(broken)).toMatchObject({
      ok: false,
      issues: [
        { nodeId: 'hello', field: 'next' },
        { nodeId: 'ask', field: 'intents[0].next' },
      ],
    });
    expect(flows.validate(small())).toEqual({ ok: true, issues: [], warnings: [] });
    expect((await rejection(flows.save('not an object', 'admin'))).code).toBe('INVALID_FLOW');
  });

  it('names the missing flow or version', async () => {
    const store = await testStore();
    const { flows } = service(store);
    expect((await rejection(flows.load('nope'))).message).toBe('No flow named "nope"');
    await flows.save(small(), 'admin');
    const error = await rejection(flows.load('survey', 4));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('Flow "survey" has no version 4 (the latest is 1)');
  });

  it('installs the samples once and never overwrites an edited sample', async () => {
    const dataDir = await tempDir();
    let store = await openStore({ dataDir });
    const first = service(store);
    expect((await first.flows.installSamples('engine')).sort()).toEqual([
      'appointment-confirm-en',
      'bill-reminder-zh',
    ]);
    const edited = { ...(APPOINTMENT_EN as Record<string, unknown>), name: 'Our appointment call' };
    expect((await first.flows.save(edited, 'admin')).version).toBe(2);
    await store.close();

    store = await openStore({ dataDir });
    try {
      const again = service(store);
      expect(await again.flows.installSamples('engine')).toEqual([]);
      expect((await again.flows.load('appointment-confirm-en')).flow.name).toBe(
        'Our appointment call',
      );
      expect((await again.flows.load('bill-reminder-zh')).flow.language).toBe('zh-CN');
      expect((await again.flows.get('bill-reminder-zh')).definition).toEqual(BILL_REMINDER_ZH);
    } finally {
      await store.close();
    }
  });

  it('trains saved versions one at a time in the background, keeping each version’s latest state', async () => {
    const store = await testStore();
    const { flows, of } = service(store, { progressIntervalMs: 0 });
    const trainer = new FakeTrainer();
    flows.setTrainer(trainer);
    await flows.save(small(), 'admin'); // does not wait for training
    await flows.save(small({ id: 'other', name: 'Other' }), 'admin');
    expect(flows.trainingState('other', 1)?.state).toBe('queued');
    await expect.poll(() => flows.trainingState('survey', 1)?.state).toBe('training');
    expect(flows.trainingState('survey', 1)?.progress).toMatchObject({
      nodeId: 'ask',
      stage: 'embed',
      done: 1,
      total: 4,
    });
    expect(trainer.started).toEqual(['survey']); // one at a time
    await trainer.finish();
    await expect.poll(() => flows.trainingState('survey', 1)?.state).toBe('ready');
    await trainer.finish('node "ask": no examples left after augmentation');
    await flows.whenTrainingIdle();
    expect(flows.trainingState('other', 1)).toMatchObject({
      state: 'failed',
      error: 'node "ask": no examples left after augmentation',
    });
    expect(trainer.started).toEqual(['survey', 'other']);
    expect(
      of('flow.training')
        .filter((e) => e.flow === 'survey')
        .map((e) => e.state),
    ).toEqual(['queued', 'training', 'training', 'ready']);
    expect((await flows.list()).find((f) => f.name === 'survey')?.training?.state).toBe('ready');
    expect((await flows.get('survey')).versions[0]?.training?.state).toBe('ready');

    // An unchanged re-save of a trained version does not train again.
    await flows.save(small(), 'admin');
    expect(trainer.started).toEqual(['survey', 'other']);
  });

  it('lists no training state without a trainer, and a trainer set later can queue the latest versions', async () => {
    const store = await testStore();
    const { flows } = service(store);
    await flows.installSamples('engine');
    expect((await flows.list()).map((f) => f.training)).toEqual([null, null]);
    const trainer = new FakeTrainer();
    flows.setTrainer(trainer, { trainLatest: true });
    await expect.poll(() => trainer.started.length).toBe(1);
    await trainer.finish();
    await trainer.finish();
    await expect
      .poll(() => flows.list().then((list) => list.map((f) => f.training?.state)))
      .toEqual(['ready', 'ready']);
  });
});

describe('contactFields', () => {
  it('lists the fields a flow reads, with its defaults, leaving out what the flow sets itself', async () => {
    const store = await testStore();
    const { flows } = service(store);
    await flows.installSamples('engine');
    const en = await flows.load('appointment-confirm-en');
    const fields = contactFields(en.flow);
    expect(fields).toEqual(
      expect.arrayContaining([
        { name: 'clinic', default: 'Riverside Clinic' },
        { name: 'name', default: null },
        { name: 'appointment_date', default: null },
        { name: 'appointment_time', default: null },
      ]),
    );
    expect(fields.map((f) => f.name)).not.toContain('callback_time'); // the callback node sets it
    expect(fields.map((f) => f.name)).not.toContain('appointment_status'); // a set node sets it
  });
});
