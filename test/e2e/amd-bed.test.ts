/**
 * Answering-machine detection end to end over the real test bed (issue 14 §3), with the built app
 * (`outbound serve`, its media host in Chromium) and baresip phones as the far ends:
 *
 * - a machine: a phone that answers and plays Asterisk's own voicemail greeting (Allison Smith's
 *   real recording, "Nobody is available… please leave your message after the tone…") and its
 *   beep, then stays silent as a voicemail box records;
 * - a person: a phone that answers with Asterisk's real "Hello" and then waits.
 *
 * Campaign "hangup" calls a machine and a person: the machine's call ends during its greeting as
 * `machine`, the person's call runs the flow to its end as `completed`, each with its `amd`
 * decision. Campaign "message" calls a machine: the bot stops, the message plays after the beep
 * (the phone hears it after the beep it sent), and the call ends as `machine`.
 *
 * The bed routes +86 199 <port> NNN to 127.0.0.1:<port>, so each phone registers as that number.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiClient, type OutboundApi } from '../../electron/engine/api/client.js';
import { readWav } from '../../electron/engine/audio/index.js';
import { addBedTrunk, outbound } from '../support/cli-run.js';
import { assertBuilt, serve, type Served } from '../support/serve.js';
import { until } from '../support/until.js';
import { nodeWebSocketTransport } from '../support/ws-node.js';
import { type Bed, type Phone, startBed } from '../telephony/index.js';

const SOUNDS = '/usr/share/asterisk/sounds/en_US_f_Allison';

const flow = {
  id: 'amd-e2e',
  name: 'AMD e2e',
  language: 'en',
  start: 'hello',
  nodes: {
    hello: {
      kind: 'hangup',
      say: 'Hello, this is the city clinic calling about your appointment tomorrow morning at ten. Please bring your card and arrive a few minutes early. If you need to change the time, call us back on the number you see. Thank you, and goodbye.',
      disposition: 'reminded',
    },
  },
};

let bed: Bed;
let scratch: string;
let served: Served | null = null;

beforeAll(async () => {
  assertBuilt();
  bed = await startBed();
  scratch = await mkdtemp(join(tmpdir(), 'outbound-e2e-amd-'));
}, 60_000);

afterAll(async () => {
  await served?.stop().catch(() => undefined);
  await bed?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** sox: the files and silences joined into one 8 kHz mono WAV. */
function joinWav(path: string, parts: string[]): string {
  const inputs: string[] = [];
  parts.forEach((part, i) => {
    if (part.startsWith('sil:')) {
      const file = join(scratch, `sil-${i}-${Date.now()}.wav`);
      execFileSync('sox', [
        '-n',
        '-r',
        '8000',
        '-c',
        '1',
        '-b',
        '16',
        file,
        'trim',
        '0',
        part.slice(4),
      ]);
      inputs.push(file);
    } else inputs.push(join(SOUNDS, `${part}.wav`));
  });
  execFileSync('sox', [...inputs, '-r', '8000', '-c', '1', '-b', '16', path]);
  return path;
}

/** A phone reachable at +86 199 <its port> 001. */
async function farEnd(offset: number, play: string): Promise<{ phone: Phone; number: string }> {
  const sipPort = bed.ports.firstPhonePort + offset;
  const user = `+86199${String(sipPort).padStart(5, '0')}001`;
  const phone = await bed.phone({ user, sipPort, play, answer: 'auto', callLengthS: 40 });
  return { phone, number: user };
}

async function connect(s: Served): Promise<{ api: OutboundApi; close(): void }> {
  const transport = nodeWebSocketTransport(`ws://127.0.0.1:${s.port}/api?token=${s.adminToken}`);
  await transport.ready();
  return { api: createApiClient(transport), close: () => transport.close() };
}

const allDay: [string, string] = ['00:00', '24:00'];
const schedule = {
  timeZone: 'Asia/Shanghai',
  windows: {
    sun: [allDay],
    mon: [allDay],
    tue: [allDay],
    wed: [allDay],
    thu: [allDay],
    fri: [allDay],
    sat: [allDay],
  },
};

