/**
 * The telephony test bed itself, for real: Kamailio + rtpengine on loopback, baresip phones that
 * hear each other (checked by envelope correlation against the clips they play), the SIP failures
 * tests rely on (404, 486 from a full phone, 486 from sipp), and the WebSocket trunks JsSIP uses:
 * upgrade with the `sip` subprotocol, digest auth, the always-503 trunk, and a WebRTC offer that
 * reaches a phone as plain RTP and comes back as ICE + DTLS-SRTP. Also a proxy restart mid-call.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { envelopeCorrelation, readWav } from '../../electron/engine/audio/index.js';
import { type Bed, type Clip, type Phone, startBed } from '../telephony/index.js';

/** How well `clip` appears in the recording at `recording` (0..1). */
async function correlation(clip: Clip, recording: string): Promise<number> {
  const reference = await readWav(clip.path);
  const candidate = await readWav(recording);
  return envelopeCorrelation(
    reference.samples[0]!,
    reference.sampleRate,
    candidate.samples[0]!,
    candidate.sampleRate,
  ).correlation;
}

// ---- a few raw SIP requests over a WebSocket, as JsSIP would send them ----

interface SipMessage {
  startLine: string;
  status?: number;
  method?: string;
  headers: Map<string, string[]>;
  body: string;
  raw: string;
}

function parseSip(raw: string): SipMessage {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [startLine = '', ...lines] = head.split('\r\n');
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  const status = /^SIP\/2\.0 (\d{3})/.exec(startLine)?.[1];
  return {
    startLine,
    status: status ? Number(status) : undefined,
    method: status ? undefined : startLine.split(' ')[0],
    headers,
    body,
    raw,
  };
}

class WsSipClient {
  readonly host = `${randomBytes(4).toString('hex')}.invalid`;
  private readonly inbox: SipMessage[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.inbox.push(parseSip(data.toString()));
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static open(url: string): Promise<WsSipClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, 'sip');
      socket.once('open', () => resolve(new WsSipClient(socket)));
      socket.once('error', reject);
    });
  }

  send(lines: string[], body = ''): void {
    const length = Buffer.byteLength(body);
    this.socket.send([...lines, `Content-Length: ${length}`, '', body].join('\r\n'));
  }

  /** The next message (in arrival order) that matches, waiting up to timeoutMs. */
  async next(match: (message: SipMessage) => boolean, timeoutMs = 5000): Promise<SipMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex(match);
      if (index >= 0) return this.inbox.splice(index, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no matching SIP message within ${timeoutMs} ms; got: ${this.inbox.map((m) => m.startLine).join(' | ')}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** A final (≥ 200) response to the request with this CSeq. */
  final(cseq: string): Promise<SipMessage> {
    return this.next((m) => (m.status ?? 0) >= 200 && m.headers.get('cseq')?.[0] === cseq);
  }

  close(): void {
    this.socket.close();
  }
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** The Authorization/Proxy-Authorization value answering a digest challenge (qop=auth). */
function digest(
  challenge: string,
  method: string,
  uri: string,
  username: string,
  password: string,
): string {
  const param = (name: string) => new RegExp(`${name}="?([^",]+)"?`).exec(challenge)?.[1] ?? '';
  const realm = param('realm');
  const nonce = param('nonce');
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  const response = md5(
    `${md5(`${username}:${realm}:${password}`)}:${nonce}:${nc}:${cnonce}:auth:${md5(`${method}:${uri}`)}`,
  );
  return `Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
}

/** A WebRTC-style audio offer (ICE, DTLS fingerprint, rtcp-mux), as Chromium would send through JsSIP. */
function webrtcOffer(): string {
  const fingerprint = Array.from(randomBytes(32), (byte) =>
    byte.toString(16).padStart(2, '0').toUpperCase(),
  ).join(':');
  return [
    'v=0',
    `o=- ${Date.now()} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 0 8',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=candidate:1 1 udp 2122260223 127.0.0.1 59999 typ host generation 0',
    `a=ice-ufrag:${randomBytes(3).toString('hex')}`,
    `a=ice-pwd:${randomBytes(12).toString('hex')}`,
    `a=fingerprint:sha-256 ${fingerprint}`,
    'a=setup:actpass',
    'a=mid:0',
    'a=sendrecv',
    'a=rtcp-mux',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    '',
  ].join('\r\n');
}

