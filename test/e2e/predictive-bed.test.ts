/**
 * Predictive dialing over the real test bed (issue 14, "Done when"), with the built app
 * (`outbound serve`, its media host in Chromium with a fake microphone as the agents' voice) and
 * two signed-on agents, Maria and Li, who take calls as the predictive dialer hands them over
 * (auto-accepted: 2 s leave no time to click). The far ends, called in this order:
 *
 * 1. two people (baresip) who answer after 3 s of ringing with Asterisk's real "Hello". The dialer
 *    places one line per ready agent; Li steps away while they ring, so one person is Maria's and
 *    the other finds no agent: abandoned 2 s after the end of their "hello" (not of the answer),
 *    they hear the campaign's information message, and the call is counted in the window;
 * 2. a machine (baresip playing Asterisk's real voicemail greeting and beep): the campaign's AMD
 *    hangs up on it (outcome machine); it is never offered to an agent nor counted as a person;
 * 3. an early-media announcement (sipp: a 183 with 关机 then "power off", never answered): the
 *    call ends long before the ring timeout as no_answer, the outcome the retry policy gives a
 *    powered-off phone (retried later). (空号, the empty number, is not used here: the live
 *    listener takes this recording's English half for "cannot be connected" today, as
 *    early-media.test.ts shows; its accuracy is bench/early-media.bench.ts's);
 * 4. a number that rings and is never answered (sipp): no_answer at the ring timeout;
 * 5. a third person, whom a free agent takes; the customer hears the agent's microphone.
 *
 * All along, the test samples the agents and the campaign's calls: no agent is available while a
 * contact not yet called remains and no line is under way for them (beyond the dialer's round).
 *
 * The bed routes +86 199 <port> NNN to 127.0.0.1:<port>: each baresip phone registers as one such
 * number; each sipp far end answers any NNN on its port.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiClient, type OutboundApi } from '../../electron/engine/api/client.js';
import type { CampaignDetail } from '../../electron/engine/api/contract.js';
import { envelopeCorrelation, readWav, toMono } from '../../electron/engine/audio/index.js';
import { openStore } from '../../electron/engine/store/index.js';
import { addBedTrunk, outbound } from '../support/cli-run.js';
import { assertBuilt, serve, type Served } from '../support/serve.js';
import { until } from '../support/until.js';
import { nodeWebSocketTransport } from '../support/ws-node.js';
import { type Bed, type Phone, type Sipp, startBed } from '../telephony/index.js';

const SOUNDS = '/usr/share/asterisk/sounds/en_US_f_Allison';
const RING_TIMEOUT_MS = 20_000;
const AGENT_TEXT =
  'Hello, this is Maria from the clinic. I have your booking here and I can move it to Friday morning.';

let bed: Bed;
let scratch: string;
let served: Served | null = null;
let agentClip: string;
const previousFakeMic = process.env.OUTBOUND_FAKE_MIC;

beforeAll(async () => {
  assertBuilt();
  bed = await startBed();
  scratch = await mkdtemp(join(tmpdir(), 'outbound-e2e-predictive-'));
  // The agents' microphone (the desktop's, shared by whoever takes the call): a distinct voice.
  agentClip = (
    await bed.clip('predictive-agent-mic', {
      text: AGENT_TEXT,
      voice: 'en',
      rate: 16000,
      pitch: 80,
      wordsPerMinute: 150,
      leadMs: 300,
    })
  ).path;
  process.env.OUTBOUND_FAKE_MIC = agentClip; // inherited by `outbound serve` and its media host
}, 60_000);

afterAll(async () => {
  if (previousFakeMic === undefined) delete process.env.OUTBOUND_FAKE_MIC;
  else process.env.OUTBOUND_FAKE_MIC = previousFakeMic;
  await served?.stop().catch(() => undefined);
  await bed?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** sox: Asterisk prompts and silences (`sil:SECONDS`) joined into one 8 kHz mono WAV. */
function joinWav(name: string, parts: string[]): string {
  const inputs = parts.map((part, i) => {
    if (!part.startsWith('sil:')) return join(SOUNDS, `${part}.wav`);
    const file = join(scratch, `${name}-sil-${i}.wav`);
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
    return file;
  });
  const path = join(scratch, `${name}.wav`);
  execFileSync('sox', [...inputs, '-r', '8000', '-c', '1', '-b', '16', path]);
  return path;
}

/** Where speech ends in a WAV (s): the last 20 ms window louder than -40 dBFS before `beforeS`. */
function lastLoud(samples: Float32Array, rate: number, beforeS = Infinity): number {
  const win = Math.round(rate * 0.02);
  let last = 0;
  for (let i = 0; i + win <= Math.min(samples.length, beforeS * rate); i += win) {
    let sum = 0;
    for (let j = i; j < i + win; j++) sum += samples[j]! * samples[j]!;
    if (Math.sqrt(sum / win) > 0.01) last = (i + win) / rate;
  }
  return last;
}

