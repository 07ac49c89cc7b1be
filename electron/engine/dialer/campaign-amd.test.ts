/**
 * A campaign's answering-machine detection settings (issue 14 §3) through the campaigns commands
 * on a real SQLite store (schema 9's campaigns.amd): off by default, stored and read back, changed
 * by campaigns.update without touching the rest, and refused with the field named when a message
 * action has no message.
 */
import { describe, expect, it } from 'vitest';

import { campaignCommands } from '../api/campaigns.js';
import { useTestStores } from '../store/testing/temp.js';
import { CampaignService } from './campaign-service.js';

const testStore = useTestStores();
const weekdays = [['09:00', '20:00']];
const schedule = { timeZone: 'Asia/Shanghai', windows: { mon: weekdays, tue: weekdays } };

async function setup() {
  const store = await testStore();
  await store.contacts.createList({ name: 'Leads', defaultRegion: 'CN' });
  await store.trunks.create({
    name: 'main',
    uri: 'ws://127.0.0.1:1',
    domain: 'example.test',
    username: null,
    passwordCipher: null,
    register: false,
    callerId: null,
    maxConcurrentCalls: 10,
    role: 'primary',
  });
  const handlers = new CampaignService({
    store,
    actor: 'test',
    emit: () => undefined,
    onRunning: () => undefined,
    throttleMs: 0,
  }).handlers();
  return { store, handlers };
}

const params = (extra: Record<string, unknown> = {}) =>
  campaignCommands['campaigns.create'].params.parse({
    name: 'Renewals',
    list: 'Leads',
    trunks: ['main'],
    dialingMode: 'progressive',
    schedule,
    ...extra,
  });

describe('campaign AMD settings (real SQLite)', () => {
  it('are off by default, and stored and read back as given', async () => {
    const { handlers } = await setup();
    const plain = await handlers['campaigns.create'](params());
    expect(plain.config.amd).toEqual({
      enabled: false,
      machineAction: 'hangup',
      message: null,
      maxBeepWaitMs: 20_000,
    });
    const amd = {
      enabled: true,
      machineAction: 'message',
      message: { text: '您好，请回电。', language: 'zh-CN' },
      maxBeepWaitMs: 15_000,
    };
    const created = await handlers['campaigns.create'](params({ name: 'Machines', amd }));
    expect(created.config.amd).toEqual(amd);
    expect((await handlers['campaigns.get']({ name: 'Machines' })).config.amd).toEqual(amd);
  });

  it('change with campaigns.update, leaving the other settings as they were', async () => {
    const { handlers } = await setup();
    await handlers['campaigns.create'](params({ maxConcurrentCalls: 7 }));
    const updated = await handlers['campaigns.update'](
      campaignCommands['campaigns.update'].params.parse({
        name: 'Renewals',
        changes: { amd: { enabled: true, machineAction: 'hangup' } },
      }),
    );
    expect(updated.config.amd).toMatchObject({ enabled: true, machineAction: 'hangup' });
    expect(updated.config.maxConcurrentCalls).toBe(7);
  });

  it('refuse a message action without a message, and a recording that is not a .wav path, naming the field', () => {
    const noMessage = campaignCommands['campaigns.create'].params.safeParse({
      name: 'x',
      list: 'Leads',
      trunks: ['main'],
      schedule,
      amd: { enabled: true, machineAction: 'message' },
    });
    expect(noMessage.success).toBe(false);
    expect(noMessage.error?.issues[0]?.path).toEqual(['amd', 'message']);
    const badPath = campaignCommands['campaigns.create'].params.safeParse({
      name: 'x',
      list: 'Leads',
      trunks: ['main'],
      schedule,
      amd: { enabled: true, machineAction: 'message', message: { recording: 'greeting.mp3' } },
    });
    expect(badPath.success).toBe(false);
  });
});