describe('answering-machine detection over the bed', () => {
  it('hangs up on a machine, lets a person hear the flow, and leaves a message after a beep', async () => {
    // The greeting is 2.8 s + 5.7 s of real speech, then the beep and silence (the box records).
    const greeting = joinWav(join(scratch, 'greeting.wav'), [
      'sil:0.4',
      'vm-nobodyavail',
      'vm-intro',
      'sil:0.3',
      'beep',
      'sil:30',
    ]);
    const hello = joinWav(join(scratch, 'hello.wav'), ['sil:0.5', 'hello', 'sil:30']);
    const machineA = await farEnd(0, greeting);
    const person = await farEnd(2, hello);
    const machineB = await farEnd(4, greeting);

    const data = join(scratch, 'data');
    // Two lists: each campaign calls its own far ends.
    await writeFile(
      join(scratch, 'a.csv'),
      `name,phone\nMachine A,${machineA.number}\nPerson,${person.number}\n`,
    );
    await writeFile(join(scratch, 'b.csv'), `name,phone\nMachine B,${machineB.number}\n`);
    expect(
      outbound(['import', join(scratch, 'a.csv'), '--list', 'hangup', '--data', data]).code,
    ).toBe(0);
    expect(
      outbound(['import', join(scratch, 'b.csv'), '--list', 'message', '--data', data]).code,
    ).toBe(0);
    expect(addBedTrunk(bed, data, ['--max-calls', '10', '--json']).code).toBe(0);

    served = await serve(data);
    const { api, close } = await connect(served);
    try {
      await api.request('flows.save', { definition: flow });
      const base = {
        flow: { name: flow.id },
        trunks: ['main'],
        schedule,
        maxConcurrentCalls: 5,
        retryPolicy: { maxAttempts: 1, retryAfterMs: {}, dailyCapPerNumber: 5 },
      };
      await api.request('campaigns.create', {
        ...base,
        name: 'hangup',
        list: 'hangup',
        amd: { enabled: true, machineAction: 'hangup' },
      });
      await api.request('campaigns.create', {
        ...base,
        name: 'message',
        list: 'message',
        amd: {
          enabled: true,
          machineAction: 'message',
          message: {
            text: 'This is the city clinic. Please call us back about your appointment.',
            language: 'en',
          },
        },
      });
      await api.request('campaigns.start', { name: 'hangup' });
      await api.request('campaigns.start', { name: 'message' });

      const ended = async (campaign: string, n: number) => {
        const { id } = await api.request('campaigns.get', { name: campaign });
        const { calls } = await api.request('calls.list', { campaignId: id, limit: 10 });
        return calls.length === n && calls.every((c) => c.state === 'done') ? calls : null;
      };
      const hangupCalls = await until(
        "the hangup campaign's calls to end",
        () => ended('hangup', 2),
        90_000,
      );
      const messageCalls = await until(
        "the message campaign's call to end",
        () => ended('message', 1),
        90_000,
      );

      const byNumber = new Map([...hangupCalls, ...messageCalls].map((c) => [c.number, c]));
      const detail = async (number: string) =>
        api.request('calls.get', { id: byNumber.get(number)!.id });

      // The machine: hung up during its greeting (before the beep at ~9 s), stored as machine.
      const a = await detail(machineA.number);
      expect(a.call.outcome).toBe('machine');
      const amdA = a.events.find((e) => e.type === 'amd');
      expect(amdA?.data).toMatchObject({ result: 'machine' });
      expect(a.events.find((e) => e.type === 'amd_action')?.data).toMatchObject({
        action: 'hangup',
      });
      expect(a.call.endedAt! - a.call.answeredAt!).toBeLessThan(8_000);

      // The person: a human decision, and the flow ran to its end.
      const p = await detail(person.number);
      expect(p.call.outcome).toBe('completed');
      expect(p.events.filter((e) => e.type === 'amd').at(-1)?.data).toMatchObject({
        result: 'human',
      });
      expect(p.call.disposition).toBe('reminded');

      // The message: left after the beep, then the call ended as machine.
      const b = await detail(machineB.number);
      expect(b.call.outcome).toBe('machine');
      expect(b.events.find((e) => e.type === 'amd_beep')).toBeDefined();
      expect(b.events.find((e) => e.type === 'amd_action')?.data).toMatchObject({
        action: 'message',
        after: 'beep',
      });
      // What the phone heard: speech (the message) after the beep it played.
      const heard = await readWav(await machineB.phone.heardWav(15_000));
      const samples = heard.samples[0]!;
      const rate = heard.sampleRate;
      const beepAt = (0.4 + 2.79 + 5.65 + 0.3) * rate;
      let after = 0;
      for (let i = Math.round(beepAt); i < samples.length; i++) after += samples[i]! * samples[i]!;
      expect(Math.sqrt(after / Math.max(1, samples.length - beepAt))).toBeGreaterThan(0.005);
    } finally {
      close();
    }
  }, 240_000);
});
