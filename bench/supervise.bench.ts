/**
 * What a listening supervisor costs: real calls through the test bed (the engine with the media
 * host in Chromium, baresip phones looping a clip, the caller playing one on every call), the
 * media host's CPU measured with and without a supervisor listening on every call (their
 * microphone, Chromium's fake device speaking a clip, and their speaker mix added to each call's
 * graph). Alternating rounds, so a change in the machine's load hits both sides alike.
 */
import { readFileSync } from 'node:fs';

import { loadPrompt } from '../electron/engine/audio/index.js';
import { processTree } from '../electron/headless/media-host-launcher.js';
import { startCallEngine } from '../test/support/call-engine.js';
import { type Phone, startBed } from '../test/telephony/index.js';
import { type BenchRow, type BenchSuite, percentile } from './harness.js';

const quiet = { info() {}, warn() {}, error() {} };
const CALLS = 5;
const ROUNDS = 3;
const MEASURE_MS = 5000;
const CLOCK_TICKS = 100; // USER_HZ on Linux

const sleep = (milliseconds: number): Promise<void> =>
  new Promise((r) => setTimeout(r, milliseconds));

/** utime + stime of the processes, in ms of CPU. */
function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // ended meanwhile
    }
  }
  return (ticks * 1000) / CLOCK_TICKS;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 === 0 ? (sorted[mid - 1]! + sorted[mid]!) / 2 : percentile(sorted, 50);
}

const suite: BenchSuite = {
  title: 'Supervision: the added CPU of a listening supervisor',
  method: `${CALLS} real calls up at once through the SIP test bed (baresip phones looping a clip, the bot's side playing one on every call), the media host's Chromium processes' CPU over ${MEASURE_MS / 1000} s without a supervisor, then with a supervisor listening on every call (calls.supervise: their microphone, Chromium's fake device, and their speaker's mix of both sides joined to each call's audio graph), alternating for ${ROUNDS} rounds; median per call in % of one core (and the engine's process beside it). The test bed's phones, relay and proxy share the same 2 cores.`,
  async run() {
    const bed = await startBed();
    const clip = await bed.clip('bench-supervisor', {
      text: 'This is the supervisor, listening to the call.',
      voice: 'en',
      rate: 16000,
    });
    const previousMic = process.env.OUTBOUND_FAKE_MIC;
    process.env.OUTBOUND_FAKE_MIC = clip.path; // read by the launcher when the media host starts
    // The engine, its headless server and the media host in Chromium, as the call tests start them.
    const calls = await startCallEngine({ log: quiet });
    const { engine } = calls;
    await engine.request('settings.update', { changes: { recordCalls: false } });
    await calls.addTrunk({
      name: 'bed',
      uri: bed.wsUri.open,
      domain: bed.sipDomain,
      maxConcurrentCalls: 100,
    });
    const rows: BenchRow[] = [];
    const phones: Phone[] = [];
    try {
      const prompt = await loadPrompt(clip.path);
      const looped = ([] as Int16Array[]).concat(
        ...Array.from({ length: 40 }, () => prompt.frames),
      );
      for (let i = 0; i < CALLS; i++)
        phones.push(
          await bed.phone({ user: String(4600 + i), play: clip.path, loop: true, answer: 'auto' }),
        );
      const sessions = [];
      for (const phone of phones) {
        sessions.push(await engine.telephony.dial({ number: phone.user, trunk: 'bed' }));
        await sleep(100);
      }
      while (sessions.some((s) => s.answeredAt === null && s.state !== 'done')) await sleep(20);
      for (const s of sessions) void s.play(looped);
      const host = engine.telephony.mediaHost!.running!;
      await sleep(2000);
      const measure = async (): Promise<{ host: number; engine: number }> => {
        const pids = processTree(host.pids()[0]!);
        const host0 = cpuMs(pids);
        const engine0 = process.cpuUsage();
        await sleep(MEASURE_MS);
        const usage = process.cpuUsage(engine0);
        return {
          host: ((cpuMs(pids) - host0) / MEASURE_MS) * 100,
          engine: ((usage.user + usage.system) / 1000 / MEASURE_MS) * 100,
        };
      };
      const added: number[] = [];
      const addedEngine: number[] = [];
      const plain: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const without = await measure();
        for (const s of sessions)
          await engine.request('calls.supervise', { callId: s.callId, mode: 'listen' });
        await sleep(1000);
        const withSupervisor = await measure();
        for (const s of sessions) await engine.request('calls.unsupervise', { callId: s.callId });
        await sleep(1000);
        plain.push(without.host / CALLS);
        added.push((withSupervisor.host - without.host) / CALLS);
        addedEngine.push((withSupervisor.engine - without.engine) / CALLS);
      }
      const up = sessions.filter((s) => s.isUp).length;
      rows.push({
        name: `media host CPU per call, no supervisor (% of a core)`,
        values: { value: `${median(plain).toFixed(1)} %` },
      });
      rows.push({
        name: `added by a listening supervisor, per call (% of a core)`,
        values: {
          value: `${median(added).toFixed(1)} % (rounds: ${added.map((a) => a.toFixed(1)).join(', ')}; engine ${median(addedEngine).toFixed(2)} %)`,
        },
      });
      rows.push({ name: 'calls up at the end', values: { value: `${up}/${CALLS}` } });
      await Promise.all(sessions.map((s) => s.hangup('bench')));
      await Promise.all(sessions.map((s) => s.whenEnded()));
    } finally {
      for (const phone of phones) await phone.stop();
      await calls.stop();
      await bed.stop();
      if (previousMic === undefined) delete process.env.OUTBOUND_FAKE_MIC;
      else process.env.OUTBOUND_FAKE_MIC = previousMic;
    }
    return rows;
  },
};

export default suite;
