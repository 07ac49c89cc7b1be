/**
 * The engine: opens the data directory's store and serves the API. It is pure TypeScript with no
 * Electron import, so the same engine runs inside Electron's main process and headless under Node.
 */
import { mkdir } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

import {
  type AppInfo,
  type CallSummary,
  type CommandName,
  type CommandParams,
  type DatabaseSource,
  DEFAULT_SETTINGS,
  type EventData,
  type EventName,
  type SeatInfo,
} from './api/contract.js';
import { type CommandHandlers, Dispatcher, type RequestContext } from './api/dispatcher.js';
import { ApiError } from './api/errors.js';
import type { ResponseMessage } from './api/messages.js';
import {
  type AuditActor,
  auditActor,
  AuditLog,
  ENGINE_ACTOR,
  requestActor,
  writeAudit,
} from './audit/index.js';
import { authCommandHandlers } from './auth/commands.js';
import {
  ApiConnection,
  AuthService,
  type ConnectionInfo,
  localAdminContext,
} from './auth/index.js';
import type { FlowTrainer } from './bot/flow-training.js';
import { BotService } from './bot/service.js';
import { historyCommandHandlers, type RecordingShare } from './calls/history-commands.js';
import { MediaGrants, type MediaSource, resolveRecordingMedia } from './calls/index.js';
import { LiveCalls } from './calls/live-calls.js';
import { closeInterruptedCalls } from './calls/recovery.js';
import { IllegalTransitionError } from './calls/state-machine.js';
import { importCommandHandlers } from './contacts/import-commands.js';
import { CampaignService } from './dialer/campaign-service.js';
import { Dialer } from './dialer/dialer.js';
import { dncCommandHandlers } from './dialer/dnc-commands.js';
import { explainCommandHandlers } from './dialer/explain-commands.js';
import { PreviewDesk, PreviewError } from './dialer/preview.js';
import { leaseExpiryFrom, loadSeatId, readSeatConfig, writeSeatConfig } from './dialer/seat.js';
import { TelephonyLine } from './dialer/telephony-line.js';
import { EventHub, type EventSubscriber } from './events/index.js';
import { FATAL_CALL_REASON, onFatal } from './fatal.js';
import { flowCommandHandlers } from './flows/flow-commands.js';
import { FlowService } from './flows/index.js';
import { labelCommandHandlers, phraseClipRecognizer, UtteranceLabels } from './flows/labels.js';
import { kpiCommandHandlers, KpiService } from './kpi/index.js';
import { type Logger, maskingLogger, silentLogger } from './log.js';
import { type CheckedModels, checkModels, findModelsDir, ModelsError } from './models/index.js';
import {
  type MaskingPolicy,
  maskingPolicyOf,
  PrivacyView,
  unmaskCommandHandlers,
} from './privacy/index.js';
import { CallRecorder, type OpenedRecordingKeys, openRecordingKeys } from './recording/index.js';
import { encryptPlainLabelClips, encryptPlainRecordings } from './recording/migrate.js';
import { privacyCommandHandlers, recordingSource, RetentionService } from './retention/index.js';
import { type AgentAudioDevices, transferCallOf } from './routing/bot-transfer.js';
import {
  botTransfer,
  campaignHandoff,
  RoutingAgentCapacity,
  routingCommandHandlers,
  RoutingService,
} from './routing/index.js';
import { type RelayedCommand, SeatCommandRelay, SeatLink, SeatLinkError } from './seats/index.js';
import {
  openKeyFileSecretBox,
  type SecretBox,
  SecretBoxError,
  secureWorkspace,
  withKeyFileFallback,
} from './secrets/index.js';
import { SettingsService } from './settings/index.js';
import { SpeechWorkerPool, speechWorkersSetting } from './speech/index.js';
import { openStore, readingBeside } from './store/index.js';
import { assertDatabaseUrl } from './store/open.js';
import { redactUrl } from './store/postgres/database.js';
import { pgLeaseRenewer } from './store/postgres/lease-renewer.js';
import { type CallListItem, type Store, StoreError, type UserRecord } from './store/types.js';
import { callCommandHandlers } from './telephony/call-commands.js';
import {
  type CallRecorderLike,
  type CallSession,
  EarlyMediaWatcher,
  lineStatusModelLoader,
  Telephony,
} from './telephony/index.js';
import { supervisionCommandHandlers } from './telephony/supervision-commands.js';
import { TrunkHealthRegistry } from './telephony/trunk-health.js';
import { TrunkService } from './telephony/trunk-service.js';
import { lockWorkspace, WorkspaceInUseError, type WorkspaceLock } from './workspace/index.js';

export interface EngineOptions {
  /** Where the database, recordings and caches live. Created if missing. */
  dataDir: string;
  /** Which transport the app info reports (the shells set it). */
  transport: AppInfo['transport'];
  version: string;
  log?: Logger;
  /** Who is acting, for the audit log (a username later; the shell's name until users sign in). */
  actor?: string;
  /** Encrypts stored secrets (trunk passwords): the desktop shell passes its OS-keychain box; default the data folder's key file. */
  secrets?: SecretBox;
  /**
   * The speech models folder (native-models/), checked against its manifest at start: a missing
   * or altered file stops the engine, naming it. Default: found above the engine's code.
   */
  modelsDir?: string;
  /**
   * Check every flow's latest version against the speech cache at start and train what is missing,
   * in the background (the long-running shells: the desktop app and `outbound serve`). One-shot
   * commands and tests leave it off: a saved flow still trains, and a call trains what it needs.
   */
  trainFlowsAtStart?: boolean;
  /**
   * Dial the running campaigns (the long-running shells: the desktop app and `outbound serve`).
   * One-shot commands and tests leave it off: campaigns can be created, started and inspected,
   * but nothing is dialed until a long-running shell starts.
   */
  dialCampaigns?: boolean;
  /**
   * What runs this engine, in the user's words ("outbound serve", "the desktop app", "outbound
   * campaign status"): the workspace lock names it when a second engine is refused. Default
   * "Outbound Console (<transport>)".
   */
  holder?: string;
  /**
   * This engine's seat when several engines share one store (dialer/seat.ts): its campaign leases
   * and calls carry it. Default `OUTBOUND_SEAT_ID`, else the id kept in `<data>/seat.json`.
   */
  seatId?: string;
  /** How long a campaign lease lives without renewal. Default `OUTBOUND_LEASE_EXPIRY_MS`, else 60 s. */
  leaseExpiryMs?: number;
  /**
   * A postgres:// connection string: the store lives in that PostgreSQL database, shared by the
   * seats that name it (docs/POSTGRES.md); the workspace folder keeps the rest (lock, keys,
   * recordings). Default `OUTBOUND_DATABASE`, else the SQLite file in the workspace.
   */
  database?: string;
}

