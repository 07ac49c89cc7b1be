/**
 * `npm run check:fresh`: the README's two commands on a fresh Debian machine. Builds a new Debian
 * root with debootstrap (the host's release and apt mirror), gives it what the project's machine
 * image has (Node.js and npm copied from the host, Debian's python3, make and g++, the host's CA
 * certificates and npm configuration, a policy-rc.d that keeps services from starting), makes a
 * fresh git clone of this repository's HEAD (committed work only) in it, and runs there, under
 * chroot: `npm ci && npm start` (headless: the console must answer over HTTP, then it is stopped)
 * and `npm test`. Ends with npm test's "N passed, N failed" line and its exit status.
 *
 *   npm run check:fresh                          the full suite (35–45 minutes)
 *   npm run check:fresh -- electron/engine/audio  npm test's arguments: a subset, to check the mechanics
 *   --keep-root                                  leave the root in place afterwards (to look inside)
 *   --debs-cache DIR  (or OUTBOUND_FRESH_DEBS_CACHE=DIR)  keep and reuse debootstrap's downloaded
 *                                                base packages; the default downloads them afresh
 *
 * Root only (debootstrap, mount, chroot); installs debootstrap with apt-get when it is missing.
 * Everything is mounted inside a private mount namespace (unshare), so the mounts never show on
 * the host and vanish with the run even after kill -9; at the end the script stops every process
 * left in the root, unmounts, checks /proc/mounts and removes the root (also after Ctrl-C).
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/* global fetch, AbortSignal -- Node 20's own */

const SCRIPT = fileURLToPath(import.meta.url);
const REPO = join(dirname(SCRIPT), '..');
/** Where the clone sits inside the root. */
const APP = '/root/outbound-console';
/** What the project's machine image has besides Node.js and npm. */
const IMAGE_PACKAGES = ['python3', 'make', 'g++'];
/** How long `npm start` may take to print its URL (it builds and starts the engine first). */
const START_TIMEOUT_MS = 15 * 60_000;
const SUMMARY = /^\d+ passed, \d+ failed.*$/gm;

const seconds = (ms) => `${(ms / 1000).toFixed(0)} s`;

if (process.argv[2] === '--inner') await inner(process.argv[3]);
else await outer(process.argv.slice(2));

// ---- On the host ----

async function outer(argv) {
  const options = parseOptions(argv);
  const problem = hostProblem();
  if (problem) {
    console.error(`check:fresh cannot run here: ${problem}`);
    process.exit(2);
  }
  ensureDebootstrap();
  const commit = git('rev-parse', 'HEAD');
  if (git('status', '--porcelain', '--untracked-files=no') !== '')
    console.log('Note: the working tree has uncommitted changes; the check uses HEAD only.');
  const work = mkdtempSync('/var/tmp/outbound-fresh-');
  const root = join(work, 'root');
  mkdirSync(root);
  const release = osRelease();
  const config = {
    work,
    root,
    commit,
    codename: release.VERSION_CODENAME,
    mirror: debianMirror(release.VERSION_CODENAME),
    debsCache: options.debsCache,
    keepRoot: options.keepRoot,
    testArgs: options.testArgs,
  };
  writeFileSync(join(work, 'config.json'), JSON.stringify(config, null, 2));
  console.log(
    `check:fresh: Debian ${config.codename} from ${config.mirror}, commit ${commit.slice(0, 12)}, root ${root}` +
      (options.testArgs.length > 0 ? `, npm test -- ${options.testArgs.join(' ')}` : ''),
  );

  // The run itself, in a private mount namespace: its mounts are invisible here and die with it.
  const child = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', '--', process.execPath, SCRIPT, '--inner', work],
    { stdio: 'inherit' },
  );
  let stops = 0;
  const stop = (signal) => {
    stops++;
    if (stops === 1) {
      console.error(`\ncheck:fresh: ${signal}: stopping the run, then removing the root…`);
      child.kill('SIGTERM');
    } else {
      console.error('\ncheck:fresh: stopping now (SIGKILL)…');
      killRootProcesses(root, 'SIGKILL');
      child.kill('SIGKILL');
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal));
  const exit = await new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );

  let result = null;
  try {
    result = JSON.parse(readFileSync(join(work, 'result.json'), 'utf8'));
  } catch {
    // the inner run never got to write it
  }
  const cleanup = cleanUp(work, root, options.keepRoot);
  if (result) {
    console.log(
      `\ncheck:fresh stages: ${result.stages.map((s) => `${s.name} ${seconds(s.ms)}${s.ok ? '' : ' (FAILED)'}`).join(' · ')}`,
    );
  }
  console.log(`check:fresh: ${cleanup}`);
  if (result?.summary) console.log(`\n${result.summary}`);
  else {
    console.log(
      `\ncheck:fresh stopped before npm test's summary (${result?.error ?? `run ended with ${exit.signal ?? `exit ${exit.code}`}`})`,
    );
    console.log('0 passed, 1 failed');
  }
  process.exit(result?.status ?? 1);
}

