/**
 * A customer's phone: headless baresip registered at the bed's Kamailio over UDP. It speaks a WAV
 * file (aufile) as the customer's voice, records what it heard and what it sent (sndfile), and is
 * driven through ctrl_tcp (netstrings of JSON): dial, accept, hangup, and a stream of call events.
 */
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { launch, logTail, type Managed, openFiles, waitFor } from './process.js';

export interface PhoneOptions {
  /** SIP user: the phone registers as sip:<user>@<domain>. */
  user: string;
  /** UDP/TCP port baresip listens on (it also binds sipPort+1: space phones two apart). */
  sipPort: number;
  /** The proxy every request goes through (outbound proxy), e.g. { port: 5070 }. */
  proxy: { host?: string; port: number };
  /** Domain of the address of record. Default '127.0.0.1'. */
  domain?: string;
  /** WAV the phone speaks as the customer's voice (any rate/channels: sox makes it 8 kHz mono). Silence when absent. */
  play?: string;
  /** Repeat `play` for the whole call instead of speaking it once and then staying silent. */
  loop?: boolean;
  /**
   * Length of the phone's voice (play, then silence or repeats) in seconds. baresip hangs up when
   * its audio source runs out, so this is also the longest call the phone stays in. Default 120.
   */
  callLengthS?: number;
  /** 'auto' answers incoming calls at once (or after answerDelayMs); 'manual' waits for accept(). */
  answer?: 'auto' | 'manual';
  /** call_max_calls: one more incoming call than this gets 486 Busy Here. Default 4. */
  maxCalls?: number;
  /** With answer 'auto': ring this long before answering. */
  answerDelayMs?: number;
  /** ctrl_tcp port. Default sipPort + 10000. */
  ctrlPort?: number;
  /** Registration interval in seconds (baresip refreshes at 90 %). Default 600; 0 = do not register. */
  registerIntervalS?: number;
  /** RTP port range of the phone. Default 40000-49999: baresip retries another port when one is taken, so it shares the ephemeral range instead of the fixed ports of the bed. */
  rtpPorts?: [number, number];
  /** Directory for config, recordings and log. Default a fresh temp dir. */
  dir?: string;
  /** Extra check that the registration is visible (e.g. ask Kamailio); polled after baresip reports 200 OK. */
  isRegistered?: (user: string) => Promise<boolean>;
  /** Do not wait for the registration before resolving. */
  noWait?: boolean;
  startTimeoutMs?: number;
}

/** One baresip event from ctrl_tcp (types: REGISTER_OK, CALL_INCOMING, CALL_RINGING, CALL_PROGRESS, CALL_ESTABLISHED, CALL_CLOSED, …). */
export interface PhoneEvent {
  type: string;
  class?: string;
  accountaor?: string;
  direction?: 'incoming' | 'outgoing';
  peeruri?: string;
  /** baresip's call id (the SIP Call-ID). */
  id?: string;
  /** For CALL_CLOSED: the reason, e.g. "486 Busy Here" or "Connection reset by user". */
  param?: string;
  /** Date.now() when the event arrived. */
  at: number;
}

