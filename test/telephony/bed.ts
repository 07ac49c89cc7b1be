/**
 * The whole bed in one call: rtpengine and Kamailio on 127.0.0.1, plus phones and sipp far ends
 * started on demand on the next free ports. stop() stops everything it started, by PID; a process
 * 'exit' handler SIGKILLs whatever is left if a test never gets that far.
 */
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Clip, type ClipOptions, makeClip } from './clips.js';
import { type Phone, type PhoneOptions, startPhone } from './phone.js';
import { killOrphans, tcpAccepts } from './process.js';
import { type Proxy, startProxy, type TrunkPorts } from './proxy.js';
import { type Relay, startRtpengine } from './rtpengine.js';
import { type Sipp, type SippOptions, startSipp } from './sipp.js';

export interface BedOptions {
  /** Directory for logs, configs and recordings. Default a fresh temp dir. */
  dir?: string;
  /**
   * Port block (0-4) of this bed; see bedPorts(). Default: the first block no other live bed on
   * this machine holds and whose ports are free, so test runs side by side do not collide.
   * Explicit port options below override single ports of the block.
   */
  slot?: number;
  /** Kamailio's UDP port for the phones. Default 5070 (in block 0). */
  sipPort?: number;
  /** WebSocket trunk ports. Default open 8088, auth 8089, fail503 8090 (in block 0). */
  wsPorts?: Partial<TrunkPorts>;
  /** A port nobody listens on (a trunk that is down). Default 8091 (in block 0). */
  deadWsPort?: number;
  /** Kamailio's JSON-RPC port. Default 8092 (in block 0). */
  rpcPort?: number;
  /** rtpengine's ng control port. Default 22222 (in block 0). */
  rtpengineNgPort?: number;
  /** rtpengine's RTP port range. Default 30000-30399 (in block 0). */
  relayRtpPorts?: [number, number];
  /** First SIP port for phones (then +2 each; ctrl_tcp at +10000). Default 5100 (in block 0). */
  firstPhonePort?: number;
  /** First port for sipp far ends (then +4 each; media at +1000). Default 5300 (in block 0). */
  firstSippPort?: number;
  /** Credentials of the `auth` trunk. Default trunkuser / a random password. */
  auth?: { username?: string; password?: string; realm?: string };
  /** Kamailio debug level (default 1; 3 traces routing). */
  debugLevel?: number;
  /** Kamailio's fr_timer (no reply at all → 408). Default 5000 ms. */
  frTimerMs?: number;
  /** Kamailio's fr_inv_timer (ringing → 408). Default 120000 ms. */
  frInvTimerMs?: number;
  /** Keep the directory after stop() (also when TELEPHONY_KEEP_LOGS=1). */
  keepDir?: boolean;
}

export type BedPhoneOptions = Omit<PhoneOptions, 'proxy' | 'sipPort' | 'dir' | 'isRegistered'> & {
  sipPort?: number;
};
export type BedSippOptions = Omit<SippOptions, 'dir' | 'port'> & { port?: number };

export interface Bed {
  /** Domain of every address of record: users are sip:<user>@127.0.0.1. */
  readonly sipDomain: '127.0.0.1';
  readonly dir: string;
  /** The port block this bed holds (see bedPorts()) and its ports. */
  readonly slot: number;
  readonly ports: BedPorts;
  /** Kamailio's UDP port (phones, sipp). */
  readonly sipPort: number;
  /** JsSIP WebSocket URIs of the trunks. */
  readonly wsUri: { open: string; auth: string; fail503: string };
  /** A WebSocket URI where nothing listens. */
  readonly deadWsUri: string;
  /** Credentials of the auth trunk. */
  readonly auth: { username: string; password: string; realm: string };
  readonly proxy: Proxy;
  readonly relay: Relay;
  /**
   * Starts a baresip phone on the next free port pair, registered before it resolves. Bed phones
   * re-register every 10 s by default (registerIntervalS), so they are back soon after a proxy restart.
   */
  phone(options: BedPhoneOptions): Promise<Phone>;
  /** Starts a sipp far end; call it at sipp.uri() through the proxy. */
  sipp(options: BedSippOptions): Promise<Sipp>;
  /** makeClip() into the bed's directory as <name>.wav. */
  clip(name: string, options: Omit<ClipOptions, 'path'>): Promise<Clip>;
  /** Stops phones, sipp, Kamailio and rtpengine (by PID), then removes the directory unless kept. */
  stop(): Promise<void>;
}

export interface BedPorts {
  sipPort: number;
  wsPorts: TrunkPorts;
  deadWsPort: number;
  rpcPort: number;
  rtpengineNgPort: number;
  relayRtpPorts: [number, number];
  firstPhonePort: number;
  firstSippPort: number;
}

export const BED_SLOTS = 5;

