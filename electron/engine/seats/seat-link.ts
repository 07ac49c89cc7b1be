/**
 * Agents and supervisors on other seats (issue 16 §3), for engines sharing one PostgreSQL store.
 *
 * - The seat line: once this seat's media host is up, it registers `seat-<seatId>` on the PBX
 *   through the seat-line trunk (OUTBOUND_SEAT_LINE_TRUNK names it, else the first trunk), and
 *   the line's SIP address is stored (seat_lines) for the other seats.
 * - Wake-ups: the change feed's `agents` topic (and a 1 s poll as a backstop: a notification can
 *   be lost, rows cannot) run routing's `syncSeats` (offers and take-overs between seats) and the
 *   supervision sync below. Notifications carry nothing; every step re-reads the rows.
 * - Transfers: routing offers an agent on another seat through a seat leg; when that seat
 *   accepts, this seat's take-over bridges the call with a SIP leg to that seat's line
 *   (`remoteFor`). A leg the agent's seat hangs up ends the call, as an agent's hang-up does.
 * - Supervision: `supervise` on the supervisor's seat stores the leg `accepted` with its mode
 *   (after its media host was told to answer it) and waits until the call's seat has joined it.
 *   The call's seat joins it with `CallSession.supervise` over a SIP leg to the supervisor's seat,
 *   and follows the row: a mode change is the same gains as a local supervisor's (the mode goes
 *   through the store, not over SIP, so it is audited and survives a lost packet), `ended` leaves.
 */
import type { SupervisionMode } from '../api/supervision.js';
import type { Logger } from '../log.js';
import type { RoutingService } from '../routing/index.js';
import type { SeatLegRecord, Store } from '../store/types.js';
import type { SeatRemote } from '../telephony/call-session.js';
import type { MediaHostClient } from '../telephony/media-host-client.js';
import type { Telephony } from '../telephony/telephony-service.js';

export interface Devices {
  inputDeviceId: string;
  outputDeviceId: string;
}

export interface SeatLinkOptions {
  store: Store;
  seatId: string;
  telephony: Telephony;
  routing: RoutingService;
  log: Logger;
  agentDevices(): Promise<Devices>;
  supervisorDevices(): Promise<Devices>;
  /** The trunk (by name) that carries seat lines; default: OUTBOUND_SEAT_LINE_TRUNK, else the first. */
  lineTrunk?: string;
  /** How often to re-read the rows without a wake-up (default 1 s). */
  pollMs?: number;
}

export class SeatLinkError extends Error {
  override readonly name = 'SeatLinkError';
  constructor(
    readonly code: 'NOT_FOUND' | 'CONFLICT' | 'UNAVAILABLE',
    message: string,
  ) {
    super(message);
  }
}

/** How long a supervisor's seat waits for the call's seat to join its leg. */
const JOIN_TIMEOUT_MS = 25_000;

