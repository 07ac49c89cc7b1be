/**
 * The media host keeps nothing per call once a call has ended. Rounds of short calls of every kind
 * (answered with a prompt playing and hung up by us, hung up by the phone, busy, rung out and
 * cancelled), with a keeper call up throughout so the page is never idle, then all hung up: the
 * page's live WebRTC and Web Audio objects, audio elements, DOM nodes and listeners are back to
 * their idle count (counted over the DevTools protocol after a forced garbage collection: objects,
 * not megabytes). Mid-run, once the first audio context has carried its 20 calls and closed with
 * the first keeper, only the calls since hold destination nodes (Chromium frees a context's stream
 * nodes only when the context closes, crbug.com/937231; renderer/media-host/src/audio.ts).
 * JsSIP holds an answered call's session for 32 s after its 200 (Timer M), so the counts are read
 * once they settle.
 *
 * MEDIA_HOST_LEAK_ROUNDS=25 (4 calls a round, 102 calls) is the measurement compared with the
 * soak's resource curve: it prints the page's heap and each Chromium process's memory per 100 calls.
 * MEDIA_HOST_LEAK_SNAPSHOT=file also writes the page's heap snapshot at the end (DevTools' Memory panel).
 */
import { readFileSync, writeFileSync } from 'node:fs';

import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { loadPrompt } from '../../electron/engine/audio/index.js';
import type { CallSession } from '../../electron/engine/telephony/index.js';
import { type CallEngine, startCallEngine } from '../support/call-engine.js';
import { type Bed, type Phone, type Sipp, startBed } from '../telephony/index.js';

const ROUNDS = Number(process.env.MEDIA_HOST_LEAK_ROUNDS ?? 7);
/** Closed peer connections Chromium may still hold when the page is idle (see the test). */
const CLOSED_PEERS_KEPT = 6;

let bed: Bed;
let calls: CallEngine;
let page: Page | null = null;
let cdp: CDPSession;

beforeAll(async () => {
  bed = await startBed();
  calls = await startCallEngine({ onMediaHostPage: (p) => (page = p) });
  await calls.addTrunk({
    name: 'main',
    uri: bed.wsUri.open,
    domain: bed.sipDomain,
    maxConcurrentCalls: 50,
  });
}, 120_000);

afterAll(async () => {
  await cdp?.detach().catch(() => undefined);
  await calls?.stop();
  await bed?.stop();
});

/** Live instances of page classes, by their prototypes (Runtime.queryObjects walks the heap). */
const CLASSES = [
  'AudioContext',
  'RTCPeerConnection',
  'RTCRtpTransceiver',
  'MediaStream',
  'MediaStreamTrack',
  'AudioWorkletNode',
  'GainNode',
  'MediaStreamAudioSourceNode',
  'MediaStreamAudioDestinationNode',
  'HTMLAudioElement',
  'SharedArrayBuffer',
  'MessagePort',
  'WebSocket',
] as const;

interface PageCounts {
  heapUsedBytes: number;
  objects: Record<string, number>;
  dom: { documents: number; nodes: number; jsEventListeners: number };
}

async function countObjects(session: CDPSession): Promise<PageCounts> {
  // Twice: a first pass can leave objects whose finalizers free more.
  await session.send('HeapProfiler.collectGarbage');
  await session.send('HeapProfiler.collectGarbage');
  const objects: Record<string, number> = {};
  for (const name of CLASSES) {
    const proto = await session.send('Runtime.evaluate', { expression: `${name}.prototype` });
    const found = await session.send('Runtime.queryObjects', {
      prototypeObjectId: proto.result.objectId!,
      objectGroup: 'leak-probe',
    });
    const length = await session.send('Runtime.callFunctionOn', {
      objectId: found.objects.objectId!,
      functionDeclaration: 'function () { return this.length; }',
      returnByValue: true,
    });
    objects[name] = length.result.value as number;
    await session.send('Runtime.releaseObjectGroup', { objectGroup: 'leak-probe' });
    await session.send('Runtime.releaseObject', { objectId: proto.result.objectId! });
  }
  const heap = await session.send('Runtime.getHeapUsage');
  const dom = await session.send('Memory.getDOMCounters');
  return {
    heapUsedBytes: heap.usedSize,
    objects,
    dom: { documents: dom.documents, nodes: dom.nodes, jsEventListeners: dom.jsEventListeners },
  };
}

