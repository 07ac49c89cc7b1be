/**
 * `outbound flow save` end to end, as a scripted deployment uses it (the built CLI):
 *
 * 1. Without a server: a copy of the English sample under a new id is saved into a workspace (a
 *    new flow, v1; training is said to happen in a long-running engine), saved again unchanged (no
 *    new version), edited and saved (v2); a broken file is refused naming node and field, exit 2,
 *    nothing stored; `--wait` trains v2 (from the shared speech cache) with progress; `flow chat`
 *    runs it by name, and `outbound campaign create/start` pins it.
 * 2. Over the real SIP bed: a flow file saved with the CLI, a v2 saved while `outbound serve` runs
 *    (the command goes to the server, which lists it), a campaign created and started on it with
 *    the CLI: the server dials the contact, the bot runs v2 of the saved flow, the campaign
 *    completes with the flow's disposition, stored with the label the flow gives it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiClient } from '../../electron/engine/api/client.js';
import type { CampaignDetail } from '../../electron/engine/api/contract.js';
import { addBedTrunk, jsonLines, outbound } from '../support/cli-run.js';
import { assertBuilt, CLI, ROOT, serve, type Served } from '../support/serve.js';
import { until } from '../support/until.js';
import { nodeWebSocketTransport } from '../support/ws-node.js';
import { type Bed, startBed } from '../telephony/index.js';

const SAMPLE = join(ROOT, 'electron', 'engine', 'dialog', 'samples', 'appointment.en.json');

let scratch: string;
let bed: Bed | undefined;
const started: Served[] = [];

beforeAll(async () => {
  assertBuilt();
  scratch = await mkdtemp(join(tmpdir(), 'outbound-e2e-flow-save-'));
});

afterAll(async () => {
  for (const s of started) await s.stop().catch(() => undefined);
  await bed?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('outbound flow save', () => {
  it('saves a flow file as versions into a workspace, refuses a broken one, trains with --wait, and a campaign pins it', async () => {
    const data = join(scratch, 'workspace');
    const file = join(scratch, 'clinic.json');
    const flow = JSON.parse(await readFile(SAMPLE, 'utf8')) as Record<string, unknown>;
    flow.id = 'clinic-confirm';
    flow.name = 'Clinic confirmation';
    await writeFile(file, JSON.stringify(flow, null, 2));

    const first = outbound(['flow', 'save', file, '--data', data, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(jsonLines(first)).toMatchObject([
      {
        event: 'saved',
        name: 'clinic-confirm',
        version: 1,
        created: true,
        newFlow: true,
        where: 'workspace',
      },
      { event: 'training', flow: 'clinic-confirm', version: 1, state: 'pending' },
    ]);
    const text = outbound(['flow', 'save', file, '--data', data]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('unchanged, clinic-confirm v1 is the latest version');
    expect(text.stdout).toContain(
      'phrase models train when outbound serve or the desktop app opens this workspace',
    );

    flow.name = 'Clinic confirmation (spring)';
    await writeFile(file, JSON.stringify(flow, null, 2));
    const second = outbound(['flow', 'save', file, '--data', data]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`${file}: saved as clinic-confirm v2 in ${data}`);

    // A broken edit: every problem by node and field, exit 2 (as flow validate), nothing stored.
    const broken = structuredClone(flow) as { nodes: Array<Record<string, unknown>> };
    broken.nodes.find((n) => n.id === 'greet')!.next = 'confrim';
    broken.nodes.find((n) => n.id === 'set_confirmed')!.next = 'nowhere';
    await writeFile(file, JSON.stringify(broken));
    const refused = outbound(['flow', 'save', file, '--data', data]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('error: node "greet": next: no node "confrim"');
    expect(refused.stdout).toContain('error: node "set_confirmed": next: no node "nowhere"');
    expect(refused.stderr).toMatch(/clinic\.json: not saved, 2 problems; nothing was stored/);

    // --wait trains v2 (its questions are the sample's, so the shared speech cache answers).
    await writeFile(file, JSON.stringify(flow, null, 2));
    const wait = outbound(['flow', 'save', file, '--wait', '--data', data, '--json']);
    expect(wait.code, wait.stderr).toBe(0);
    const records = jsonLines(wait);
    expect(records[0]).toMatchObject({ event: 'saved', version: 2, created: false });
    expect(records.filter((r) => r.event === 'training').map((r) => r.state)).toContain('ready');
    expect(records.at(-1)).toMatchObject({ event: 'ready', flow: 'clinic-confirm', version: 2 });

    // It is listed with its versions (the samples installed beside it) …
    const list = outbound(['flow', 'list', '--data', data]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^clinic-confirm {2}en {2}v2 \(2 versions\)$/m);
    expect(list.stdout).toMatch(/^appointment-confirm-en {2}en {2}v1 \(1 version\)$/m);

    // … runs by name …
    const chat = outbound(
      [
        'flow',
        'chat',
        'clinic-confirm',
        '--data',
        data,
        '--contact',
        'name=Alex',
        '--contact',
        'appointment_date=Friday',
        '--contact',
        'appointment_time=3 pm',
      ],
      'yes\n',
    );
    expect(chat.code, chat.stderr).toBe(0);
    expect(chat.stdout).toContain('clinic-confirm v2');
    expect(chat.stdout).toContain('disposition confirmed');

    // … and a campaign started on it pins its latest version.
    await writeFile(join(scratch, 'people.csv'), 'name,phone\nAlex,13800138000\n');
    expect(
      outbound(['import', join(scratch, 'people.csv'), '--list', 'clinic', '--data', data]).code,
    ).toBe(0);
    expect(
      outbound([
        'trunk',
        'add',
        'main',
        '--uri',
        'ws://127.0.0.1:5066/ws',
        '--domain',
        'pbx.test',
        '--data',
        data,
      ]).code,
    ).toBe(0);
    const create = outbound([
      'campaign',
      'create',
      'spring',
      '--list',
      'clinic',
      '--flow',
      'clinic-confirm',
      '--trunk',
      'main',
      '--data',
      data,
    ]);
    expect(create.code, create.stderr).toBe(0);
    const start = outbound(['campaign', 'start', 'spring', '--json', '--data', data]);
    expect(start.code, start.stderr).toBe(0);
    expect(jsonLines(start)[0]).toMatchObject({
      event: 'campaign.start',
      status: 'running',
      flowVersion: 2,
      via: 'workspace',
    });
    const status = outbound(['campaign', 'status', 'spring', '--json', '--data', data]);
    expect(jsonLines(status)[0]).toMatchObject({
      event: 'campaign.status',
      status: 'running',
      flowVersion: 2,
      progress: { contacts: 1 },
    });
  });

  it('returns at once without --wait when nothing of the flow is trained yet (a fresh machine)', async () => {
    // The engine the command starts begins training and is stopped with the command: a training
    // step that asked for a speech worker after the stop used to start one that kept the process
    // up for ever (outbound flow save hung on a fresh machine's empty speech cache).
    const data = join(scratch, 'fresh');
    const cache = join(scratch, 'empty-speech-cache');
    const file = join(scratch, 'fresh.json');
    await writeFile(
      file,
      JSON.stringify({
        id: 'fresh-notice',
        name: 'Fresh notice',
        language: 'en',
        start: 'bye',
        nodes: {
          bye: {
            kind: 'hangup',
            say: 'Hello {name}. Your parcel is on its way.',
            disposition: 'told',
          },
        },
      }),
    );
    const run = spawnSync(process.execPath, [CLI, 'flow', 'save', file, '--data', data], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, OUTBOUND_SPEECH_CACHE: cache },
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('saved as fresh-notice v1');
    expect(run.stderr).not.toMatch(/error|failed/i);
  });

  it('saves a new version into a running outbound serve, and a campaign started with the CLI calls with it', async () => {
    bed = await startBed();
    const data = join(scratch, 'served');
    const answer = await bed.sipp({ scenario: 'answer', rtpEcho: true });
    const number = `199${String(answer.port).padStart(5, '0')}001`;
    const file = join(scratch, 'notice.json');
    const notice = {
      id: 'order-notice',
      name: 'Order notice',
      language: 'en',
      start: 'hello',
      nodes: {
        hello: {
          kind: 'hangup',
          say: 'Hello {name}. Your order is ready. Goodbye.',
          disposition: 'notified',
        },
      },
      dispositions: {
        notified: 'Notified',
        notified_v2: { en: 'Told the order is ready', 'zh-CN': '已告知订单就绪' },
      },
    };
    await writeFile(file, JSON.stringify(notice));
    expect(outbound(['flow', 'save', file, '--data', data]).code).toBe(0);
    await writeFile(join(scratch, 'orders.csv'), `name,phone\nSam,${number}\n`);
    expect(
      outbound(['import', join(scratch, 'orders.csv'), '--list', 'orders', '--data', data]).code,
    ).toBe(0);
    expect(addBedTrunk(bed, data).code).toBe(0);

    const served = await serve(data);
    started.push(served);
    notice.nodes.hello.disposition = 'notified_v2';
    await writeFile(file, JSON.stringify(notice));
    const save = outbound(['flow', 'save', file, '--wait', '--data', data]);
    expect(save.code, save.stderr).toBe(0);
    expect(save.stdout).toContain(
      `${file}: saved as order-notice v2 in the running outbound serve`,
    );
    expect(save.stdout).toContain('order-notice v2 is ready for calls');

    const transport = nodeWebSocketTransport(
      `ws://127.0.0.1:${served.port}/api?token=${served.adminToken}`,
    );
    await transport.ready();
    const api = createApiClient(transport);
    try {
      const listed = jsonLines(outbound(['flow', 'list', '--json', '--data', data]));
      expect(listed.find((f) => f.name === 'order-notice')).toMatchObject({
        latestVersion: 2,
        versions: 2,
        training: 'ready',
      });
      const { flows } = await api.request('flows.list', {});
      expect(flows.find((f) => f.name === 'order-notice')).toMatchObject({
        latestVersion: 2,
        versions: 2,
        training: { state: 'ready' },
      });
      const create = outbound([
        'campaign',
        'create',
        'orders',
        '--list',
        'orders',
        '--flow',
        'order-notice',
        '--trunk',
        'main',
        '--window',
        'sun-sat=00:00-24:00',
        '--data',
        data,
      ]);
      expect(create.code, create.stderr).toBe(0);
      const start = outbound(['campaign', 'start', 'orders', '--json', '--data', data]);
      expect(jsonLines(start)[0]).toMatchObject({ flowVersion: 2, via: 'server' });
      let last: CampaignDetail | null = null;
      await until(
        'the campaign to complete',
        async () => {
          last = await api.request('campaigns.get', { name: 'orders' });
          return last.status === 'completed';
        },
        90_000,
        () => `${JSON.stringify(last?.progress)}\n${served.stderr().slice(-3000)}`,
      );
      const status = outbound(['campaign', 'status', 'orders', '--json', '--data', data]);
      expect(jsonLines(status)[0]).toMatchObject({
        status: 'completed',
        flowVersion: 2,
        progress: { completed: 1, byDisposition: { notified_v2: 1 } },
      });
      const { calls } = await api.request('calls.list', { limit: 5, offset: 0 });
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ outcome: 'completed', disposition: 'notified_v2' });
      // The flow's label for its own code is what History and the campaign pages show.
      const { dispositions } = await api.request('dispositions.list', {});
      expect(dispositions.find((d) => d.code === 'notified_v2')).toMatchObject({
        labelEn: 'Told the order is ready',
        labelZh: '已告知订单就绪',
      });
    } finally {
      transport.close();
      await answer.stop();
    }
  }, 180_000);
});
