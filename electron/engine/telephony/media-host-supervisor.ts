/**
 * Keeps one media host running: launches it on first use (through whatever launcher the shell
 * gives: Chromium headless, a hidden BrowserWindow in Electron), waits until the page says it is
 * ready, and when it dies (crash, closed link) reports the loss, so its calls end with a recorded
 * reason, and starts a new one.
 */
import type { Logger } from '../log.js';
import { MediaHostClient, type MediaHostConnection } from './media-host-client.js';

export interface LaunchedMediaHost {
  connection: MediaHostConnection;
  /** Settles when the host's process or page dies, with why. */
  exited: Promise<string>;
  stop(): Promise<void>;
  /** OS process ids behind the host (for CPU and memory measurements), when known. */
  pids(): number[];
}

export interface MediaHostLauncher {
  launch(): Promise<LaunchedMediaHost>;
}

export class MediaHostUnavailableError extends Error {
  override readonly name = 'MediaHostUnavailableError';
}

const READY_TIMEOUT_MS = 20_000;
const RESTART_BACKOFF_MS = [0, 500, 2000, 5000];

export interface SupervisorHandlers {
  /** A new host is up: configure it (trunks). */
  onReady(client: MediaHostClient): Promise<void>;
  /** The host died: end its calls. */
  onLost(client: MediaHostClient, reason: string): void;
}

export class MediaHostSupervisor {
  private current: { client: MediaHostClient; host: LaunchedMediaHost } | null = null;
  private starting: Promise<MediaHostClient> | null = null;
  private failures = 0;
  private stopped = false;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  /** How many hosts this supervisor has started (1 = never restarted). */
  launches = 0;

  constructor(
    private readonly launcher: MediaHostLauncher,
    private readonly handlers: SupervisorHandlers,
    private readonly log: Logger,
  ) {}

  get running(): LaunchedMediaHost | null {
    return this.current?.host ?? null;
  }

  /** The live host's link, without launching one. */
  get currentClient(): MediaHostClient | null {
    return this.current && !this.current.client.isClosed ? this.current.client : null;
  }

  /** The live host, launching one when there is none. */
  client(): Promise<MediaHostClient> {
    if (this.stopped)
      return Promise.reject(new MediaHostUnavailableError('The engine is stopping'));
    if (this.current && !this.current.client.isClosed) return Promise.resolve(this.current.client);
    this.starting ??= this.start().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const current = this.current;
    this.current = null;
    await this.starting?.catch(() => undefined);
    if (current) {
      current.client.close();
      await current.host.stop().catch(() => undefined);
    }
  }

  private async start(): Promise<MediaHostClient> {
    this.launches++;
    let host: LaunchedMediaHost;
    try {
      host = await this.launcher.launch();
    } catch (error) {
      this.failures++;
      throw new MediaHostUnavailableError(
        `The media host could not start: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const client = new MediaHostClient(host.connection, this.log);
    try {
      await client.whenReady(READY_TIMEOUT_MS);
      await this.handlers.onReady(client);
    } catch (error) {
      this.failures++;
      client.close();
      await host.stop().catch(() => undefined);
      throw new MediaHostUnavailableError(
        `The media host did not get ready: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (this.stopped) {
      client.close();
      await host.stop();
      throw new MediaHostUnavailableError('The engine is stopping');
    }
    this.failures = 0;
    this.current = { client, host };
    let lost = false;
    const onLost = (reason: string): void => {
      if (lost) return;
      lost = true;
      if (this.current?.client === client) this.current = null;
      client.close();
      if (this.stopped) return;
      this.log.error('The media host died; starting a new one', { reason });
      this.handlers.onLost(client, reason);
      void host.stop().catch(() => undefined);
      this.scheduleRestart();
    };
    client.onClose((reason) => onLost(`link closed: ${reason}`));
    void host.exited
      .then((reason) => onLost(reason))
      .catch((error: unknown) =>
        this.log.error('Ending the calls of a lost media host failed', {
          error: error instanceof Error ? error.stack : String(error),
        }),
      );
    this.log.info('Media host ready', { pids: host.pids() });
    return client;
  }

  private scheduleRestart(): void {
    const delay =
      RESTART_BACKOFF_MS[Math.min(this.failures, RESTART_BACKOFF_MS.length - 1)] ?? 5000;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopped || this.current) return;
      this.client().catch((error: unknown) => {
        this.log.error('Restarting the media host failed', { error: String(error) });
        if (!this.stopped) this.scheduleRestart();
      });
    }, delay);
  }
}