/** Resident and proportional memory of the media host's Chromium processes, by process type. */
async function chromiumMemory(): Promise<
  Array<{ type: string; pid: number; rssMb: number; pssMb: number }>
> {
  const browser = page!.context().browser();
  if (!browser) return [];
  const session = await browser.newBrowserCDPSession();
  const { processInfo } = (await session.send('SystemInfo.getProcessInfo')) as unknown as {
    processInfo: Array<{ type: string; id: number }>;
  };
  await session.detach();
  return processInfo.map((p) => {
    const read = (file: string, key: string): number => {
      try {
        const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(
          readFileSync(`/proc/${p.id}/${file}`, 'utf8'),
        );
        return m ? Number(m[1]) / 1024 : NaN;
      } catch {
        return NaN;
      }
    };
    return {
      type: p.type,
      pid: p.id,
      rssMb: read('status', 'VmRSS'),
      pssMb: read('smaps_rollup', 'Pss'),
    };
  });
}

/** Least-squares slope of mb against calls (MB per call). */
function slope(points: Array<{ calls: number; mb: number }>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.calls, 0) / n;
  const my = points.reduce((s, p) => s + p.mb, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.calls - mx) * (p.mb - my);
    den += (p.calls - mx) ** 2;
  }
  return num / den;
}

/** A heap snapshot of the page (for DevTools' Memory panel, or a retainer search), to `path`. */
async function writeSnapshot(session: CDPSession, path: string): Promise<void> {
  const chunks: string[] = [];
  const onChunk = ({ chunk }: { chunk: string }): void => void chunks.push(chunk);
  session.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await session.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  session.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  writeFileSync(path, chunks.join(''));
}

async function round(
  phones: { ours: Phone; theirs: Phone },
  sipps: { busy: Sipp; ring: Sipp },
  prompt: Int16Array[],
): Promise<void> {
  const dial = (number: string): Promise<CallSession> =>
    calls.engine.telephony.dial({ number, trunk: 'main' });
  await Promise.all([
    // Answered; a prompt plays; we hang up.
    (async () => {
      const s = await dial(phones.ours.user);
      await calls.waitForEvent(s.callId, 'media_flowing', 30_000);
      await s.play(prompt);
      await s.hangup('test done');
      expect((await s.whenEnded()).outcome).toBe('completed');
    })(),
    // Answered; the phone hangs up (its voice is 2 s long).
    (async () => {
      const s = await dial(phones.theirs.user);
      expect((await s.whenEnded()).outcome).toBe('completed');
    })(),
    (async () => {
      const s = await dial(sipps.busy.number);
      expect((await s.whenEnded()).outcome).toBe('busy');
    })(),
    // Rings; we give up (CANCEL).
    (async () => {
      const s = await dial(sipps.ring.number);
      await calls.waitForEvent(s.callId, 'ringing', 30_000);
      await s.hangup('test done');
      await s.whenEnded();
    })(),
  ]);
}

/** Counts after a forced GC, once two readings in a row agree and `until` holds (or `waitMs` ran out). */
async function settledCounts(
  session: CDPSession,
  until: (counts: PageCounts) => boolean,
  waitMs: number,
): Promise<PageCounts> {
  const deadline = Date.now() + waitMs;
  let last = await countObjects(session);
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const counts = await countObjects(session);
    const same = JSON.stringify(counts.objects) === JSON.stringify(last.objects);
    last = counts;
    if ((same && until(counts)) || Date.now() > deadline) return counts;
  }
}

