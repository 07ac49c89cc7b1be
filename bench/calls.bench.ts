/**
 * Real calls through the test bed (Kamailio + rtpengine + baresip/sipp on loopback), ours (the
 * engine with the media host in Chromium) side by side with a native SIP phone (a baresip UA
 * dialing through the same proxy and relay), in the same run:
 *   - dial → answered, to a sipp far end that answers at once;
 *   - audio round trip to a sipp far end that echoes RTP, measured from each side's own
 *     recording of what it sent and what came back (one clock per side, so no clock offset);
 *     each direction is taken as half the round trip;
 *   - CPU and memory per concurrent call at 1, 10 and 25 calls: ours = the media host's Chromium
 *     processes (plus the engine's process, shown apart), native = the one baresip UA carrying the
 *     calls; both carry audio both ways (phones loop a clip, the caller plays one).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  envelopeCorrelation,
  loadPrompt,
  readWav,
  toMono,
} from '../electron/engine/audio/index.js';
import { Engine } from '../electron/engine/index.js';
import { startHeadlessServer } from '../electron/headless/index.js';
import {
  createChromiumMediaHostLauncher,
  processTree,
} from '../electron/headless/media-host-launcher.js';
import { type Phone, startBed } from '../test/telephony/index.js';
import { type BenchRow, type BenchSuite, ms, percentile } from './harness.js';

const quiet = { info() {}, warn() {}, error() {} };
const DIAL_SAMPLES = 10;
const RTT_SAMPLES = 8;
const LOADS = [1, 10, 25];
const MEASURE_MS = 5000;
const CLOCK_TICKS = 100; // USER_HZ on Linux

const sleep = (milliseconds: number): Promise<void> =>
  new Promise((r) => setTimeout(r, milliseconds));

function stats(values: number[]): { median: number; p95: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

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

/** Proportional set size (shared pages split among sharers), in MiB. */
function pssMiB(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      kb += Number(match?.[1] ?? 0);
    } catch {
      // ended meanwhile
    }
  }
  return kb / 1024;
}

/** Where `sent` shows up again in `heard` (both in one recording's time base), in ms. */
function echoLagMs(sent: Float32Array, heard: Float32Array, rate: number): number | null {
  const match = envelopeCorrelation(sent, rate, heard, rate, { minOverlap: 0.6 });
  return match.correlation >= 0.7 ? match.lagMs : null;
}

