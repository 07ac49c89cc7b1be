/**
 * Telephony: places and tracks calls through the media host. It picks the trunks (the named or
 * first primary one, then a backup), keeps each trunk's user agent configured in the current media
 * host (again after a host restart), relays trunk health, and routes the host's events and audio
 * to each call's session.
 */
import { randomUUID } from 'node:crypto';
import { relative } from 'node:path';

import type { HostEventData } from '../api/media-host.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import {
  type CallEnd,
  type CallEventPayload,
  type CallRecorderLike,
  CallSession,
  type CallSessionDeps,
  type DialTrunk,
} from './call-session.js';
import type { EarlyMediaWatcher } from './early-media.js';
import type { DelaySummary, MediaLinkStats, PlaybackQueueDepth } from './link-stats.js';
import type { MediaHostClient } from './media-host-client.js';
import { type MediaHostLauncher, MediaHostSupervisor } from './media-host-supervisor.js';
import { checkDialNumber } from './numbers.js';
import { PlaybackClock } from './playback.js';
import type { TrunkHealthRegistry } from './trunk-health.js';

export interface TrunkSource {
  /** Every trunk with its password decrypted. */
  listForDialing(): Promise<DialTrunk[]>;
}

export interface TelephonyOptions {
  store: Store;
  log: Logger;
  dataDir: string;
  trunks: TrunkSource;
  health: TrunkHealthRegistry;
  createRecorder(callId: string): CallRecorderLike | null;
  ringTimeoutMs(): Promise<number>;
  onCallEvent(event: CallEventPayload): void;
  onCallState(session: CallSession): void;
  /** Listens to each call's early media for operator announcements (空号识别); absent: none. */
  earlyMedia?: EarlyMediaWatcher;
  /** This engine's seat (issue 16): the calls it creates carry it. */
  seatId?: string;
}

export interface DialOptions {
  number: string;
  /** Trunk name; default: the first primary trunk. */
  trunk?: string;
  ringTimeoutMs?: number;
  /** No RTP for this long on an answered call that is not on hold = dead line. */
  rtpTimeoutMs?: number;
  /**
   * A call row the dialer created (state 'queued', leased with its contact): the call keeps its
   * id and moves on to 'dialing' instead of a new row being created.
   */
  queuedCallId?: string;
}

