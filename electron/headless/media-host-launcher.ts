/**
 * Headless media host: runs the media host page in Debian's (or the given) Chromium through
 * playwright-core, linked back to this process's headless server. Chromium is started with the
 * flags a hidden call page needs: autoplay without a gesture, real (not mDNS) host candidates so a
 * PBX can reach us, loopback candidates (a PBX on the same machine, and the test bed), and no
 * background networking (installs are offline).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type BrowserContext, chromium, type Page } from 'playwright-core';

import type { Logger } from '../engine/log.js';
import type { LaunchedMediaHost, MediaHostLauncher } from '../engine/telephony/index.js';
import { decideChromiumSandbox, probeChromiumSandbox } from './chromium-sandbox.js';
import type { HeadlessServer } from './server.js';

export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

/** Besides these, `--no-sandbox` only where the sandbox cannot run (chromium-sandbox.ts). */
export const MEDIA_HOST_CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--autoplay-policy=no-user-gesture-required',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/**
 * OUTBOUND_FAKE_MIC=/path/to.wav (tests, demos): Chromium's fake microphone speaks that file (in a
 * loop) instead of a real device, so an agent takeover can be heard on a machine with no sound card.
 */
export function fakeMicArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  const file = env.OUTBOUND_FAKE_MIC;
  if (!file) return [];
  if (!existsSync(file)) throw new Error(`OUTBOUND_FAKE_MIC names ${file}, which does not exist`);
  return ['--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${file}`];
}

/**
 * OUTBOUND_MEDIA_HOST_DEBUG_PORT=N (tests only): the media host Chromium also listens for the
 * DevTools protocol on 127.0.0.1:N, so an end-to-end test can attach and hear what each person's
 * speaker plays (the supervision test taps the agent's and the supervisor's <audio> elements).
 */
export function debugPortArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  const value = env.OUTBOUND_MEDIA_HOST_DEBUG_PORT;
  if (!value) return [];
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1024 || port > 65535)
    throw new Error(
      `OUTBOUND_MEDIA_HOST_DEBUG_PORT must be a port from 1024 to 65535 (got ${value})`,
    );
  return [`--remote-debugging-port=${port}`, '--remote-debugging-address=127.0.0.1'];
}

export interface ChromiumLauncherOptions {
  server: Pick<HeadlessServer, 'mediaHostUrl' | 'acceptMediaHostLink'>;
  log: Logger;
  executablePath?: string;
  linkTimeoutMs?: number;
  /** Sees each media host page once it is linked (diagnostics: profiling, tracing). */
  onPage?: (page: Page) => void;
}

export function findChromium(explicit?: string): string {
  const candidates = explicit
    ? [explicit]
    : [process.env.OUTBOUND_CHROMIUM, ...CHROMIUM_CANDIDATES].filter((c): c is string =>
        Boolean(c),
      );
  const found = candidates.find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      `Chromium was not found (looked at ${candidates.join(', ')}). Calls run in a Chromium page when the app is headless: install it (Debian: apt-get install chromium) or set OUTBOUND_CHROMIUM`,
    );
  }
  return found;
}

const PROFILE_PREFIX = 'outbound-media-host-';
/** A profile without Chromium's lock younger than this may belong to a launch still starting. */
const UNLOCKED_PROFILE_GRACE_MS = 10 * 60_000;

/**
 * Removes media host profiles that no Chromium uses any more: a killed app (or a crash) cannot
 * remove its own, and each holds a few MB. A profile is in use while its SingletonLock names a
 * live process ("host-pid"); one without a lock is left alone for a while, since another engine
 * may have just created it and not started Chromium yet. Returns the profiles removed.
 */