/** Why the engine could not start, in words a person can act on. */
export class EngineStartError extends Error {
  override readonly name = 'EngineStartError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class Engine {
  readonly events: EventHub;
  readonly liveCalls: LiveCalls;
  /** Live trunk health; the telephony code calls `trunkHealth.set`. */
  readonly trunkHealth: TrunkHealthRegistry;
  /** Trunks for the rest of the engine: `list()`, `resolve(name)` (password decrypted), `onChange`. */
  readonly trunks: TrunkService;
  /** The checked speech models (paths, roles, sources). */
  models!: CheckedModels;
  /** Real calls through the media host (the shell gives it a launcher with `setLauncher`). */
  readonly telephony: Telephony;
  /** Dialog flows: versioned save/validate, `load(name, version?)` for calls, training, test chats. */
  readonly flows: FlowService;
  /** Campaigns (the API's campaigns.* commands and the campaign.updated event). */
  readonly campaigns: CampaignService;
  /** The dialer loop; routing plugs in `setAgentCapacity` and `line.setAgentHandoff`. */
  readonly dialer: Dialer;
  /** How the dialer places calls (telephony + the bot); `setAgentHandoff` is routing's seam for flowless campaigns. */
  readonly dialerLine: TelephonyLine;
  /** Preview campaigns: the contact shown to each agent, dialed or skipped by them (dialer/preview.ts). */
  readonly preview: PreviewDesk;
  /** Queues, rules, agents' statuses, transfers offered to agents, wrap-ups. */
  readonly routing: RoutingService;
  /** Agents and supervisors on other seats (a shared PostgreSQL store only; null on SQLite). */
  readonly seats: SeatLink | null;
  /** Mute, hold and DTMF for calls other seats hold, through the store (seats/command-relay.ts). */
  private readonly seatCommands: SeatCommandRelay | null;
  /** The wallboard's and the reports' KPIs, pushed live while a console watches. */
  readonly kpi: KpiService;
  /** Retention's purge, erasure and access export (retention/). */
  readonly retention: RetentionService;
  /** Users, sign-in and sessions; each transport connection gets its principal from `connect`. */
  readonly auth: AuthService;
  /** Mirrors settings.sessionIdleMs (sessions are checked on every request). */
  private sessionIdleMs = DEFAULT_SETTINGS.sessionIdleMs;
  /** Mirrors the masking settings: what each role sees of personal data (privacy/view.ts). */
  private masking: MaskingPolicy = maskingPolicyOf(DEFAULT_SETTINGS);
  /** Masks command results and events per connection, both transports alike. */
  private readonly privacyView = new PrivacyView(() => this.masking);
  /** The audit trail: sign-ins, recordings played, audit.list / audit.export (audit/). */
  readonly audit: AuditLog;
  /** Grants to fetch a recording over the media route, minted by calls.recording per user. */
  private readonly mediaGrants = new MediaGrants();
  /** The keys recordings are encrypted with (recording/keys.ts), opened on first use. */
  private recordingKeyring: OpenedRecordingKeys | null = null;
  /**
   * Who the shell's requests are for the audit trail until each connection carries a signed-in
   * principal: the shell's name and transport.
   */
  private readonly actor: AuditActor;
  private readonly dispatcher: Dispatcher;
  private readonly settings: SettingsService;
  private readonly startedAt = Date.now();
  /** Where the store in use was chosen (seat.get): the option, the environment, seat.json, or none. */
  private databaseSource: DatabaseSource = 'default';
  private speech: SpeechWorkerPool | null = null;
  private botService: BotService | null = null;
  private utteranceLabels: UtteranceLabels | null = null;
  /** The latest transcript line of each live call, for the Live wall. */
  private readonly lastUtterances = new Map<string, string>();
  /** Mirrors the recordCalls setting (read when a call is answered, so kept at hand). */
  private recordCalls = true;
  private stopped = false;
  /** This engine's hold on its data folder (workspace/): taken first in start, given up last in stop. */
  private workspaceLock: WorkspaceLock | null = null;
  private stopping: Promise<void> | null = null;
  /** Drops this engine from the process's fatal-error handler (see fatal.ts); set at start. */
  private unregisterFatal: () => void = () => undefined;
  private loadLineStatusModels: ReturnType<typeof lineStatusModelLoader> | null = null;