export class TelephonyError extends Error {
  override readonly name = 'TelephonyError';
  constructor(
    readonly code:
      'INVALID_NUMBER' | 'NO_TRUNK' | 'TRUNK_FULL' | 'NOT_FOUND' | 'NOT_UP' | 'UNAVAILABLE',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const DEFAULT_RTP_TIMEOUT_MS = 15_000;
/** How long a call another seat may move here by REFER is expected (the seat line's own is 30 s). */
const ADOPTION_WINDOW_MS = 60_000;

interface Adoption {
  callId: string;
  agentId: number;
  channel: number;
  number: string;
  trunk: DialTrunk;
  until: number;
}

export class Telephony {
  private supervisor: MediaHostSupervisor | null = null;
  private readonly sessions = new Map<string, CallSession>();
  /** Backup trunk ids as last read from the store (pickTrunks, adopt). */
  private backups: ReadonlyArray<{ id: number; name: string }> = [];
  private readonly byChannel = new Map<number, CallSession>();
  /** Trunk id → the trunk's updatedAt as configured in the current host. */
  private configured = new WeakMap<MediaHostClient, Map<number, number>>();
  private nextChannel = 1;
  /** One playback tick for every call, so a tick's frames reach the media host as one message. */
  private readonly playbackClock = new PlaybackClock();
  private readonly endListeners = new Set<(end: CallEnd) => void>();
  /** Told of each media host once its trunks are configured (the seat line registers then). */
  private readonly hostListeners = new Set<(client: MediaHostClient) => void>();
  /** Trunks removed while they still carried calls. */
  private readonly removeWhenIdle = new Set<number>();
  /** Calls another seat may move here by REFER (issue 16 §3), by call id, until they lapse. */
  private readonly adoptions = new Map<string, Adoption>();
  private readonly adoptListeners = new Set<(session: CallSession) => void>();

  constructor(private readonly options: TelephonyOptions) {}

  /**
   * Given by the shell: how to start a media host (Chromium headless, a hidden window in Electron).
   * With `warm`, a host starts now when trunks exist, so their health shows before the first call.
   */
  setLauncher(launcher: MediaHostLauncher, options: { warm?: boolean } = {}): void {
    if (this.supervisor) throw new Error('The media host launcher is already set');
    this.supervisor = new MediaHostSupervisor(
      launcher,
      {
        onReady: (client) => this.adopt(client),
        onLost: (_client, reason) => {
          for (const session of [...this.sessions.values()]) session.onHostLost(reason);
        },
      },
      this.options.log,
    );
    if (options.warm) void this.warmUp();
  }

  /** Starts the media host when there are trunks to connect (errors are logged, not thrown). */
  async warmUp(): Promise<void> {
    if (!this.supervisor) return;
    try {
      if ((await this.options.trunks.listForDialing()).length > 0) await this.supervisor.client();
    } catch (error) {
      this.options.log.error('The media host did not start', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /**
   * A trunk was added, changed or removed: the running host connects, reconnects or drops its user
   * agent (a trunk changed mid-call keeps its old agent until it has no calls).
   */
  async onTrunkChanged(change: {
    kind: 'created' | 'updated' | 'removed';
    trunkId: number;
  }): Promise<void> {
    if (!this.supervisor) return;
    try {
      if (change.kind === 'removed') {
        if (!this.supervisor.running) return;
        // Calls on it keep their user agent until they end.
        if (this.carriesCalls(change.trunkId)) {
          this.removeWhenIdle.add(change.trunkId);
          return;
        }
        const client = await this.supervisor.client();
        this.configured.get(client)?.delete(change.trunkId);
        await client.request('trunk.remove', { trunkId: change.trunkId });
        return;
      }
      const trunk = (await this.options.trunks.listForDialing()).find(
        (t) => t.id === change.trunkId,
      );
      if (!trunk) return;
      if (this.carriesCalls(trunk.id)) return;
      await this.ensureTrunk(await this.supervisor.client(), trunk);
    } catch (error) {
      this.options.log.error('Updating the media host after a trunk change failed', {
        trunkId: change.trunkId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  get mediaHost(): MediaHostSupervisor | null {
    return this.supervisor;
  }

  /**
   * The media link now: bytes and frames each way, capture delay (since the host started and over
   * the last 10 s), the page's queue depths, and each live call's playback queues. Null while no
   * media host runs. For the load bench, the soak and the media-link bench (telephony/link-stats.ts).
   */
  mediaLinkStats(): (MediaLinkStats & { calls: PlaybackQueueDepth[] }) | null {
    const client = this.supervisor?.currentClient;
    if (!client) return null;
    return {
      ...client.linkStats(),
      calls: [...this.sessions.values()].map((s) => s.playbackDepth()),
    };
  }

  /** The capture delays of the frames that arrived since `from` (epoch ms; the last ~26 s at 25 calls). */
  captureDelaySince(from: number): DelaySummary | null {
    return this.supervisor?.currentClient?.captureDelaySince(from) ?? null;
  }

  get liveCount(): number {
    return this.sessions.size;
  }

  /** The calls running now. */
  liveSessions(): CallSession[] {
    return [...this.sessions.values()];
  }

  get(callId: string): CallSession | undefined {
    return this.sessions.get(callId);
  }

  /** The trunks calls can use now (passwords resolved): the seat line registers on one. */
  dialTrunks(): Promise<DialTrunk[]> {
    return this.options.trunks.listForDialing();
  }

  /** Each new media host (the first, and one after a restart), once its trunks are configured. */
  onHostReady(listener: (client: MediaHostClient) => void): () => void {
    this.hostListeners.add(listener);
    return () => this.hostListeners.delete(listener);
  }

  /**
   * Another seat's call may come here by REFER for this seat's agent (issue 16 §3): its row and
   * trunk are read now, and a channel kept for it, so that the host's `seat.adopted` (followed at
   * once by the leg's milestones and audio) finds a session made without waiting on the store.
   */
  async prepareAdoption(
    callId: string,
    agentId: number,
  ): Promise<{ channel: number; rtpTimeoutMs: number } | null> {
    const call = await this.options.store.calls.get(callId);
    if (!call) return null;
    const trunks = await this.options.trunks.listForDialing();
    const trunk = trunks.find((t) => t.id === call.trunkId) ?? trunks[0];
    if (!trunk) return null;
    const channel = this.nextChannel++;
    const until = Date.now() + ADOPTION_WINDOW_MS;
    for (const [id, pending] of this.adoptions)
      if (pending.until < Date.now()) this.adoptions.delete(id);
    this.adoptions.set(callId, { callId, agentId, channel, number: call.number, trunk, until });
    return { channel, rtpTimeoutMs: DEFAULT_RTP_TIMEOUT_MS };
  }

  /** Each call another seat moved here by REFER, once its session is made. */
  onAdopted(listener: (session: CallSession) => void): () => void {
    this.adoptListeners.add(listener);
    return () => this.adoptListeners.delete(listener);
  }

  onCallEnded(listener: (end: CallEnd) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  async dial(options: DialOptions): Promise<CallSession> {
    const check = checkDialNumber(options.number);
    if (!check.ok) throw new TelephonyError('INVALID_NUMBER', `number: ${check.message}`, 'number');
    if (!this.supervisor)
      throw new TelephonyError(
        'UNAVAILABLE',
        'No media host is available in this process (calls need the engine started with a media host)',
      );
    const trunks = await this.pickTrunks(options.trunk);
    const session = new CallSession(this.sessionDeps(), {
      callId: options.queuedCallId ?? randomUUID(),
      queued: options.queuedCallId !== undefined,
      channel: this.nextChannel++,
      number: check.number,
      trunks,
      ringTimeoutMs: options.ringTimeoutMs ?? (await this.options.ringTimeoutMs()),
      rtpTimeoutMs: options.rtpTimeoutMs ?? DEFAULT_RTP_TIMEOUT_MS,
      startedAt: Date.now(),
    });
    this.sessions.set(session.callId, session);
    this.byChannel.set(session.channel, session);
    try {
      await session.start();
    } catch (error) {
      // Its row could not be stored, so it was never dialed (see CallSession.start).
      this.sessions.delete(session.callId);
      this.byChannel.delete(session.channel);
      throw error;
    }
    void this.options.earlyMedia?.watch(session);
    return session;
  }

  private sessionDeps(): CallSessionDeps {
    return {
      store: this.options.store,
      log: this.options.log,
      host: () => this.requireSupervisor().client(),
      ensureTrunk: (client, trunk) => this.ensureTrunk(client, trunk),
      createRecorder: (callId) => this.options.createRecorder(callId),
      relativePath: (path) => relative(this.options.dataDir, path),
      ...(this.options.seatId !== undefined ? { seatId: this.options.seatId } : {}),
      onEvent: (event) => this.options.onCallEvent(event),
      onState: (s) => this.options.onCallState(s),
      playbackClock: this.playbackClock,
      onEnded: (s, end) => {
        this.sessions.delete(s.callId);
        this.byChannel.delete(s.channel);
        const trunkId = s.trunk.id;
        if (this.removeWhenIdle.has(trunkId) && !this.carriesCalls(trunkId)) {
          this.removeWhenIdle.delete(trunkId);
          void this.onTrunkChanged({ kind: 'removed', trunkId });
        }
        for (const listener of this.endListeners) listener(end);
      },
    };
  }

  /** The host answered a call another seat moved here by REFER: its session, made at once. */
  private onSeatAdopted(client: MediaHostClient, event: HostEventData<'seat.adopted'>): void {
    const pending = this.adoptions.get(event.callId);
    this.adoptions.delete(event.callId);
    if (!pending || pending.channel !== event.channel || this.sessions.has(event.callId)) {
      this.options.log.error('A call moved here by REFER was not expected; hanging it up', {
        callId: event.callId,
        channel: event.channel,
      });
      void client
        .request('call.hangup', { callId: event.callId, reason: 'not expected on this seat' })
        .catch(() => undefined);
      return;
    }
    const session = new CallSession(this.sessionDeps(), {
      callId: pending.callId,
      channel: pending.channel,
      number: pending.number,
      trunks: [pending.trunk],
      ringTimeoutMs: 60_000,
      rtpTimeoutMs: DEFAULT_RTP_TIMEOUT_MS,
      startedAt: event.at,
    });
    this.sessions.set(session.callId, session);
    this.byChannel.set(session.channel, session);
    session.adopt(client, pending.agentId);
    for (const listener of this.adoptListeners) listener(session);
  }

  require(callId: string): CallSession {
    const session = this.sessions.get(callId);
    if (!session) throw new TelephonyError('NOT_FOUND', `No live call with id "${callId}"`);
    return session;
  }

  /** Ends every call (`reason` is stored as each one's end reason) and the media host. */
  async stop(reason = 'engine stopping'): Promise<void> {
    const live = [...this.sessions.values()];
    if (live.length > 0) {
      await Promise.all(live.map((s) => s.hangup(reason).catch(() => undefined)));
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all(live.map((s) => s.whenEnded())),
        new Promise((resolve) => (timer = setTimeout(resolve, 4000))),
      ]);
      clearTimeout(timer);
    }
    await this.supervisor?.stop();
  }

  /** Primary (named or first primary), then one backup that is not the primary. */
  private async pickTrunks(name: string | undefined): Promise<DialTrunk[]> {
    const all = await this.options.trunks.listForDialing();
    if (all.length === 0)
      throw new TelephonyError(
        'NO_TRUNK',
        'No SIP trunk is configured: add one in Settings or with `outbound trunk add`',
        'trunk',
      );
    const primary =
      name === undefined
        ? (all.find((t) => t.role === 'primary') ?? all[0])
        : all.find((t) => t.name === name);
    if (!primary)
      throw new TelephonyError(
        'NO_TRUNK',
        `No trunk named "${name}" (trunks: ${all.map((t) => t.name).join(', ')})`,
        'trunk',
      );
    this.backups = all.filter((t) => t.role === 'backup').map(({ id, name }) => ({ id, name }));
    const live = [...this.sessions.values()].filter((s) => s.trunk.id === primary.id).length;
    const backup = all.find((t) => t.role === 'backup' && t.id !== primary.id);
    if (live >= primary.maxConcurrentCalls) {
      if (!backup)
        throw new TelephonyError(
          'TRUNK_FULL',
          `Trunk "${primary.name}" is at its limit of ${primary.maxConcurrentCalls} concurrent calls`,
          'trunk',
        );
      return [backup];
    }
    return backup ? [primary, backup] : [primary];
  }

  /**
   * The backup trunks as last read (every dial and each media host's start read them): a call
   * fails over to one, so a campaign whose own trunks are down still dials while one is up.
   */
  backupTrunks(): ReadonlyArray<{ id: number; name: string }> {
    return this.backups;
  }

  /** Whether any live call is on this trunk (ended calls have already left `sessions`). */
  private carriesCalls(trunkId: number): boolean {
    for (const session of this.sessions.values()) if (session.trunk.id === trunkId) return true;
    return false;
  }

  private requireSupervisor(): MediaHostSupervisor {
    if (!this.supervisor) throw new TelephonyError('UNAVAILABLE', 'No media host launcher');
    return this.supervisor;
  }

  private async adopt(client: MediaHostClient): Promise<void> {
    this.configured.set(client, new Map());
    client.on('trunk.state', (s) => this.onTrunkState(s));
    client.on('call.milestone', (m) => this.sessions.get(m.callId)?.onMilestone(m));
    client.on('calls.playout', ({ reports, at }) => {
      const ageMs = Date.now() - at;
      for (const report of reports) this.sessions.get(report.callId)?.onPlayout(report, ageMs);
    });
    client.onCapture((frame) => this.byChannel.get(frame.channel)?.onLinkCapture(frame));
    client.on('seat.adopted', (event) => this.onSeatAdopted(client, event));
    // Configure every trunk right away so health shows before the first call.
    const trunks = await this.options.trunks.listForDialing();
    this.backups = trunks.filter((t) => t.role === 'backup').map(({ id, name }) => ({ id, name }));
    await Promise.all(trunks.map((t) => this.ensureTrunk(client, t).catch(() => undefined)));
    for (const listener of this.hostListeners) listener(client);
  }

  private onTrunkState(s: HostEventData<'trunk.state'>): void {
    this.options.health.set(s.trunkId, { state: s.state, reason: s.reason, since: s.at });
  }

  private async ensureTrunk(client: MediaHostClient, trunk: DialTrunk): Promise<void> {
    let configured = this.configured.get(client);
    if (!configured) {
      configured = new Map();
      this.configured.set(client, configured);
    }
    if (configured.get(trunk.id) === trunk.updatedAt) return;
    configured.set(trunk.id, trunk.updatedAt);
    await client.request('trunk.configure', {
      trunkId: trunk.id,
      name: trunk.name,
      uri: trunk.uri,
      domain: trunk.domain,
      username: trunk.username,
      password: trunk.password,
      register: trunk.register,
      callerId: trunk.callerId,
    });
  }
}
