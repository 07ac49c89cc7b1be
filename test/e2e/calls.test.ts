/**
 * Real outbound calls end to end: the engine dials through the media host (JsSIP in Debian's
 * Chromium) → Kamailio (WebSocket) → rtpengine → baresip phones / sipp far ends on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  envelopeCorrelation,
  loadPrompt,
  readWav,
  toMono,
} from '../../electron/engine/audio/index.js';
import type { CallSession } from '../../electron/engine/telephony/index.js';
import { type CallEngine, startCallEngine } from '../support/call-engine.js';
import { readStoredRecording } from '../support/recordings.js';
import { type Bed, type Clip, startBed } from '../telephony/index.js';

let bed: Bed;
let calls: CallEngine;
let customerClip: Clip;
let botClip: Clip;

beforeAll(async () => {
  bed = await startBed();
  // The phone starts its clip the moment it answers, while the caller's side may still be setting
  // up media (DTLS through rtpengine takes longer on a loaded machine); a customer's pause after
  // picking up keeps every word inside what the engine can hear.
  customerClip = await bed.clip('customer', {
    text: 'Hello, yes, this is Mary speaking. I already paid the bill last week.',
    voice: 'en',
    rate: 8000,
    leadMs: 1000,
  });
  botClip = await bed.clip('bot', {
    text: 'Good morning. This is a reminder from City Water about your bill of forty two dollars.',
    voice: 'en',
    rate: 16000,
  });
  calls = await startCallEngine();
  await calls.addTrunk({ name: 'main', uri: bed.wsUri.open, domain: bed.sipDomain });
});

afterAll(async () => {
  await calls?.stop();
  await bed?.stop();
});

async function untilAnswered(session: CallSession, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (session.answeredAt === null) {
    if (session.state === 'done') {
      const end = await session.whenEnded();
      throw new Error(
        `call ${session.callId} ended before it was answered: ${end.outcome} (${end.reason}); events: ${calls
          .eventsOf(session.callId)
          .map((e) => `${e.type}${e.data.detail ? `(${String(e.data.detail)})` : ''}`)
          .join(', ')}`,
      );
    }
    if (Date.now() - started > timeoutMs) throw new Error('not answered in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function correlate(
  clip: { samples: Float32Array[]; sampleRate: number },
  heard: { samples: Float32Array[]; sampleRate: number },
  label = '',
): number {
  const { correlation, lagMs } = envelopeCorrelation(
    toMono(clip.samples),
    clip.sampleRate,
    toMono(heard.samples),
    heard.sampleRate,
  );
  if (label) console.info(`correlation ${label}: ${correlation.toFixed(3)} at ${lagMs} ms`);
  return correlation;
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
    if (sinceAnswer < clipMs + 600)
      await new Promise((r) => setTimeout(r, clipMs + 600 - sinceAnswer));
    await session.hangup('test done');
    const end = await session.whenEnded();

    expect(end.outcome).toBe('completed');
    expect(end.sipCode).toBe(200);
    // The engine heard the customer's clip.
    const engineHeard = {
      samples: [
        Float32Array.from(
          heard.flatMap((f) => [...f]),
          (v) => v / 32768,
        ),
      ],
      sampleRate: 16_000,
    };
    const clip = await readWav(customerClip.path);
    expect(correlate(clip, engineHeard, 'engine heard the customer')).toBeGreaterThanOrEqual(0.8);
    // The phone heard the engine's clip.
    const phoneHeard = await readWav(await phone.heardWav());
    const bot = await readWav(botClip.path);
    expect(correlate(bot, phoneHeard, 'phone heard the bot')).toBeGreaterThanOrEqual(0.8);

    // The store has the call, its milestones in order, and a stereo recording of both sides.
    const detail = (await calls.engine.request('calls.get', { id: session.callId })) as {
      call: { outcome: string; sipCode: number; state: string };
      events: Array<{ type: string; at: number }>;
      recording: { channels: number; sampleRate: number; durationMs: number } | null;
    };
    expect(detail.call).toMatchObject({ outcome: 'completed', sipCode: 200, state: 'done' });
    const types = detail.events.map((e) => e.type);
    for (const type of ['dial', 'trying', 'ringing', 'answered', 'media_flowing', 'ended'])
      expect(types).toContain(type);
    expect(types.indexOf('ringing')).toBeLessThan(types.indexOf('answered'));
    expect(detail.recording).toMatchObject({ channels: 2, sampleRate: 16_000 });
    expect(detail.recording!.durationMs).toBeGreaterThan(prompt.durationMs - 200);
    const recording = await calls.engine.store.calls.recording(session.callId);
    const stereo = await readStoredRecording(calls.dataDir, `${calls.dataDir}/${recording!.path}`);
    expect(stereo.channels).toBe(2);
    expect(
      correlate(
        clip,
        { samples: [stereo.samples[0]!], sampleRate: stereo.sampleRate },
        'recording left',
      ),
    ).toBeGreaterThanOrEqual(0.8);
    expect(
      correlate(
        bot,
        { samples: [stereo.samples[1]!], sampleRate: stereo.sampleRate },
        'recording right',
      ),
    ).toBeGreaterThanOrEqual(0.8);
    await phone.stop();
  });
});

describe('calls that are not answered', () => {
  it('busy: a phone already in a call answers a second call with 486', async () => {
    const phone = await bed.phone({
      user: '2002',
      play: customerClip.path,
      answer: 'auto',
      maxCalls: 1,
    });
    const first = await calls.engine.telephony.dial({ number: '2002', trunk: 'main' });
    await untilAnswered(first);
    const second = await calls.engine.telephony.dial({ number: '2002', trunk: 'main' });
    const end = await second.whenEnded();
    expect(end).toMatchObject({ outcome: 'busy', sipCode: 486 });
    await first.hangup('test done');
    await first.whenEnded();
    await phone.stop();
  });

  it('invalid number: a user the proxy does not know gets 404', async () => {
    const session = await calls.engine.telephony.dial({ number: '4040404', trunk: 'main' });
    const end = await session.whenEnded();
    expect(end).toMatchObject({ outcome: 'invalid_number', sipCode: 404 });
    const stored = await calls.engine.store.calls.get(session.callId);
    expect(stored).toMatchObject({ outcome: 'invalid_number', sipCode: 404, state: 'done' });
  });

  it('no answer: the app cancels at its ring timeout', async () => {
    const phone = await bed.phone({ user: '2003', answer: 'manual' });
    const before = phone.events.length;
    const session = await calls.engine.telephony.dial({
      number: '2003',
      trunk: 'main',
      ringTimeoutMs: 5000,
    });
    const end = await session.whenEnded();
    expect(end).toMatchObject({ outcome: 'no_answer', sipCode: 487 });
    expect(end.reason).toMatch(/ring timeout/);
    const types = calls.eventsOf(session.callId).map((e) => e.type);
    expect(types).toContain('ringing');
    expect(types).toContain('ring_timeout');
    const ringing = calls.eventsOf(session.callId).find((e) => e.type === 'dial')!.at;
    expect(end.endedAt - ringing).toBeGreaterThanOrEqual(5000);
    expect(end.endedAt - ringing).toBeLessThan(8000);
    // The phone saw the CANCEL.
    await phone.waitForEvent('CALL_CLOSED', { after: before, timeoutMs: 3000 });
    await phone.stop();
  });

  it('refuses a number with letters, naming the field', async () => {
    await expect(
      calls.engine.request('calls.dial', { number: '1800-FLOWERS', trunk: 'main' }),
    ).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
      field: 'number',
      message: expect.stringMatching(/contains letters/),
    });
  });
});

describe('hang-up', () => {
  it('the customer hangs up: the call ends within a second, as completed', async () => {
    const phone = await bed.phone({ user: '2004', play: customerClip.path, answer: 'auto' });
    const session = await calls.engine.telephony.dial({ number: '2004', trunk: 'main' });
    await untilAnswered(session);
    await calls.waitForEvent(session.callId, 'media_flowing');
    const hungUpAt = Date.now();
    await phone.hangup();
    const end = await session.whenEnded();
    expect(end.endedAt - hungUpAt).toBeLessThan(1000);
    expect(end).toMatchObject({ outcome: 'completed', sipCode: 200, reason: 'customer hung up' });
    await phone.stop();
  });

  it('the engine hangs up through the API: the phone is released within a second', async () => {
    const phone = await bed.phone({ user: '2005', play: customerClip.path, answer: 'auto' });
    const { callId } = (await calls.engine.request('calls.dial', {
      number: '2005',
      trunk: 'main',
    })) as { callId: string };
    const session = calls.engine.telephony.get(callId)!;
    await untilAnswered(session);
    const before = phone.events.length;
    const hungUpAt = Date.now();
    await calls.engine.request('calls.hangup', { id: callId });
    const closed = await phone.waitForEvent('CALL_CLOSED', { after: before, timeoutMs: 3000 });
    expect(closed.at - hungUpAt).toBeLessThan(1000);
    const end = await session.whenEnded();
    expect(end).toMatchObject({ outcome: 'completed', reason: 'hung up by in-process' });
    await phone.stop();
  });
});

describe('trunk failures', () => {
  it('primary trunk down (its WebSocket port closed): the same call goes out on the backup and succeeds', async () => {
    await calls.addTrunk({ name: 'dead', uri: bed.deadWsUri, domain: bed.sipDomain });
    await calls.addTrunk({
      name: 'spare',
      uri: bed.wsUri.open,
      domain: bed.sipDomain,
      role: 'backup',
    });
    const phone = await bed.phone({ user: '2006', play: customerClip.path, answer: 'auto' });
    const session = await calls.engine.telephony.dial({ number: '2006', trunk: 'dead' });
    await untilAnswered(session);
    const failover = await calls.waitForEvent(session.callId, 'failover');
    expect(failover.data).toMatchObject({ from: 'dead', to: 'spare' });
    await session.hangup('test done');
    const end = await session.whenEnded();
    expect(end).toMatchObject({ outcome: 'completed', trunk: 'spare' });
    const stored = await calls.engine.store.calls.get(session.callId);
    const spare = (await calls.engine.trunks.list()).find((t) => t.name === 'spare')!;
    expect(stored).toMatchObject({ outcome: 'completed', trunkId: spare.id, attempt: 1 });
    await phone.stop();
  });

  it('a trunk that answers 503: the same call is retried once on the backup', async () => {
    await calls.addTrunk({ name: 'overloaded', uri: bed.wsUri.fail503, domain: bed.sipDomain });
    const phone = await bed.phone({ user: '2007', play: customerClip.path, answer: 'auto' });
    const session = await calls.engine.telephony.dial({ number: '2007', trunk: 'overloaded' });
    await untilAnswered(session);
    const failover = await calls.waitForEvent(session.callId, 'failover');
    expect(failover.data).toMatchObject({
      from: 'overloaded',
      to: 'spare',
      reason: expect.stringMatching(/503/),
    });
    await session.hangup('test done');
    expect(await session.whenEnded()).toMatchObject({ outcome: 'completed', trunk: 'spare' });
    await phone.stop();
  });

  it('with no backup: a dead trunk and wrong credentials each fail with a specific, stored reason', async () => {
    await calls.engine.request('trunks.remove', { name: 'spare' });
    const dead = await calls.engine.telephony.dial({ number: '2008', trunk: 'dead' });
    const deadEnd = await dead.whenEnded();
    expect(deadEnd.outcome).toBe('failed');
    expect(deadEnd.reason).toMatch(/WebSocket connection is down.*not connected/);
    expect(await calls.engine.store.calls.get(dead.callId)).toMatchObject({
      outcome: 'failed',
      endReason: deadEnd.reason,
    });

    await calls.addTrunk({
      name: 'badauth',
      uri: bed.wsUri.auth,
      domain: bed.sipDomain,
      username: bed.auth.username,
      password: 'not-the-password',
    });
    const phone = await bed.phone({ user: '2008', answer: 'auto' });
    const refused = await calls.engine.telephony.dial({ number: '2008', trunk: 'badauth' });
    const refusedEnd = await refused.whenEnded();
    expect(refusedEnd.outcome).toBe('failed');
    expect([401, 403, 407]).toContain(refusedEnd.sipCode);
    expect(refusedEnd.reason).toMatch(/username and password/);

    // The right password works on the same listener.
    await calls.addTrunk({
      name: 'goodauth',
      uri: bed.wsUri.auth,
      domain: bed.sipDomain,
      username: bed.auth.username,
      password: bed.auth.password,
    });
    const accepted = await calls.engine.telephony.dial({ number: '2008', trunk: 'goodauth' });
    await untilAnswered(accepted);
    await accepted.hangup('test done');
    expect(await accepted.whenEnded()).toMatchObject({ outcome: 'completed' });
    await phone.stop();
  });

  it('a registering trunk with a wrong password shows as down, saying why', async () => {
    await calls.addTrunk({
      name: 'badreg',
      uri: bed.wsUri.auth,
      domain: bed.sipDomain,
      username: bed.auth.username,
      password: 'wrong',
      register: true,
    });
    const session = await calls.engine.telephony.dial({ number: '2009', trunk: 'badreg' });
    await session.whenEnded();
    const { trunks } = (await calls.engine.request('trunks.list', {})) as {
      trunks: Array<{ name: string; health: { state: string; reason: string | null } }>;
    };
    const health = trunks.find((t) => t.name === 'badreg')!.health;
    expect(health.state).toBe('down');
    expect(health.reason).toMatch(/registration failed: (401|403)/);
  });
});

describe('resilience', () => {
  it("survives a proxy restart mid-call: audio keeps flowing both ways and the customer's BYE still ends it", async () => {
    const phone = await bed.phone({
      user: '2010',
      play: customerClip.path,
      loop: true,
      answer: 'auto',
    });
    const session = await calls.engine.telephony.dial({ number: '2010', trunk: 'main' });
    await untilAnswered(session);
    await calls.waitForEvent(session.callId, 'media_flowing');
    let loudAfterRestart = 0;
    let restartedAt = Number.POSITIVE_INFINITY;
    session.onAudio((frame) => {
      if (frame.timestampMs < restartedAt) return;
      let energy = 0;
      for (const v of frame.left) energy += v * v;
      if (Math.sqrt(energy / frame.left.length) > 300) loudAfterRestart++;
    });
    restartedAt = Date.now();
    await bed.proxy.restart();
    // The phone's BYE needs no registration: it follows the dialog's Record-Route to the new proxy.
    await calls.waitForEvent(session.callId, 'renegotiated', 20_000);
    // The bot still reaches the phone.
    const prompt = await loadPrompt(botClip.path);
    expect((await session.play(prompt.frames)).completed).toBe(true);
    expect(session.state).toBe('answered');
    expect(loudAfterRestart).toBeGreaterThan(25); // > 0.5 s of the customer's voice after the restart
    const hungUpAt = Date.now();
    await phone.hangup();
    const end = await session.whenEnded();
    expect(end).toMatchObject({ outcome: 'completed', reason: 'customer hung up' });
    expect(end.endedAt - hungUpAt).toBeLessThan(1000);
    const phoneHeard = await readWav(await phone.heardWav());
    expect(correlate(await readWav(botClip.path), phoneHeard)).toBeGreaterThanOrEqual(0.8);
    await phone.stop();
  });
});

describe('failures inside the app', () => {
  it('a dead line (no RTP while up) is detected from RTP statistics and the call is ended with that reason', async () => {
    const phone = await bed.phone({
      user: '2011',
      play: customerClip.path,
      loop: true,
      answer: 'auto',
    });
    const session = await calls.engine.telephony.dial({
      number: '2011',
      trunk: 'main',
      rtpTimeoutMs: 3000,
    });
    await untilAnswered(session);
    await calls.waitForEvent(session.callId, 'media_flowing');
    // Freeze the phone: its RTP stops, but the media host still delivers frames (of silence).
    process.kill(phone.pid, 'SIGSTOP');
    let framesWhileDead = 0;
    session.onAudio(() => framesWhileDead++);
    try {
      const timeout = await calls.waitForEvent(session.callId, 'media_timeout', 15_000);
      expect(String(timeout.data.detail)).toMatch(/no RTP received/);
      const end = await session.whenEnded();
      expect(end.outcome).toBe('completed');
      expect(end.reason).toMatch(/dead line/);
      expect(framesWhileDead).toBeGreaterThan(50); // silence kept arriving: frame counts could not tell
    } finally {
      process.kill(phone.pid, 'SIGCONT');
    }
    await phone.stop();
  });

  it('a media host crash ends its calls with a recorded reason, and a new media host takes the next call', async () => {
    const phone = await bed.phone({
      user: '2012',
      play: customerClip.path,
      loop: true,
      answer: 'auto',
    });
    const session = await calls.engine.telephony.dial({ number: '2012', trunk: 'main' });
    await untilAnswered(session);
    const host = calls.engine.telephony.mediaHost!;
    const launchesBefore = host.launches;
    const [browserPid] = host.running!.pids();
    process.kill(browserPid!, 'SIGKILL');
    const end = await session.whenEnded();
    expect(end.reason).toMatch(/media host stopped/);
    const stored = await calls.engine.store.calls.get(session.callId);
    expect(stored).toMatchObject({ state: 'done', outcome: 'completed', endReason: end.reason });
    expect(calls.eventsOf(session.callId).map((e) => e.type)).toContain('media_host_lost');

    // The phone may still think it is in the call until its own timers run out; use another one.
    const next = await bed.phone({ user: '2013', play: customerClip.path, answer: 'auto' });
    const again = await calls.engine.telephony.dial({ number: '2013', trunk: 'main' });
    await untilAnswered(again, 30_000);
    expect(host.launches).toBe(launchesBefore + 1);
    await again.hangup('test done');
    await again.whenEnded();
    await next.stop();
    await phone.stop();
  });
});

describe('in-call controls', () => {
  it('receives DTMF the far end sends as SIP INFO', async () => {
    // A far end that answers, then presses 5 (INFO application/dtmf-relay), then waits for our BYE.
    const xml = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="dtmf info">
  <recv request="INVITE" rrs="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="caller" />
    </action>
  </recv>
  <send>
    <![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
[last_Record-Route:]
Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
Content-Type: application/sdp
Content-Length: [len]

v=0
o=sipp 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000
a=sendrecv
    ]]>
  </send>
  <recv request="ACK" />
  <pause milliseconds="500" />
  <send retrans="500">
    <![CDATA[
INFO [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
To: [$caller]
[last_Call-ID:]
CSeq: 1 INFO
[routes]
Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70
Content-Type: application/dtmf-relay
Content-Length: [len]

Signal=5
Duration=160
    ]]>
  </send>
  <recv response="200" />
  <recv request="BYE" />
  <send>
    <![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

    ]]>
  </send>
</scenario>
`;
    const far = await bed.sipp({ scenario: { xml, name: 'dtmf-info' } });
    const session = await calls.engine.telephony.dial({ number: far.number, trunk: 'main' });
    await untilAnswered(session);
    const dtmf = await calls.waitForEvent(session.callId, 'dtmf_in', 5000);
    expect(dtmf.data.detail).toBe('5');
    await session.hangup('test done');
    await session.whenEnded();
    await far.stop();
  });

  it('sends DTMF in the audio stream (RFC 4733), holds and resumes, and reports both', async () => {
    const phone = await bed.phone({
      user: '2014',
      play: customerClip.path,
      loop: true,
      answer: 'auto',
    });
    const { callId } = (await calls.engine.request('calls.dial', {
      number: '2014',
      trunk: 'main',
    })) as { callId: string };
    const session = calls.engine.telephony.get(callId)!;
    await untilAnswered(session);
    await calls.waitForEvent(callId, 'media_flowing');
    const before = phone.events.length;
    await calls.engine.request('calls.dtmf', { id: callId, digits: '1#' });
    const sent = await calls.waitForEvent(callId, 'dtmf_out');
    expect(String(sent.data.detail)).toMatch(/1# \((RFC 4733|SIP INFO)\)/);
    const dtmf = await phone.waitForEvent('CALL_DTMF_START', { after: before, timeoutMs: 5000 });
    expect(dtmf.param).toBe('1');

    expect(await calls.engine.request('calls.hold', { id: callId, hold: true })).toEqual({
      done: true,
    });
    await calls.waitForEvent(callId, 'hold');
    expect(await calls.engine.request('calls.hold', { id: callId, hold: false })).toEqual({
      done: true,
    });
    await calls.waitForEvent(callId, 'unhold');
    await session.hangup('test done');
    await session.whenEnded();
    await phone.stop();
  });

  it('blind-transfers by REFER: the NOTIFY result is reported and the call ends as transferred', async () => {
    const customer = await bed.phone({
      user: '2015',
      play: customerClip.path,
      loop: true,
      answer: 'auto',
    });
    const agent = await bed.phone({ user: '2016', answer: 'auto' });
    const agentBefore = agent.events.length;
    const { callId } = (await calls.engine.request('calls.dial', {
      number: '2015',
      trunk: 'main',
    })) as { callId: string };
    const session = calls.engine.telephony.get(callId)!;
    await untilAnswered(session);
    await calls.engine.request('calls.transfer', { id: callId, target: '2016' });
    const end = await session.whenEnded();
    expect(end).toMatchObject({
      outcome: 'transferred',
      reason: 'transferred to sip:2016@127.0.0.1',
    });
    const refers = calls
      .eventsOf(callId)
      .filter((e) => e.type === 'refer')
      .map((e) => String(e.data.detail));
    // 202 Accepted and the first NOTIFY can arrive in either order.
    expect(refers.some((d) => /accepted by the far end/.test(d))).toBe(true);
    expect(refers.some((d) => d.startsWith('transfer succeeded'))).toBe(true);
    await agent.waitForEvent('CALL_ESTABLISHED', { after: agentBefore, timeoutMs: 5000 });
    await customer.stop();
    await agent.stop();
  });
});

describe('scripted far ends (sipp)', () => {
  it('busy from a scripted far end: 486 → busy', async () => {
    const far = await bed.sipp({ scenario: 'busy' });
    const session = await calls.engine.telephony.dial({ number: far.number, trunk: 'main' });
    expect(await session.whenEnded()).toMatchObject({ outcome: 'busy', sipCode: 486 });
    await far.stop();
  });

  it('early media (183) is reported before the answer, and the call then connects', async () => {
    const far = await bed.sipp({ scenario: 'early-media', earlyMediaMs: 1500 });
    const session = await calls.engine.telephony.dial({ number: far.number, trunk: 'main' });
    await untilAnswered(session);
    const types = calls.eventsOf(session.callId).map((e) => e.type);
    expect(types.indexOf('early_media')).toBeGreaterThan(-1);
    expect(types.indexOf('early_media')).toBeLessThan(types.indexOf('answered'));
    await session.hangup('test done');
    expect(await session.whenEnded()).toMatchObject({ outcome: 'completed' });
    await far.stop();
  });

  it('a far end that refuses the offered media (488) fails with a specific, stored reason', async () => {
    const far = await bed.sipp({ scenario: { reject: 488, reason: 'Not Acceptable Here' } });
    const session = await calls.engine.telephony.dial({ number: far.number, trunk: 'main' });
    const end = await session.whenEnded();
    expect(end).toMatchObject({ outcome: 'failed', sipCode: 488 });
    expect(end.reason).toMatch(/refused the call's media/);
    expect(await calls.engine.store.calls.get(session.callId)).toMatchObject({
      outcome: 'failed',
      sipCode: 488,
    });
    await far.stop();
  });

  it('an answer whose SDP the relay cannot turn into WebRTC media fails with a specific, stored reason', async () => {
    // A 200 OK whose SDP has no usable media line: rtpengine cannot rewrite it for the WebRTC
    // side, so the browser cannot apply it.
    const xml = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="bad sdp">
  <recv request="INVITE" />
  <send>
    <![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
Content-Type: application/sdp
Content-Length: [len]

v=0
o=- 1 1 IN IP4 [local_ip]
s=-
t=0 0
m=audio 0 RTP/AVP 96
a=rtpmap:96 NOSUCHCODEC/8000
    ]]>
  </send>
  <recv request="ACK" />
  <recv request="BYE" />
  <send>
    <![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

    ]]>
  </send>
</scenario>
`;
    const far = await bed.sipp({ scenario: { xml, name: 'bad-sdp' } });
    const session = await calls.engine.telephony.dial({ number: far.number, trunk: 'main' });
    const end = await session.whenEnded();
    expect(end.outcome).toBe('failed');
    expect(end.reason).toMatch(/media could not be set up/);
    expect(end.endedAt - session.startedAt).toBeLessThan(10_000);
    expect(await calls.engine.store.calls.get(session.callId)).toMatchObject({
      outcome: 'failed',
      endReason: end.reason,
    });
    await far.stop();
  });
});
