/**
 * The SIP proxy and registrar: Kamailio in the foreground with the bed's generated configuration
 * (kamailio.cfg.ts). It can be stopped and started again on the same ports mid-call, as a crashing
 * or redeployed proxy would be; registrations live in memory, so a restart forgets them.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { kamailioConfig } from './kamailio.cfg.js';
import { launch, logTail, type Managed, tcpAccepts, waitFor } from './process.js';

export interface TrunkPorts {
  /** No authentication. */
  open: number;
  /** Digest authentication for INVITE and REGISTER. */
  auth: number;
  /** Every initial INVITE gets 503 Service Unavailable. */
  fail503: number;
}

export interface ProxyOptions {
  /** Directory for the configuration, runtime files and log. */
  dir: string;
  /** UDP port for the phones. Default 5070. */
  sipPort?: number;
  /** WebSocket trunk ports. Default open 8088, auth 8089, fail503 8090. */
  wsPorts?: Partial<TrunkPorts>;
  /** HTTP port for JSON-RPC (/RPC). Default 8092. */
  rpcPort?: number;
  /** rtpengine's ng port. Default 22222. */
  rtpengineNgPort?: number;
  /** Credentials of the `auth` trunk. Default trunkuser / a random password, realm "outbound-test". */
  auth?: { username?: string; password?: string; realm?: string };
  /** Kamailio debug level. Default 1; 3 logs every message's route. */
  debugLevel?: number;
  /** Milliseconds until a request that got no reply at all fails with 408. Default 5000. */
  frTimerMs?: number;
  /** Milliseconds an INVITE may ring before 408. Default 120000. */
  frInvTimerMs?: number;
  startTimeoutMs?: number;
}

export interface Proxy {
  readonly sipPort: number;
  readonly wsPorts: TrunkPorts;
  readonly rpcPort: number;
  readonly auth: { username: string; password: string; realm: string };
  readonly cfgPath: string;
  readonly logPath: string;
  /** PID of the running Kamailio main process (undefined while stopped). */
  readonly pid: number | undefined;
  running(): boolean;
  /** Starts Kamailio again after stop() (no-op while running). */
  start(): Promise<void>;
  /** Stops Kamailio by PID (SIGTERM to its process group, SIGKILL after 3 s) and waits. */
  stop(): Promise<void>;
  /** stop() then start(): same configuration and ports, empty registrar. */
  restart(): Promise<void>;
  /** A JSON-RPC call to Kamailio (e.g. "ul.dump", "tm.stats"). */
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** Contact URIs registered for a user (empty when none). */
  contacts(user: string): Promise<string[]>;
  isRegistered(user: string): Promise<boolean>;
}

/** Sends OPTIONS sip:host:port over UDP; true on a 200 reply. */
export function sipPing(port: number, timeoutMs = 500, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      resolve(false);
    }, timeoutMs);
    socket.on('message', (message) => {
      clearTimeout(timer);
      socket.close();
      resolve(/^SIP\/2\.0 200 /.test(message.toString('utf8')));
    });
    socket.on('error', () => {
      clearTimeout(timer);
      socket.close();
      resolve(false);
    });
    socket.bind(0, '127.0.0.1', () => {
      const local = socket.address().port;
      const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
      const request = [
        `OPTIONS sip:${host}:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=${branch};rport`,
        'Max-Forwards: 70',
        `From: <sip:bed@127.0.0.1>;tag=${randomBytes(4).toString('hex')}`,
        `To: <sip:${host}:${port}>`,
        `Call-ID: ${randomBytes(8).toString('hex')}@bed`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(request, port, host);
    });
  });
}

export async function startProxy(options: ProxyOptions): Promise<Proxy> {
  const sipPort = options.sipPort ?? 5070;
  const wsPorts: TrunkPorts = { open: 8088, auth: 8089, fail503: 8090, ...options.wsPorts };
  const rpcPort = options.rpcPort ?? 8092;
  const auth = {
    username: options.auth?.username ?? 'trunkuser',
    password: options.auth?.password ?? randomBytes(6).toString('hex'),
    realm: options.auth?.realm ?? 'outbound-test',
  };
  const runtimeDir = join(options.dir, 'kamailio-run');
  mkdirSync(runtimeDir, { recursive: true });
  const cfgPath = join(options.dir, 'kamailio.cfg');
  const logPath = join(options.dir, 'kamailio.log');
  writeFileSync(
    cfgPath,
    kamailioConfig({
      sipPort,
      wsPorts,
      rpcPort,
      rtpengineNgPort: options.rtpengineNgPort ?? 22222,
      auth,
      debugLevel: options.debugLevel,
      frTimerMs: options.frTimerMs,
      frInvTimerMs: options.frInvTimerMs,
    }),
  );

  let managed: Managed | undefined;
  let starts = 0;

  const rpc = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const response = await fetch(`http://127.0.0.1:${rpcPort}/RPC`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }),
      signal: AbortSignal.timeout(2000),
    });
    const body = (await response.json()) as {
      result?: T;
      error?: { code: number; message: string };
    };
    if (body.error) throw new Error(`kamailio ${method}: ${body.error.code} ${body.error.message}`);
    return body.result as T;
  };

  const contacts = async (user: string): Promise<string[]> => {
    try {
      const result = await rpc<{ Contacts?: { Contact: { Address: string } }[] }>('ul.lookup', [
        'location',
        user,
      ]);
      return (result.Contacts ?? []).map((entry) => entry.Contact.Address);
    } catch (error) {
      if (/AOR not found/.test((error as Error).message)) return [];
      throw error;
    }
  };

  const start = async (): Promise<void> => {
    if (managed?.alive()) return;
    starts++;
    appendFileSync(
      logPath,
      `\n===== bed: kamailio start #${starts} at ${new Date().toISOString()} =====\n`,
    );
    const current = launch(
      'kamailio',
      '/usr/sbin/kamailio',
      [
        '-DD',
        '-E',
        '-f',
        cfgPath,
        '-Y',
        runtimeDir,
        '-w',
        options.dir,
        '-P',
        join(runtimeDir, 'kamailio.pid'),
        '-m',
        '64',
        '-M',
        '8',
      ],
      { logPath, cwd: options.dir },
    );
    managed = current;
    try {
      await waitFor(
        `kamailio on udp ${sipPort}, tcp ${Object.values(wsPorts).join('/')} and rpc ${rpcPort}`,
        async () => {
          if (!(await sipPing(sipPort, 300))) return false;
          for (const port of Object.values(wsPorts)) if (!(await tcpAccepts(port))) return false;
          await rpc('core.version');
          return true;
        },
        {
          timeoutMs: options.startTimeoutMs ?? 15_000,
          intervalMs: 100,
          abort: () => (current.alive() ? undefined : 'kamailio exited'),
        },
      );
    } catch (error) {
      await current.stop();
      throw new Error(
        `kamailio did not start: ${(error as Error).message}\n--- ${logPath} (tail) ---\n${logTail(logPath)}`,
        { cause: error },
      );
    }
  };

  const stop = async (): Promise<void> => {
    const current = managed;
    managed = undefined;
    if (current) await current.stop();
  };

  await start();
  return {
    sipPort,
    wsPorts,
    rpcPort,
    auth,
    cfgPath,
    logPath,
    get pid() {
      return managed?.alive() ? managed.pid : undefined;
    },
    running: () => managed?.alive() ?? false,
    start,
    stop,
    async restart() {
      await stop();
      await start();
    },
    rpc,
    contacts,
    isRegistered: async (user) => (await contacts(user)).length > 0,
  };
}
