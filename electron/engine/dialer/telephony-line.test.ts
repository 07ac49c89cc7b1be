/**
 * The line's readiness (issue 10): a campaign whose flow is being prepared says what it waits for,
 * with the flow's training progress, becomes ready when the preparation resolves (telling the
 * dialer), and a failed preparation is reported and tried again after a minute.
 */
import { describe, expect, it } from 'vitest';

import type { FlowTraining } from '../api/contract.js';
import type { BotService, PreparedFlow } from '../bot/service.js';
import { silentLogger } from '../log.js';
import type { DialingCampaignRecord } from '../store/types.js';
import type { Telephony } from '../telephony/index.js';
import { TrunkHealthRegistry } from '../telephony/trunk-health.js';
import { TelephonyLine } from './telephony-line.js';

const campaign = {
  id: 7,
  name: 'Renewals',
  flowId: 3,
  flowName: 'confirm',
  flowVersion: 2,
} as unknown as DialingCampaignRecord;

function deferred<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function lineWith(prepare: () => Promise<PreparedFlow>, clock = { now: 1_000 }) {
  let training: FlowTraining | null = null;
  let prepared = 0;
  const line = new TelephonyLine({
    telephony: {} as Telephony,
    bot: () =>
      ({
        prepare: () => {
          prepared++;
          return prepare();
        },
      }) as unknown as BotService,
    log: silentLogger,
    training: () => training,
    now: () => clock.now,
  });
  return {
    line,
    clock,
    setTraining: (t: FlowTraining | null) => (training = t),
    prepared: () => prepared,
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('the telephony line readiness', () => {
  it("waits for the flow's phrase models with their progress, then is ready and says so", async () => {
    const preparation = deferred<PreparedFlow>();
    const h = lineWith(() => preparation.promise);
    const ready: number[] = [];
    h.line.onReadinessChange((id) => ready.push(id));
    expect(h.line.readiness(campaign)).toMatchObject({
      reason: 'flow_training',
      flow: 'confirm',
      flowVersion: 2,
      question: null,
      message: "waiting for the flow's phrase models",
    });
    h.setTraining({
      flow: 'confirm',
      version: 2,
      state: 'training',
      progress: { nodeId: 'when', nodesDone: 1, nodes: 3, stage: 'embed', done: 4, total: 9 },
      at: 0,
    });
    expect(h.line.readiness(campaign)).toMatchObject({
      question: 2,
      questions: 3,
      message: "waiting for the flow's phrase models: question 2 of 3",
    });
    expect(h.prepared()).toBe(1); // started once, however often it is asked
    preparation.resolve({} as PreparedFlow);
    await tick();
    expect(ready).toEqual([7]);
    expect(h.line.readiness(campaign)).toBeNull();
    // A campaign without a flow (progressive, to agents) never waits.
    expect(h.line.readiness({ ...campaign, flowId: null } as DialingCampaignRecord)).toBeNull();
  });

  it('reports a flow that could not be prepared and tries again after a minute', async () => {
    let attempt = 0;
    const h = lineWith(() =>
      ++attempt === 1
        ? Promise.reject(new Error('node "when": training failed'))
        : Promise.resolve({} as PreparedFlow),
    );
    h.line.readiness(campaign);
    await tick();
    expect(h.line.readiness(campaign)).toMatchObject({
      reason: 'flow_failed',
      error: expect.stringContaining('node "when": training failed') as unknown,
    });
    h.clock.now += 59_000;
    expect(h.line.readiness(campaign)?.reason).toBe('flow_failed');
    expect(h.prepared()).toBe(1);
    h.clock.now += 2_000;
    h.line.readiness(campaign);
    await tick();
    expect(h.prepared()).toBe(2);
    expect(h.line.readiness(campaign)).toBeNull();
  });
});

describe('a campaign whose trunks are all down', () => {
  it('waits, naming each trunk and why, while its own trunks and the backups are down, and is woken when one comes back', () => {
    const health = new TrunkHealthRegistry(() => 5_000);
    const line = new TelephonyLine({
      telephony: { backupTrunks: () => [{ id: 2, name: 'backup' }] } as unknown as Telephony,
      bot: () => ({}) as BotService,
      log: silentLogger,
      trunkHealth: health,
    });
    const woken: number[] = [];
    line.onReadinessChange((id) => woken.push(id));
    const agents = {
      id: 8,
      name: 'Renewals',
      flowId: null,
      trunkIds: [1],
      trunkNames: ['main'],
    } as unknown as DialingCampaignRecord;
    // Nothing known yet, or connecting: calls are placed (the media host waits for a connection).
    expect(line.readiness(agents)).toBeNull();
    health.set(1, { state: 'down', reason: 'WebSocket closed (1006)' });
    // The backup is up: calls fail over to it.
    health.set(2, { state: 'registered' });
    expect(line.readiness(agents)).toBeNull();
    health.set(2, { state: 'down', reason: null });
    expect(line.readiness(agents)).toMatchObject({
      reason: 'trunk_down',
      error: '"main" is down (WebSocket closed (1006)); "backup" is down',
      message:
        'waiting for a trunk: "main" is down (WebSocket closed (1006)); "backup" is down; dialing resumes when one reconnects',
      since: 5_000,
    });
    woken.length = 0;
    health.set(1, { state: 'connecting' });
    expect(woken).toEqual([8]);
    expect(line.readiness(agents)).toBeNull();
    // A trunk no campaign dials through wakes nothing.
    woken.length = 0;
    health.set(3, { state: 'down' });
    expect(woken).toEqual([]);
  });
});

describe('a predictive campaign’s information message', () => {
  it('is rendered once before the first call, in each language asked for, with the campaign’s name', async () => {
    const rendered: Array<{ text: string; language: string }> = [];
    const line = new TelephonyLine({
      telephony: {} as Telephony,
      bot: () =>
        ({
          prompts: {
            render: (text: string, voice: { language: string }) => {
              rendered.push({ text, language: voice.language });
              return Promise.resolve({ frames: [new Int16Array(320)], durationMs: 20 });
            },
          },
        }) as unknown as BotService,
      log: silentLogger,
    });
    const predictive = {
      id: 9,
      name: 'Spring offers',
      flowId: null,
      dialingMode: 'predictive',
      predictive: { messageLanguage: 'both' },
    } as unknown as DialingCampaignRecord;
    expect(line.readiness(predictive)).toBeNull();
    expect(line.readiness(predictive)).toBeNull();
    await tick();
    expect(rendered.map((r) => r.language)).toEqual(['zh-CN', 'en']);
    expect(rendered[1]?.text).toMatch(/^Hello, this call was from Spring offers\./);
    expect(rendered[0]?.text).toContain('Spring offers的来电');
  });
});
