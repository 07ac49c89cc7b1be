/**
 * The dialer's line in the engine: places a leased call through telephony (the queued row moves
 * on to 'dialing') and, once answered, runs the campaign's pinned flow on the bot with the
 * contact's fields and time zone. A campaign without a flow (progressive / power) hands the
 * answered call straight to an agent through `handoff`, the seam routing fills in.
 *
 * Each campaign's flow version is prepared (compiled, phrase models loaded, or trained when they
 * never were) once, not per call, and before any of its contacts is leased: the dialer asks
 * `readiness` first, which starts the preparation and says what it waits for (the flow's
 * training progress, as the Flows page shows it) until it is done. A lease never waits for
 * training, so a queued call is dialed within moments of being leased.
 */
import { attachAmd } from '../amd/index.js';
import type { AmdMessage } from '../api/amd.js';
import type { CampaignWait, FlowTraining, PredictiveSettings } from '../api/contract.js';
import { loadPrompt } from '../audio/index.js';
import { defaultVoice } from '../bot/index.js';
import type { BotService, PreparedFlow } from '../bot/service.js';
import type { Literal } from '../dialog/index.js';
import type { Logger } from '../log.js';
import type { DialingCampaignRecord } from '../store/types.js';
import type { CallSession, Telephony } from '../telephony/index.js';
import type { TrunkHealthRegistry } from '../telephony/trunk-health.js';
import { abandonMessageText, connectOrAbandon } from './abandon.js';
import { amdOf, predictiveOf } from './campaign-service.js';
import { watchGreeting } from './greeting.js';
import { type DialerLine, DialRefusedError, type DialRequest } from './ports.js';

/**
 * Hands an answered campaign call to an agent of `queue`; resolves true when an agent took it.
 * Routing supplies it (`engine.dialer.setAgentHandoff`); without it nobody takes the call.
 */
export type AgentHandoff = (
  session: CallSession,
  queue: string,
  reason: string,
  /**
   * autoAccept: the offered agent takes the call at once (predictive: 2 s leave no time to click).
   * signal: cancels the transfer, in the queue or still on its way there (settles as not taken).
   */
  options?: { autoAccept?: boolean; signal?: AbortSignal },
) => Promise<boolean>;

export interface TelephonyLineOptions {
  telephony: Telephony;
  bot: () => BotService;
  log: Logger;
  /** The training state of a flow version (FlowService), for the campaign's status while it waits. */
  training?: (flow: string, version: number) => FlowTraining | null;
  /**
   * The trunks' live health (the engine's TrunkHealthRegistry): a campaign whose every trunk is
   * down waits instead of placing calls that fail at once (the soak's Kamailio restart failed 9).
   */
  trunkHealth?: Pick<TrunkHealthRegistry, 'get' | 'onChange'>;
  now?: () => number;
}

/** How long a campaign waits before trying again when its flow cannot be prepared. */
const FLOW_BACKOFF_MS = 60_000;

/** One campaign's flow version being made ready for calls. */
interface Preparation {
  promise: Promise<PreparedFlow>;
  ready: boolean;
  error: string | null;
  since: number;
}

export class TelephonyLine implements DialerLine {
  private readonly prepared = new Map<string, Preparation>();
  private readonly readinessListeners = new Set<(campaignId: number) => void>();
  private handoff: AgentHandoff | null = null;
  /** Predictive campaigns whose information message is rendered (by id: the settings it was rendered for). */
  private readonly abandonPrerendered = new Map<number, string>();

  /** Each campaign's trunks as last asked (readiness): a change of one of them wakes the dialer. */
  private readonly campaignTrunks = new Map<number, readonly number[]>();

  constructor(private readonly options: TelephonyLineOptions) {
    options.trunkHealth?.onChange((trunkId) => {
      for (const [campaignId, trunkIds] of this.campaignTrunks)
        if (trunkIds.includes(trunkId)) this.readinessChanged(campaignId);
    });
  }

  setAgentHandoff(handoff: AgentHandoff | null): void {
    this.handoff = handoff;
  }

  /** Preview: connects an answered call to the agent who dialed it (routing.connectAgent). */
  private previewHandoff: ((session: CallSession, agentId: number) => Promise<void>) | null = null;

  setPreviewHandoff(
    handoff: ((session: CallSession, agentId: number) => Promise<void>) | null,
  ): void {
    this.previewHandoff = handoff;
  }

  liveByTrunk(): Map<number, number> {
    const byTrunk = new Map<number, number>();
    for (const session of this.options.telephony.liveSessions())
      byTrunk.set(session.trunk.id, (byTrunk.get(session.trunk.id) ?? 0) + 1);
    return byTrunk;
  }

