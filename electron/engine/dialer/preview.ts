/**
 * Preview dialing (issue 14 §2): the dialer leases a `preview` campaign's next contact (its call
 * row stays 'queued', so nothing has left the machine) and this desk shows it to one available
 * agent, held for them in routing (status offered, so no other call is offered to them). The
 * agent then:
 * - dials it (`dial`): the lease is placed like any other campaign call, with the agent's id on
 *   the request, so the line hands the answered call straight to them (no bot, no queue);
 * - or skips it with a reason (`skip`): the lease is released uncounted and the contact is settled
 *   as the reason says (`later`: pending again after the retry policy's no_answer wait;
 *   `wrong_number`: finished; `do_not_call`: finished and the number on the do-not-call list),
 *   the reason kept in the audit trail (and, when finished, as the contact's done reason).
 * A preview nobody acts on expires after settings.previewTimeoutMs: the lease is released and the
 * contact goes back to the campaign, due at once. A restart loses nothing: the engine's dialer
 * recovery releases every still-queued lease.
 */
import type { AgentPreview, PreviewSkipReason } from '../api/preview.js';
import { type Actor, writeAudit } from '../audit/index.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import { campaignPolicy } from './explain.js';
import type { DialRequest, PreviewPort } from './ports.js';

/** What the desk needs of routing (routing-service.ts). */
export interface PreviewRouting {
  previewAgents(queue: string): Promise<number[]>;
  reservePreview(agentId: number, callId: string, deadline: number): Promise<boolean>;
  releasePreview(agentId: number, callId: string): Promise<void>;
}

export interface PreviewDeskOptions {
  store: Store;
  routing: PreviewRouting;
  log: Logger;
  emit(event: 'agent.preview', data: AgentPreview): void;
  emit(
    event: 'agent.previewEnded',
    data: {
      callId: string;
      agentId: number;
      reason: 'answered' | 'call_ended' | 'skipped' | 'expired' | 'cancelled';
    },
  ): void;
  /** settings.previewTimeoutMs, read when a contact is shown. */
  timeoutMs(): Promise<number>;
  /** A lease went back to its campaign (the dialer looks again). */
  onReleased(campaignId: number): void;
  now?: () => number;
}

/** Retry wait for `later` when the campaign's policy has none for no_answer. */
const LATER_FALLBACK_MS = 60 * 60_000;
const HISTORY_MAX = 20;

interface Held {
  view: AgentPreview;
  request: DialRequest;
  place: (request: DialRequest) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Why a preview command was refused: the engine maps it to CONFLICT. */
export class PreviewError extends Error {
  override readonly name = 'PreviewError';
}

export class PreviewDesk implements PreviewPort {
  private readonly byCall = new Map<string, Held>();
  private readonly now: () => number;

  constructor(private readonly options: PreviewDeskOptions) {
    this.now = options.now ?? Date.now;
  }

  agents(queue: string): Promise<number[]> {
    return this.options.routing.previewAgents(queue);
  }

  /** The dialer's new preview leases: each to a free agent, or released when none is left. */
  async hold(requests: DialRequest[], place: (request: DialRequest) => void): Promise<void> {
    if (requests.length === 0) return;
    const agents = await this.agents(requests[0]!.campaign.queue);
    const timeoutMs = await this.options.timeoutMs();
    for (const request of requests) {
      let agentId: number | undefined;
      const expiresAt = this.now() + timeoutMs;
      while ((agentId = agents.shift()) !== undefined)
        if (await this.options.routing.reservePreview(agentId, request.callId, expiresAt)) break;
      if (agentId === undefined) {
        await this.release(request);
        continue;
      }
      const held: Held = {
        view: await this.view(request, agentId, expiresAt),
        request,
        place,
        timer: setTimeout(() => void this.expire(request.callId), timeoutMs),
      };
      this.byCall.set(request.callId, held);
      this.options.emit('agent.preview', held.view);
    }
  }

  /** The contact shown to this agent now, if any. */
  current(agentId: number): AgentPreview | null {
    for (const held of this.byCall.values()) if (held.view.agentId === agentId) return held.view;
    return null;
  }

  /** The agent dials their previewed contact. */
  dial(agentId: number, callId: string): { callId: string } {
    const held = this.own(agentId, callId);
    if (held.view.state === 'dialing')
      throw new PreviewError(`Call ${callId} is being dialed already`);
    clearTimeout(held.timer);
    held.view = { ...held.view, state: 'dialing' };
    this.options.emit('agent.preview', held.view);
    held.place({ ...held.request, agentId });
    return { callId };
  }