export interface Phone {
  readonly user: string;
  /** sip:<user>@<domain> */
  readonly uri: string;
  readonly sipPort: number;
  readonly dir: string;
  readonly logPath: string;
  readonly pid: number;
  /** Every event so far, in order. */
  readonly events: PhoneEvent[];
  /** Emits 'event' with each PhoneEvent. */
  readonly emitter: EventEmitter;
  /**
   * Resolves with the first event of this type that matches, among the events after the first
   * `after` ones (take `phone.events.length` before the action you wait on; default 0).
   */
  waitForEvent(
    type: string,
    options?: { after?: number; match?: (event: PhoneEvent) => boolean; timeoutMs?: number },
  ): Promise<PhoneEvent>;
  /** Places a call from this phone through the proxy (the native baseline for benchmarks). */
  dial(uri: string): Promise<string>;
  accept(): Promise<string>;
  hangup(): Promise<string>;
  /** Any baresip long command (e.g. "listcalls", "reginfo"); resolves with its text. */
  command(name: string, params?: string): Promise<string>;
  /** Waits until the proxy knows this phone (after a proxy restart: once it has registered again). */
  waitRegistered(timeoutMs?: number): Promise<void>;
  /** Path of the latest recording of what the phone heard (`dump-*-dec.wav`), once baresip has closed it. */
  heardWav(timeoutMs?: number): Promise<string>;
  /** Path of the latest recording of what the phone sent (`dump-*-enc.wav`), once closed. */
  sentWav(timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** A mono 16-bit PCM WAV of `seconds` of silence. */
export function writeSilentWav(path: string, seconds = 1, rate = 8000): string {
  const samples = Math.round(seconds * rate);
  const buffer = Buffer.alloc(44 + samples * 2);
  buffer.write('RIFF', 0, 'ascii');
  buffer.writeUInt32LE(36 + samples * 2, 4);
  buffer.write('WAVE', 8, 'ascii');
  buffer.write('fmt ', 12, 'ascii');
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(rate, 24);
  buffer.writeUInt32LE(rate * 2, 28);
  buffer.writeUInt16LE(2, 32);
  buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36, 'ascii');
  buffer.writeUInt32LE(samples * 2, 40);
  writeFileSync(path, buffer);
  return path;
}

/**
 * The WAV aufile plays: `play` at 8 kHz mono, once then silence (or repeated), callLengthS long.
 * baresip's menu hangs the call up when aufile reaches the end of its file ("audio error (0,end
 * of file)"), so a bare clip would end the call as soon as it was spoken.
 */
function voiceFile(options: PhoneOptions, dir: string): string {
  const lengthS = options.callLengthS ?? 120;
  const out = join(dir, 'voice.wav');
  if (!options.play) return writeSilentWav(out, lengthS);
  if (!existsSync(options.play))
    throw new Error(`phone ${options.user}: ${options.play} does not exist`);
  const format = ['-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer'];
  let effects: string[];
  if (options.loop) {
    const clipS = Number(execFileSync('soxi', ['-D', options.play], { encoding: 'utf8' }).trim());
    const repeats = Math.max(0, Math.ceil(lengthS / Math.max(clipS, 0.05)) - 1);
    effects = ['repeat', String(repeats), 'trim', '0', String(lengthS)];
  } else {
    effects = ['pad', '0', String(lengthS), 'trim', '0', String(lengthS)];
  }
  execFileSync('sox', [options.play, ...format, out, ...effects], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return out;
}

function baresipConfig(o: {
  sipPort: number;
  ctrlPort: number;
  maxCalls: number;
  play: string;
  recDir: string;
  rtpPorts: [number, number];
}): string {
  return [
    'poll_method\tepoll',
    `sip_listen\t127.0.0.1:${o.sipPort}`,
    'net_interface\t127.0.0.1',
    'call_local_timeout\t120',
    `call_max_calls\t${o.maxCalls}`,
    // Nothing plays out loud: the player is a bridge device nobody reads; sndfile records instead.
    'audio_player\taubridge,sink',
    'audio_alert\taubridge,sink',
    `audio_source\taufile,${o.play}`,
    'audio_level\tno',
    'ausrc_format\ts16',
    'auplay_format\ts16',
    'auenc_format\ts16',
    'audec_format\ts16',
    'audio_buffer\t20-160',
    `rtp_ports\t${o.rtpPorts[0]}-${o.rtpPorts[1]}`,
    'rtcp_mux\tno',
    'jitter_buffer_delay\t5-10',
    'module_path\t/usr/lib/baresip/modules',
    'module\tg711.so',
    'module\taufile.so',
    'module\taubridge.so',
    'module\tsndfile.so',
    'module_tmp\taccount.so',
    'module_app\tcontact.so',
    'module_app\tmenu.so',
    'module_app\tctrl_tcp.so',
    `ctrl_tcp_listen\t127.0.0.1:${o.ctrlPort}`,
    `snd_path\t${o.recDir}`,
    '',
  ].join('\n');
}

/** ctrl_tcp speaks netstrings ("<length>:<payload>,") carrying JSON. */
class NetstringReader {
  private buffer = Buffer.alloc(0);
  push(chunk: Buffer, onMessage: (text: string) => void): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const colon = this.buffer.indexOf(0x3a);
      if (colon < 0) return;
      const header = this.buffer.subarray(0, colon).toString('ascii');
      const length = /^\d+$/.test(header) ? Number(header) : NaN;
      if (Number.isNaN(length)) {
        // Out of step (should not happen): drop what we have and wait for the next message.
        this.buffer = Buffer.alloc(0);
        return;
      }
      if (this.buffer.length < colon + 1 + length + 1) return;
      onMessage(this.buffer.subarray(colon + 1, colon + 1 + length).toString('utf8'));
      this.buffer = this.buffer.subarray(colon + 1 + length + 1);
    }
  }
}

