/** `outbound serve`: the engine plus the headless console, until Ctrl+C or SIGTERM. */
import { Engine, EngineStartError, type Logger, onFatal } from '../engine/index.js';
import type { MediaHostLauncher } from '../engine/telephony/index.js';
import { type HeadlessServer, startHeadlessServer } from '../headless/index.js';
import type { Output } from './output.js';
import { removeServerFile, writeServerFile } from './server-file.js';
import { UsageError } from './usage.js';

export interface ServeOptions {
  dataDir: string;
  port: number;
  host: string;
  rendererDir: string;
  version: string;
  log: Logger;
  /** Resolves when the process is asked to stop (signals in real use; a promise in tests). */
  stopSignal: Promise<string>;
}

export async function serve(options: ServeOptions, out: Output): Promise<number> {
  let engine: Engine;
  try {
    engine = await Engine.start({
      dataDir: options.dataDir,
      transport: 'websocket',
      version: options.version,
      log: options.log,
      actor: 'console',
      holder: 'outbound serve',
      trainFlowsAtStart: true,
      dialCampaigns: true,
    });
  } catch (error) {
    if (error instanceof EngineStartError) {
      out.error(error.code, error.message);
      return 1;
    }
    throw error;
  }
  let server;
  try {
    const live = engine;
    server = await startHeadlessServer({
      api: engine,
      rendererDir: options.rendererDir,
      host: options.host,
      port: options.port,
      log: options.log,
      // Served recordings are audited by the engine (recordings.fetch).
      media: (mediaPath, from) => live.mediaFile(mediaPath, from),
    });
  } catch (error) {
    await engine.stop();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      out.error(
        'PORT_IN_USE',
        `Port ${options.port} on ${options.host} is already in use; choose another with --port, or --port 0 for any free port`,
      );
      return 1;
    }
    if (error instanceof Error && error.message.startsWith('Refusing to listen'))
      throw new UsageError(error.message);
    throw error;
  }
  // Calls placed from the console run in a media host in Chromium, started once "listening" is
  // out when trunks exist (so the Settings page shows their health), otherwise on the first call.
  // Its launcher is imported then, not here: importing playwright-core takes seconds of CPU (4-11 s
  // measured, most of it parsing its bundle), which held every start between "Engine started" and
  // "listening" (three seats started at once on a loaded machine missed a 40 s start limit).
  engine.telephony.setLauncher(lazyChromiumLauncher(server, options.log));
  // One-shot commands on this workspace (outbound campaign start…) reach this server through it,
  // as the local admin (adminToken); written before "listening" so a caller can read it then.
  await writeServerFile(engine.dataDir, {
    host: options.host,
    port: server.port,
    token: server.token,
    adminToken: server.adminToken,
  }).catch((error: unknown) =>
    options.log.warn(
      'Could not write server.json; CLI commands on this workspace will not find the server',
      { error: String(error) },
    ),
  );
  const needsFirstAdmin = await engine.auth.needsFirstAdmin().catch(() => false);
  out.record(
    {
      event: 'listening',
      mode: 'headless',
      url: server.url,
      port: server.port,
      token: server.token,
      dataDir: engine.dataDir,
      database: engine.store.path,
    },
    [
      `Outbound Console ${options.version} — headless console`,
      `  data:     ${engine.dataDir}`,
      `  console:  ${server.url}`,
      'Open the console URL in a browser on this machine. Press Ctrl+C to stop.',
      ...(needsFirstAdmin
        ? [
            'No admin can sign in yet: the console asks for the first one, or run',
            `  outbound user add NAME --role admin --password-file F --data ${engine.dataDir}`,
          ]
        : []),
    ].join('\n'),
  );
  void engine.telephony.warmUp();
  // After a fatal error (engine/fatal.ts) the server is gone: CLI commands must not look for it.
  const unregisterFatal = onFatal({
    name: 'server.json',
    stop: () => removeServerFile(engine.dataDir),
  });
  const signal = await options.stopSignal;
  unregisterFatal();
  await removeServerFile(engine.dataDir).catch((error: unknown) =>
    options.log.warn('Could not remove server.json', { error: String(error) }),
  );
  // The engine first: it hangs up live calls through the media host, which needs the server's link.
  await engine.stop();
  await server.close();
  out.record({ event: 'stopped', signal }, `Stopped (${signal}).`);
  return 0;
}

/** Chromium's media host launcher, imported (with playwright-core) on the first launch. */
function lazyChromiumLauncher(server: HeadlessServer, log: Logger): MediaHostLauncher {
  let launcher: Promise<MediaHostLauncher> | undefined;
  return {
    async launch() {
      launcher ??= import('../headless/media-host-launcher.js').then(
        (m) => m.createChromiumMediaHostLauncher({ server, log }),
        (error: unknown) => {
          launcher = undefined; // the next launch tries again
          throw error;
        },
      );
      return (await launcher).launch();
    },
  };
}
