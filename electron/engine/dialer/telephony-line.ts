/**
 * The dialer's line in the engine: places a leased call through telephony (the queued row moves
 * on to 'dialing') and, once answered, runs the campaign's pinned flow on the bot with the
 * contact's fields and time zone. A campaign without a flow (progressive / power) hands the
 * answered call straight to an agent through `handoff`, the seam routing fills in.
 *
 * Each campaign's flow version is prepared (compiled, phrase models loaded) once, on its first
 * call after a start, not per call.
 */
import type { BotService, PreparedFlow } from '../bot/service.js';
import type { Literal } from '../dialog/index.js';
import type { Logger } from '../log.js';
import type { DialingCampaignRecord } from '../store/types.js';
import type { CallSession, Telephony } from '../telephony/index.js';
import { type DialerLine, DialRefusedError, type DialRequest } from './ports.js';

/**
 * Hands an answered campaign call to an agent of `queue`; resolves true when an agent took it.
 * Routing supplies it (`engine.dialer.setAgentHandoff`); without it nobody takes the call.
 */
export type AgentHandoff = (
  session: CallSession,
  queue: string,
  reason: string,
) => Promise<boolean>;

export interface TelephonyLineOptions {
  telephony: Telephony;
  bot: () => BotService;
  log: Logger;
}

/** How long a campaign waits before trying again when its flow cannot be prepared. */
const FLOW_BACKOFF_MS = 60_000;

export class TelephonyLine implements DialerLine {
  private readonly prepared = new Map<string, Promise<PreparedFlow>>();
  private handoff: AgentHandoff | null = null;

  constructor(private readonly options: TelephonyLineOptions) {}

  setAgentHandoff(handoff: AgentHandoff | null): void {
    this.handoff = handoff;
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

  async dial(request: DialRequest): Promise<void> {
    const { campaign, contact } = request;
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
    if (prepared) {
      // The flow's transfer node reaches an agent through the bot's own transfer dependency (routing).
      void this.options
        .bot()
        .attach(session, prepared, { fields, timeZone: request.timeZone })
        .run()
        .catch((error: unknown) =>
          this.options.log.error('The bot failed on a campaign call', {
            callId: session.callId,
            error: error instanceof Error ? error.stack : String(error),
          }),
        );
      return;
    }
    void this.toAgent(session, campaign).catch((error: unknown) =>
      this.options.log.error('Handing a campaign call to an agent failed', {
        callId: session.callId,
        error: error instanceof Error ? error.stack : String(error),
      }),
    );
  }

  /** No flow: the answered call goes to an agent of the campaign's queue, or ends as abandoned. */
  private async toAgent(session: CallSession, campaign: DialingCampaignRecord): Promise<void> {
    if (!(await answered(session))) return;
    const reason = `${campaign.dialingMode} campaign "${campaign.name}"`;
    session.enterPhase('transferring', { queue: campaign.queue, reason });
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

  private flowOf(campaign: DialingCampaignRecord): Promise<PreparedFlow> {
    const key = `${campaign.id}:${campaign.flowId}:${campaign.flowVersion}`;
    let prepared = this.prepared.get(key);
    if (!prepared) {
      const name = campaign.flowName ?? '';
      prepared = this.options
        .bot()
        .prepare({
          name,
          ...(campaign.flowVersion !== null ? { version: campaign.flowVersion } : {}),
        })
        .catch((error: unknown) => {
          this.prepared.delete(key);
          throw new DialRefusedError(
            `flow "${name}" v${campaign.flowVersion ?? '?'} could not be prepared: ${error instanceof Error ? error.message : String(error)}`,
            FLOW_BACKOFF_MS,
          );
        });
      this.prepared.set(key, prepared);
    }
    return prepared;
  }

  /** Forgets a campaign's prepared flow (it was stopped, or its flow changed). */
  forget(campaignId: number): void {
    for (const key of this.prepared.keys())
      if (key.startsWith(`${campaignId}:`)) this.prepared.delete(key);
  }
}

function answered(session: CallSession): Promise<boolean> {
  if (session.isUp) return Promise.resolve(true);
  return new Promise((resolve) => {
    const check = setInterval(() => {
      if (session.isUp) {
        clearInterval(check);
        resolve(true);
      }
    }, 20);
    void session.whenEnded().then(() => {
      clearInterval(check);
      resolve(false);
    });
  });
}