  ready(): boolean {
    return this.options.telephony.mediaHost !== null;
  }

  liveTotal(): number {
    return this.options.telephony.liveCount;
  }

  onCallEnded(listener: (callId: string) => void): () => void {
    return this.options.telephony.onCallEnded((end) => listener(end.callId));
  }

  onReadinessChange(listener: (campaignId: number) => void): () => void {
    this.readinessListeners.add(listener);
    return () => this.readinessListeners.delete(listener);
  }

  /** null when the campaign's calls can be placed; else what they wait for (preparation is started here). */
  readiness(campaign: DialingCampaignRecord): CampaignWait | null {
    if (campaign.dialingMode === 'predictive') this.prerenderAbandonMessage(campaign);
    const trunksDown = this.trunksDown(campaign);
    if (trunksDown) return trunksDown;
    if (campaign.flowId === null) return null;
    const preparation = this.preparation(campaign);
    if (preparation.ready) return null;
    const flow = campaign.flowName ?? '';
    const flowVersion = campaign.flowVersion ?? 0;
    const base = { flow, flowVersion, since: preparation.since };
    if (preparation.error !== null)
      return {
        ...base,
        reason: 'flow_failed',
        question: null,
        questions: null,
        error: preparation.error,
        message: `the flow's phrase models could not be prepared (tried again every minute): ${preparation.error}`,
      };
    const training = this.options.training?.(flow, flowVersion) ?? null;
    const progress = training?.state === 'training' ? training.progress : undefined;
    const questions = progress && progress.nodes > 0 ? progress.nodes : null;
    const question = progress && questions ? Math.min(progress.nodesDone + 1, questions) : null;
    return {
      ...base,
      reason: 'flow_training',
      question,
      questions,
      error: null,
      message: `waiting for the flow's phrase models${question ? `: question ${question} of ${questions}` : ''}`,
    };
  }