function parseOptions(argv) {
  const options = {
    keepRoot: false,
    debsCache: process.env.OUTBOUND_FRESH_DEBS_CACHE || null,
    testArgs: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--keep-root') options.keepRoot = true;
    else if (arg === '--debs-cache') options.debsCache = argv[++i] ?? null;
    else if (arg.startsWith('--debs-cache=')) options.debsCache = arg.slice('--debs-cache='.length);
    else options.testArgs.push(arg);
  }
  if (options.debsCache !== null) {
    if (!options.debsCache.startsWith('/'))
      options.debsCache = join(process.cwd(), options.debsCache);
    mkdirSync(options.debsCache, { recursive: true });
  }
  return options;
}

/** Why this machine cannot build a root, or null. */
function hostProblem() {
  if (process.platform !== 'linux') return 'it needs Linux (debootstrap, mount namespaces, chroot)';
  if (process.getuid?.() !== 0)
    return 'it needs root (debootstrap, mount and chroot); run it as root';
  const release = osRelease();
  if (release.ID !== 'debian' || !release.VERSION_CODENAME)
    return `it builds a root of the host's Debian release, and this is ${release.PRETTY_NAME ?? 'not Debian'}`;
  for (const tool of ['unshare', 'chroot', 'mount', 'umount', 'git', 'apt-get'])
    if (!onPath(tool)) return `${tool} is not on PATH`;
  return null;
}

function ensureDebootstrap() {
  if (onPath('debootstrap')) return;
  console.log('Installing debootstrap (apt-get)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'debootstrap'], { env });
}

/** Stops what is left in the root, checks no mount remains there, removes the work directory. */
function cleanUp(work, root, keepRoot) {
  const left = killRootProcesses(root, 'SIGKILL');
  const mounted = mountsUnder(root);
  if (mounted.length > 0) {
    // Only reachable if mounts escaped the namespace; never delete through a mount.
    for (const point of mounted.reverse()) spawnSync('umount', ['--lazy', point]);
    if (mountsUnder(root).length > 0)
      return `NOT removed: still mounted under the root: ${mountsUnder(root).join(', ')}; remove ${work} by hand after unmounting`;
  }
  const killed = left > 0 ? `stopped ${left} leftover process(es); ` : '';
  if (keepRoot) return `${killed}no mounts left; root kept at ${root} (--keep-root)`;
  const rm = spawnSync('rm', ['-rf', '--one-file-system', work], { stdio: 'inherit' });
  return rm.status === 0
    ? `${killed}no mounts left; removed ${work}`
    : `${killed}no mounts left, but rm -rf ${work} failed (exit ${rm.status})`;
}

function debianMirror(codename) {
  const files = [];
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  for (const name of aptSourceFiles()) files.push(join('/etc/apt/sources.list.d', name));
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      // deb822: stanzas separated by blank lines.
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name) =>
          new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
        if (field('Enabled')[0]?.toLowerCase() === 'no') continue;
        if (field('Types').includes('deb') && field('Suites').includes(codename))
          return field('URIs')[0];
      }
    } else {
      for (const line of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (m && m[2] === codename) return m[1];
      }
    }
  }
  throw new Error(`no apt source for Debian ${codename} in /etc/apt/sources.list*`);
}

// ---- Inside the private mount namespace ----