  private constructor(
    readonly store: Store,
    private readonly options: Required<EngineOptions>,
  ) {
    const log = options.log;
    this.events = new EventHub((error) =>
      log.error('An event subscriber failed', { error: String(error) }),
    );
    this.liveCalls = new LiveCalls(this.events);
    this.audit = new AuditLog(store);
    this.actor = shellActor(options.actor, options.transport);
    this.settings = new SettingsService(store, log);
    this.trunkHealth = new TrunkHealthRegistry(Date.now, (error) =>
      log.error('A trunk health listener failed', { error: String(error) }),
    );
    this.trunks = new TrunkService({
      store,
      secrets: options.secrets,
      health: this.trunkHealth,
      events: this.events,
      log,
    });
    this.telephony = new Telephony({
      store,
      log,
      dataDir: options.dataDir,
      seatId: options.seatId,
      trunks: {
        // A trunk whose password cannot be decrypted is left out (and shown down, saying why); the others still dial.
        listForDialing: async () => {
          const trunks = await this.trunks.list();
          const resolved = await Promise.allSettled(trunks.map((t) => this.trunks.resolve(t.id)));
          return resolved.flatMap((result, i) => {
            if (result.status === 'fulfilled') return [result.value];
            const trunk = trunks[i];
            if (trunk)
              this.trunkHealth.set(trunk.id, {
                state: 'down',
                reason:
                  result.reason instanceof Error ? result.reason.message : String(result.reason),
              });
            return [];
          });
        },
      },
      health: this.trunkHealth,
      createRecorder: (callId) => this.createRecorder(callId),
      ringTimeoutMs: async () => (await this.settings.get()).ringTimeoutMs,
      onCallEvent: (event) => {
        this.events.emit('call.event', event);
        this.liveCalls.noteCallEvent(event); // the bot's reply latency for the wall
      },
      onCallState: (session) => this.publishLiveCall(session),
      // 空号识别: operator announcements in a ringing call's early media end it with their outcome.
      earlyMedia: new EarlyMediaWatcher({
        log,
        spot: async (callId, step) =>
          this.speechPool().spotAnnouncement(
            callId,
            await this.lineStatusModels(join(this.models.dir, 'line-status')),
            step,
          ),
        warm: async (callId) => {
          await this.lineStatusModels(join(this.models.dir, 'line-status'));
          await this.speechPool().warm(callId);
        },
      }),
    });
    this.trunks.onChange(
      (change) =>
        void this.telephony.onTrunkChanged({ kind: change.kind, trunkId: change.trunk.id }),
    );
    this.flows = new FlowService({
      store,
      events: this.events,
      log,
      defaultTimeZone: async () => (await this.settings.get()).timeZone,
    });
    this.routing = new RoutingService({
      store,
      log,
      emit: (event, data) => this.events.emit(event, data),
      wrapUpMs: async () => (await this.settings.get()).wrapUpMs,
      onAccepted: (callId, agent) => this.liveCalls.patch(callId, { agentName: agent.displayName }),
      // Seats sharing a PostgreSQL store: offers and take-overs across seats (seats/).
      ...(options.database.startsWith('postgres')
        ? {
            seat: {
              id: options.seatId,
              expectAgentLeg: (callId: string, agentId: number) =>
                this.requireSeats().expectLeg(callId, 'agent', agentId),
              releaseAgentLeg: (callId: string) => this.requireSeats().releaseLeg(callId, 'agent'),
            },
          }
        : {}),
    });
    this.seats = options.database.startsWith('postgres')
      ? new SeatLink({
          store,
          seatId: options.seatId,
          telephony: this.telephony,
          routing: this.routing,
          log,
          agentDevices: () => this.agentDevices(),
          supervisorDevices: async () => {
            const settings = await this.settings.get();
            return {
              inputDeviceId: settings.supervisorInputDeviceId,
              outputDeviceId: settings.supervisorOutputDeviceId,
            };
          },
        })
      : null;
    this.seatCommands = this.seats
      ? new SeatCommandRelay({
          store,
          seatId: options.seatId,
          call: (callId) => this.telephony.get(callId),
          log,
        })
      : null;
    this.telephony.onCallEnded((end) => {
      // A call a REFER moved to another seat goes on there: that seat runs the wrap-up.
      if (end.handedOffTo) return;
      void this.routing
        .callEnded(end.callId)
        .catch((error: unknown) =>
          log.error('Starting a wrap-up failed', { callId: end.callId, error: String(error) }),
        );
    });
    this.campaigns = new CampaignService({
      store,
      actor: this.actor,
      emit: (detail) => this.events.emit('campaign.updated', detail),
      onRunning: () => this.dialer.wake(),
      // A running campaign held back (its flow's phrase models still training) says why in its status.
      waiting: (id) => this.dialer.waiting(id),
      pacing: (id) => this.dialer.pacing(id),
    });
    this.dialerLine = new TelephonyLine({
      telephony: this.telephony,
      bot: () => this.bot,
      log,
      training: (flow, version) => this.flows.trainingState(flow, version),
      trunkHealth: this.trunkHealth,
    });
    this.dialer = new Dialer({
      store,
      line: this.dialerLine,
      log,
      // Routing paces progressive/power campaigns: free agents per queue, by skills.
      capacity: new RoutingAgentCapacity(this.routing),
      maxDesktopCalls: async () => (await this.settings.get()).maxConcurrentCalls,
      trunkLimits: async () =>
        new Map(
          (await store.trunks.list()).map((t) => [
            t.id,
            { name: t.name, maxConcurrentCalls: t.maxConcurrentCalls },
          ]),
        ),
      onCampaignChanged: (id) => this.campaigns.changed(id),
      seat: {
        id: options.seatId,
        leaseExpiryMs: options.leaseExpiryMs,
        // On a shared PostgreSQL store the heartbeat has a connection of its own.
        ...(options.database !== '' ? { renewer: pgLeaseRenewer(options.database) } : {}),
      },
    });
    this.kpi = new KpiService({
      store,
      log,
      timeZone: async () => (await this.settings.get()).timeZone,
      push: (wallboard) => this.events.emit('kpi.wallboard', wallboard),
    });
    this.events.subscribe((message) => this.kpi.noteEvent(message.event));
    // Routing takes the flowless calls of progressive/power campaigns.
    this.dialerLine.setAgentHandoff(
      campaignHandoff(this.routing, (agentId) => this.agentDevices(agentId)),
    );
    // Preview campaigns: contacts shown to agents; answered, a dialed one is the agent's call.
    this.preview = new PreviewDesk({
      store,
      routing: this.routing,
      log,
      emit: (event: 'agent.preview' | 'agent.previewEnded', data: unknown) =>
        this.events.emit(event, data as never),
      timeoutMs: async () => (await this.settings.get()).previewTimeoutMs,
      onReleased: () => this.dialer.wake(),
    });
    this.dialer.setPreviewPort(this.preview);
    this.dialerLine.setPreviewHandoff(async (session, agentId) => {
      await this.routing.connectAgent(
        transferCallOf(session, () => this.agentDevices()),
        agentId,
      );
      this.preview.connected(session.callId);
    });
    this.dialerLine.onCallEnded((callId) => this.preview.callEnded(callId));
    this.retention = new RetentionService({
      store,
      dataDir: options.dataDir,
      recordingsDir: this.recordingsDir,
      phraseRecordingsDir: join(options.dataDir, 'phrase-recordings'),
      secrets: options.secrets,
      settings: () => this.settings.get(),
      log,
      engineActor: ENGINE_ACTOR,
      // The access export's recordings, decrypted (recording/reader.ts).
      openRecording: recordingSource(options.dataDir, () => this.recordingKeys),
    });
    this.auth = new AuthService({
      store,
      idleMs: () => this.sessionIdleMs,
      onError: (what, error) => log.error(`Sign-in: ${what} failed`, { error: String(error) }),
    });
    this.dispatcher = new Dispatcher(this.handlers(), {
      agentOfCall: (callId) => this.routing.agentOf(callId),
      view: (command, result, context) =>
        this.privacyView.result(context.principal, command, result),
      onInternalError: (command, error) =>
        log.error(`Command ${command} failed`, {
          error: error instanceof Error ? error.stack : String(error),
        }),
    });
  }