/**
 * The ports of block `slot`. Block 0 is the documented default; block k moves the SIP and WebSocket
 * ports up by 2000·k, the ng port by k and the relay's RTP range by 400·k. Within a block: phones
 * use firstPhonePort + 2i (and +1, and ctrl_tcp at +10000) for up to 100 phones, sipp uses
 * firstSippPort + 4i (media at +1000) for up to 100 far ends; phones' own RTP is 40000-49999 in
 * every block (baresip picks a free port). Five blocks fit without overlapping.
 */
export function bedPorts(slot: number): BedPorts {
  if (!Number.isInteger(slot) || slot < 0 || slot >= BED_SLOTS)
    throw new RangeError(`bed slot must be 0..${BED_SLOTS - 1}, not ${slot}`);
  const o = 2000 * slot;
  return {
    sipPort: 5070 + o,
    wsPorts: { open: 8088 + o, auth: 8089 + o, fail503: 8090 + o },
    deadWsPort: 8091 + o,
    rpcPort: 8092 + o,
    rtpengineNgPort: 22222 + slot,
    relayRtpPorts: [30000 + 400 * slot, 30399 + 400 * slot],
    firstPhonePort: 5100 + o,
    firstSippPort: 5300 + o,
  };
}

const SLOT_DIR = join(tmpdir(), 'outbound-telephony-slots');

function ownerAlive(file: string): boolean {
  try {
    const { owner } = JSON.parse(readFileSync(file, 'utf8')) as { owner: number };
    process.kill(owner, 0);
    return true;
  } catch {
    return false;
  }
}

/** Claims block `slot` for this process (a file naming our PID); false when a live process holds it. */
function claimSlot(slot: number): boolean {
  mkdirSync(SLOT_DIR, { recursive: true });
  const file = join(SLOT_DIR, `slot-${slot}.json`);
  const record = JSON.stringify({ owner: process.pid, at: new Date().toISOString() });
  try {
    writeFileSync(file, record, { flag: 'wx' });
    return true;
  } catch {
    if (ownerAlive(file)) return false;
    // Left by a dead process: take it over (and make sure no other bed took it at the same time).
    rmSync(file, { force: true });
    try {
      writeFileSync(file, record, { flag: 'wx' });
      return true;
    } catch {
      return false;
    }
  }
}

function releaseSlot(slot: number): void {
  const file = join(SLOT_DIR, `slot-${slot}.json`);
  try {
    const { owner } = JSON.parse(readFileSync(file, 'utf8')) as { owner: number };
    if (owner === process.pid) rmSync(file, { force: true });
  } catch {
    // already gone
  }
}

