/**
 * What the dialer needs from the rest of the engine, as small interfaces: the agents' capacity
 * (routing supplies a routing-aware one), a line that places a pre-created call (telephony + bot
 * in the engine, a fake in unit tests), and a clock.
 */
import type { CampaignWait } from '../api/campaigns.js';
import type { CampaignContactRecord, DialingCampaignRecord } from '../store/types.js';

/**
 * How many agents can take a call from a queue right now. progressive mode dials one line per
 * available agent, power mode floor(available × linesPerAgent). `onChange` fires when it may have
 * changed (an agent became available, took a call…), so the dialer dials at once instead of on
 * its next poll. The engine's default counts users whose status is 'available' (any queue);
 * routing replaces it with one that knows queues and skills (`engine.dialer.setAgentCapacity`).
 */
export interface AgentCapacity {
  available(queue: string): number;
  onChange(listener: () => void): () => void;
}

/** One call the dialer asks the line to place. Its row exists (state 'queued') and is leased. */
export interface DialRequest {
  callId: string;
  campaign: DialingCampaignRecord;
  contact: CampaignContactRecord;
  attempt: number;
  /** E.164. */
  number: string;
  trunk: { id: number; name: string };
  /** The contact's IANA zone (the flow reads dates and times in it). */
  timeZone: string;
  /** Preview: the agent who dialed it; answered, the call is theirs (no bot, no queue). */
  agentId?: number;
}

/** Why a call could not be placed at all: nothing was dialed, so it does not count as an attempt. */
export class DialRefusedError extends Error {
  override readonly name = 'DialRefusedError';
  constructor(
    message: string,
    /** Pause the campaign's dialing this long before trying again (e.g. the media host is down). */
    readonly backoffMs = 5_000,
  ) {
    super(message);
  }
}

export interface DialerLine {
  /** Calls under way on this desktop by trunk id (every call, manual ones included). */
  liveByTrunk(): Map<number, number>;
  /** Calls under way on this desktop. */
  liveTotal(): number;
  /**
   * Moves the queued call on to 'dialing' and places it; resolves once it is dialing. Throws
   * DialRefusedError when it was not placed (the dialer releases the lease uncounted); any other
   * error is treated the same way, with the error's message logged.
   */
  dial(request: DialRequest): Promise<void>;
  /** False while calls cannot be placed yet (the shell has not given telephony its media host): the dialer waits. */
  ready?(): boolean;
  /**
   * Why this campaign's calls cannot be placed yet, or null when they can. A campaign whose pinned
   * flow version's phrase models are still loading or training is not leased at all (a lease
   * never waits for training); the line starts that preparation when first asked, and calls the
   * `onReadinessChange` listeners when it is done or failed.
   */
  readiness?(campaign: DialingCampaignRecord): CampaignWait | null;
  onReadinessChange?(listener: (campaignId: number) => void): () => void;
  /** Any call ended (its row is 'done' or in wrap-up): the dialer settles and dials on. */
  onCallEnded(listener: (callId: string) => void): () => void;
}

/**
 * Preview campaigns (dialer/preview.ts): which agents may get a contact now, and handing the
 * leases to them instead of dialing; `place` dials a lease when its agent clicks Dial.
 */
export interface PreviewPort {
  agents(queue: string): Promise<number[]>;
  hold(requests: DialRequest[], place: (request: DialRequest) => void): Promise<void>;
}

/** Agent capacity that never has anyone: progressive and power campaigns wait. */
export const NO_AGENTS: AgentCapacity = {
  available: () => 0,
  onChange: () => () => undefined,
};