const suite: BenchSuite = {
  title: 'Real calls: ours vs a native SIP phone',
  method: [
    'Through the SIP test bed on loopback (Kamailio with a WebSocket listener, rtpengine, baresip phones, sipp), on the same machine as the app.',
    '"Ours" is the engine with the media host (JsSIP + WebRTC in Debian\'s Chromium, audio bridged as PCM); "native" is a baresip UA dialing through the same proxy and relay (plain RTP, no ICE/DTLS).',
    `Dial → answered: ${DIAL_SAMPLES} sequential calls each to a sipp far end that answers at once. Round trip: ${RTT_SAMPLES} calls each to a sipp far end that echoes RTP; the lag between what a side sent and what came back, found by envelope correlation (10 ms steps) in that side's own recording; one way = half of it. Ours is measured from the media host's outgoing mix, so it leaves out the hop of the bot's audio from the engine to the page (the bot's turn latency under Speech is measured at the phone and includes it; the playback lead adds nothing to it, since a prompt's first frame is sent at once).`,
    `CPU and memory: N calls up at once to N baresip phones (each looping a clip) while the caller plays a clip on every call, CPU over ${MEASURE_MS / 1000} s in % of one core per call (above the idle media host), memory as PSS added per call over the idle process(es) (the engine's whole RSS shown beside it: its garbage collector moves it by more than a call costs). Ratio = ours / native. The phones, relay and proxy share the 2 cores: at 25 calls the machine is saturated, so per-call figures there are lower bounds of a busy box, not a spare one.`,
  ].join(' '),
  async run() {
    const bed = await startBed();
    const dataDir = await mkdtemp(join(tmpdir(), 'outbound-bench-calls-'));
    const engine = await Engine.start({
      dataDir,
      transport: 'in-process',
      version: 'bench',
      log: quiet,
    });
    const server = await startHeadlessServer({
      api: engine,
      rendererDir: join(import.meta.dirname, '..', 'out', 'renderer'),
      port: 0,
      log: quiet,
    });
    engine.telephony.setLauncher(createChromiumMediaHostLauncher({ server, log: quiet }));
    await engine.request('settings.update', { changes: { recordCalls: false } });
    await engine.request('trunks.create', {
      name: 'bed',
      uri: bed.wsUri.open,
      domain: bed.sipDomain,
      maxConcurrentCalls: 100,
    });
    const rows: BenchRow[] = [];
    try {
      const clip = await bed.clip('bench-clip', {
        text: 'One two three four five, this is the benchmark speaking on the line today.',
        voice: 'en',
        rate: 16000,
      });
      const prompt = await loadPrompt(clip.path);
      const native = await bed.phone({
        user: '4999',
        play: clip.path,
        loop: true,
        answer: 'manual',
        maxCalls: 30,
      });

      // --- dial → answered
      const answerer = await bed.sipp({ scenario: 'answer' });
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let i = 0; i < DIAL_SAMPLES + 1; i++) {
        const started = Date.now();
        const session = await engine.telephony.dial({ number: answerer.number, trunk: 'bed' });
        while (session.answeredAt === null && session.state !== 'done') await sleep(5);
        if (i > 0 && session.answeredAt !== null) ours.push(session.answeredAt - started); // the first includes starting Chromium
        await session.hangup('bench');
        await session.whenEnded();
        const before = native.events.length;
        const dialedAt = Date.now();
        await native.dial(answerer.uri(bed.sipDomain));
        const established = await native.waitForEvent('CALL_ESTABLISHED', {
          after: before,
          timeoutMs: 10_000,
        });
        if (i > 0) theirs.push(established.at - dialedAt);
        await native.hangup();
        await native.waitForEvent('CALL_CLOSED', { after: before, timeoutMs: 10_000 });
      }
      await answerer.stop();
      const dialOurs = stats(ours);
      const dialNative = stats(theirs);
      rows.push({
        name: 'dial → answered, median',
        values: {
          ours: ms(dialOurs.median),
          native: ms(dialNative.median),
          'ratio ours / native': (dialOurs.median / dialNative.median).toFixed(2),
        },
      });
      rows.push({
        name: 'dial → answered, p95',
        values: {
          ours: ms(dialOurs.p95),
          native: ms(dialNative.p95),
          'ratio ours / native': (dialOurs.p95 / dialNative.p95).toFixed(2),
        },
      });

      // --- audio round trip through an echoing far end
      const echo = await bed.sipp({ scenario: 'answer', rtpEcho: true });
      const ourRtt: number[] = [];
      const nativeRtt: number[] = [];
      for (let i = 0; i < RTT_SAMPLES; i++) {
        const session = await engine.telephony.dial({ number: echo.number, trunk: 'bed' });
        while (session.answeredAt === null && session.state !== 'done') await sleep(5);
        const left: Int16Array[] = [];
        const right: Int16Array[] = [];
        session.onAudio((frame) => {
          left.push(frame.left.slice());
          right.push(frame.right.slice());
        });
        await sleep(300);
        await session.play(prompt.frames);
        await sleep(800);
        await session.hangup('bench');
        await session.whenEnded();
        const flat = (frames: Int16Array[]): Float32Array =>
          Float32Array.from(
            frames.flatMap((f) => [...f]),
            (v) => v / 32768,
          );
        const lag = echoLagMs(flat(right), flat(left), 16_000);
        if (lag !== null) ourRtt.push(lag);

        const before = native.events.length;
        await native.dial(echo.uri(bed.sipDomain));
        await native.waitForEvent('CALL_ESTABLISHED', { after: before, timeoutMs: 10_000 });
        await sleep(prompt.durationMs + 1100);
        await native.hangup();
        await native.waitForEvent('CALL_CLOSED', { after: before, timeoutMs: 10_000 });
        const sent = await readWav(await native.sentWav());
        const heard = await readWav(await native.heardWav());
        const nativeLag = echoLagMs(toMono(sent.samples), toMono(heard.samples), sent.sampleRate);
        if (nativeLag !== null) nativeRtt.push(nativeLag);
        await sleep(1000); // baresip names recordings by the second
      }
      await echo.stop();
      const rttOurs = stats(ourRtt);
      const rttNative = stats(nativeRtt);
      // Envelopes are compared in 10 ms steps: a lag under that reads as 0.
      const oneWay = (rtt: number): string => (rtt < 10 ? '< 5 ms' : ms(rtt / 2));
      for (const [label, pick] of [
        ['median', 'median'],
        ['p95', 'p95'],
      ] as const) {
        rows.push({
          name: `one way (½ round trip), ${label}`,
          values: {
            ours: oneWay(rttOurs[pick]),
            native: oneWay(rttNative[pick]),
            'ratio ours / native':
              rttNative[pick] >= 10
                ? (rttOurs[pick] / rttNative[pick]).toFixed(2)
                : '— (native below resolution)',
          },
        });
      }
      rows.push({
        name: 'round trips measured',
        values: {
          ours: `${ourRtt.length}/${RTT_SAMPLES}`,
          native: `${nativeRtt.length}/${RTT_SAMPLES}`,
        },
      });

      // --- CPU and memory per concurrent call
      const maxLoad = Math.max(...LOADS);
      const phones: Phone[] = [];
      for (let i = 0; i < maxLoad; i++)
        phones.push(
          await bed.phone({
            user: String(4100 + i),
            play: clip.path,
            loop: true,
            answer: 'auto',
            maxCalls: 2,
          }),
        );
      const host = engine.telephony.mediaHost!.running!;
      const hostPids = (): number[] => processTree(host.pids()[0]!);
      await sleep(1000);
      const idleHostPss = pssMiB(hostPids());
      const idleNativePss = pssMiB([native.pid]);
      // What the idle host costs (Chromium's own timers, compositor): per call figures exclude it.
      const idleCpu0 = cpuMs(hostPids());
      await sleep(MEASURE_MS);
      const idleHostCpu = ((cpuMs(hostPids()) - idleCpu0) / MEASURE_MS) * 100;
      rows.push({
        name: 'idle media host (no calls)',
        values: {
          ours: `${idleHostCpu.toFixed(1)} % CPU, ${idleHostPss.toFixed(0)} MiB`,
          native: `UA ${idleNativePss.toFixed(0)} MiB`,
        },
      });
      const looped = ([] as Int16Array[]).concat(
        ...Array.from({ length: 20 }, () => prompt.frames),
      );
      for (const load of LOADS) {
        // ours
        const sessions = [];
        for (const phone of phones.slice(0, load)) {
          sessions.push(await engine.telephony.dial({ number: phone.user, trunk: 'bed' }));
          await sleep(100);
        }
        while (sessions.some((s) => s.answeredAt === null && s.state !== 'done')) await sleep(20);
        for (const s of sessions) void s.play(looped);
        await sleep(2000);
        const pids = hostPids();
        const hostCpu0 = cpuMs(pids);
        const engineCpu0 = process.cpuUsage();
        await sleep(MEASURE_MS);
        const hostCpu = ((cpuMs(pids) - hostCpu0) / MEASURE_MS) * 100;
        const engineUsage = process.cpuUsage(engineCpu0);
        const engineCpu = ((engineUsage.user + engineUsage.system) / 1000 / MEASURE_MS) * 100;
        const hostPss = pssMiB(hostPids());
        const engineRss = process.memoryUsage().rss / 2 ** 20;
        const upOurs = sessions.filter((s) => s.state === 'answered').length;
        await Promise.all(sessions.map((s) => s.hangup('bench')));
        await Promise.all(sessions.map((s) => s.whenEnded()));

        // native: one baresip UA carries the same number of calls
        const before = native.events.length;
        for (const phone of phones.slice(0, load)) {
          await native.dial(phone.uri);
          await sleep(100);
        }
        const deadline = Date.now() + 20_000;
        while (
          native.events.slice(before).filter((e) => e.type === 'CALL_ESTABLISHED').length < load &&
          Date.now() < deadline
        )
          await sleep(50);
        await sleep(2000);
        const nativeCpu0 = cpuMs([native.pid]);
        await sleep(MEASURE_MS);
        const nativeCpu = ((cpuMs([native.pid]) - nativeCpu0) / MEASURE_MS) * 100;
        const nativePss = pssMiB([native.pid]);
        const upNative = native.events
          .slice(before)
          .filter((e) => e.type === 'CALL_ESTABLISHED').length;
        for (let i = 0; i < load; i++) await native.hangup().catch(() => undefined);
        await sleep(1500);

        rows.push({
          name: `${load} concurrent: CPU per call (% of a core)`,
          values: {
            ours: `${((hostCpu - idleHostCpu) / load).toFixed(1)} % (+ engine ${(engineCpu / load).toFixed(1)} %)`,
            native: `${(nativeCpu / load).toFixed(1)} %`,
            'ratio ours / native': (
              (hostCpu - idleHostCpu) /
              load /
              Math.max(0.01, nativeCpu / load)
            ).toFixed(1),
          },
        });
        rows.push({
          name: `${load} concurrent: memory per call (PSS)`,
          values: {
            // The engine's RSS moves with its garbage collector by more than a call costs: shown, not divided.
            ours: `${((hostPss - idleHostPss) / load).toFixed(1)} MiB (host ${hostPss.toFixed(0)} MiB; engine RSS ${engineRss.toFixed(0)} MiB)`,
            native: `${((nativePss - idleNativePss) / load).toFixed(2)} MiB (UA ${nativePss.toFixed(0)} MiB)`,
            'ratio ours / native': (
              (hostPss - idleHostPss) /
              Math.max(0.01, nativePss - idleNativePss)
            ).toFixed(1),
          },
        });
        rows.push({
          name: `${load} concurrent: calls up while measured`,
          values: { ours: `${upOurs}/${load}`, native: `${upNative}/${load}` },
        });
      }
      for (const phone of phones) await phone.stop();
      await native.stop();
    } finally {
      await engine.stop();
      await server.close();
      await bed.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
    return rows;
  },
};

export default suite;
