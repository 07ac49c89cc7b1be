/**
 * Whether the headless media host's Chromium can run with its sandbox. The media host page talks
 * to SIP servers on the network, so its renderer should be sandboxed wherever the system allows:
 *
 * - as root, Chromium refuses to start without `--no-sandbox` ("Running as root without
 *   --no-sandbox is not supported"), so root means no sandbox;
 * - otherwise on Linux the sandbox needs unprivileged user namespaces (probed by creating one with
 *   `unshare --user`, which also catches containers whose seccomp policy forbids them) or the
 *   setuid `chrome-sandbox` helper (Debian's chromium-sandbox package);
 * - macOS and Windows always have theirs.
 *
 * The decision is pure (`decideChromiumSandbox`) over what `probeChromiumSandbox` reads, so it is
 * unit-tested; `OUTBOUND_CHROMIUM_SANDBOX=0` turns the sandbox off by hand (a system the probe
 * misjudges). A sandboxed start that Chromium refuses anyway is retried without it (the launcher).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface SandboxProbe {
  platform: NodeJS.Platform;
  /** null where the OS has no uids (Windows). */
  uid: number | null;
  /** Whether this user can create a user namespace; null when it could not be told. */
  userNamespaces: boolean | null;
  /** A root-owned setuid chrome-sandbox helper, if one is installed. */
  suidHelper: string | null;
  /** OUTBOUND_CHROMIUM_SANDBOX. */
  override: string | undefined;
}

export type SandboxDecision = { sandbox: true; how: string } | { sandbox: false; reason: string };

export function decideChromiumSandbox(probe: SandboxProbe): SandboxDecision {
  if (probe.override === '0')
    return { sandbox: false, reason: 'OUTBOUND_CHROMIUM_SANDBOX=0: started with --no-sandbox' };
  if (probe.uid === 0)
    return {
      sandbox: false,
      reason: "running as root: Chromium's sandbox cannot run, started with --no-sandbox",
    };
  if (probe.platform !== 'linux') return { sandbox: true, how: `the ${probe.platform} sandbox` };
  if (probe.userNamespaces === true) return { sandbox: true, how: 'user namespaces' };
  if (probe.suidHelper !== null)
    return { sandbox: true, how: `the setuid sandbox helper ${probe.suidHelper}` };
  if (probe.userNamespaces === null)
    return { sandbox: true, how: 'user namespaces (not verified: unshare is not installed)' };
  return {
    sandbox: false,
    reason:
      "this user cannot create user namespaces and no setuid chrome-sandbox helper is installed: Chromium's sandbox cannot run, started with --no-sandbox (allow unprivileged user namespaces, or install Debian's chromium-sandbox)",
  };
}

/** Reads what the decision needs from this system, for the Chromium at `executablePath`. */
export function probeChromiumSandbox(
  executablePath: string,
  env: NodeJS.ProcessEnv = process.env,
): SandboxProbe {
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  return {
    platform: process.platform,
    uid,
    // Root can always create one; the answer only matters for other users.
    userNamespaces: process.platform === 'linux' && uid !== 0 ? canCreateUserNamespace() : null,
    suidHelper: process.platform === 'linux' ? findSuidHelper(executablePath, env) : null,
    override: env.OUTBOUND_CHROMIUM_SANDBOX,
  };
}

function canCreateUserNamespace(): boolean | null {
  // Switched off system-wide (Debian before 11's kernel knob; 0 namespaces allowed anywhere).
  if (readSysctl('/proc/sys/kernel/unprivileged_userns_clone') === '0') return false;
  if (readSysctl('/proc/sys/user/max_user_namespaces') === '0') return false;
  const result = spawnSync('unshare', ['--user', 'true'], { stdio: 'ignore', timeout: 5_000 });
  if (result.error) return null; // no unshare here
  return result.status === 0;
}

function readSysctl(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The setuid helper Chromium looks for beside its binary (or in CHROME_DEVEL_SANDBOX). */
function findSuidHelper(executablePath: string, env: NodeJS.ProcessEnv): string | null {
  const candidates = [
    env.CHROME_DEVEL_SANDBOX,
    join(dirname(safeRealpath(executablePath)), 'chrome-sandbox'),
    // Debian's /usr/bin/chromium is a wrapper script for /usr/lib/chromium/chromium.
    '/usr/lib/chromium/chrome-sandbox',
    '/usr/lib/chromium-browser/chrome-sandbox',
    '/opt/google/chrome/chrome-sandbox',
  ];
  for (const path of candidates) {
    if (!path) continue;
    try {
      const info = statSync(path);
      if (info.isFile() && info.uid === 0 && (info.mode & 0o4000) !== 0) return path;
    } catch {
      // not there
    }
  }
  return null;
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
