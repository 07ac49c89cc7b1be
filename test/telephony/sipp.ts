/**
 * Scripted far ends: sipp as a UAS on 127.0.0.1:<port>, reached through the proxy by calling
 * sip:sipp<port>@<domain>. Built-in scenarios: busy (486), ring (180 until CANCEL → 487),
 * early-media (183 with SDP, then 200; CANCEL during the 183 → 487), serverError (503: the caller
 * sees 500, because a proxy must not pass a 503 upstream, RFC 3261 16.7), answer (200, waits for
 * the BYE), decline (603), or any rejection code; or your own scenario XML. early-media and answer
 * can stream a WAV as PCMU (an announcement, a far end that speaks).
 *
 * sipp writes its message trace lazily: received() is complete once the sipp has been stopped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { launch, logTail, type Managed, openFiles, sleep } from './process.js';

export type SippScenario =
  | 'busy'
  | 'ring'
  | 'early-media'
  | 'serverError'
  | 'answer'
  | 'decline'
  | { reject: number; reason: string }
  | { xml: string; name: string };

export interface SippOptions {
  scenario: SippScenario;
  /** UDP port sipp listens on; the proxy routes sip:sipp<port>@… here. */
  port: number;
  /** Directory for the scenario, logs and message trace. */
  dir: string;
  /** sipp's RTP port (it binds it, and +2, even when it sends no media). Default port + 1000. */
  mediaPort?: number;
  /** early-media: how long the 183 lasts before the 200. Default 2000 ms. */
  earlyMediaMs?: number;
  /**
   * early-media / answer: a WAV sipp streams as RTP (PCMU) — in the 183 for early-media (e.g. an
   * operator announcement), after the 200 for answer. sox converts it to 8 kHz µ-law.
   */
  play?: string;
  /** Echo every RTP packet back to its sender (sipp -rtp_echo): a far end for round-trip latency. */
  rtpEcho?: boolean;
}

export interface Sipp {
  readonly port: number;
  /** sip:sipp<port>@<domain>: dial this through the proxy. */
  uri(domain?: string): string;
  /** The same far end as a dialable number (99<port>), for the app's number checks. */
  readonly number: string;
  readonly pid: number;
  readonly logPath: string;
  readonly messagesPath: string;
  /** How many requests of this method sipp received (from its message trace, which sipp writes lazily: complete after stop()). */
  received(method: string): number;
  stop(): Promise<void>;
}

const SDP = `v=0
o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 8
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=sendrecv
`;

/** A reply to the last received request, To-tagged by sipp (except a 100). */
function reply(status: string, options: { sdp?: boolean; contact?: boolean } = {}): string {
  const lines = [
    `SIP/2.0 ${status}`,
    '[last_Via:]',
    '[last_From:]',
    status.startsWith('100 ') ? '[last_To:]' : '[last_To:];tag=[pid]SIPpTag01[call_number]',
    '[last_Call-ID:]',
    '[last_CSeq:]',
  ];
  // A response that makes a dialog (a To-tagged 18x or 2xx to the INVITE, the ones with a Contact)
  // copies the INVITE's Record-Route (RFC 3261 12.1.1): without it the caller's in-dialog
  // requests (ACK, BYE, a re-INVITE) have no route back through the proxy.
  if (options.contact)
    lines.push(
      '[last_Record-Route:]',
      'Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>',
    );
  if (options.sdp) lines.push('Content-Type: application/sdp', 'Content-Length: [len]', '', SDP);
  else lines.push('Content-Length: 0', '', '');
  return `  <send>\n    <![CDATA[\n${lines.join('\n')}\n    ]]>\n  </send>`;
}

const HEAD =
  '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<!DOCTYPE scenario SYSTEM "sipp.dtd">\n';

function rejectXml(code: number, reason: string): string {
  return `${HEAD}<scenario name="reject ${code}">
  <recv request="INVITE" />
${reply('100 Trying')}
${reply(`${code} ${reason}`)}
  <recv request="ACK" optional="false" />
</scenario>
`;
}