it(
  `the media host's objects return to their idle count after ${ROUNDS * 4 + 2} calls`,
  { timeout: 120_000 + ROUNDS * 30_000 },
  async () => {
    const clip = await bed.clip('leak-prompt', {
      text: 'One moment please.',
      voice: 'en',
      rate: 8000,
    });
    const prompt = (await loadPrompt(clip.path)).frames;
    const phones = {
      ours: await bed.phone({ user: '4100', answer: 'auto', maxCalls: 8 }),
      theirs: await bed.phone({ user: '4101', answer: 'auto', callLengthS: 2, maxCalls: 8 }),
      keeper: await bed.phone({ user: '4102', answer: 'auto', maxCalls: 4 }),
    };
    const sipps = {
      busy: await bed.sipp({ scenario: 'busy' }),
      ring: await bed.sipp({ scenario: 'ring' }),
    };
    const keep = async (): Promise<CallSession> => {
      const s = await calls.engine.telephony.dial({ number: phones.keeper.user, trunk: 'main' });
      await calls.waitForEvent(s.callId, 'media_flowing', 30_000);
      return s;
    };
    try {
      // The media host starts with the first call; a busy one, so the baseline has no answered call in it.
      const first = await calls.engine.telephony.dial({ number: sipps.busy.number, trunk: 'main' });
      await first.whenEnded();
      expect(page, 'the media host page was linked').not.toBeNull();
      cdp = await page!.context().newCDPSession(page!);
      // JsSIP holds an answered call's session (and its closed RTCPeerConnection) for 32 s after
      // the 200 (its Timer M): idle means none is left.
      // Chromium itself keeps a few closed RTCPeerConnections, with their sender's stream and track,
      // through a persistent handle from their last state change (rtc_peer_connection.cc
      // ChangePeerConnectionState): 1 to 5 seen after 10 to 102 calls (more under load), not one a call.
      const idle = (c: PageCounts): boolean =>
        c.objects.RTCPeerConnection! <= CLOSED_PEERS_KEPT &&
        c.objects.AudioContext === 1 &&
        c.objects.AudioWorkletNode === 0;
      const withoutPeers = (c: PageCounts): Record<string, number> => {
        const {
          RTCPeerConnection: _peers,
          MediaStream: _streams,
          MediaStreamTrack: _tracks,
          ...rest
        } = c.objects;
        return rest;
      };
      const before = await settledCounts(cdp, idle, 45_000);
      const memBefore = await chromiumMemory();
      const started = Date.now();
      // Never idle from here until the end: a keeper call stays up, so only the count of calls
      // can retire the first context. A second keeper takes over half-way (after the rotation),
      // so the first context closes with the first keeper.
      // 6 rounds and a keeper are 25 calls: over the 20 a context carries (audio.ts CONTEXT_CALLS),
      // with a round to spare for the page to start the next context.
      const half = Math.min(6, ROUNDS);
      const keeper1 = await keep();
      // The soak's measure: all Chromium processes' RSS summed, after each round, against calls.
      const rss: Array<{ calls: number; mb: number }> = [];
      const sample = async (calls: number): Promise<void> => {
        const mem = await chromiumMemory();
        rss.push({ calls, mb: mem.reduce((sum, p) => sum + (p.rssMb || 0), 0) });
      };
      for (let i = 0; i < half; i++) {
        await round(phones, sipps, prompt);
        await sample(2 + 4 * (i + 1));
      }
      const keeper2 = await keep();
      await keeper1.hangup('test done');
      await keeper1.whenEnded();
      for (let i = half; i < ROUNDS; i++) {
        await round(phones, sipps, prompt);
        await sample(2 + 4 * (i + 1));
      }
      // Still a call up: the Web Audio objects are those of the calls since the rotation at most.
      const busy = await countObjects(cdp);
      await keeper2.hangup('test done');
      await keeper2.whenEnded();
      const elapsed = Date.now() - started;
      expect(calls.engine.telephony.liveCount).toBe(0);
      // A JsSIP session can still be held by the handlers of its last in-dialog request (a heap
      // snapshot after a run showed one, through RequestSender's callbacks), and with it its local
      // stream and track: a full run once read 7 tracks with 6 peers too early. Transaction timers
      // end within 32 s, so wait for the same bounds the checks below hold.
      const peersHold = (c: PageCounts): boolean =>
        ['MediaStream', 'MediaStreamTrack'].every(
          (held) => c.objects[held]! <= before.objects[held]! + c.objects.RTCPeerConnection!,
        );
      const after = await settledCounts(
        cdp,
        (c) =>
          idle(c) &&
          peersHold(c) &&
          JSON.stringify(withoutPeers(c)) === JSON.stringify(withoutPeers(before)),
        45_000,
      );
      const memAfter = await chromiumMemory();
      if (process.env.MEDIA_HOST_LEAK_SNAPSHOT)
        await writeSnapshot(cdp, process.env.MEDIA_HOST_LEAK_SNAPSHOT);
      const placed = ROUNDS * 4 + 2;
      const per100 = 100 / placed;
      console.info(
        [
          `${placed} calls in ${(elapsed / 1000).toFixed(1)} s`,
          `Chromium RSS (all processes, summed) ${rss[0]?.mb.toFixed(1)} → ${rss.at(-1)?.mb.toFixed(1)} MB; slope over the last 80 % of rounds ${(slope(rss.slice(Math.floor(rss.length / 5))) * 100).toFixed(1)} MB per 100 calls`,
          `page heap ${(before.heapUsedBytes / 1e6).toFixed(2)} → ${(after.heapUsedBytes / 1e6).toFixed(2)} MB (${(((after.heapUsedBytes - before.heapUsedBytes) / 1e6) * per100).toFixed(2)} MB per 100 calls)`,
          `objects idle   ${JSON.stringify(before.objects)} dom ${JSON.stringify(before.dom)}`,
          `objects busy   ${JSON.stringify(busy.objects)} dom ${JSON.stringify(busy.dom)}`,
          `objects after  ${JSON.stringify(after.objects)} dom ${JSON.stringify(after.dom)}`,
          ...memAfter.map((p) => {
            const b = memBefore.find((q) => q.pid === p.pid);
            return `${p.type} ${p.pid}: RSS ${b?.rssMb.toFixed(1)} → ${p.rssMb.toFixed(1)} MB (${((p.rssMb - (b?.rssMb ?? NaN)) * per100).toFixed(1)} MB per 100 calls), PSS ${b?.pssMb.toFixed(1)} → ${p.pssMb.toFixed(1)} MB`;
          }),
        ].join('\n'),
      );
      // Mid-run, with the second keeper up: the first context has closed with the first keeper,
      // taking its calls' destination nodes (one a call) along; those since are all there is.
      const secondPhase = 1 + (ROUNDS - half) * 4;
      expect(busy.objects.MediaStreamAudioDestinationNode).toBeLessThanOrEqual(secondPhase);
      expect(withoutPeers(after)).toEqual(withoutPeers(before));
      expect(after.objects.RTCPeerConnection).toBeLessThanOrEqual(CLOSED_PEERS_KEPT);
      // What those keep: their sender's stream and track, one each at most.
      expect(peersHold(after), JSON.stringify(after.objects)).toBe(true);
      expect(after.dom.nodes).toBe(before.dom.nodes);
      expect(after.dom.documents).toBe(before.dom.documents);
    } finally {
      await Promise.all([
        phones.ours.stop(),
        phones.theirs.stop(),
        phones.keeper.stop(),
        sipps.busy.stop(),
        sipps.ring.stop(),
      ]);
    }
  },
);