  /** The agent skips their previewed contact with a reason; returns what became of it. */
  async skip(
    agentId: number,
    callId: string,
    reason: PreviewSkipReason,
    note: string | undefined,
    actor: Actor,
  ): Promise<{ status: 'pending' | 'done'; nextAt: number | null }> {
    const held = this.own(agentId, callId);
    if (held.view.state === 'dialing')
      throw new PreviewError(`Call ${callId} is being dialed: it can no longer be skipped`);
    const { campaign, contact } = held.request;
    const at = this.now();
    let nextAt: number | null = null;
    if (reason === 'later') {
      let wait = LATER_FALLBACK_MS;
      try {
        wait =
          campaignPolicy(campaign, campaign.listDefaultRegion).retry.retryAfterMs.no_answer ?? wait;
      } catch {
        // A policy that cannot be read: the fallback wait.
      }
      nextAt = at + wait;
    }
    const doneReason =
      reason === 'wrong_number'
        ? 'skipped in preview: wrong number'
        : 'skipped in preview: do not call (number added to the do-not-call list)';
    await this.options.store.transaction(async (tx) => {
      if (!(await tx.campaignContacts.discard(callId)))
        throw new PreviewError(`Call ${callId} is no longer a previewed contact`);
      if (nextAt !== null)
        await tx.campaignContacts.deferMany(campaign.id, [
          { contactId: contact.contactId, nextAt },
        ]);
      else
        await tx.campaignContacts.finishMany(
          campaign.id,
          [{ contactId: contact.contactId, reason: doneReason }],
          at,
        );
      if (reason === 'do_not_call') {
        await tx.dnc.add([
          { phone: contact.phone, reason: `skipped in preview by an agent`, source: 'agent' },
        ]);
        await writeAudit(tx, actor, {
          action: 'dnc.add',
          subject: contact.phone,
          details: { source: 'agent', preview: true },
        });
      }
      await writeAudit(tx, actor, {
        action: 'calls.previewSkip',
        subject: contact.phone,
        details: {
          campaign: campaign.name,
          contactId: contact.contactId,
          reason,
          ...(note ? { note } : {}),
        },
      });
    });
    await this.end(held, 'skipped');
    this.options.onReleased(campaign.id);
    return { status: nextAt === null ? 'done' : 'pending', nextAt };
  }

  /** The preview call was answered and is the agent's now. */
  connected(callId: string): void {
    const held = this.byCall.get(callId);
    if (held) void this.end(held, 'answered', false);
  }

  /** A call ended: a dialed preview that nobody answered frees its agent. */
  callEnded(callId: string): void {
    const held = this.byCall.get(callId);
    if (held?.view.state === 'dialing') void this.end(held, 'call_ended');
  }

  /** Engine stop: the leases stay queued (recovery releases them at the next start). */
  close(): void {
    for (const held of this.byCall.values()) clearTimeout(held.timer);
    this.byCall.clear();
  }

  private own(agentId: number, callId: string): Held {
    const held = this.byCall.get(callId);
    if (!held || held.view.agentId !== agentId)
      throw new PreviewError(
        `Call ${callId} is not a contact previewed for agent ${agentId} (it expired, or was dialed or skipped)`,
      );
    return held;
  }

  private async expire(callId: string): Promise<void> {
    const held = this.byCall.get(callId);
    if (!held || held.view.state !== 'waiting') return;
    try {
      await this.release(held.request);
      await this.end(held, 'expired');
    } catch (error) {
      this.options.log.error('Releasing an expired preview failed', {
        callId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private async release(request: DialRequest): Promise<void> {
    await this.options.store.campaignContacts.discard(request.callId);
    this.options.onReleased(request.campaign.id);
  }

  private async end(
    held: Held,
    reason: 'answered' | 'call_ended' | 'skipped' | 'expired',
    freeAgent = true,
  ): Promise<void> {
    clearTimeout(held.timer);
    if (this.byCall.get(held.view.callId) !== held) return;
    this.byCall.delete(held.view.callId);
    if (freeAgent) await this.options.routing.releasePreview(held.view.agentId, held.view.callId);
    this.options.emit('agent.previewEnded', {
      callId: held.view.callId,
      agentId: held.view.agentId,
      reason,
    });
  }

  private async view(
    request: DialRequest,
    agentId: number,
    expiresAt: number,
  ): Promise<AgentPreview> {
    const { contact, campaign } = request;
    const { calls } = await this.options.store.calls.list({
      search: contact.phone,
      limit: HISTORY_MAX + 1,
      offset: 0,
    });
    return {
      callId: request.callId,
      agentId,
      campaignId: campaign.id,
      campaignName: campaign.name,
      contact: {
        id: contact.contactId,
        name: contact.name,
        phone: contact.phone,
        fields: contact.fields,
      },
      history: calls
        .filter((c) => c.number === contact.phone && c.id !== request.callId)
        .slice(0, HISTORY_MAX)
        .map((c) => ({
          callId: c.id,
          startedAt: c.startedAt,
          outcome: c.outcome,
          disposition: c.dispositionCode,
          durationMs: c.endedAt !== null && c.answeredAt !== null ? c.endedAt - c.answeredAt : null,
        })),
      attempt: request.attempt,
      offeredAt: this.now(),
      expiresAt,
      state: 'waiting',
    };
  }
}