export async function startPhone(options: PhoneOptions): Promise<Phone> {
  const domain = options.domain ?? '127.0.0.1';
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), `phone-${options.user}-`)));
  const recDir = join(dir, 'recordings');
  mkdirSync(recDir, { recursive: true });
  const ctrlPort = options.ctrlPort ?? options.sipPort + 10000;
  const play = voiceFile(options, dir);
  const answer = options.answer ?? 'auto';
  const delayedAnswer = answer === 'auto' && (options.answerDelayMs ?? 0) > 0;
  const regint = options.registerIntervalS ?? 600;
  const proxy = `sip:${options.proxy.host ?? '127.0.0.1'}:${options.proxy.port}`;
  const uri = `sip:${options.user}@${domain}`;

  writeFileSync(
    join(dir, 'config'),
    baresipConfig({
      sipPort: options.sipPort,
      ctrlPort,
      maxCalls: options.maxCalls ?? 4,
      play,
      recDir,
      rtpPorts: options.rtpPorts ?? [40000, 49999],
    }),
  );
  const accountParams = [
    `outbound="${proxy}"`,
    `answermode=${answer === 'auto' && !delayedAnswer ? 'auto' : 'manual'}`,
    `regint=${regint}`,
    'audio_codecs=PCMU,PCMA',
  ];
  writeFileSync(join(dir, 'accounts'), `<${uri}>;${accountParams.join(';')}\n`);
  writeFileSync(join(dir, 'contacts'), '');

  const events: PhoneEvent[] = [];
  const emitter = new EventEmitter();
  let stdoutRegistered = false;
  let stdoutBuffer = '';
  const logPath = join(dir, 'baresip.log');
  const managed: Managed = launch(`baresip ${options.user}`, '/usr/bin/baresip', ['-f', dir], {
    logPath,
    cwd: dir,
    onOutput(text) {
      stdoutBuffer = (stdoutBuffer + text).slice(-4096);
      // "a@127.0.0.1: {0/UDP/v4} 200 OK (kamailio …) [1 binding]"
      if (/\{\d+\/UDP\/v4\} 200 OK/.test(stdoutBuffer)) stdoutRegistered = true;
    },
  });

  const fail = (what: string) =>
    new Error(`phone ${options.user}: ${what}\n--- ${logPath} (tail) ---\n${logTail(logPath)}`);
  const exitedReason = () => (managed.alive() ? undefined : 'baresip exited');

  // ctrl_tcp: one connection for commands and events.
  let socket: Socket | undefined;
  const pending = new Map<
    string,
    { resolve: (data: string) => void; reject: (error: Error) => void }
  >();
  let nextToken = 1;
  const reader = new NetstringReader();
  try {
    socket = await waitFor(
      `baresip ctrl_tcp on ${ctrlPort}`,
      () =>
        new Promise<Socket | undefined>((resolve) => {
          const candidate = createConnection({ port: ctrlPort, host: '127.0.0.1' });
          candidate.once('connect', () => resolve(candidate));
          candidate.once('error', () => resolve(undefined));
        }),
      { timeoutMs: options.startTimeoutMs ?? 10_000, abort: exitedReason },
    );
  } catch (error) {
    await managed.stop();
    throw fail((error as Error).message);
  }
  socket.on('data', (chunk: Buffer) =>
    reader.push(chunk, (text) => {
      let message: {
        event?: boolean;
        response?: boolean;
        ok?: boolean;
        data?: string;
        token?: string;
      } & Omit<PhoneEvent, 'at'>;
      try {
        message = JSON.parse(text) as typeof message;
      } catch {
        return; // not JSON: nothing we asked for
      }
      if (message.response && message.token !== undefined) {
        const waiter = pending.get(message.token);
        pending.delete(message.token);
        if (!waiter) return;
        if (message.ok) waiter.resolve(message.data ?? '');
        else
          waiter.reject(
            new Error(`baresip ${options.user}: command failed: ${message.data ?? ''}`),
          );
      } else if (message.event) {
        const event: PhoneEvent = { ...message, at: Date.now() };
        delete (event as { event?: boolean }).event;
        events.push(event);
        emitter.emit('event', event);
      }
    }),
  );
  socket.on('error', () => undefined);
  socket.on('close', () => {
    for (const waiter of pending.values())
      waiter.reject(new Error(`baresip ${options.user}: ctrl_tcp closed`));
    pending.clear();
  });

  const command = (name: string, params = ''): Promise<string> =>
    new Promise((resolve, reject) => {
      if (!socket || socket.destroyed)
        return reject(new Error(`baresip ${options.user}: not connected`));
      const token = String(nextToken++);
      pending.set(token, { resolve, reject });
      const payload = Buffer.from(JSON.stringify({ command: name, params, token }), 'utf8');
      socket.write(`${payload.length}:`);
      socket.write(payload);
      socket.write(',');
    });

  if (delayedAnswer) {
    emitter.on('event', (event: PhoneEvent) => {
      if (event.type !== 'CALL_INCOMING') return;
      setTimeout(() => void command('accept').catch(() => undefined), options.answerDelayMs);
    });
  }

  const waitForEvent: Phone['waitForEvent'] = (type, opts = {}) => {
    const matches = (event: PhoneEvent) =>
      event.type === type && (!opts.match || opts.match(event));
    const found = events.slice(opts.after ?? 0).find(matches);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        emitter.off('event', listener);
        reject(
          new Error(
            `phone ${options.user}: no ${type} within ${opts.timeoutMs ?? 10_000} ms; events: ${events.map((e) => `${e.type}${e.param ? `(${e.param})` : ''}`).join(', ')}`,
          ),
        );
      }, opts.timeoutMs ?? 10_000);
      const listener = (event: PhoneEvent) => {
        if (!matches(event)) return;
        clearTimeout(timer);
        emitter.off('event', listener);
        resolve(event);
      };
      emitter.on('event', listener);
    });
  };

  const waitRegistered = async (timeoutMs = 10_000) => {
    await waitFor(
      `${uri} registered`,
      async () => {
        const seen = stdoutRegistered || events.some((e) => e.type === 'REGISTER_OK');
        if (!seen) return false;
        return options.isRegistered ? options.isRegistered(options.user) : true;
      },
      { timeoutMs, intervalMs: 50, abort: exitedReason },
    );
  };

  const latestRecording = async (suffix: 'dec' | 'enc', timeoutMs = 10_000): Promise<string> => {
    const path = await waitFor(
      `a closed ${suffix} recording of ${options.user} in ${recDir}`,
      () => {
        const files = readdirSync(recDir)
          .filter((name) => name.startsWith('dump-') && name.endsWith(`-${suffix}.wav`))
          .map((name) => join(recDir, name))
          .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs || a.localeCompare(b));
        const latest = files.at(-1);
        if (!latest) return undefined;
        return openFiles(managed.pid).has(latest) ? undefined : latest;
      },
      { timeoutMs, intervalMs: 100 },
    );
    return path;
  };

  const phone: Phone = {
    user: options.user,
    uri,
    sipPort: options.sipPort,
    dir,
    logPath,
    pid: managed.pid,
    events,
    emitter,
    waitForEvent,
    dial: (target) => command('dial', target),
    accept: () => command('accept'),
    hangup: () => command('hangup'),
    command,
    waitRegistered,
    heardWav: (timeoutMs) => latestRecording('dec', timeoutMs),
    sentWav: (timeoutMs) => latestRecording('enc', timeoutMs),
    async stop() {
      socket?.destroy();
      await managed.stop();
    },
  };

  if (regint > 0 && !options.noWait) {
    try {
      await waitRegistered(options.startTimeoutMs ?? 10_000);
    } catch (error) {
      await phone.stop();
      throw fail((error as Error).message);
    }
  }
  return phone;
}
