/**
 * The media relay: rtpengine in the foreground, userspace only (no kernel table), on 127.0.0.1,
 * controlled by Kamailio over the ng protocol. It bridges the WebRTC leg (ICE, DTLS-SRTP, rtcp-mux)
 * to plain RTP toward the phones.
 */
import { createSocket } from 'node:dgram';
import { join } from 'node:path';

import { launch, logTail, type Managed, waitFor } from './process.js';

export interface RelayOptions {
  /** Directory for the log (rtpengine.log). */
  dir: string;
  /** UDP port of the ng control protocol. Default 22222. */
  ngPort?: number;
  /** RTP/RTCP ports the relay may use. Default 30000-30399 (below Linux's ephemeral range). */
  rtpPorts?: [number, number];
  /** rtpengine log level (syslog numbers, 7 = debug). Default 6. */
  logLevel?: number;
  startTimeoutMs?: number;
}

export interface Relay {
  readonly ngPort: number;
  readonly pid: number;
  readonly logPath: string;
  /** Sends an ng `ping`; true when the relay answers `pong`. */
  ping(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

/** One ng request (bencoded dictionary of a command and no arguments), resolved with the raw reply. */
export function ngRequest(port: number, command: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const cookie = `bed${process.pid}_${Date.now()}`;
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`rtpengine on ${port}: no reply to ${command} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('message', (message) => {
      const text = message.toString('utf8');
      if (!text.startsWith(`${cookie} `)) return;
      clearTimeout(timer);
      socket.close();
      resolve(text.slice(cookie.length + 1));
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
    socket.send(`${cookie} d7:command${command.length}:${command}e`, port, '127.0.0.1');
  });
}

export async function startRtpengine(options: RelayOptions): Promise<Relay> {
  const ngPort = options.ngPort ?? 22222;
  const [portMin, portMax] = options.rtpPorts ?? [30000, 30399];
  const logPath = join(options.dir, 'rtpengine.log');
  const args = [
    // Debian ships /etc/rtpengine/rtpengine.conf (kernel table 0, CLI and HTTP ports): ignore it.
    '--config-file=none',
    '--table=-1',
    '--interface=127.0.0.1',
    `--listen-ng=127.0.0.1:${ngPort}`,
    `--port-min=${portMin}`,
    `--port-max=${portMax}`,
    '--foreground',
    '--log-stderr',
    `--log-level=${options.logLevel ?? 6}`,
    '--delete-delay=0',
    '--timeout=60',
    '--num-threads=2',
  ];
  const managed: Managed = launch('rtpengine', '/usr/bin/rtpengine', args, {
    logPath,
    cwd: options.dir,
  });
  const ping = async (timeoutMs = 1000) =>
    (await ngRequest(ngPort, 'ping', timeoutMs)).includes('pong');
  try {
    await waitFor('rtpengine to answer an ng ping', () => ping(300), {
      timeoutMs: options.startTimeoutMs ?? 10_000,
      abort: () => (managed.alive() ? undefined : 'rtpengine exited'),
    });
  } catch (error) {
    await managed.stop();
    throw new Error(
      `rtpengine did not start: ${(error as Error).message}\n--- ${logPath} (tail) ---\n${logTail(logPath)}`,
      { cause: error },
    );
  }
  return {
    ngPort,
    pid: managed.pid,
    logPath,
    ping,
    stop: () => managed.stop(),
  };
}