  static async start(options: EngineOptions): Promise<Engine> {
    const dataDir = resolve(options.dataDir);
    // Logs never carry personal data, whichever logger the shell gives (log.ts).
    const log = maskingLogger(options.log ?? silentLogger);
    let store: Store;
    let database: string;
    let databaseSource: DatabaseSource;
    // One engine per workspace: the lock comes before the store opens and anything is recovered,
    // so a second engine (a CLI command beside `outbound serve`, the desktop app beside it) never
    // touches the live engine's calls and leases.
    let lock: WorkspaceLock | null = null;
    let lockFailure: unknown = null;
    try {
      // 0700: the workspace is this user's alone. openStore reports the real reason of a failure.
      await mkdir(dataDir, { recursive: true, mode: 0o700 }).catch(() => undefined);
      try {
        lock = await lockWorkspace(
          dataDir,
          options.holder ?? `Outbound Console (${options.transport})`,
        );
      } catch (error) {
        if (error instanceof WorkspaceInUseError)
          throw new EngineStartError(error.code, error.message, { cause: error });
        // The folder itself is unusable: the store's checks below name the reason.
        lockFailure = error;
      }
      // The seat's configuration (seat.json: Settings, Seat) names the shared database, unless
      // the option or OUTBOUND_DATABASE (which --database sets) does.
      const saved = (await readSeatConfig(dataDir)).database;
      database = options.database ?? process.env.OUTBOUND_DATABASE ?? saved;
      databaseSource =
        options.database !== undefined
          ? 'option'
          : process.env.OUTBOUND_DATABASE !== undefined
            ? 'environment'
            : saved !== ''
              ? 'workspace'
              : 'default';
      store = await openStore({ dataDir, database });
      if (!lock) {
        await store.close();
        throw lockFailure;
      }
    } catch (error) {
      await lock?.release();
      if (error instanceof EngineStartError) throw error;
      if (error instanceof StoreError)
        throw new EngineStartError(error.code, error.message, { cause: error });
      throw new EngineStartError(
        'START_FAILED',
        `The engine could not open its data in ${dataDir}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    let models: CheckedModels;
    try {
      const modelsDir = options.modelsDir ?? findModelsDir();
      if (!modelsDir)
        throw new ModelsError(
          'MODELS_NOT_FOUND',
          'The speech models folder (native-models) was not found next to the app. Reinstall the app, or set OUTBOUND_MODELS_DIR.',
        );
      models = await checkModels(modelsDir);
    } catch (error) {
      await store.close();
      await lock.release();
      if (error instanceof ModelsError)
        throw new EngineStartError(error.code, error.message, { cause: error });
      throw error;
    }
    let secrets: SecretBox;
    try {
      secrets = options.secrets
        ? withKeyFileFallback(options.secrets, dataDir, log)
        : openKeyFileSecretBox(dataDir, log);
    } catch (error) {
      await store.close();
      await lock.release();
      if (error instanceof SecretBoxError)
        throw new EngineStartError(error.code, error.message, { cause: error });
      throw error;
    }
    let seat: { seatId: string; leaseExpiryMs: number };
    try {
      seat = {
        seatId: await loadSeatId(dataDir, options.seatId ?? process.env.OUTBOUND_SEAT_ID),
        leaseExpiryMs: leaseExpiryFrom(options.leaseExpiryMs, process.env.OUTBOUND_LEASE_EXPIRY_MS),
      };
    } catch (error) {
      await store.close();
      await lock.release();
      throw new EngineStartError('START_FAILED', (error as Error).message, { cause: error });
    }
    const full: Required<EngineOptions> = {
      actor: options.transport,
      ...seat,
      ...options,
      log,
      dataDir,
      secrets,
      modelsDir: models.dir,
      trainFlowsAtStart: options.trainFlowsAtStart ?? false,
      dialCampaigns: options.dialCampaigns ?? false,
      holder: lock.holder.what,
      // '' when the store is the workspace's SQLite file.
      database,
    };
    const engine = new Engine(store, full);
    engine.databaseSource = databaseSource;
    engine.workspaceLock = lock;
    engine.models = models;
    // A fatal error in this process (an uncaught exception, an unhandled rejection) stops this engine.
    engine.unregisterFatal = onFatal({
      name: 'engine',
      describe: () => ({
        dataDir,
        liveCalls: engine.telephony.liveSessions().map((s) => `${s.callId} (${s.state})`),
      }),
      stop: (reason) => engine.emergencyStop(reason),
    });
    const settings = await engine.settings.get();
    engine.recordCalls = settings.recordCalls;
    engine.sessionIdleMs = settings.sessionIdleMs;
    engine.masking = maskingPolicyOf(settings);
    // Campaign calls first: a lease whose call never dialed is released uncounted, one that did is closed as failed.
    await engine.dialer.recover().catch((error: unknown) =>
      log.error('Recovering the dialer leases failed', {
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    await secureWorkspaceAtStart(engine, log);
    await closeInterruptedCalls(
      store,
      dataDir,
      engine.recordingsDir,
      log,
      () => engine.recordingKeys,
      full.seatId,
    ).catch((error: unknown) =>
      log.error('Closing calls left open by the last run failed', {
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    // The shipped samples, once: a sample the admin edited (or saved under its id) is never overwritten.
    await engine.flows.installSamples(ENGINE_ACTOR).catch((error: unknown) =>
      log.error('Installing the sample flows failed', {
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    // Saved versions train their phrase models; at start, optionally every latest version (from the disk cache when trained before).
    engine.setFlowTrainer(engine.bot.phraseModels, {
      trainLatest: options.trainFlowsAtStart ?? false,
    });
    await engine.routing.start();
    engine.seats?.start();
    engine.seatCommands?.start();
    full.log.info('Engine started', {
      dataDir,
      database: store.path,
      schema: store.schemaVersion,
      seat: full.seatId,
      leaseExpiryMs: full.leaseExpiryMs,
    });
    // The DNC key (erased numbers) before any dialing; the daily purge in the long-running shells.
    await engine.retention.start({ daily: full.dialCampaigns });
    // Running campaigns dial on (the long-running shells only).
    if (full.dialCampaigns) engine.dialer.start();
    engine.events.emit('engine.status', { state: 'ready', at: Date.now() });
    return engine;
  }

  /**
   * Handles one raw API message in-process, as the workspace's local admin (the CLI's engine and
   * tests; whoever runs code in this process already has the workspace's files). Transports use
   * `connect`, whose connections start signed out. Never throws.
   */
  handle(raw: unknown): Promise<ResponseMessage> {
    return this.dispatch(raw, localAdminContext());
  }

  /** One transport connection (an Electron window, a WebSocket): signed out until it signs in. */
  connect(info: ConnectionInfo): ApiConnection {
    return new ApiConnection(
      this.auth,
      info,
      (raw, context) => this.dispatch(raw, context),
      {
        agentOf: (callId) => this.routing.agentOf(callId),
        // Offered, previewing, on it or in its wrap-up: routing's hold names the agent's call.
        offeredTo: (agentId) => this.routing.heldCall(agentId),
      },
      (viewer, event, data) => this.privacyView.event(viewer, event, data),
    );
  }

  private dispatch(raw: unknown, context: RequestContext): Promise<ResponseMessage> {
    if (this.stopped) {
      return Promise.resolve({
        type: 'response',
        id: null,
        ok: false,
        error: { code: 'UNAVAILABLE', message: 'The engine is stopping' },
      });
    }
    return this.dispatcher.handle(raw, context);
  }

  /** Runs one command in-process as the local admin (the CLI and tests use this; transports use `connect`). */
  request(command: CommandName, params: unknown = {}): Promise<unknown> {
    return this.dispatcher.run(command, params, localAdminContext());
  }

  subscribe(subscriber: EventSubscriber): () => void {
    return this.events.subscribe(subscriber);
  }

  emit<E extends EventName>(event: E, data: EventData<E>): void {
    this.events.emit(event, data);
  }

  get dataDir(): string {
    return this.options.dataDir;
  }

  /**
   * The file behind a media path for a shell's media route (headless `GET /media/…`, Electron's
   * `outbound-media://`), or null: `recordings/<callId>/<grant>`, the grant minted by
   * calls.recording for the signed-in user who asked (calls/media-grants.ts). Serving a
   * recording's audio is audited as that user (`recordings.fetch`, once per user, address and call
   * in 10 minutes); when the entry cannot be written the audio is not served (the error reaches
   * the shell).
   */
  async mediaFile(mediaPath: string, from: { address?: string } = {}): Promise<MediaSource | null> {
    const media = await resolveRecordingMedia(
      this.store,
      this.options.dataDir,
      this.mediaGrants,
      mediaPath,
      this.recordingKeys,
      this.recordingShare,
    );
    if (!media) return null;
    const { reader } = media;
    try {
      const who = auditActor(media.actor);
      await this.audit.recordingPlayed(
        from.address === undefined ? who : { ...who, address: from.address },
        media.callId,
        'recordings.fetch',
      );
    } catch (error) {
      await reader.close();
      throw error;
    }
    // Decrypted range by range as the player asks (recording/reader.ts); nothing plain is written.
    return {
      contentType: media.contentType,
      size: reader.size,
      stream: (start, end) => reader.stream(start, end),
      close: () => reader.close(),
    };
  }

  /**
   * The workspace's recording keys, sealed by the SecretBox (recording/keys.ts): what
   * `openRecording(path, engine.recordingKeys)` needs to read a recording's plaintext. Throws
   * RecordingKeyError when recording-keys.json is damaged or cannot be unsealed.
   */
  get recordingKeys(): OpenedRecordingKeys {
    this.recordingKeyring ??= openRecordingKeys(this.options.dataDir, this.options.secrets);
    return this.recordingKeyring;
  }

  /**
   * The bot side's trainer for a saved flow version's phrase models; every later save queues its
   * version. `trainLatest` also queues each flow's latest version not trained yet in this run.
   */
  setFlowTrainer(trainer: FlowTrainer | null, options: { trainLatest?: boolean } = {}): void {
    this.flows.setTrainer(trainer, options);
  }

  /**
   * Ends every live call (with `reason` as its end reason), finishes their recordings, stops the
   * dialer and the speech workers and closes the store. Every caller gets the same promise; a
   * failing step is logged and the later ones still run, so the store is closed whatever broke.
   */
  stop(reason = 'engine stopping'): Promise<void> {
    this.stopping ??= this.stopOnce(reason);
    return this.stopping;
  }

  /**
   * stop() after an internal error (the shells' fatal handler runs it through `onFatal`): live
   * calls end with `reason`, bounded by `timeoutMs` so a hung part cannot keep a broken process
   * alive. Resolves 'timed out' when the stop did not finish in time (it goes on in the background).
   */
  async emergencyStop(
    reason = FATAL_CALL_REASON,
    timeoutMs = 12_000,
  ): Promise<'stopped' | 'timed out'> {
    this.options.log.error('Emergency stop: ending live calls', {
      reason,
      liveCalls: this.telephony.liveSessions().map((s) => s.callId),
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timed out'>((resolve) => {
      timer = setTimeout(() => resolve('timed out'), timeoutMs);
    });
    try {
      const outcome = await Promise.race([
        this.stop(reason).then(() => 'stopped' as const),
        timeout,
      ]);
      if (outcome === 'timed out')
        this.options.log.error(`Emergency stop: not finished within ${timeoutMs} ms`, {});
      return outcome;
    } finally {
      clearTimeout(timer);
    }
  }

  private async stopOnce(reason: string): Promise<void> {
    this.unregisterFatal();
    this.events.emit('engine.status', { state: 'stopping', at: Date.now() });
    this.stopped = true;
    const step = async (name: string, work: () => unknown): Promise<void> => {
      try {
        await work();
      } catch (error) {
        this.options.log.error(`Stopping the engine: ${name} failed`, {
          error: error instanceof Error ? error.stack : String(error),
        });
      }
    };
    await step('stopping the wallboard', () => this.kpi.stop());
    await step('closing flows', () => this.flows.close());
    await step('closing previews', () => this.preview.close());
    await step('stopping the seat link', async () => this.seats?.stop());
    await step('stopping commands between seats', async () => this.seatCommands?.stop());
    await step('closing routing', () => this.routing.close());
    await step('stopping the dialer', () => this.dialer.stop());
    await step('closing campaigns', () => this.campaigns.close());
    await step('ending live calls', () => this.telephony.stop(reason));
    await step('stopping the retention job', () => this.retention.stop());
    await step('stopping the speech workers', () => this.speech?.close());
    await step('closing the store', () => this.store.close());
    await step('giving up the workspace', () => this.workspaceLock?.release());
    this.options.log.info('Engine stopped');
  }

  /** Speech inference for calls (VAD, TTS, phrase recognition, training), started on first use. */
  speechPool(): SpeechWorkerPool {
    // A pool started after stop() closed the last one would keep the process alive for ever (a
    // training step that was already awaiting when the engine stopped asks for it late).
    if (this.stopped) throw new Error('The engine is stopping: no new speech work is started');
    if (!this.speech) {
      const path = (role: string): string => {
        const file = this.models.files.find((f) => f.role === role);
        if (!file)
          throw new EngineStartError(
            'MODEL_FILE_MISSING',
            `The models manifest lists no model with role "${role}"`,
          );
        return file.absolutePath;
      };
      const workers = speechWorkersSetting(process.env.OUTBOUND_SPEECH_WORKERS, (message) =>
        this.options.log.warn(message),
      );
      this.speech = new SpeechWorkerPool({
        vadModelPath: path('vad'),
        melModelPath: path('mel'),
        embeddingModelPath: path('embedding'),
        ...(workers !== undefined ? { workers } : {}),
      });
    }
    return this.speech;
  }

  /** The shipped line-status models (telephony/early-media.ts), read on the first ringing call. */
  private lineStatusModels(dir: string): ReturnType<ReturnType<typeof lineStatusModelLoader>> {
    this.loadLineStatusModels ??= lineStatusModelLoader(dir);
    return this.loadLineStatusModels();
  }

  /** The speech bot: phrase models, prompts, and running flows on calls. */
  get bot(): BotService {
    this.botService ??= new BotService({
      pool: () => this.speechPool(),
      store: this.store,
      log: this.options.log,
      cacheDir: this.speechCacheDir,
      recordingsDir: join(this.options.dataDir, 'phrase-recordings'),
      recordingKeys: () => this.recordingKeys,
      libraryDir: join(this.models.dir, 'library'),
      onUtterance: (utterance) => {
        this.events.emit('call.utterance', utterance);
        if (utterance.text !== '' || utterance.speaker === 'customer') {
          // Only for a live call: a line heard after its end (a speech worker behind real time)
          // would stay in the map for good, as only a live call's last update deletes it.
          const session = this.telephony.get(utterance.callId);
          if (session && session.state !== 'done') {
            this.lastUtterances.set(utterance.callId, utterance.text === '' ? '…' : utterance.text);
            this.publishLiveCall(session);
          }
        }
      },
      loadFlow: (name, version) => this.flows.load(name, version),
      transfer: botTransfer(this.routing, (agentId) => this.agentDevices(agentId)),
    });
    return this.botService;
  }

  /** History's labelling loop: labelled clips, the next flow version, accuracy before and after. */
  private get labels(): UtteranceLabels {
    this.utteranceLabels ??= new UtteranceLabels({
      store: this.store,
      flows: this.flows,
      dataDir: this.options.dataDir,
      recordingsDir: join(this.options.dataDir, 'phrase-recordings'),
      recordingKeys: () => this.recordingKeys,
      // The speech workers' recognition, as CallBot recognizes an utterance with the node's model.
      recognizer: phraseClipRecognizer(this.bot.phraseModels, (ask, samples) =>
        ask.model || ask.library
          ? this.speechPool().recognize(undefined, ask.key, ask.model, samples, 0, ask.library)
          : Promise.resolve(null),
      ),
      log: this.options.log,
    });
    return this.utteranceLabels;
  }

  /**
   * The agent's microphone and speaker chosen in Settings ('' = the system default); for an agent
   * signed on at another seat, the SIP leg to that seat's line instead.
   */
  private async agentDevices(agentId?: number): Promise<AgentAudioDevices> {
    const remote = agentId !== undefined && this.seats ? await this.seats.remoteFor(agentId) : null;
    if (remote) return { inputDeviceId: '', outputDeviceId: '', remote };
    const { audioInputDeviceId, audioOutputDeviceId } = await this.settings.get();
    return { inputDeviceId: audioInputDeviceId, outputDeviceId: audioOutputDeviceId };
  }

  /** A command for a call another seat holds, carried out there (seats/command-relay.ts). */
  private async relay(
    callId: string,
    command: RelayedCommand,
    context: RequestContext | undefined,
  ): Promise<Record<string, unknown>> {
    if (!this.seatCommands) throw new ApiError('NOT_FOUND', `No live call ${callId}`);
    try {
      return await this.seatCommands.send(callId, command, context?.principal?.userId || null);
    } catch (error) {
      if (error instanceof SeatLinkError) throw new ApiError(error.code, error.message);
      throw error;
    }
  }

  private requireSeats(): SeatLink {
    if (!this.seats) throw new Error('This engine shares no store with other seats');
    return this.seats;
  }

  /** Trained phrase models, their clips and rendered prompts (content-addressed, so shareable). */
  get speechCacheDir(): string {
    return process.env.OUTBOUND_SPEECH_CACHE || join(this.options.dataDir, 'cache');
  }

  /** calls.dial: a plain call, or one the bot runs with a flow (prepared before dialing, so a missing flow dials nobody). */
  private async dial(
    params: CommandParams<'calls.dial'>,
    plain: CommandHandlers['calls.dial'],
    context: RequestContext | undefined,
  ): Promise<{ callId: string }> {
    const { flow, contact, timeZone, ...call } = params;
    if (!flow) return plain(call, context);
    const prepared = await this.bot.prepare(flow);
    const { callId } = await plain(call, context);
    const session = this.telephony.get(callId);
    if (session) {
      void this.bot
        .attach(session, prepared, {
          ...(contact ? { fields: contact } : {}),
          ...(timeZone ? { timeZone } : {}),
        })
        .run()
        .catch((error: unknown) =>
          this.options.log.error('The bot failed on a call', {
            callId,
            error: error instanceof Error ? error.stack : String(error),
          }),
        );
    }
    return { callId };
  }

  private createRecorder(callId: string): CallRecorderLike | null {
    if (!this.recordCalls) return null;
    let keys;
    try {
      keys = this.recordingKeys;
    } catch (error) {
      // Never a plaintext recording: without its keys, the call goes unrecorded and says why.
      this.options.log.error('Call not recorded: the recording keys cannot be opened', {
        callId,
        error: error instanceof Error ? error.message : String(error),
      });
      return null;
    }
    const recorder = new CallRecorder({
      dir: this.recordingsDir,
      callId,
      keys,
      // A write failure ends the recording (a full disk only pauses it: onResume), never the call:
      // hanging up on a customer mid-conversation costs more than a recording that stops short. The error is logged naming
      // the file and marked on the call (History shows it); what was written is kept.
      onError: (error) => {
        this.options.log.error('Call recording failed', {
          callId,
          code: error.code,
          file: error.path ?? null,
          error: error.message,
        });
        this.telephony.get(callId)?.note('recording_error', {
          code: error.code,
          message: error.message,
        });
      },
      // A full disk only pauses the recording: when there is room again it goes on, the lost
      // span as silence, and the call's events say so (code RESUMED after the WRITE_FAILED).
      onResume: ({ path, lostMs, silenceMs, stalledMs }) => {
        this.options.log.warn('Call recording resumed after a full disk', {
          callId,
          file: path,
          lostMs,
          silenceMs,
        });
        this.telephony.get(callId)?.note('recording_error', {
          code: 'RESUMED',
          message: `The disk has room again: recording resumed in ${path} after ${(stalledMs / 1000).toFixed(1)} s; ${(lostMs / 1000).toFixed(1)} s of audio were lost${silenceMs < lostMs ? ` (${(silenceMs / 1000).toFixed(1)} s of it kept as silence)` : ' and are silence in the recording'}`,
        });
      },
    });
    return {
      push: (frame) => recorder.push(frame),
      finish: async () => {
        const result = await recorder.finish();
        if (result.incomplete)
          this.options.log.warn('Kept the part of a call recording written before it failed', {
            callId,
            file: result.path,
            durationMs: result.durationMs,
          });
        return result;
      },
      abort: () => recorder.abort(),
    };
  }

  /** Where other seats' recordings are read: `<share>/<seat id>`, the share from seat.json, read at each use. */
  private get recordingShare(): RecordingShare {
    const { seatId, dataDir } = this.options;
    return { seatId, root: async () => (await readSeatConfig(dataDir)).recordingsShare };
  }

  /** This seat, its store and its configuration (seat.get). */
  async seatInfo(): Promise<SeatInfo> {
    const config = await readSeatConfig(this.options.dataDir);
    const inUse = this.options.database === '' ? '' : redactUrl(this.options.database);
    const saved = config.database === '' ? '' : redactUrl(config.database);
    const overridden = this.databaseSource === 'option' || this.databaseSource === 'environment';
    return {
      seatId: this.options.seatId,
      leaseExpiryMs: this.options.leaseExpiryMs,
      database: inUse,
      databaseSource: this.databaseSource,
      savedDatabase: saved,
      restartNeeded: !overridden && config.database !== this.options.database,
      recordingsShare: config.recordingsShare,
    };
  }

  get recordingsDir(): string {
    return join(this.options.dataDir, 'recordings');
  }

  private publishLiveCall(session: CallSession): void {
    const now = Date.now();
    this.liveCalls.upsert({
      id: session.callId,
      number: session.number,
      contactName: null,
      campaignId: null,
      campaignName: null,
      state: session.state,
      outcome: null,
      disposition: null,
      sipCode: null,
      startedAt: session.startedAt,
      answeredAt: session.answeredAt,
      endedAt: session.state === 'done' ? now : null,
      durationMs:
        session.state === 'done'
          ? Math.max(0, now - (session.answeredAt ?? session.startedAt))
          : null,
      lastUtterance: this.lastUtterances.get(session.callId) ?? null,
      supervision: session.supervisor,
    });
    if (session.state === 'done') this.lastUtterances.delete(session.callId);
  }

  private handlers(): CommandHandlers {
    const { store, options } = this;
    const callHandlers = callCommandHandlers(this.telephony, options.actor);
    const seats = this.seats;
    if (seats) {
      // An agent's hang-up of a call another seat holds: their seat leg ends, and the call's
      // seat hangs the call up as for its own agent (seats/).
      const hangUpHere = callHandlers['calls.hangup'];
      callHandlers['calls.hangup'] = async (params, context) => {
        if (this.telephony.get(params.id) || this.routing.agentOf(params.id) === null)
          return hangUpHere(params, context);
        await seats.releaseLeg(params.id, 'agent');
        return {};
      };
    }
    // Hold and DTMF on a call another seat holds: carried out there, through the store.
    const holdHere = callHandlers['calls.hold'];
    callHandlers['calls.hold'] = async (params, context) =>
      this.telephony.get(params.id) || !this.seatCommands
        ? holdHere(params, context)
        : {
            done:
              (await this.relay(params.id, { kind: 'hold', hold: params.hold }, context)).done ===
              true,
          };
    const dtmfHere = callHandlers['calls.dtmf'];
    callHandlers['calls.dtmf'] = async (params, context) => {
      if (this.telephony.get(params.id) || !this.seatCommands) return dtmfHere(params, context);
      await this.relay(
        params.id,
        { kind: 'dtmf', digits: params.digits, transport: params.transport },
        context,
      );
      return {};
    };
    const handlers: CommandHandlers = {
      'app.info': () => ({
        name: 'Outbound Console',
        version: options.version,
        transport: options.transport,
        dataDir: options.dataDir,
        databasePath: store.path,
        schemaVersion: store.schemaVersion,
        startedAt: this.startedAt,
      }),
      'settings.get': () => this.settings.get(),
      'seat.get': () => this.seatInfo(),
      'seat.update': async (changes, context) => {
        if (changes.database !== undefined && changes.database !== '') {
          try {
            assertDatabaseUrl(changes.database);
          } catch (error) {
            throw new ApiError('INVALID_PARAMS', (error as Error).message, 'database');
          }
        }
        if (changes.recordingsShare !== undefined && changes.recordingsShare !== '') {
          if (!isAbsolute(changes.recordingsShare))
            throw new ApiError(
              'INVALID_PARAMS',
              `The recordings share must be an absolute folder, where each seat's recordings folder is mounted as <share>/<seat id> (got "${changes.recordingsShare}")`,
              'recordingsShare',
            );
        }
        const before = await readSeatConfig(options.dataDir);
        await writeSeatConfig(options.dataDir, changes);
        // What changed, never a password (the connection string without it).
        await writeAudit(store, requestActor(context, this.actor), {
          action: 'seat.update',
          subject: options.seatId,
          details: {
            ...(changes.database !== undefined && changes.database !== before.database
              ? { database: redactUrl(changes.database) }
              : {}),
            ...(changes.recordingsShare !== undefined &&
            changes.recordingsShare !== before.recordingsShare
              ? { recordingsShare: changes.recordingsShare }
              : {}),
          },
        });
        return this.seatInfo();
      },
      'settings.update': async ({ changes }, context) => {
        const settings = await this.settings.update(changes, requestActor(context, this.actor));
        this.recordCalls = settings.recordCalls;
        this.sessionIdleMs = settings.sessionIdleMs;
        this.masking = maskingPolicyOf(settings);
        this.events.emit('settings.changed', settings);
        return settings;
      },
      'calls.list': async (filter) => {
        const { calls, total } = await store.calls.list(filter);
        return { calls: calls.map(toCallSummary), total };
      },
      'calls.get': async ({ id }) => {
        // History's detail: committed rows are enough, read beside the writer's queue.
        const { call, events, transitions, utterances, recording } = await readingBeside(
          async () => {
            const found = await store.calls.get(id);
            if (!found) throw new ApiError('NOT_FOUND', `No call with id "${id}"`);
            const [e, t, u, r] = await Promise.all([
              store.calls.events(id),
              store.calls.transitions(id),
              store.calls.utterances(id),
              store.calls.recording(id),
            ]);
            return { call: found, events: e, transitions: t, utterances: u, recording: r };
          },
        );
        return {
          call: toCallSummary(call),
          events: events.map(({ at, type, data }) => ({ at, type, data })),
          transitions,
          utterances: utterances.map(
            ({ speaker, text, intent, confidence, startMs, endMs, cutAtMs, nodeId }) => ({
              speaker,
              text,
              intent,
              confidence,
              startMs,
              endMs,
              cutAtMs,
              nodeId,
            }),
          ),
          recording: recording && {
            durationMs: recording.durationMs,
            channels: recording.channels,
            sampleRate: recording.sampleRate,
          },
        };
      },
      'live.list': () => ({ calls: this.liveCalls.list() }),
      'campaigns.list': async () => ({
        campaigns: (await store.campaigns.list()).map((c) => ({
          id: c.id,
          name: c.name,
          status: c.status,
          dialingMode: c.dialingMode,
          listName: c.listName,
          flowName: c.flowName,
          createdAt: c.createdAt,
        })),
      }),
      ...flowCommandHandlers(this.flows, this.actor),
      'agents.list': async () => ({ agents: deskAgents(await store.users.list()) }),
      'agents.create': async (input, context) => {
        const user = await store
          .transaction(async (tx) => {
            const created = await tx.users.create(input);
            await writeAudit(tx, requestActor(context, this.actor), {
              action: 'agents.create',
              subject: created.username,
              details: { role: created.role },
            });
            return created;
          })
          .catch((error: unknown) => {
            // The only unique key is the username: point the form at it.
            if (error instanceof StoreError && error.code === 'CONFLICT')
              throw new ApiError('CONFLICT', error.message, 'username');
            throw error;
          });
        this.events.emit('agents.changed', { agents: deskAgents(await store.users.list()) });
        return toAgent(user);
      },
      'trunks.list': () => this.trunks.views(),
      'trunks.create': (input, context) =>
        this.trunks.create(input, requestActor(context, this.actor)),
      'trunks.update': ({ name, changes }, context) =>
        this.trunks.update(name, changes, requestActor(context, this.actor)),
      'trunks.remove': ({ name }, context) =>
        this.trunks.remove(name, requestActor(context, this.actor)),
      ...callHandlers,
      ...supervisionCommandHandlers({
        telephony: this.telephony,
        actor: options.actor,
        devices: async () => {
          const settings = await this.settings.get();
          return {
            inputDeviceId: settings.supervisorInputDeviceId,
            outputDeviceId: settings.supervisorOutputDeviceId,
          };
        },
        withdrawTransfer: (callId) => this.routing.withdraw(callId),
        // The audit trail's hook for supervision (issue 13): one entry per start, mode change, end.
        auditSupervision: (entry, actor) => writeAudit(store, actor, entry),
        // A call another seat holds: a SIP leg to this seat, the mix made there (seats/).
        ...(this.seats ? { remote: this.seats } : {}),
      }),
      ...explainCommandHandlers(store),
      ...routingCommandHandlers({
        routing: this.routing,
        store,
        actor: this.actor,
        mute: async (callId, muted) => {
          if (this.telephony.get(callId) || !this.seatCommands)
            return this.telephony.require(callId).muteAgent(muted);
          await this.relay(callId, { kind: 'mute', muted }, undefined);
        },
        devices: async () => {
          const host = this.telephony.mediaHost;
          if (!host)
            throw new ApiError(
              'UNAVAILABLE',
              'No media host in this process: audio devices are listed by the media host',
            );
          return (await host.client()).request('devices.list', {});
        },
        agentsChanged: async () =>
          this.events.emit('agents.changed', { agents: deskAgents(await store.users.list()) }),
      }),
      ...importCommandHandlers({
        store,
        dataDir: options.dataDir,
        events: this.events,
        actor: this.actor,
        log: options.log,
      }),
      ...unmaskCommandHandlers({ store, actor: this.actor }),
      ...historyCommandHandlers({
        store,
        dataDir: options.dataDir,
        actor: this.actor,
        audit: this.audit,
        grants: this.mediaGrants,
        sessionAlive: (session) => this.auth.alive(session),
        keys: () => this.recordingKeys,
        masking: () => this.masking,
        share: this.recordingShare,
      }),
      ...labelCommandHandlers(() => this.labels, this.actor),
      ...dncCommandHandlers({
        store,
        defaultRegion: async () => (await this.settings.get()).defaultRegion,
        actor: this.actor,
      }),
      'preview.current': ({ agentId }) => ({ preview: this.preview.current(agentId) }),
      'preview.dial': ({ agentId, callId }) =>
        previewCall(() => this.preview.dial(agentId, callId)),
      'preview.skip': ({ agentId, callId, reason, note }, context) =>
        previewCall(() =>
          this.preview.skip(agentId, callId, reason, note, requestActor(context, this.actor)),
        ),
      'audit.list': ({ limit, offset, ...filter }) => this.audit.list(filter, { limit, offset }),
      'audit.export': ({ limit, offset, ...filter }, context) =>
        this.audit.exportPage(requestActor(context, this.actor), filter, { limit, offset }),
      'calls.dial': (params, context) => this.dial(params, callHandlers['calls.dial'], context),
      ...authCommandHandlers({
        auth: this.auth,
        version: options.version,
        usersChanged: async () =>
          this.events.emit('agents.changed', { agents: deskAgents(await store.users.list()) }),
      }),
      ...this.campaigns.handlers(),
      ...kpiCommandHandlers(this.kpi, { store, actor: this.actor }),
      ...privacyCommandHandlers(this.retention, this.actor),
    };
    return mapStoreErrors(handlers);
  }
}

/** The audit trail's actor for a shell's requests (its name; its transport as the source). */
function shellActor(name: string, transport: AppInfo['transport']): AuditActor {
  const source = transport === 'ipc' ? 'ipc' : transport === 'websocket' ? 'ws' : 'cli';
  return { userId: null, name, role: null, source };
}

function toCallSummary(call: CallListItem): CallSummary {
  return {
    id: call.id,
    number: call.number,
    contactName: call.contactName,
    campaignId: call.campaignId,
    campaignName: call.campaignName,
    state: call.state,
    outcome: call.outcome,
    disposition: call.dispositionCode,
    sipCode: call.sipCode,
    startedAt: call.startedAt,
    answeredAt: call.answeredAt,
    endedAt: call.endedAt,
    durationMs:
      call.endedAt === null
        ? null
        : Math.max(0, call.endedAt - (call.answeredAt ?? call.startedAt)),
  };
}

/**
 * The Agents page's people: agents and supervisors (routing offers calls to anyone available at
 * the Agent desk, and supervisors take calls too), and an admin only while they are at a desk
 * (signed on: not offline). An admin who never takes calls is a user, not an agent.
 */
function deskAgents(
  users: readonly UserRecord[],
): Array<EventData<'agents.changed'>['agents'][number]> {
  return users.filter((u) => u.role !== 'admin' || u.status !== 'offline').map(toAgent);
}

function toAgent(user: UserRecord): EventData<'agents.changed'>['agents'][number] {
  const { id, username, displayName, role, skills, status, createdAt } = user;
  return { id, username, displayName, role, skills, status, createdAt };
}

/** A preview command refused (expired, already dialed, someone else's) is a CONFLICT. */
async function previewCall<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof PreviewError) throw new ApiError('CONFLICT', error.message, 'callId');
    throw error;
  }
}

