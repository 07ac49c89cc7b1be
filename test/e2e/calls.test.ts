/**
 * Real outbound calls end to end: the engine dials through the media host (JsSIP in Debian's
 * Chromium) → Kamailio (WebSocket) → rtpengine → baresip phones / sipp far ends on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeCorrelation, loadPrompt, readWav, toMono } from '../../electron/engine/audio/index.js';
import type { CallSession } from '../../electron/engine/telephony/index.js';
import { startBed, type Bed, type Clip } from '../telephony/index.js';
import { startCallEngine, type CallEngine } from '../support/call-engine.js';

let bed: Bed;
let calls: CallEngine;
let customerClip: Clip;
let botClip: Clip;

beforeAll(async () => {
  bed = await startBed(process.env.BED_PORT_BASE ? portsFrom(Number(process.env.BED_PORT_BASE)) : {});
  customerClip = await bed.clip('customer', { text: 'Hello, yes, this is Mary speaking. I already paid the bill last week.', voice: 'en', rate: 8000 });
  botClip = await bed.clip('bot', { text: 'Good morning. This is a reminder from City Water about your bill of forty two dollars.', voice: 'en', rate: 16000 });
  calls = await startCallEngine();
  await calls.addTrunk({ name: 'main', uri: bed.wsUri.open, domain: bed.sipDomain });
});

afterAll(async () => {
  await calls?.stop();
  await bed?.stop();
});

/** Another port block, so a developer can run this beside another bed (BED_PORT_BASE=6000). */
function portsFrom(base: number): Parameters<typeof startBed>[0] {
  return { sipPort: base + 70, wsPorts: { open: base + 3088, auth: base + 3089, fail503: base + 3090 }, deadWsPort: base + 3091, rpcPort: base + 3092, rtpengineNgPort: base + 17222, relayRtpPorts: [base + 25000, base + 25399], firstPhonePort: base + 100, firstSippPort: base + 300 };
}

async function untilAnswered(session: CallSession, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (session.answeredAt === null) {
    if (session.state === 'done') {
      const end = await session.whenEnded();
      throw new Error(`call ${session.callId} ended before it was answered: ${end.outcome} (${end.reason}); events: ${calls.eventsOf(session.callId).map((e) => `${e.type}${e.data.detail ? `(${String(e.data.detail)})` : ''}`).join(', ')}`);
    }
    if (Date.now() - started > timeoutMs) throw new Error('not answered in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function correlate(clip: { samples: Float32Array[]; sampleRate: number }, heard: { samples: Float32Array[]; sampleRate: number }): number {
  return envelopeCorrelation(toMono(clip.samples), clip.sampleRate, toMono(heard.samples), heard.sampleRate).correlation;
}

describe('an answered call', () => {
  it('carries audio both ways, records it in stereo and stores its events', async () => {
    const phone = await bed.phone({ user: '2001', play: customerClip.path, answer: 'auto' });
    const session = await calls.engine.telephony.dial({ number: '2001', trunk: 'main' });
    const heard: Int16Array[] = [];
    session.onAudio((frame) => {
      if (session.answeredAt !== null) heard.push(frame.left.slice());
    });
    await untilAnswered(session);
    const prompt = await loadPrompt(botClip.path);
    const played = await session.play(prompt.frames);
    expect(played.completed).toBe(true);
    // Let the customer's clip finish too (it started at the answer), then hang up.
    const clipMs = customerClip.durationMs;
    const sinceAnswer = Date.now() - (session.answeredAt ?? Date.now());
    if (sinceAnswer < clipMs + 600) await new Promise((r) => setTimeout(r, clipMs + 600 - sinceAnswer));
    await session.hangup('test done');
    const end = await session.whenEnded();

    expect(end.outcome).toBe('completed');
    expect(end.sipCode).toBe(200);
    // The engine heard the customer's clip.
    const engineHeard = { samples: [Float32Array.from(heard.flatMap((f) => [...f]), (v) => v / 32768)], sampleRate: 16_000 };
    const clip = await readWav(customerClip.path);
    expect(correlate(clip, engineHeard)).toBeGreaterThanOrEqual(0.8);
    // The phone heard the engine's clip.
    const phoneHeard = await readWav(await phone.heardWav());
    const bot = await readWav(botClip.path);
    expect(correlate(bot, phoneHeard)).toBeGreaterThanOrEqual(0.8);

    // The store has the call, its milestones in order, and a stereo recording of both sides.
    const detail = await calls.engine.request('calls.get', { id: session.callId }) as {
      call: { outcome: string; sipCode: number; state: string };
      events: Array<{ type: string; at: number }>;
      recording: { channels: number; sampleRate: number; durationMs: number } | null;
    };
    expect(detail.call).toMatchObject({ outcome: 'completed', sipCode: 200, state: 'done' });
    const types = detail.events.map((e) => e.type);
    for (const type of ['dial', 'trying', 'ringing', 'answered', 'media_flowing', 'ended']) expect(types).toContain(type);
    expect(types.indexOf('ringing')).toBeLessThan(types.indexOf('answered'));
    expect(detail.recording).toMatchObject({ channels: 2, sampleRate: 16_000 });
    expect(detail.recording!.durationMs).toBeGreaterThan(prompt.durationMs - 200);
    const recording = await calls.engine.store.calls.recording(session.callId);
    const stereo = await readWav(`${calls.dataDir}/${recording!.path}`);
    expect(stereo.channels).toBe(2);
    expect(correlate(clip, { samples: [stereo.samples[0]!], sampleRate: stereo.sampleRate })).toBeGreaterThanOrEqual(0.8);
    expect(correlate(bot, { samples: [stereo.samples[1]!], sampleRate: stereo.sampleRate })).toBeGreaterThanOrEqual(0.8);
    await phone.stop();
  });
});