async function inner(work) {
  const config = JSON.parse(readFileSync(join(work, 'config.json'), 'utf8'));
  const { root } = config;
  const stages = [];
  const result = { stages, summary: null, status: 1, error: null };
  const save = () => writeFileSync(join(work, 'result.json'), JSON.stringify(result, null, 2));
  let current = null;
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    result.error = 'stopped by a signal';
    // Everything running in the root, not only the command at hand: npm ignores SIGTERM while an
    // install script (node-gyp, make) runs. SIGKILL for whatever is left after 10 s.
    if (current?.pid) killGroup(current.pid, 'SIGTERM');
    killRootProcesses(root, 'SIGTERM');
    setTimeout(() => {
      if (current?.pid) killGroup(current.pid, 'SIGKILL');
      killRootProcesses(root, 'SIGKILL');
    }, 10_000).unref();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal);
  // The host side was killed outright (kill -9): stop too, so the root's processes and mounts go.
  const parent = process.ppid;
  const orphanWatch = setInterval(() => {
    if (process.ppid !== parent) onSignal();
  }, 1000);
  orphanWatch.unref();

  const stage = async (name, body) => {
    if (stopping) throw new Error('stopped by a signal');
    const t = Date.now();
    console.log(`\n▶ check:fresh: ${name}`);
    try {
      await body();
      stages.push({ name, ms: Date.now() - t, ok: true });
      console.log(`✔ check:fresh: ${name} (${seconds(Date.now() - t)})`);
    } catch (error) {
      stages.push({ name, ms: Date.now() - t, ok: false });
      throw error;
    }
  };
  const inRoot = (command, args, opts = {}) =>
    runAsync('chroot', [root, 'env', '-C', opts.cwd ?? '/', command, ...args], {
      env: rootEnv(),
      ...opts,
      onStart: (child) => (current = child),
    });

  try {
    await stage('debootstrap', async () => {
      const log = join(work, 'debootstrap.log');
      const args = [
        '--variant=minbase',
        '--include=ca-certificates',
        ...(config.debsCache ? [`--cache-dir=${config.debsCache}`] : []),
        config.codename,
        root,
        config.mirror,
      ];
      await runAsync('debootstrap', args, { log, onStart: (child) => (current = child) });
    });

    await stage('machine image (Node.js, npm, python3, make, g++)', async () => {
      prepareRoot(root);
      mountAll(root);
      await inRoot('update-ca-certificates', [], { log: join(work, 'image.log') });
      const aptEnv = { ...rootEnv(), DEBIAN_FRONTEND: 'noninteractive' };
      await inRoot('apt-get', ['update'], { env: aptEnv, log: join(work, 'image.log') });
      await inRoot('apt-get', ['install', '-y', '--no-install-recommends', ...IMAGE_PACKAGES], {
        env: aptEnv,
        log: join(work, 'image.log'),
      });
      copyNode(root);
      const node = await inRoot('node', ['--version'], { capture: true });
      const npm = await inRoot('npm', ['--version'], { capture: true });
      console.log(`  node ${node.trim()}, npm ${npm.trim()}, ${IMAGE_PACKAGES.join(', ')}`);
    });

    await stage('git clone', async () => {
      await runAsync('git', ['clone', '--quiet', '--no-hardlinks', REPO, join(root, APP)]);
      await runAsync('git', ['-C', join(root, APP), 'checkout', '--quiet', config.commit]);
      console.log(`  ${APP} at ${config.commit}`);
    });

    await stage('npm ci', () => inRoot('npm', ['ci'], { cwd: APP }));

    await stage('npm start (headless; the console must answer)', () =>
      startAndProbe(root, (child) => (current = child)),
    );

    await stage('npm test', async () => {
      const out = await inRoot(
        'npm',
        ['test', ...(config.testArgs.length ? ['--', ...config.testArgs] : [])],
        {
          cwd: APP,
          tee: true,
          allowFailure: true,
        },
      );
      result.status = out.status;
      result.summary = [...out.text.matchAll(SUMMARY)].pop()?.[0] ?? null;
      if (result.summary === null)
        result.error = `npm test ended (exit ${out.status}) without its summary line`;
      if (out.status !== 0) throw new Error(`npm test exit ${out.status}`);
    });
  } catch (error) {
    result.error ??= error instanceof Error ? error.message : String(error);
    console.error(`\ncheck:fresh: ${result.error}`);
  } finally {
    const left = killRootProcesses(root, 'SIGTERM');
    if (left > 0) await sleep(3000);
    killRootProcesses(root, 'SIGKILL');
    unmountAll(root);
    save();
    clearInterval(orphanWatch);
    // Nobody left on the host side to remove the root (it was killed outright): remove it here,
    // only once nothing is mounted under it any more.
    if (process.ppid !== parent && !config.keepRoot && mountsUnder(root).length === 0)
      spawnSync('rm', ['-rf', '--one-file-system', work]);
  }
}

