/**
 * The soak's fault injectors and the pieces of the bed they need: a primary trunk the soak can
 * take down (a TCP forwarder in front of Kamailio's open WebSocket port, so the backup trunk,
 * straight to Kamailio, stays up), sipp far ends that hang up a set time after answering, the
 * recordings folder on its own tmpfs that can be made nearly full, and rtpengine restarted on its
 * own ports.
 */
import { execFileSync } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';

import { type Bed } from '../telephony/index.js';
import { type Relay, startRtpengine } from '../telephony/rtpengine.js';

/** The names the soak uses for its faults, in the order a full run injects them. */
export const FAULTS = [
  'media-host-kill',
  'engine-kill',
  'kamailio-restart',
  'rtpengine-restart',
  'phone-kill',
  'primary-down',
  'disk-full',
  'clock-jump',
] as const;
export type FaultName = (typeof FAULTS)[number];

export const FAULT_TEXT: Record<FaultName, string> = {
  'media-host-kill': 'the media host (Chromium) killed with SIGKILL',
  'engine-kill':
    'the engine (`outbound serve`) killed with `kill -9` and started again on the same workspace',
  'kamailio-restart': 'Kamailio stopped and started again (registrations forgotten)',
  'rtpengine-restart':
    'rtpengine stopped and started again on the same ports (media sessions forgotten)',
  'phone-kill':
    'a baresip customer phone killed with SIGKILL mid-call (no BYE), then started again',
  'primary-down':
    "the primary trunk's WebSocket port closed for 20 s (calls fail over to the backup)",
  'disk-full': 'the recordings file system (a tmpfs) shrunk to a few hundred KB free for 15 s',
  'clock-jump': "the engine's wall clock jumped forward by one hour",
};

/**
 * A TCP forwarder on 127.0.0.1:port → 127.0.0.1:target: the primary trunk. down() closes the
 * port and every connection through it (a trunk whose host went away); up() listens again.
 */
export class Forwarder {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: number) {}

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.target, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * sipp far end that answers, streams `playFile` (8 kHz µ-law WAV, looped) as the customer, and
 * hangs up itself after `afterMs` (or takes the caller's BYE first).
 */
export function hangupAfterXml(afterMs: number, playFile: string): string {
  const head =
    '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<!DOCTYPE scenario SYSTEM "sipp.dtd">\n';
  const reply = (status: string, sdp = false): string => `  <send>
    <![CDATA[
SIP/2.0 ${status}
[last_Via:]
[last_From:]
${status.startsWith('100 ') ? '[last_To:]' : '[last_To:];tag=[pid]SIPpTag01[call_number]'}
[last_Call-ID:]
[last_CSeq:]
${
  // The answer copies the INVITE's Record-Route (RFC 3261 12.1.1): without it the caller's ACK and
  // BYE would have no route back through the proxy.
  sdp ? '[last_Record-Route:]\n' : ''
}${status.startsWith('100 ') ? '' : 'Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>\n'}${
    sdp
      ? `Content-Type: application/sdp
Content-Length: [len]

v=0
o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 8
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=sendrecv
`
      : 'Content-Length: 0\n\n'
  }
    ]]>
  </send>`;
  // A re-INVITE (the caller's ICE restart after a proxy restart) is answered with the same SDP:
  // a far end that ignored it would make the caller drop the call ("Dialog Error").
  const inDialogOk = reply('200 OK', true)
    .replace('[last_To:];tag=[pid]SIPpTag01[call_number]', '[last_To:]')
    .replace('[last_Record-Route:]\n', '');
  return `${head}<scenario name="answer, hang up after ${afterMs} ms">
  <recv request="INVITE" rrs="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote_to" />
      <ereg regexp=".*" search_in="hdr" header="To:" assign_to="local_to" />
    </action>
  </recv>
${reply('100 Trying')}
  <nop><action><exec rtp_stream="${playFile},-1,0" /></action></nop>
${reply('200 OK', true)}
  <recv request="ACK" />
  <label id="wait" />
  <recv request="INVITE" optional="true" next="reinvite" />
  <recv request="BYE" timeout="${afterMs}" ontimeout="hangup" />
${reply('200 OK').replace('[last_To:];tag=[pid]SIPpTag01[call_number]', '[last_To:]')}
  <nop next="end" />
  <label id="reinvite" />
${inDialogOk}
  <recv request="ACK" next="wait" />
  <label id="hangup" />
  <nop><action><exec rtp_stream="pause" /></action></nop>
  <send>
    <![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[routes]
From: [$local_to];tag=[pid]SIPpTag01[call_number]
To: [$remote_to]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

    ]]>
  </send>
  <recv response="200" optional="false" />
  <label id="end" />
</scenario>
`;
}

/**
 * rtpengine stopped and started again with the bed's ports (the bed's own handle would only stop
 * it); returns the new relay, which the soak stops at the end.
 */
export async function restartRtpengine(bed: Bed, current: Relay): Promise<Relay> {
  await current.stop();
  return startRtpengine({
    dir: bed.dir,
    ngPort: bed.ports.rtpengineNgPort,
    rtpPorts: bed.ports.relayRtpPorts,
  });
}

/** Mounts a tmpfs of `bytes` at `dir` (root only). */
export function mountTmpfs(dir: string, bytes: number): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir], {
    stdio: 'pipe',
  });
}

export function unmountTmpfs(dir: string): void {
  execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
}

/**
 * Shrinks the tmpfs at `dir` to what it holds now plus `leaveBytes` (a nearly full disk without
 * writing a filler), retrying a little larger when recordings grew meanwhile. Returns the size.
 */
export function shrinkTmpfs(dir: string, leaveBytes: number): number {
  for (let attempt = 0; attempt < 20; attempt++) {
    const fs = statfsSync(dir);
    const used = (fs.blocks - fs.bfree) * fs.bsize;
    const size = Math.ceil((used + leaveBytes + attempt * 64 * 1024) / 4096) * 4096;
    try {
      execFileSync('mount', ['-o', `remount,size=${size}`, dir], { stdio: 'pipe' });
      return size;
    } catch {
      // grew between the statfs and the remount: try again a little larger
    }
  }
  throw new Error(`could not shrink the tmpfs at ${dir}`);
}

export function resizeTmpfs(dir: string, bytes: number): void {
  execFileSync('mount', ['-o', `remount,size=${bytes}`, dir], { stdio: 'pipe' });
}

export function freeBytes(dir: string): number {
  const fs = statfsSync(dir);
  return fs.bavail * fs.bsize;
}