  async dial(request: DialRequest): Promise<void> {
    const { campaign, contact } = request;
    // Ready by now (the dialer leases only when `readiness` says so): this does not wait for training.
    const prepared = campaign.flowId !== null ? await this.flowOf(campaign) : null;
    let session: CallSession;
    try {
      session = await this.options.telephony.dial({
        number: request.number,
        trunk: request.trunk.name,
        queuedCallId: request.callId,
      });
    } catch (error) {
      throw new DialRefusedError(
        `the call could not be placed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const fields: Record<string, Literal> = {
      phone: contact.phone,
      ...(contact.name ? { name: contact.name } : {}),
    };
    for (const [key, value] of Object.entries(contact.fields)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
        fields[key] = value;
      else if (Array.isArray(value)) fields[key] = value.join(', ');
    }
    // Answering-machine detection runs beside the bot or the agent handoff, never before them: a
    // person is not kept waiting for the decision, and a machine's decision redirects the call.
    const amd = amdOf(campaign);
    let release: (() => void) | undefined;
    // A machine AMD acts on settles the predictive abandonment clock: not a person, not abandoned.
    let machineDecided: () => void = () => undefined;
    const machine =
      amd.enabled && amd.machineAction !== 'continue'
        ? new Promise<void>((resolve) => (machineDecided = resolve))
        : undefined;
    if (amd.enabled)
      attachAmd(session, {
        settings: amd,
        log: this.options.log,
        renderMessage: (message, callId) => this.renderAmdMessage(message, callId),
        release: () => release?.(),
        onEvent: (event) => {
          if (event.type === 'decision' && event.decision.result === 'machine') machineDecided();
        },
      });
    if (request.agentId !== undefined) {
      // Preview: no bot; once answered, the call is the agent's who dialed it.
      void this.previewToAgent(session, campaign, request.agentId).catch((error: unknown) =>
        this.options.log.error('Connecting a preview call to its agent failed', {
          callId: session.callId,
          error: error instanceof Error ? error.stack : String(error),
        }),
      );
      return;
    }
    if (prepared) {
      // The flow's transfer node reaches an agent through the bot's own transfer dependency (routing).
      const bot = this.options
        .bot()
        .attach(session, prepared, { fields, timeZone: request.timeZone });
      release = () => bot.release();
      void bot.run().catch((error: unknown) =>
        this.options.log.error('The bot failed on a campaign call', {
          callId: session.callId,
          error: error instanceof Error ? error.stack : String(error),
        }),
      );
      return;
    }
    void this.toAgent(session, campaign, machine).catch((error: unknown) =>
      this.options.log.error('Handing a campaign call to an agent failed', {
        callId: session.callId,
        error: error instanceof Error ? error.stack : String(error),
      }),
    );
  }

  /** The message AMD leaves on a machine: the recording, or the text in the bot's voice. */
  private async renderAmdMessage(message: AmdMessage, callId: string): Promise<Int16Array[]> {
    if ('recording' in message) return (await loadPrompt(message.recording)).frames;
    const voice = defaultVoice(message.language);
    return (await this.options.bot().prompts.render(message.text, voice, callId)).frames;
  }

  /** Preview: answered, straight to the agent who dialed (no queue); unanswered, nothing to do. */
  private async previewToAgent(
    session: CallSession,
    campaign: DialingCampaignRecord,
    agentId: number,
  ): Promise<void> {
    if (!(await answered(session))) return;
    session.enterPhase('transferring', {
      queue: campaign.queue,
      reason: `preview campaign "${campaign.name}"`,
    });
    try {
      if (!this.previewHandoff) throw new Error('no agent handoff for preview calls');
      await this.previewHandoff(session, agentId);
    } catch (error) {
      if (session.isUp) await session.hangup('the agent could not take the preview call', 'dialer');
      throw error;
    }
  }

  /** No flow: the answered call goes to an agent of the campaign's queue, or ends as abandoned. */
  private async toAgent(
    session: CallSession,
    campaign: DialingCampaignRecord,
    machine?: Promise<void>,
  ): Promise<void> {
    if (!(await answered(session))) return;
    const reason = `${campaign.dialingMode} campaign "${campaign.name}"`;
    session.enterPhase('transferring', { queue: campaign.queue, reason });
    if (campaign.dialingMode === 'predictive') {
      await this.predictiveToAgent(session, campaign, reason, machine);
      return;
    }
    let taken = false;
    try {
      taken = (await this.handoff?.(session, campaign.queue, reason)) ?? false;
    } catch (error) {
      this.options.log.error('Handing a campaign call to an agent failed', {
        callId: session.callId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    if (!taken && session.isUp) {
      session.note('transfer_unanswered', { queue: campaign.queue, reason: 'no agent available' });
      await session.setDisposition('abandoned').catch(() => undefined);
      await session.hangup('no agent took the call', 'dialer');
    }
  }

  /**
   * Predictive: an agent within 2 s of the end of the person's greeting (auto-accepted), or
   * abandoned with the information message; a machine AMD acts on is left to AMD, never offered.
   */
  private async predictiveToAgent(
    session: CallSession,
    campaign: DialingCampaignRecord,
    reason: string,
    machine?: Promise<void>,
  ): Promise<void> {
    const settings = predictiveOf(campaign);
    const greeting = watchGreeting(session, machine ? { machine } : {});
    // Predictive's 2 s ran out (or AMD took the call): routing cancels the transfer wherever it is.
    const cancel = new AbortController();
    const handoff = (): Promise<boolean> =>
      this.handoff?.(session, campaign.queue, reason, {
        autoAccept: true,
        signal: cancel.signal,
      }) ?? Promise.resolve(false);
    const result = await connectOrAbandon(session, {
      greeting: greeting.end,
      ...(machine ? { machine } : {}),
      queue: campaign.queue,
      // With AMD acting on machines, an agent is asked for once the greeting has ended as a
      // person's does (its silence, 250-450 ms after the last word), so machines never reach an
      // agent; the 2 s still run from the greeting's end. Without it, at once.
      handoff: machine
        ? greeting.end.then((end) => (end.kind === 'person' ? handoff() : false))
        : handoff(),
      withdraw: () => cancel.abort(),
      message: () => this.abandonMessage(campaign, settings, session.callId),
      onError: (what, error) =>
        this.options.log.error(`A predictive call failed ${what}`, {
          callId: session.callId,
          error: error instanceof Error ? error.message : String(error),
        }),
    }).finally(() => greeting.close());
    if (result === 'machine')
      session.note('transfer_unanswered', {
        queue: campaign.queue,
        reason: 'answering machine (AMD): withdrawn from the queue, left to the machine action',
      });
  }

  /**
   * Renders a predictive campaign's information message once, before its first call, so an
   * abandoned call hears it at once (the prompt cache keeps it); again only when the text changes.
   */
  private prerenderAbandonMessage(campaign: DialingCampaignRecord): void {
    const key = `${campaign.name}|${JSON.stringify(campaign.predictive)}`;
    if (this.abandonPrerendered.get(campaign.id) === key) return;
    this.abandonPrerendered.set(campaign.id, key);
    void this.abandonMessage(campaign, predictiveOf(campaign)).catch((error: unknown) =>
      this.options.log.error('The abandoned-call message could not be rendered', {
        campaign: campaign.name,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  }

  /** The abandoned call's information message in the campaign's language(s), through the bot's prompt cache. */
  async abandonMessage(
    campaign: DialingCampaignRecord,
    settings: PredictiveSettings,
    callId?: string,
  ): Promise<Int16Array[]> {
    const languages: Array<'zh-CN' | 'en'> =
      settings.messageLanguage === 'both' ? ['zh-CN', 'en'] : [settings.messageLanguage];
    const frames: Int16Array[] = [];
    for (const language of languages) {
      const text = abandonMessageText(settings.message[language], campaign.name);
      const rendered = await this.options
        .bot()
        .prompts.render(text, defaultVoice(language), callId);
      frames.push(...rendered.frames);
    }
    return frames;
  }

  private flowOf(campaign: DialingCampaignRecord): Promise<PreparedFlow> {
    return this.preparation(campaign).promise;
  }

  /** The campaign's flow preparation, started on first use (and again a minute after a failure). */
  private preparation(campaign: DialingCampaignRecord): Preparation {
    const key = `${campaign.id}:${campaign.flowId}:${campaign.flowVersion}`;
    const now = this.options.now?.() ?? Date.now();
    let preparation = this.prepared.get(key);
    if (preparation && preparation.error !== null && now - preparation.since >= FLOW_BACKOFF_MS) {
      this.prepared.delete(key);
      preparation = undefined;
    }
    if (preparation) return preparation;
    const name = campaign.flowName ?? '';
    const started: Preparation = {
      promise: this.options
        .bot()
        .prepare({
          name,
          ...(campaign.flowVersion !== null ? { version: campaign.flowVersion } : {}),
        })
        .catch((error: unknown) => {
          throw new DialRefusedError(
            `flow "${name}" v${campaign.flowVersion ?? '?'} could not be prepared: ${error instanceof Error ? error.message : String(error)}`,
            FLOW_BACKOFF_MS,
          );
        }),
      ready: false,
      error: null,
      since: now,
    };
    started.promise.then(
      () => {
        started.ready = true;
        this.readinessChanged(campaign.id);
      },
      (error: unknown) => {
        started.error = error instanceof Error ? error.message : String(error);
        started.since = this.options.now?.() ?? Date.now();
        this.options.log.error('A campaign flow could not be prepared', {
          campaign: campaign.name,
          error: started.error,
        });
        this.readinessChanged(campaign.id);
      },
    );
    this.prepared.set(key, started);
    return started;
  }

  /** A wait when every trunk of the campaign reports down (not merely unknown or connecting). */
  private trunksDown(campaign: DialingCampaignRecord): CampaignWait | null {
    const health = this.options.trunkHealth;
    if (!health || campaign.trunkIds.length === 0) return null;
    // Its calls fail over to the backup trunks too (Telephony.pickTrunks).
    const trunks = campaign.trunkIds.map((id, i) => ({
      id,
      name: campaign.trunkNames[i] ?? `#${id}`,
    }));
    // (A test's stand-in telephony may have no backups to tell.)
    for (const backup of this.options.telephony.backupTrunks?.() ?? [])
      if (!trunks.some((t) => t.id === backup.id)) trunks.push(backup);
    this.campaignTrunks.set(
      campaign.id,
      trunks.map((t) => t.id),
    );
    const down = trunks.map((t) => health.get(t.id));
    if (!down.every((h) => h?.state === 'down')) return null;
    const error = trunks
      .map((t, i) => `"${t.name}" is down${down[i]?.reason ? ` (${down[i].reason})` : ''}`)
      .join('; ');
    return {
      reason: 'trunk_down',
      flow: campaign.flowName ?? '',
      flowVersion: campaign.flowVersion ?? 0,
      question: null,
      questions: null,
      error,
      since: Math.max(...down.map((h) => h?.since ?? 0)),
      message: `waiting for a trunk: ${error}; dialing resumes when one reconnects`,
    };
  }

  private readinessChanged(campaignId: number): void {
    for (const listener of this.readinessListeners) {
      try {
        listener(campaignId);
      } catch (error) {
        this.options.log.error('A readiness listener failed', { error: String(error) });
      }
    }
  }

  /** Forgets a campaign's prepared flow (it was stopped, or its flow changed). */
  forget(campaignId: number): void {
    for (const key of this.prepared.keys())
      if (key.startsWith(`${campaignId}:`)) this.prepared.delete(key);
  }
}

/** True once the call is answered and still up; false when it ended without an answer (or since). */
async function answered(session: CallSession): Promise<boolean> {
  return (await session.whenAnswered()) && session.isUp;
}