/**
 * The INVITE, with its Via lines and CSeq kept: a CANCEL carries only the proxy's Via, and the 487
 * that ends the INVITE needs them all (one regexp over the raw message; sipp's XML reader does not
 * decode &#10;, hence [:cntrl:] for the line breaks).
 */
const RECV_INVITE = `  <recv request="INVITE">
    <action>
      <ereg regexp="Via:[^[:cntrl:]]*([[:cntrl:]]{2}Via:[^[:cntrl:]]*)*" search_in="msg" check_it="true" assign_to="invite_vias" />
      <ereg regexp=".*" search_in="hdr" header="CSeq:" assign_to="invite_cseq" />
    </action>
  </recv>`;

/** After a CANCEL has been received: 200 to it, 487 to the INVITE, the ACK; then to label `next`. */
function cancelled(next?: string): string {
  return `${reply('200 OK')}
  <send>
    <![CDATA[
SIP/2.0 487 Request Terminated
[$invite_vias]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
CSeq: [$invite_cseq]
Content-Length: 0

    ]]>
  </send>
  <recv request="ACK"${next ? ` next="${next}"` : ''} />`;
}

const stream = (file: string) => `  <nop><action><exec rtp_stream="${file},-1,0" /></action></nop>`;

/** Rings (180) until the caller cancels (or the proxy's fr_inv_timer does). */
function ringXml(): string {
  return `${HEAD}<scenario name="ring until CANCEL">
${RECV_INVITE}
${reply('100 Trying')}
${reply('180 Ringing', { contact: true })}
  <recv request="CANCEL" />
${cancelled()}
</scenario>
`;
}

/**
 * Answers (200 with SDP) and waits for the BYE; with earlyMediaMs, first 183 with SDP for that
 * long, during which a CANCEL ends the call with 487 as a real far end would.
 */
function answerXml(options: {
  earlyMediaMs?: number;
  playEarly?: string;
  playAnswered?: string;
}): string {
  const streaming = Boolean(options.playEarly ?? options.playAnswered);
  const early =
    options.earlyMediaMs === undefined
      ? ''
      : `${reply('183 Session Progress', { sdp: true, contact: true })}
${options.playEarly ? `${stream(options.playEarly)}\n` : ''}  <recv request="CANCEL" timeout="${options.earlyMediaMs}" ontimeout="answer" />
${streaming ? '  <nop><action><exec rtp_stream="pause" /></action></nop>\n' : ''}${cancelled('end')}
  <label id="answer" />
`;
  // sipp refuses variables it assigns but never uses: only the early-media branch needs them (its 487).
  return `${HEAD}<scenario name="${options.earlyMediaMs === undefined ? 'answer' : 'early media then answer'}">
${options.earlyMediaMs === undefined ? '  <recv request="INVITE" />' : RECV_INVITE}
${reply('100 Trying')}
${early}${reply('200 OK', { sdp: true, contact: true })}
  <recv request="ACK" />
${options.playAnswered ? `${stream(options.playAnswered)}\n` : ''}  <recv request="BYE" />
${streaming ? '  <nop><action><exec rtp_stream="pause" /></action></nop>\n' : ''}${reply('200 OK')}
  <label id="end" />
</scenario>
`;
}

/** The scenario XML for a built-in scenario (exported for tests that want to read or tweak it). */
export function scenarioXml(
  scenario: SippScenario,
  options: { earlyMediaMs?: number; playFile?: string } = {},
): string {
  if (typeof scenario === 'object') {
    return 'xml' in scenario ? scenario.xml : rejectXml(scenario.reject, scenario.reason);
  }
  switch (scenario) {
    case 'busy':
      return rejectXml(486, 'Busy Here');
    case 'serverError':
      return rejectXml(503, 'Service Unavailable');
    case 'decline':
      return rejectXml(603, 'Decline');
    case 'ring':
      return ringXml();
    case 'early-media':
      return answerXml({ earlyMediaMs: options.earlyMediaMs ?? 2000, playEarly: options.playFile });
    case 'answer':
      return answerXml({ playAnswered: options.playFile });
  }
}