/** What the machine image adds to a bare Debian: policy-rc.d, DNS, apt sources, CAs, npm config. */
function prepareRoot(root) {
  // Packages must not start their services here: the root shares the host's network (the test bed
  // starts its own Kamailio and rtpengine on free ports). Debian's Docker images ship the same file.
  const policy = join(root, 'usr/sbin/policy-rc.d');
  if (existsSync('/usr/sbin/policy-rc.d')) copyFileSync('/usr/sbin/policy-rc.d', policy);
  else writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  copyFileSync('/etc/resolv.conf', join(root, 'etc/resolv.conf'));
  // The host's apt sources (the reachable mirror, with -updates and -security) and their keyrings.
  rmSync(join(root, 'etc/apt/sources.list'), { force: true });
  const sources = [];
  if (existsSync('/etc/apt/sources.list')) sources.push('/etc/apt/sources.list');
  for (const name of aptSourceFiles()) sources.push(join('/etc/apt/sources.list.d', name));
  for (const file of sources) {
    copyFileSync(file, join(root, file));
    for (const m of readFileSync(file, 'utf8').matchAll(/signed-by[:=]\s*(\/[^\s\]]+)/gi)) {
      const keyring = m[1];
      if (existsSync(keyring) && !existsSync(join(root, keyring))) {
        mkdirSync(dirname(join(root, keyring)), { recursive: true });
        copyFileSync(keyring, join(root, keyring));
      }
    }
  }
  // Local CA certificates (the network here may inspect TLS), added by update-ca-certificates.
  const localCa = '/usr/local/share/ca-certificates';
  if (existsSync(localCa)) cpSync(localCa, join(root, localCa), { recursive: true });
  // npm's configuration: global (<prefix>/etc/npmrc), /etc/npmrc, and the user's.
  const prefix = dirname(dirname(process.execPath));
  for (const [from, to] of [
    [join(prefix, 'etc/npmrc'), join(prefix, 'etc/npmrc')],
    ['/etc/npmrc', '/etc/npmrc'],
    [join(homedir(), '.npmrc'), '/root/.npmrc'],
  ]) {
    if (!existsSync(from)) continue;
    mkdirSync(dirname(join(root, to)), { recursive: true });
    copyFileSync(from, join(root, to));
  }
}

/** The host's Node.js (binary, headers for node-gyp, npm and corepack), as the image has it. */
function copyNode(root) {
  const bin = dirname(process.execPath);
  const prefix = dirname(bin);
  cpSync(process.execPath, join(root, process.execPath), { preserveTimestamps: true });
  for (const dir of [join(prefix, 'lib/node_modules'), join(prefix, 'include/node')])
    if (existsSync(dir)) cpSync(dir, join(root, dir), { recursive: true, verbatimSymlinks: true });
  for (const tool of ['npm', 'npx', 'corepack']) {
    const link = join(bin, tool);
    if (!existsSync(link) || !lstatSync(link).isSymbolicLink()) continue;
    rmSync(join(root, link), { force: true });
    symlinkSync(readlinkSync(link), join(root, link));
  }
}

/** /proc, /sys and /dev (with /dev/pts and /dev/shm: Chromium needs both) in the root. */
function mountAll(root) {
  run('mount', ['-t', 'proc', 'proc', join(root, 'proc')]);
  run('mount', ['--rbind', '/sys', join(root, 'sys')]);
  run('mount', ['--rbind', '/dev', join(root, 'dev')]);
  const points = mountsUnder(root);
  if (!points.includes(join(root, 'dev/pts')))
    run('mount', [
      '-t',
      'devpts',
      '-o',
      'newinstance,ptmxmode=0666',
      'devpts',
      join(root, 'dev/pts'),
    ]);
  if (!points.includes(join(root, 'dev/shm')))
    run('mount', ['-t', 'tmpfs', '-o', 'mode=1777', 'shm', join(root, 'dev/shm')]);
  // The test bed's port-block claims (test/telephony/bed.ts: files naming the owner's PID). The
  // root shares the host's network and PIDs, so it shares the claims too; otherwise a bed here and
  // one on the host could take the same block at the same moment.
  const slots = join(tmpdir(), 'outbound-telephony-slots');
  mkdirSync(slots, { recursive: true });
  mkdirSync(join(root, 'tmp/outbound-telephony-slots'), { recursive: true });
  run('mount', ['--bind', slots, join(root, 'tmp/outbound-telephony-slots')]);
}

function unmountAll(root) {
  // Deepest first; a busy one is detached lazily (its processes are already gone).
  for (const point of mountsUnder(root).sort((a, b) => b.length - a.length)) {
    if (spawnSync('umount', [point]).status !== 0) spawnSync('umount', ['--lazy', point]);
  }
  const left = mountsUnder(root);
  if (left.length > 0) console.error(`check:fresh: still mounted: ${left.join(', ')}`);
}

/**
 * `npm start` in the root: waits for the console URL it prints, fetches it over HTTP (the root
 * shares the host's loopback), then stops it with SIGTERM as Ctrl+C would.
 */