/** A SIP user name for a seat id (letters, digits, dot, dash and underscore kept). */
export function seatLineUser(seatId: string): string {
  return `seat-${seatId.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

export class SeatLink {
  private readonly stops: Array<() => void> = [];
  private syncing: Promise<void> = Promise.resolve();
  private pending = false;
  private closed = false;
  private host: MediaHostClient | null = null;
  /** Supervisor legs this (call's) seat works on now, so a slow join is not started twice. */
  private readonly joining = new Set<string>();

  constructor(private readonly options: SeatLinkOptions) {}

  get seatId(): string {
    return this.options.seatId;
  }

  start(): void {
    const { store, telephony } = this.options;
    this.stops.push(
      telephony.onHostReady((client) => void this.registerLine(client)),
      telephony.onAdopted(
        (session) =>
          void this.adopted(session.callId).catch((error: unknown) =>
            this.options.log.error('Storing a call moved here by REFER failed', {
              callId: session.callId,
              error: error instanceof Error ? error.message : String(error),
            }),
          ),
      ),
      store.listen('agents', () => this.wake()),
    );
    const timer = setInterval(() => this.wake(), this.options.pollMs ?? 1000);
    this.stops.push(() => clearInterval(timer));
    // A host already running (started before this service) gets its line too.
    const current = telephony.mediaHost?.currentClient;
    if (current) void this.registerLine(current);
    this.wake();
  }

  async stop(): Promise<void> {
    this.closed = true;
    for (const stop of this.stops.splice(0)) stop();
    await this.syncing.catch(() => undefined);
  }

  /** Re-reads the legs (serialized; wake-ups during a run fold into one more run). */
  wake(): void {
    if (this.closed) return;
    if (this.pending) return;
    this.pending = true;
    this.syncing = this.syncing
      .then(async () => {
        this.pending = false;
        await this.ensureHost();
        await this.options.routing.syncSeats();
        await this.syncSupervision();
      })
      .catch((error: unknown) => {
        this.pending = false;
        this.options.log.error('Syncing with the other seats failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      });
  }

  /** On the call's seat: how to reach an agent on another seat (their seat line), or none. */
  async remoteFor(agentId: number): Promise<SeatRemote | null> {
    const seat = (await this.options.store.seats.userSeats()).find((u) => u.id === agentId)?.seatId;
    if (!seat || seat === this.seatId) return null;
    return { target: await this.lineOf(seat), seat };
  }

  /**
   * On the agent's seat: its media host answers the leg the call's seat will place, or (a trunk
   * in `refer` mode) the customer that seat's REFER sends here, and the call then lives here.
   */
  async expectLeg(callId: string, role: 'agent' | 'supervisor', agentId?: number): Promise<void> {
    const devices =
      role === 'agent' ? await this.options.agentDevices() : await this.options.supervisorDevices();
    const adopt =
      role === 'agent' && agentId !== undefined
        ? await this.options.telephony.prepareAdoption(callId, agentId)
        : null;
    const client = await this.requireHost();
    await client.request('seat.expect', { callId, role, ...devices, ...(adopt ? { adopt } : {}) });
  }

  /**
   * On the agent's seat: a call moved here by REFER. The store says this seat holds it now (its
   * campaign lease follows, so this seat's heartbeat renews it), and the other seats re-read.
   */
  private async adopted(callId: string): Promise<void> {
    const { store, log } = this.options;
    const leg = await store.seats.leg(callId, 'agent');
    const from = leg?.callSeat ?? (await store.seats.liveCallSeat(callId));
    const moved = from ? await store.seats.moveCall(callId, from, this.seatId) : false;
    // The REFER took the place of the leg the agent was offered: it is over, not left open for
    // every later wake-up of both seats to read.
    await store.seats.moveLeg(callId, 'agent', 'ended', {
      from: ['offered', 'accepted', 'connected'],
      detail: 'the call moved to the agent seat by REFER',
    });
    log.info('A call moved to this seat by REFER', { callId, from, moved });
  }

  async releaseLeg(callId: string, role: 'agent' | 'supervisor'): Promise<void> {
    await this.host?.request('seat.release', { callId, role });
  }

  /**
   * On the supervisor's seat: join (or change the mode on) a call another seat holds. Resolves
   * when the call's seat has the leg connected in that mode.
   */
  async supervise(
    callId: string,
    mode: SupervisionMode,
    userId: number,
  ): Promise<{ mode: SupervisionMode; previous: SupervisionMode | null; takeover: boolean }> {
    const { store } = this.options;
    const callSeat = await store.seats.liveCallSeat(callId);
    if (!callSeat || callSeat === this.seatId)
      throw new SeatLinkError('NOT_FOUND', `No live call ${callId} on this seat or another`);
    const leg = await store.seats.leg(callId, 'supervisor');
    const open = leg && leg.state !== 'ended';
    if (open && (leg.userId !== userId || leg.userSeat !== this.seatId))
      throw new SeatLinkError('CONFLICT', `Someone else is already supervising call ${callId}`);
    if (open) {
      const previous = leg.mode;
      await store.seats.moveLeg(callId, 'supervisor', leg.state, {
        from: ['accepted', 'connected'],
        mode,
      });
      await this.waitFor(callId, (l) => l.state === 'connected' && l.mode === mode);
      return { mode, previous, takeover: false };
    }
    await this.expectLeg(callId, 'supervisor');
    await store.seats.putLeg({
      callId,
      role: 'supervisor',
      callSeat,
      userSeat: this.seatId,
      userId,
      state: 'accepted',
      mode,
      context: null,
      expiresAt: null,
      detail: null,
    });
    try {
      await this.waitFor(callId, (l) => l.state === 'connected');
    } catch (error) {
      await this.releaseLeg(callId, 'supervisor').catch(() => undefined);
      await store.seats.moveLeg(callId, 'supervisor', 'ended', {
        from: ['accepted', 'connected'],
        detail: 'the call seat did not join',
      });
      throw error;
    }
    return { mode, previous: null, takeover: false };
  }

  /** On the supervisor's seat: leave a call another seat holds. */
  async unsupervise(callId: string, userId: number): Promise<{ mode: SupervisionMode | null }> {
    const leg = await this.options.store.seats.leg(callId, 'supervisor');
    if (!leg || leg.state === 'ended' || leg.userSeat !== this.seatId || leg.userId !== userId)
      return { mode: null };
    await this.options.store.seats.moveLeg(callId, 'supervisor', 'ended', {
      from: ['accepted', 'connected'],
      detail: 'the supervisor left',
    });
    await this.releaseLeg(callId, 'supervisor').catch(() => undefined);
    return { mode: leg.mode };
  }

  /** Whether a call is another seat's live call this seat's supervisor may join. */
  async isRemoteCall(callId: string): Promise<boolean> {
    const seat = await this.options.store.seats.liveCallSeat(callId);
    return seat !== null && seat !== this.seatId;
  }

  // -------------------------------------------------------------------------------------------

  private async waitFor(
    callId: string,
    ready: (leg: SeatLegRecord) => boolean,
  ): Promise<SeatLegRecord> {
    const until = Date.now() + JOIN_TIMEOUT_MS;
    for (;;) {
      const leg = await this.options.store.seats.leg(callId, 'supervisor');
      if (leg && ready(leg)) return leg;
      if (leg?.state === 'ended')
        throw new SeatLinkError(
          'CONFLICT',
          `The seat holding call ${callId} could not join the supervisor: ${leg.detail ?? 'ended'}`,
        );
      if (Date.now() > until)
        throw new SeatLinkError(
          'UNAVAILABLE',
          `The seat holding call ${callId} did not join the supervisor within ${JOIN_TIMEOUT_MS / 1000} s`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** On the call's seat: joins, switches or drops supervisors on other seats as their rows say. */
  private async syncSupervision(): Promise<void> {
    const { store, telephony, log } = this.options;
    const legs = await store.seats.legsOf(this.seatId, Date.now() - 60_000);
    for (const leg of legs) {
      if (leg.role !== 'supervisor' || leg.callSeat !== this.seatId) continue;
      if (this.joining.has(leg.callId)) continue;
      const session = telephony.get(leg.callId);
      const by = (await store.users.get(leg.userId))?.username ?? `user ${leg.userId}`;
      if (leg.state === 'ended') {
        if (session?.supervisor?.by === by) {
          this.joining.add(leg.callId);
          await session
            .unsupervise(by)
            .catch((error: unknown) =>
              log.error('A supervisor on another seat could not leave', { error: String(error) }),
            )
            .finally(() => this.joining.delete(leg.callId));
        }
        continue;
      }
      if (!session || !session.isUp) {
        await store.seats.moveLeg(leg.callId, 'supervisor', 'ended', {
          from: ['accepted', 'connected'],
          detail: 'the call is not up',
        });
        continue;
      }
      const mode = leg.mode ?? 'listen';
      if (leg.state === 'connected' && session.supervisor?.mode === mode) continue;
      this.joining.add(leg.callId);
      void this.join(leg, session, mode, by).finally(() => this.joining.delete(leg.callId));
    }
  }

  private async join(
    leg: SeatLegRecord,
    session: NonNullable<ReturnType<Telephony['get']>>,
    mode: SupervisionMode,
    by: string,
  ): Promise<void> {
    const { store, log } = this.options;
    try {
      const remote = session.supervisor ? undefined : { target: await this.lineOf(leg.userSeat) };
      await session.supervise(
        mode,
        { inputDeviceId: '', outputDeviceId: '', ...(remote ? { remote } : {}) },
        by,
      );
      await store.seats.moveLeg(leg.callId, 'supervisor', 'connected', {
        from: ['accepted', 'connected'],
      });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      log.error('A supervisor on another seat could not join', { callId: leg.callId, detail });
      await store.seats.moveLeg(leg.callId, 'supervisor', 'ended', {
        from: ['accepted', 'connected'],
        detail: detail.slice(0, 500),
      });
    }
  }

  private async lineOf(seat: string): Promise<string> {
    const line = await this.options.store.seats.line(seat);
    if (!line)
      throw new SeatLinkError('UNAVAILABLE', `Seat "${seat}" has no line on the PBX registered`);
    return line;
  }

  /** A seat with trunks and no running host starts one (its line must be up for offers). */
  private async ensureHost(): Promise<void> {
    const supervisor = this.options.telephony.mediaHost;
    if (!supervisor || supervisor.running) return;
    await this.options.telephony.warmUp();
  }

  private async requireHost(): Promise<MediaHostClient> {
    const supervisor = this.options.telephony.mediaHost;
    if (!supervisor) throw new SeatLinkError('UNAVAILABLE', 'No media host in this process');
    return supervisor.client();
  }

  private async registerLine(client: MediaHostClient): Promise<void> {
    const { telephony, store, log } = this.options;
    this.host = client;
    client.on('seat.leg', (event) => {
      if (event.side !== 'call' || event.state !== 'ended') return;
      const session = telephony.get(event.callId);
      if (!session?.isUp) return;
      if (event.role === 'agent' && session.state === 'agent')
        void session
          .hangup(`the agent's seat ended the call (${event.detail ?? 'hung up'})`, 'agent')
          .catch(() => undefined);
    });
    try {
      const trunks = await telephony.dialTrunks();
      const wanted = this.options.lineTrunk ?? process.env.OUTBOUND_SEAT_LINE_TRUNK;
      const trunk = wanted
        ? trunks.find((t) => t.name === wanted)
        : [...trunks].sort((a, b) => a.id - b.id)[0];
      if (!trunk) {
        log.warn('No trunk for this seat line: other seats cannot reach its agents', {
          trunk: wanted ?? null,
        });
        return;
      }
      const user = seatLineUser(this.seatId);
      const { registered } = await client.request('seat.line', {
        trunkId: trunk.id,
        name: `seat line ${this.seatId}`,
        uri: trunk.uri,
        domain: trunk.domain,
        username: user,
        password: null,
        register: true,
        callerId: null,
      });
      await store.seats.setLine(this.seatId, `sip:${user}@${trunk.domain}`);
      log.info('Seat line registered', { seat: this.seatId, user, trunk: trunk.name, registered });
    } catch (error) {
      log.error('Registering this seat line failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