/** Where sound starts in a WAV (s): the first 20 ms window louder than -40 dBFS. */
function firstLoud(samples: Float32Array, rate: number): number | null {
  const win = Math.round(rate * 0.02);
  for (let i = 0; i + win <= samples.length; i += win) {
    let sum = 0;
    for (let j = i; j < i + win; j++) sum += samples[j]! * samples[j]!;
    if (Math.sqrt(sum / win) > 0.01) return i / rate;
  }
  return null;
}

const numberFor = (far: Sipp, n: number): string =>
  `+86199${String(far.port).padStart(5, '0')}${String(n).padStart(3, '0')}`;

const allDay: [string, string] = ['00:00', '24:00'];
const schedule = {
  timeZone: 'Asia/Shanghai',
  windows: Object.fromEntries(
    ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [allDay]]),
  ),
};

interface CallRow {
  id: string;
  number: string;
  state: string;
  outcome: string | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
}

describe('a predictive campaign over the bed with two agents', () => {
  it('keeps the agents supplied, abandons with the message 2 s after the greeting, acts on machines and ends announcements early', async () => {
    // --- far ends
    const hello = joinWav('hello', ['sil:0.5', 'hello', 'sil:20']);
    const helloWav = await readWav(hello);
    const helloEndS = lastLoud(toMono(helloWav.samples), helloWav.sampleRate, 3);
    const greeting = joinWav('greeting', [
      'sil:0.4',
      'vm-nobodyavail',
      'vm-intro',
      'sil:0.3',
      'beep',
      'sil:20',
    ]);
    const phoneAt = async (
      offset: number,
      options: { play: string; answerDelayMs?: number; callLengthS: number },
    ): Promise<{ phone: Phone; number: string }> => {
      const sipPort = bed.ports.firstPhonePort + offset;
      const user = `+86199${String(sipPort).padStart(5, '0')}001`;
      const phone = await bed.phone({ user, sipPort, answer: 'auto', ...options });
      return { phone, number: user };
    };
    const personA = await phoneAt(0, { play: hello, answerDelayMs: 3_000, callLengthS: 14 });
    const personB = await phoneAt(2, { play: hello, answerDelayMs: 3_000, callLengthS: 14 });
    const machine = await phoneAt(4, { play: greeting, callLengthS: 20 });
    const personC = await phoneAt(6, { play: hello, answerDelayMs: 1_000, callLengthS: 10 });
    const offWav = join(scratch, 'off.wav');
    const zh = await bed.clip('predictive-off-zh', {
      text: '您拨打的电话已关机。',
      voice: 'cmn',
      rate: 8000,
      leadMs: 500,
    });
    const en = await bed.clip('predictive-off-en', {
      text: 'The subscriber you dialed is power off.',
      voice: 'en',
      rate: 8000,
      leadMs: 800,
    });
    execFileSync('sox', [zh.path, en.path, zh.path, en.path, offWav]);
    const announcing = await bed.sipp({
      scenario: 'early-media',
      earlyMediaMs: 60_000,
      play: offWav,
    });
    const ringing = await bed.sipp({ scenario: 'ring' });
    const poweredOff = numberFor(announcing, 1);
    const unanswered = numberFor(ringing, 2);

    const data = join(scratch, 'data');
    const csv = join(scratch, 'contacts.csv');
    await writeFile(
      csv,
      [
        'name,phone',
        `Person A,${personA.number}`,
        `Person B,${personB.number}`,
        `Machine,${machine.number}`,
        `Powered off,${poweredOff}`,
        `No answer,${unanswered}`,
        `Person C,${personC.number}`,
        '',
      ].join('\n'),
    );
    expect(outbound(['import', csv, '--list', 'predictive', '--data', data]).code).toBe(0);
    expect(addBedTrunk(bed, data, ['--max-calls', '10', '--json']).code).toBe(0);

    served = await serve(data);
    const transport = nodeWebSocketTransport(
      `ws://127.0.0.1:${served.port}/api?token=${served.adminToken}`,
    );
    await transport.ready();
    const api: OutboundApi = createApiClient(transport);
    const samples: string[] = [];
    let sampling = true;
    let campaignId: number | undefined;
    try {
      await api.request('settings.update', {
        changes: { ringTimeoutMs: RING_TIMEOUT_MS, wrapUpMs: 0, language: 'en' },
      });
      const maria = (
        await api.request('users.add', {
          username: 'maria',
          displayName: 'Maria Chen',
          role: 'agent',
          password: 'maria-password-1',
        })
      ).id;
      const li = (
        await api.request('users.add', {
          username: 'li',
          displayName: 'Li Wei',
          role: 'agent',
          password: 'li-password-12',
        })
      ).id;
      await api.request('agents.setStatus', { agentId: maria, status: 'available' });
      await api.request('agents.setStatus', { agentId: li, status: 'available' });
      await api.request('campaigns.create', {
        name: 'predictive',
        list: 'predictive',
        trunks: ['main'],
        dialingMode: 'predictive',
        queue: 'default',
        maxConcurrentCalls: 6,
        schedule,
        retryPolicy: { maxAttempts: 1, retryAfterMs: {}, dailyCapPerNumber: 5 },
        predictive: { messageLanguage: 'en' },
        amd: { enabled: true, machineAction: 'hangup' },
      });
      const campaign = await api.request('campaigns.get', { name: 'predictive' });
      const callsNow = async (): Promise<CallRow[]> =>
        (
          (await api.request('calls.list', { campaignId: campaign.id, limit: 50 })) as {
            calls: CallRow[];
          }
        ).calls;

      // No agent waits while callable contacts remain: sampled every 250 ms from the start.
      let pacing: CampaignDetail['pacing'] = null;
      let waitingSince: number | null = null;
      let longestWaitMs = 0;
      const sampler = (async () => {
        while (sampling) {
          const [states, calls, detail] = await Promise.all([
            api.request('agents.states', {}),
            callsNow(),
            api.request('campaigns.get', { name: 'predictive' }),
          ]);
          const free = states.agents.filter(
            (a) => (a.id === maria || a.id === li) && a.status === 'available',
          ).length;
          const inFlight = calls.filter((c) =>
            ['queued', 'dialing', 'ringing', 'answered', 'transferring'].includes(c.state),
          ).length;
          const notCalled = detail.progress.contacts - detail.progress.dialed;
          pacing = detail.pacing ?? pacing;
          const now = Date.now();
          const starved = detail.status === 'running' && notCalled > 0 && free > inFlight;
          if (starved) {
            waitingSince ??= now;
            longestWaitMs = Math.max(longestWaitMs, now - waitingSince);
          } else waitingSince = null;
          samples.push(
            `${now} free ${free} in flight ${inFlight} not called ${notCalled}${starved ? ' WAITING' : ''}`,
          );
          await new Promise((r) => setTimeout(r, 250));
        }
      })();

      await api.request('campaigns.start', { name: 'predictive' });
      // The dialer places one line per ready agent: Person A and Person B. Li steps away while
      // they ring, so one of them will find no agent.
      await until(
        'the first two lines',
        async () => ((await callsNow()).length >= 2 ? true : null),
        20_000,
      );
      await api.request('agents.setStatus', { agentId: li, status: 'away' });
      const abandoned = await until(
        'a call abandoned',
        async () => (await callsNow()).find((c) => c.outcome === 'abandoned') ?? null,
        40_000,
      );
      await api.request('agents.setStatus', { agentId: li, status: 'available' });

      let last: CampaignDetail | null = null;
      await until(
        'the campaign to complete',
        async () => {
          last = await api.request('campaigns.get', { name: 'predictive' });
          return last.status === 'completed' ? last : null;
        },
        90_000,
        () => `${JSON.stringify(last?.progress)}\n${served?.stderr().slice(-3000) ?? ''}`,
      );
      sampling = false;
      await sampler;

      const calls = await callsNow();
      const detail = async (c: CallRow) => api.request('calls.get', { id: c.id });
      const story = (
        await Promise.all(
          calls.map(
            async (c) =>
              `${c.number} ${c.outcome}\n  ${(await detail(c)).events
                .map((e) => `${e.type}:${JSON.stringify(e.data)}`)
                .join(' | ')}`,
          ),
        )
      ).join('\n');
      const byNumber = (n: string) => calls.filter((c) => c.number.endsWith(n.slice(3)));
      expect(calls, story).toHaveLength(6);

      // No agent waited while contacts not yet called remained (beyond the dialer's round).
      console.info(
        `[predictive] longest agent wait with contacts left: ${longestWaitMs} ms (${samples.filter((l) => l.endsWith('WAITING')).length} of ${samples.length} samples)`,
      );
      expect(longestWaitMs, samples.join('\n')).toBeLessThanOrEqual(2_500);

      // The people: one taken by Maria, one abandoned with the information message.
      const people = [...byNumber(personA.number), ...byNumber(personB.number)];
      expect(people.map((c) => c.outcome).sort(), story).toEqual(['abandoned', 'transferred']);
      const dropped = await detail(abandoned);
      const note = dropped.events.find((e) => e.type === 'transfer_unanswered');
      expect(String(note?.data.reason), story).toContain("of the greeting's end");
      // At the phone: the message starts about 2 s after the end of the person's "hello".
      const droppedPhone = abandoned.number.endsWith(personA.number.slice(3))
        ? personA.phone
        : personB.phone;
      const heard = await readWav(await droppedPhone.heardWav(15_000));
      const heardMono = toMono(heard.samples);
      const messageAt = firstLoud(heardMono, heard.sampleRate);
      expect(messageAt, story).not.toBeNull();
      const afterHelloS = messageAt! - helloEndS;
      console.info(
        `[predictive] the information message began ${afterHelloS.toFixed(2)} s after the end of the person's "hello" (${(messageAt! - 0).toFixed(2)} s after the answer)`,
      );
      expect(afterHelloS, story).toBeGreaterThanOrEqual(1.7);
      expect(afterHelloS, story).toBeLessThanOrEqual(2.8);
      // And it is the message (seconds of speech), not a click.
      expect(lastLoud(heardMono, heard.sampleRate) - messageAt!).toBeGreaterThan(2);

      // The machine: the configured action (hang up), stored as machine, not counted as a person.
      const [machineCall] = byNumber(machine.number);
      expect(machineCall?.outcome, story).toBe('machine');
      const machineEvents = (await detail(machineCall!)).events;
      expect(machineEvents.find((e) => e.type === 'amd')?.data).toMatchObject({
        result: 'machine',
      });
      expect(machineEvents.find((e) => e.type === 'amd_action')?.data).toMatchObject({
        action: 'hangup',
      });
      // Never offered to an agent: one is asked for only once the greeting ends as a person's.
      expect(machineEvents.map((e) => e.type)).not.toContain('agent_offered');

      // The announcement: heard as powered off, the call canceled long before the ring timeout
      // and stored as no_answer (what the retry policy retries later), never answered.
      const [offCall] = byNumber(poweredOff);
      const offEvents = (await detail(offCall!)).events;
      expect(offEvents.find((e) => e.type === 'line_status')?.data.status, story).toBe(
        'powered_off',
      );
      expect(offCall?.outcome, story).toBe('no_answer');
      expect(offCall!.answeredAt).toBeNull();
      expect(offEvents.map((e) => e.type)).not.toContain('ring_timeout');
      expect(offCall!.endedAt! - offCall!.startedAt, story).toBeLessThan(RING_TIMEOUT_MS - 5_000);
      // The unanswered number: no_answer at the ring timeout.
      const [ringCall] = byNumber(unanswered);
      expect(ringCall?.outcome, story).toBe('no_answer');

      // Person C: taken by a free agent; the customer hears the agents' microphone.
      const [cCall] = byNumber(personC.number);
      expect(cCall?.outcome, story).toBe('transferred');
      const cEvents = (await detail(cCall!)).events;
      const connected = cEvents.find((e) => e.type === 'agent_connected');
      expect(connected, story).toBeDefined();
      const cHeard = await readWav(await personC.phone.heardWav(15_000));
      const clip = await readWav(agentClip);
      const switchS = (connected!.at - cCall!.answeredAt!) / 1000;
      const match = envelopeCorrelation(
        toMono(clip.samples),
        clip.sampleRate,
        toMono(cHeard.samples).slice(Math.round((switchS + 0.2) * cHeard.sampleRate)),
        cHeard.sampleRate,
        { minOverlap: 0.6 },
      );
      console.info(
        `[predictive] the agent's microphone at the phone: ${match.correlation.toFixed(3)}`,
      );
      expect(match.correlation).toBeGreaterThanOrEqual(0.8);

      const final = await api.request('campaigns.get', { name: 'predictive' });
      expect(final.progress.byOutcome.abandoned).toBe(1);
      console.info(`[predictive] pacing last seen: ${JSON.stringify(pacing)}`);
      campaignId = campaign.id;
    } finally {
      sampling = false;
      transport.close();
    }
    // Counted in the abandonment window the store keeps: three people answered, one abandoned;
    // the machine and the unanswered calls are not people.
    await served?.stop();
    served = null;
    const store = await openStore({ dataDir: data });
    try {
      expect(campaignId).toBeDefined();
      const minutes = await store.campaignContacts.abandonmentMinutes(campaignId!, 0);
      expect({
        answered: minutes.reduce((n, m) => n + m.answered, 0),
        abandoned: minutes.reduce((n, m) => n + m.abandoned, 0),
      }).toEqual({ answered: 3, abandoned: 1 });
    } finally {
      await store.close();
    }
    for (const p of [personA, personB, machine, personC]) await p.phone.stop();
    await announcing.stop();
    await ringing.stop();
  }, 180_000);
});