interface InviteOptions {
  target: string;
  fromUser: string;
  cseq: number;
  callId: string;
  fromTag: string;
  branch?: string;
  authorization?: string;
  body?: string;
}

function sendInvite(client: WsSipClient, o: InviteOptions): void {
  const lines = [
    `INVITE ${o.target} SIP/2.0`,
    `Via: SIP/2.0/WS ${client.host};branch=${o.branch ?? `z9hG4bK${randomBytes(6).toString('hex')}`}`,
    'Max-Forwards: 70',
    `To: <${o.target}>`,
    `From: <sip:${o.fromUser}@127.0.0.1>;tag=${o.fromTag}`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq} INVITE`,
    `Contact: <sip:${o.fromUser}@${client.host};transport=ws;ob>`,
  ];
  if (o.authorization) lines.push(`Proxy-Authorization: ${o.authorization}`);
  if (o.body) lines.push('Content-Type: application/sdp');
  client.send(lines, o.body);
}

describe('telephony test bed', () => {
  let bed: Bed;
  let clipOne: Clip;
  let clipTwo: Clip;
  let phoneA: Phone;
  let phoneB: Phone;

  beforeAll(async () => {
    bed = await startBed();
    [clipOne, clipTwo] = await Promise.all([
      bed.clip('one', {
        text: 'This is phone one. The quick brown fox jumps over the lazy dog.',
        voice: 'en',
        rate: 8000,
      }),
      bed.clip('two', {
        text: 'Phone two here, calling about your order, number forty two.',
        voice: 'en',
        rate: 16000,
        pitch: 70,
      }),
    ]);
    // A allows one call at a time, so a second caller gets a real 486 from it.
    phoneA = await bed.phone({ user: 'alice', play: clipOne.path, maxCalls: 1 });
    phoneB = await bed.phone({ user: 'bob', play: clipTwo.path });
  });

  afterAll(async () => {
    await bed?.stop();
  });

  it('registers phones at Kamailio', async () => {
    expect(await bed.proxy.contacts('alice')).toEqual([
      expect.stringContaining(`@127.0.0.1:${phoneA.sipPort}`),
    ]);
    expect(await bed.proxy.isRegistered('bob')).toBe(true);
  });

  it('connects two phones through Kamailio and rtpengine; each hears the other; a third caller gets 486; the call survives a proxy restart', async () => {
    const carol = await bed.phone({ user: 'carol' });
    const a0 = phoneA.events.length;
    const b0 = phoneB.events.length;
    await phoneB.dial(`sip:alice@${bed.sipDomain}`);
    await phoneB.waitForEvent('CALL_ESTABLISHED', { after: b0 });
    await phoneA.waitForEvent('CALL_ESTABLISHED', { after: a0 });

    // alice is in her one call: carol gets 486 Busy Here from alice's phone.
    const c0 = carol.events.length;
    await carol.dial(`sip:alice@${bed.sipDomain}`);
    expect((await carol.waitForEvent('CALL_CLOSED', { after: c0 })).param).toMatch(/^486 /);

    // Kamailio restarts mid-call: the registrar forgets, the media (rtpengine) and the dialog (record-route) go on.
    await bed.proxy.restart();
    expect(await bed.proxy.isRegistered('alice')).toBe(false);

    // Both clips are about 4 s; let them play out.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(clipOne.durationMs, clipTwo.durationMs) + 800),
    );
    await phoneB.hangup();
    expect((await phoneA.waitForEvent('CALL_CLOSED', { after: a0 })).param).toMatch(
      /reset by peer/i,
    );

    const aHeard = await correlation(clipTwo, await phoneA.heardWav());
    const bHeard = await correlation(clipOne, await phoneB.heardWav());
    const wrong = await correlation(clipOne, await phoneA.heardWav());
    console.log(
      `envelope correlation: alice heard clip two ${aHeard.toFixed(3)}, bob heard clip one ${bHeard.toFixed(3)}, alice vs the wrong clip ${wrong.toFixed(3)}`,
    );
    expect(aHeard).toBeGreaterThanOrEqual(0.8);
    expect(bHeard).toBeGreaterThanOrEqual(0.8);
    expect(wrong).toBeLessThan(0.7);
    // The media went through the relay, not phone to phone: alice received RTP from an rtpengine port.
    const [relayMin, relayMax] = bed.ports.relayRtpPorts;
    const source = /incoming rtp for 'audio' established, receiving from 127\.0\.0\.1:(\d+)/.exec(
      readFileSync(phoneA.logPath, 'utf8'),
    );
    expect(Number(source?.[1])).toBeGreaterThanOrEqual(relayMin);
    expect(Number(source?.[1])).toBeLessThanOrEqual(relayMax);
    await carol.stop();
  });

  it('answers 404 for an unknown user and routes sip:sipp<port> to a sipp far end (busy → 486, ring → CANCEL → 487)', async () => {
    // The restart above emptied the registrar: phones come back when they register again.
    const dave = await bed.phone({ user: 'dave' });
    let n = dave.events.length;
    await dave.dial(`sip:nobody@${bed.sipDomain}`);
    expect((await dave.waitForEvent('CALL_CLOSED', { after: n })).param).toMatch(/^404 /);

    const busy = await bed.sipp({ scenario: 'busy' });
    n = dave.events.length;
    await dave.dial(busy.uri());
    expect((await dave.waitForEvent('CALL_CLOSED', { after: n })).param).toMatch(/^486 /);

    const ring = await bed.sipp({ scenario: 'ring' });
    n = dave.events.length;
    await dave.dial(ring.uri());
    await dave.waitForEvent('CALL_RINGING', { after: n });
    await dave.hangup();
    await dave.waitForEvent('CALL_CLOSED', { after: n });
    await ring.stop(); // sipp writes its message trace lazily; stopping flushes it
    expect(ring.received('CANCEL')).toBe(1);
    expect(ring.received('ACK')).toBe(1); // the ACK of sipp's 487
    await dave.stop();
  });

  it("a sipp answer far end copies the proxy's Record-Route into its 200, so the ACK and BYE reach it through the proxy", async () => {
    // RFC 3261 12.1.1: without the Record-Route the caller has no route set, and its in-dialog
    // requests miss the proxy (after a proxy restart, JsSIP's BYE and re-INVITE never arrived).
    const answer = await bed.sipp({ scenario: 'answer' });
    const client = await WsSipClient.open(bed.wsUri.open);
    const callId = randomBytes(8).toString('hex');
    sendInvite(client, {
      target: answer.uri(bed.sipDomain),
      fromUser: 'agent',
      cseq: 1,
      callId,
      fromTag: 'rr1',
      body: webrtcOffer(),
    });
    const ok = await client.final('1 INVITE');
    expect(ok.status).toBe(200);
    const routes = (ok.headers.get('record-route') ?? []).flatMap((value) =>
      value.split(/,\s*(?=<)/),
    );
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.join(' ')).toMatch(/;lr/);
    const remoteTarget = /<([^>]+)>/.exec(ok.headers.get('contact')?.[0] ?? '')?.[1] ?? '';
    const inDialog = (method: string, cseq: number): string[] => [
      `${method} ${remoteTarget} SIP/2.0`,
      `Via: SIP/2.0/WS ${client.host};branch=z9hG4bK${randomBytes(6).toString('hex')}`,
      'Max-Forwards: 70',
      ...[...routes].reverse().map((route) => `Route: ${route}`),
      `To: ${ok.headers.get('to')?.[0] ?? ''}`,
      'From: <sip:agent@127.0.0.1>;tag=rr1',
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method}`,
    ];
    client.send(inDialog('ACK', 1));
    client.send(inDialog('BYE', 2));
    expect((await client.final('2 BYE')).status).toBe(200);
    await answer.stop(); // flushes its message trace
    expect(answer.received('ACK')).toBe(1);
    expect(answer.received('BYE')).toBe(1);
    client.close();
  });

  it('accepts WebSocket upgrades with the sip subprotocol on every trunk; nothing listens on the dead one', async () => {
    for (const url of Object.values(bed.wsUri)) {
      const client = await WsSipClient.open(url);
      expect(client.socket.protocol).toBe('sip');
      client.close();
    }
    await expect(WsSipClient.open(bed.deadWsUri)).rejects.toThrow(/ECONNREFUSED/);
  });

  it("registers a WebSocket client and sends it a phone's call as a WebRTC offer; challenges REGISTER on the auth trunk", async () => {
    const authClient = await WsSipClient.open(bed.wsUri.auth);
    const register = (client: WsSipClient, user: string, cseq: number) =>
      client.send([
        `REGISTER sip:${bed.sipDomain} SIP/2.0`,
        `Via: SIP/2.0/WS ${client.host};branch=z9hG4bK${randomBytes(6).toString('hex')}`,
        'Max-Forwards: 70',
        `To: <sip:${user}@${bed.sipDomain}>`,
        `From: <sip:${user}@${bed.sipDomain}>;tag=reg${cseq}`,
        `Call-ID: reg-${user}`,
        `CSeq: ${cseq} REGISTER`,
        `Contact: <sip:${user}@${client.host};transport=ws>;expires=60`,
        'Expires: 60',
      ]);
    register(authClient, 'agent1', 1);
    const challenge = await authClient.final('1 REGISTER');
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('www-authenticate')?.[0]).toMatch(/^Digest realm="outbound-test"/);
    authClient.close();

    const client = await WsSipClient.open(bed.wsUri.open);
    register(client, 'agent2', 1);
    expect((await client.final('1 REGISTER')).status).toBe(200);
    expect(await bed.proxy.contacts('agent2')).toEqual([expect.stringContaining('transport=ws')]);

    const b0 = phoneB.events.length;
    await phoneB.dial(`sip:agent2@${bed.sipDomain}`);
    const invite = await client.next((m) => m.method === 'INVITE');
    // Toward the WebSocket side the relay offers WebRTC (ICE, DTLS-SRTP, rtcp-mux).
    expect(invite.body).toMatch(/m=audio \d+ (UDP\/TLS\/)?RTP\/SAVPF /);
    expect(invite.body).toMatch(/a=ice-ufrag:/);
    expect(invite.body).toMatch(/a=fingerprint:/);
    client.send([
      'SIP/2.0 486 Busy Here',
      ...(invite.headers.get('via') ?? []).map((via) => `Via: ${via}`),
      `From: ${invite.headers.get('from')?.[0] ?? ''}`,
      `To: ${invite.headers.get('to')?.[0] ?? ''};tag=busy1`,
      `Call-ID: ${invite.headers.get('call-id')?.[0] ?? ''}`,
      `CSeq: ${invite.headers.get('cseq')?.[0] ?? ''}`,
    ]);
    expect((await phoneB.waitForEvent('CALL_CLOSED', { after: b0 })).param).toMatch(/^486 /);
    client.close();
  });

  it('answers every INVITE on the fail503 trunk with 503', async () => {
    const client = await WsSipClient.open(bed.wsUri.fail503);
    sendInvite(client, {
      target: `sip:bob@${bed.sipDomain}`,
      fromUser: 'agent',
      cseq: 1,
      callId: randomBytes(8).toString('hex'),
      fromTag: 'f1',
      body: webrtcOffer(),
    });
    expect((await client.final('1 INVITE')).status).toBe(503);
    client.close();
  });

  it('challenges INVITEs on the auth trunk, rejects wrong credentials, and bridges an authenticated WebRTC offer to a phone as plain RTP', async () => {
    await phoneA.waitRegistered(15_000); // re-registered after the restart (see registerIntervalS)
    const client = await WsSipClient.open(bed.wsUri.auth);
    const target = `sip:alice@${bed.sipDomain}`;
    const callId = randomBytes(8).toString('hex');
    const invite = (cseq: number, authorization?: string) =>
      sendInvite(client, {
        target,
        fromUser: 'agent',
        cseq,
        callId,
        fromTag: 'ftag1',
        authorization,
        body: webrtcOffer(),
      });

    invite(1);
    const challenge = await client.final('1 INVITE');
    expect(challenge.status).toBe(407);
    const proxyAuthenticate = challenge.headers.get('proxy-authenticate')?.[0] ?? '';
    expect(proxyAuthenticate).toMatch(/realm="outbound-test"/);

    invite(2, digest(proxyAuthenticate, 'INVITE', target, bed.auth.username, 'wrong-password'));
    expect((await client.final('2 INVITE')).status).toBe(407);

    invite(3, digest(proxyAuthenticate, 'INVITE', target, 'someone-else', bed.auth.password));
    expect((await client.final('3 INVITE')).status).toBe(403);

    const a0 = phoneA.events.length;
    invite(4, digest(proxyAuthenticate, 'INVITE', target, bed.auth.username, bed.auth.password));
    const ok = await client.final('4 INVITE');
    expect(ok.status).toBe(200);
    // Toward the WebSocket side rtpengine answers as WebRTC...
    expect(ok.body).toMatch(/m=audio \d+ (UDP\/TLS\/)?RTP\/SAVPF /);
    expect(ok.body).toMatch(/a=ice-ufrag:/);
    expect(ok.body).toMatch(/a=fingerprint:/);
    expect(ok.body).toMatch(/a=rtcp-mux/);

    // ACK through the record-routes.
    const routes = (ok.headers.get('record-route') ?? [])
      .flatMap((value) => value.split(/,\s*(?=<)/))
      .reverse();
    const remoteTarget = /<([^>]+)>/.exec(ok.headers.get('contact')?.[0] ?? '')?.[1] ?? '';
    const toHeader = ok.headers.get('to')?.[0] ?? '';
    client.send([
      `ACK ${remoteTarget} SIP/2.0`,
      `Via: SIP/2.0/WS ${client.host};branch=z9hG4bK${randomBytes(6).toString('hex')}`,
      'Max-Forwards: 70',
      ...routes.map((route) => `Route: ${route}`),
      `To: ${toHeader}`,
      'From: <sip:agent@127.0.0.1>;tag=ftag1',
      `Call-ID: ${callId}`,
      'CSeq: 4 ACK',
    ]);
    // The phone, which has no ICE, DTLS or SRTP module loaded, took the relay's plain RTP offer.
    const established = await phoneA.waitForEvent('CALL_ESTABLISHED', { after: a0 });
    expect(established.peeruri).toBe('sip:agent@127.0.0.1');

    // The phone hangs up: its BYE must find this WebSocket connection (Contact alias).
    await phoneA.hangup();
    const bye = await client.next((m) => m.method === 'BYE');
    client.send([
      'SIP/2.0 200 OK',
      ...(bye.headers.get('via') ?? []).map((via) => `Via: ${via}`),
      `From: ${bye.headers.get('from')?.[0] ?? ''}`,
      `To: ${bye.headers.get('to')?.[0] ?? ''}`,
      `Call-ID: ${callId}`,
      `CSeq: ${bye.headers.get('cseq')?.[0] ?? ''}`,
    ]);
    expect(bye.headers.get('cseq')?.[0]).toMatch(/ BYE$/);
    await phoneA.waitForEvent('CALL_CLOSED', { after: a0 });
    client.close();
  });
});