/** Store failures become API errors with the store's own message (it names what clashed). */
function mapStoreErrors(handlers: CommandHandlers): CommandHandlers {
  const wrapped: Record<string, (params: never, context?: RequestContext) => Promise<unknown>> = {};
  for (const [name, handler] of Object.entries(handlers) as Array<
    [string, (params: never, context?: RequestContext) => unknown]
  >) {
    wrapped[name] = async (params, context) => {
      try {
        return await handler(params, context);
      } catch (error) {
        if (error instanceof IllegalTransitionError) throw new ApiError('CONFLICT', error.message);
        if (!(error instanceof StoreError)) throw error;
        if (error.code === 'CONFLICT') throw new ApiError('CONFLICT', error.message);
        if (error.code === 'NOT_FOUND') throw new ApiError('NOT_FOUND', error.message);
        throw new ApiError('STORE_ERROR', error.message);
      }
    };
  }
  return wrapped as unknown as CommandHandlers;
}

/**
 * At start: the workspace's folders 0700 and files 0600 (secrets/permissions.ts), and recordings
 * an older version left in plaintext encrypted in place (recording/migrate.ts); both logged.
 */
async function secureWorkspaceAtStart(engine: Engine, log: Logger): Promise<void> {
  try {
    const permissions = await secureWorkspace(engine.dataDir);
    // Inside a data folder that was already private nobody else could reach a file, whatever its
    // mode (SQLite makes its files 0644 under a usual umask): narrowed quietly. Only a data folder
    // others could enter is worth a warning.
    if (permissions.fixed.some((f) => f.path === engine.dataDir))
      log.warn('Narrowed the permissions of workspace files others could read', {
        fixed: permissions.fixed.length,
        examples: permissions.fixed.slice(0, 5).map((f) => `${f.path} ${f.from}→${f.to}`),
      });
    for (const failure of permissions.failed.slice(0, 5))
      log.warn('Could not narrow the permissions of a workspace file', failure);
  } catch (error) {
    log.error('Checking the workspace permissions failed', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
  try {
    const migration = await encryptPlainRecordings(engine.recordingsDir, engine.recordingKeys);
    if (migration.encrypted.length > 0)
      log.info('Encrypted recordings an older version stored in plaintext', {
        encrypted: migration.encrypted.length,
      });
    for (const failure of migration.failed)
      log.error('A plaintext recording could not be encrypted; it is left as it was', failure);
  } catch (error) {
    log.error('Encrypting plaintext recordings failed', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
  try {
    // History's label clips (flows/labels.ts); hand-made answers elsewhere in the folder stay plain.
    const clips = await encryptPlainLabelClips(
      join(engine.dataDir, 'phrase-recordings', 'labelled'),
      engine.recordingKeys,
    );
    if (clips.encrypted.length > 0)
      log.info('Encrypted label clips an older version stored in plaintext', {
        encrypted: clips.encrypted.length,
      });
    for (const failure of clips.failed)
      log.error('A plaintext label clip could not be encrypted; it is left as it was', failure);
  } catch (error) {
    log.error('Encrypting plaintext label clips failed', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