export async function sweepStaleProfiles(
  dir: string = tmpdir(),
  now: number = Date.now(),
): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(PROFILE_PREFIX)) continue;
    const path = join(dir, name);
    const lock = await readlink(join(path, 'SingletonLock')).catch(() => null);
    let stale: boolean;
    if (lock !== null) {
      const pid = Number(/-(\d+)$/.exec(lock)?.[1]);
      stale = Number.isInteger(pid) && pid > 0 && !processAlive(pid);
    } else {
      const info = await stat(path).catch(() => null);
      stale = info !== null && now - info.mtimeMs > UNLOCKED_PROFILE_GRACE_MS;
    }
    if (
      stale &&
      (await rm(path, { recursive: true, force: true }).then(
        () => true,
        () => false,
      ))
    )
      removed.push(path);
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function createChromiumMediaHostLauncher(
  options: ChromiumLauncherOptions,
): MediaHostLauncher {
  return {
    async launch(): Promise<LaunchedMediaHost> {
      const executablePath = findChromium(options.executablePath);
      const swept = await sweepStaleProfiles();
      if (swept.length > 0)
        options.log.info(
          `Removed ${swept.length} media host profile(s) left by an earlier run that did not stop cleanly`,
        );
      const profile = await mkdtemp(join(tmpdir(), PROFILE_PREFIX));
      let context: BrowserContext;
      try {
        context = await launchSandboxedIfPossible(executablePath, profile, options.log);
        // The agent's microphone (takeover, devices.list) without a permission prompt nobody can
        // click. Granted to the media host's origin only; not with --use-fake-ui-for-media-stream,
        // which here made every call's outgoing audio play distorted once 20 calls ran at once.
        await context.grantPermissions(['microphone'], {
          origin: new URL(options.server.mediaHostUrl).origin,
        });
      } catch (error) {
        await rm(profile, { recursive: true, force: true });
        throw new Error(
          `Chromium (${executablePath}) did not start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
          { cause: error },
        );
      }
      const page = context.pages()[0] ?? (await context.newPage());
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning')
          options.log.warn(`media host: ${message.text()}`);
      });
      let stopping = false;
      const exited = new Promise<string>((resolve) => {
        page.on('crash', () => resolve('the media host page crashed'));
        context.on('close', () => resolve(stopping ? 'stopped' : 'Chromium exited'));
      });
      const stop = async (): Promise<void> => {
        stopping = true;
        await context.close().catch(() => undefined);
        await rm(profile, { recursive: true, force: true }).catch(() => undefined);
      };
      // Waiting for the page's link before it can connect, so it is never missed. Its failure is
      // also handled on the side: when goto fails first, nothing awaits the link any more, and its
      // later rejection (timeout, or the server closing) must not crash the process. The URL
      // carries this launch's one-time link secret.
      const { url, link } = options.server.acceptMediaHostLink(options.linkTimeoutMs ?? 20_000);
      link.catch(() => undefined);
      try {
        await page.goto(url);
        const connection = await link;
        options.onPage?.(page);
        const browserPid = await findBrowserPid(profile);
        return {
          connection,
          exited,
          stop,
          pids: () => (browserPid === null ? [] : processTree(browserPid)),
        };
      } catch (error) {
        await stop();
        throw error;
      }
    },
  };
}

/** Per Chromium binary: the sandbox decision, made (and logged when it is "no") once. */
const sandboxDecisions = new Map<string, ReturnType<typeof decideChromiumSandbox>>();

/**
 * Starts Chromium with its sandbox where the system allows it (chromium-sandbox.ts), else with
 * --no-sandbox, saying why once. A sandboxed start Chromium refuses after all ("No usable
 * sandbox!", a probe the system fooled) is retried once without, and that decision is kept.
 */
async function launchSandboxedIfPossible(
  executablePath: string,
  profile: string,
  log: Logger,
): Promise<BrowserContext> {
  let decision = sandboxDecisions.get(executablePath);
  if (!decision) {
    decision = decideChromiumSandbox(probeChromiumSandbox(executablePath));
    sandboxDecisions.set(executablePath, decision);
    if (!decision.sandbox) log.warn(`media host Chromium: ${decision.reason}`);
  }
  const launch = (sandbox: boolean) =>
    chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      // Playwright adds --no-sandbox itself unless chromiumSandbox is true.
      chromiumSandbox: sandbox,
      args: [
        ...MEDIA_HOST_CHROMIUM_ARGS,
        ...(sandbox ? [] : ['--no-sandbox']),
        ...fakeMicArgs(),
        ...debugPortArgs(),
      ],
    });
  if (!decision.sandbox) return launch(false);
  try {
    return await launch(true);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (!/sandbox/i.test(text)) throw error;
    const fallback = {
      sandbox: false as const,
      reason: `Chromium refused to start with its sandbox (${decision.how}): started with --no-sandbox`,
    };
    sandboxDecisions.set(executablePath, fallback);
    log.warn(`media host Chromium: ${fallback.reason}`);
    return launch(false);
  }
}

/** The Chromium browser process started with this profile (its children inherit nothing we can match). */
async function findBrowserPid(profile: string): Promise<number | null> {
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(`--user-data-dir=${profile}`) && !cmdline.includes('--type='))
      return Number(entry);
  }
  return null;
}

/** A process and all its descendants (Linux /proc; empty elsewhere). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [root];
  }
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // The process ended while we looked.
    }
  }
  const result: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    result.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return result;
}