/** Undefined when the fixed ports of a block are free, else which one is taken. */
async function busyPort(ports: BedPorts): Promise<string | undefined> {
  for (const port of [...Object.values(ports.wsPorts), ports.rpcPort])
    if (!(await tcpFree(port))) return `tcp ${port}`;
  for (const port of [ports.sipPort, ports.rtpengineNgPort])
    if (!(await udpFree(port))) return `udp ${port}`;
  if (await tcpAccepts(ports.deadWsPort)) return `tcp ${ports.deadWsPort} (the dead trunk)`;
  return undefined;
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Claims the requested block, or the first one that is unclaimed and free. */
async function chooseSlot(options: BedOptions): Promise<number> {
  if (options.slot !== undefined) {
    bedPorts(options.slot);
    if (!claimSlot(options.slot))
      throw new Error(
        `telephony bed: port block ${options.slot} is held by another live bed (${SLOT_DIR})`,
      );
    return options.slot;
  }
  const busy: string[] = [];
  for (let slot = 0; slot < BED_SLOTS; slot++) {
    if (!claimSlot(slot)) {
      busy.push(`block ${slot}: held by another live bed`);
      continue;
    }
    const taken = await busyPort(withOverrides(bedPorts(slot), options));
    if (taken === undefined) return slot;
    busy.push(`block ${slot}: ${taken} is in use`);
    releaseSlot(slot);
  }
  throw new Error(
    `telephony bed: no usable port block (${busy.join('; ')}; claims in ${SLOT_DIR})`,
  );
}

function withOverrides(ports: BedPorts, options: BedOptions): BedPorts {
  return {
    sipPort: options.sipPort ?? ports.sipPort,
    wsPorts: { ...ports.wsPorts, ...options.wsPorts },
    deadWsPort: options.deadWsPort ?? ports.deadWsPort,
    rpcPort: options.rpcPort ?? ports.rpcPort,
    rtpengineNgPort: options.rtpengineNgPort ?? ports.rtpengineNgPort,
    relayRtpPorts: options.relayRtpPorts ?? ports.relayRtpPorts,
    firstPhonePort: options.firstPhonePort ?? ports.firstPhonePort,
    firstSippPort: options.firstSippPort ?? ports.firstSippPort,
  };
}

export async function startBed(options: BedOptions = {}): Promise<Bed> {
  killOrphans();
  const slot = await chooseSlot(options);
  const releaseOnExit = () => releaseSlot(slot);
  process.once('exit', releaseOnExit);
  const ports = withOverrides(bedPorts(slot), options);
  const deadWsPort = ports.deadWsPort;
  if (await tcpAccepts(deadWsPort)) {
    releaseSlot(slot);
    throw new Error(
      `telephony bed: something listens on the "dead" port ${deadWsPort}; pick another deadWsPort`,
    );
  }
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'telephony-bed-')));
  mkdirSync(dir, { recursive: true });

  const phones = new Set<Phone>();
  const sipps = new Set<Sipp>();
  let relay: Relay | undefined;
  let proxy: Proxy | undefined;
  let stopped = false;

  const stop = async (keepDir = false): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.allSettled([...phones].map((phone) => phone.stop()));
    await Promise.allSettled([...sipps].map((sipp) => sipp.stop()));
    await proxy?.stop();
    await relay?.stop();
    releaseSlot(slot);
    process.off('exit', releaseOnExit);
    if (!keepDir && !options.keepDir && !process.env.TELEPHONY_KEEP_LOGS && !options.dir)
      rmSync(dir, { recursive: true, force: true });
  };

  try {
    const ngPort = ports.rtpengineNgPort;
    relay = await startRtpengine({ dir, ngPort, rtpPorts: ports.relayRtpPorts });
    proxy = await startProxy({
      dir,
      sipPort: ports.sipPort,
      wsPorts: ports.wsPorts,
      rpcPort: ports.rpcPort,
      rtpengineNgPort: ngPort,
      auth: options.auth,
      debugLevel: options.debugLevel,
      frTimerMs: options.frTimerMs,
      frInvTimerMs: options.frInvTimerMs,
    });
  } catch (error) {
    await stop(true); // keep the logs the error points at
    throw error;
  }
  const startedProxy = proxy;
  const ws = (port: number) => `ws://127.0.0.1:${port}`;

  let nextPhonePort = ports.firstPhonePort;
  let nextSippPort = ports.firstSippPort;

  const phonePort = async (): Promise<number> => {
    for (let tries = 0; tries < 200; tries++) {
      const port = nextPhonePort;
      nextPhonePort += 2;
      const free =
        (await udpFree(port)) &&
        (await tcpFree(port)) &&
        (await tcpFree(port + 1)) &&
        (await tcpFree(port + 10000));
      if (free) return port;
    }
    throw new Error('telephony bed: no free port pair for a phone');
  };

  const sippPort = async (): Promise<number> => {
    for (let tries = 0; tries < 200; tries++) {
      const port = nextSippPort;
      nextSippPort += 4;
      if ((await udpFree(port)) && (await udpFree(port + 1000)) && (await udpFree(port + 1002)))
        return port;
    }
    throw new Error('telephony bed: no free port for sipp');
  };

  return {
    sipDomain: '127.0.0.1',
    dir,
    slot,
    ports,
    sipPort: startedProxy.sipPort,
    wsUri: {
      open: ws(startedProxy.wsPorts.open),
      auth: ws(startedProxy.wsPorts.auth),
      fail503: ws(startedProxy.wsPorts.fail503),
    },
    deadWsUri: ws(deadWsPort),
    auth: startedProxy.auth,
    proxy: startedProxy,
    relay,
    async phone(phoneOptions) {
      if (stopped) throw new Error('telephony bed: already stopped');
      const sipPort = phoneOptions.sipPort ?? (await phonePort());
      const phoneDir = join(dir, 'phones', `${phoneOptions.user}-${sipPort}`);
      mkdirSync(phoneDir, { recursive: true });
      const phone = await startPhone({
        // Short, so that phones find the proxy again soon after proxy.restart() (which forgets them).
        registerIntervalS: 10,
        ...phoneOptions,
        sipPort,
        dir: phoneDir,
        proxy: { port: startedProxy.sipPort },
        isRegistered: (user) => startedProxy.isRegistered(user),
      });
      phones.add(phone);
      const stopPhone = phone.stop;
      return Object.assign(phone, {
        async stop() {
          phones.delete(phone);
          await stopPhone();
        },
      });
    },
    async sipp(sippOptions) {
      if (stopped) throw new Error('telephony bed: already stopped');
      const port = sippOptions.port ?? (await sippPort());
      const sipp = await startSipp({ ...sippOptions, port, dir });
      sipps.add(sipp);
      const stopSipp = sipp.stop;
      return Object.assign(sipp, {
        async stop() {
          sipps.delete(sipp);
          await stopSipp();
        },
      });
    },
    clip: (name, clipOptions) => makeClip({ ...clipOptions, path: join(dir, `${name}.wav`) }),
    stop: () => stop(),
  };
}