async function startAndProbe(root, onStart) {
  const child = spawn('chroot', [root, 'env', '-C', APP, 'npm', 'start'], {
    env: rootEnv(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onStart(child);
  let text = '';
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start printed no console URL in ${seconds(START_TIMEOUT_MS)}`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk) => {
      process.stdout.write(chunk);
      text += chunk.toString('utf8');
      const m = /console:\s+(http:\/\/\S+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`npm start ended (${how}) before printing the console URL`));
    });
  });
  try {
    if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url))
      throw new Error(`console URL is not on loopback: ${url}`);
    const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    const body = await response.text();
    if (response.status !== 200 || !/<html/i.test(body))
      throw new Error(`GET ${url} answered ${response.status}, ${body.length} bytes, no HTML page`);
    console.log(
      `  GET ${url.replace(/token=[^&]+/, 'token=…')}: ${response.status}, ${body.length} bytes of HTML`,
    );
  } finally {
    killGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 60_000);
    const how = await exited;
    clearTimeout(timer);
    console.log(`  npm start stopped (${how})`);
  }
}

// ---- Helpers ----

/** The environment of every command in the root: a login-like one, plus the host's CA settings. */
function rootEnv() {
  const env = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/root',
    LANG: 'C.UTF-8',
    TERM: process.env.TERM ?? 'dumb',
  };
  for (const name of ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR'])
    if (process.env[name]) env[name] = process.env[name];
  return env;
}

function aptSourceFiles() {
  const dir = '/etc/apt/sources.list.d';
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.endsWith('.list') || name.endsWith('.sources'));
}

/** Mount points at or under `dir`, as this process's mount namespace sees them. */
function mountsUnder(dir) {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((point) => point && (point === dir || point.startsWith(`${dir}/`)));
}

/**
 * Signals every process whose root directory is `root` (chroot'ed there by this run), by PID.
 * Compared by device and inode, which works across mount namespaces. Returns how many.
 */
function killRootProcesses(root, signal) {
  let target;
  try {
    target = statSync(root);
  } catch {
    return 0;
  }
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const s = statSync(`/proc/${entry}/root`);
      if (s.dev === target.dev && s.ino === target.ino) {
        process.kill(Number(entry), signal);
        count++;
      }
    } catch {
      // gone, or not ours to look at
    }
  }
  return count;
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function onPath(tool) {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

function osRelease() {
  const values = {};
  for (const line of readFileSync('/etc/os-release', 'utf8').split('\n')) {
    const m = /^(\w+)=(.*)$/.exec(line);
    if (m) values[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  }
  return values;
}

function git(...args) {
  return run('git', ['-C', REPO, ...args], { capture: true }).trim();
}

function run(command, args, opts = {}) {
  const r = spawnSync(command, args, {
    stdio: opts.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
    env: opts.env ?? process.env,
  });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: exit ${r.status ?? r.signal}`);
  return r.stdout ?? '';
}

/**
 * Runs a command; rejects on a non-zero exit unless allowFailure. `log`: output to that file (its
 * tail is shown on failure); `capture`: resolves with stdout; `tee`: stdout shown and kept.
 */
function runAsync(command, args, opts = {}) {
  return new Promise((resolve, reject) => {
    // A numeric fd, so the child writes to the file directly.
    const logFd = opts.log ? openSync(opts.log, 'a') : null;
    const piped = Boolean(opts.capture || opts.tee);
    // Its own process group, so a stop reaches every process of it (debootstrap's subshells too).
    const child = spawn(command, args, {
      env: opts.env ?? process.env,
      detached: true,
      stdio: ['ignore', logFd ?? (piped ? 'pipe' : 'inherit'), logFd ?? 'inherit'],
    });
    if (logFd !== null) closeSync(logFd);
    opts.onStart?.(child);
    let text = '';
    child.stdout?.on('data', (chunk) => {
      if (opts.tee) process.stdout.write(chunk);
      text += chunk.toString('utf8');
      if (text.length > 4_000_000) text = text.slice(-2_000_000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const status = code ?? 128;
      if (status === 0 || opts.allowFailure) {
        resolve(opts.capture ? text : { status, text });
        return;
      }
      if (opts.log) {
        const lines = readFileSync(opts.log, 'utf8').trimEnd().split('\n');
        console.error(`--- last lines of ${opts.log} ---\n${lines.slice(-30).join('\n')}`);
      }
      reject(
        new Error(`${basename(command)} ${args.slice(0, 6).join(' ')}: exit ${code ?? signal}`),
      );
    });
  });
}