function scenarioName(scenario: SippScenario): string {
  if (typeof scenario === 'string') return scenario;
  return 'xml' in scenario ? scenario.name : `reject-${scenario.reject}`;
}

export async function startSipp(options: SippOptions): Promise<Sipp> {
  const name = `${scenarioName(options.scenario)}-${options.port}`;
  let playFile: string | undefined;
  if (options.play) {
    if (!existsSync(options.play)) throw new Error(`sipp ${name}: ${options.play} does not exist`);
    playFile = join(options.dir, `sipp-${name}-play.wav`);
    execFileSync(
      'sox',
      [options.play, '-r', '8000', '-c', '1', '-e', 'u-law', '-b', '8', playFile],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  }
  const xmlPath = join(options.dir, `sipp-${name}.xml`);
  writeFileSync(
    xmlPath,
    scenarioXml(options.scenario, { earlyMediaMs: options.earlyMediaMs, playFile }),
  );
  const logPath = join(options.dir, `sipp-${name}.log`);
  const messagesPath = join(options.dir, `sipp-${name}-messages.log`);
  const errorsPath = join(options.dir, `sipp-${name}-errors.log`);
  const mediaPort = options.mediaPort ?? options.port + 1000;
  const args = [
    '-sf',
    xmlPath,
    '-i',
    '127.0.0.1',
    '-p',
    String(options.port),
    '-mi',
    '127.0.0.1',
    '-mp',
    String(mediaPort),
    '-t',
    'u1',
    '-nostdin',
    '-trace_msg',
    '-message_file',
    messagesPath,
    '-trace_err',
    '-error_file',
    errorsPath,
    ...(options.rtpEcho ? ['-rtp_echo'] : []),
  ];
  const managed: Managed = launch(`sipp ${name}`, '/usr/bin/sipp', args, {
    logPath,
    cwd: options.dir,
  });
  // sipp prints nothing useful when it is ready; give it a moment to bind, and catch early exits.
  const deadline = Date.now() + 5000;
  for (;;) {
    if (!managed.alive()) {
      throw new Error(
        `sipp ${name} exited at start\n--- ${logPath} (tail) ---\n${logTail(logPath)}\n--- ${errorsPath} ---\n${logTail(errorsPath)}`,
      );
    }
    if (isBound(managed.pid, options.port)) break;
    if (Date.now() > deadline) {
      await managed.stop();
      throw new Error(
        `sipp ${name} did not bind UDP ${options.port}\n--- ${logPath} (tail) ---\n${logTail(logPath)}`,
      );
    }
    await sleep(50);
  }
  return {
    port: options.port,
    uri: (domain = '127.0.0.1') => `sip:sipp${options.port}@${domain}`,
    number: `99${options.port}`,
    pid: managed.pid,
    logPath,
    messagesPath,
    received(method) {
      if (!existsSync(messagesPath)) return 0;
      const text = readFileSync(messagesPath, 'utf8');
      return text.split('\n').filter((line) => line.startsWith(`${method} sip:`)).length;
    },
    stop: () => managed.stop(),
  };
}

/** True when the process has a UDP socket bound to 127.0.0.1:port (from /proc/net/udp and its fds). */
function isBound(pid: number, port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let inodes: Set<string>;
  try {
    const lines = readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1);
    inodes = new Set(
      lines
        .map((line) => line.trim().split(/\s+/))
        .filter((cols) => cols[1]?.endsWith(`:${hexPort}`))
        .map((cols) => cols[9] ?? ''),
    );
  } catch {
    return false;
  }
  if (inodes.size === 0) return false;
  return [...openFiles(pid)].some((target) =>
    inodes.has(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? ''),
  );
}
