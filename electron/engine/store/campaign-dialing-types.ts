/**
 * Records and the repository the dialer uses: a campaign's dialing settings (trunks in order, the
 * power-mode ratio, the agents' queue), its contacts' leases in campaign_contacts, and the counts
 * its progress is made of. Kept apart from types.ts (which re-exports it) so the dialer can grow
 * without touching the shared file.
 *
 * Times are epoch ms.
 */
import type { CallOutcome, CallState } from '../api/contract.js';
import type { CallAttempt, CallRecord, CampaignRecord, JsonObject, NewCall } from './types.js';

/** A campaign with what the dialer needs beyond CampaignRecord. */
export interface DialingCampaignRecord extends CampaignRecord {
  linesPerAgent: number;
  queue: string;
  /** Trunk ids in the order they are tried. */
  trunkIds: number[];
  /** Their names, in the same order. */
  trunkNames: string[];
  listName: string | null;
  listDefaultRegion: string | null;
  flowName: string | null;
  /** Predictive settings as stored (checked by the API's PredictiveSettingsSchema); {} for defaults. */
  predictive: JsonObject;
  /** Answering-machine detection settings as stored (checked by the API's AmdSettingsSchema); {} for defaults. */
  amd: JsonObject;
  /** Only contacts with a consent record are called (schema 11). */
  requireConsent: boolean;
}

export interface NewDialingCampaign {
  name: string;
  listId: number;
  flowId: number | null;
  /** A version the admin pinned at creation; null: the latest when the campaign starts. */
  flowVersion: number | null;
  dialingMode: CampaignRecord['dialingMode'];
  linesPerAgent: number;
  queue: string;
  maxConcurrentCalls: number;
  schedule: JsonObject;
  retryPolicy: JsonObject;
  trunkIds: number[];
  /** Predictive settings ({} when left out: the defaults). */
  predictive?: JsonObject;
  /** Answering-machine detection settings ({} when left out: off). */
  amd?: JsonObject;
  /** Only contacts with a consent record are called (default false). */
  requireConsent?: boolean;
}

export type DialingCampaignChanges = Partial<NewDialingCampaign>;

export type LeaseStatus = 'pending' | 'leased' | 'done';

/** One contact of a campaign, as the dialer judges it. */
export interface CampaignContactRecord {
  campaignId: number;
  contactId: number;
  phone: string;
  name: string | null;
  timeZone: string | null;
  fields: JsonObject;
  /** Where the contact consented to be called (web form, recorded call…); null without a record. */
  consentSource: string | null;
  /** When the contact consented to be called (epoch ms); null: no consent on record. */
  consentAt: number | null;
  status: LeaseStatus;
  attempts: number;
  nextAt: number;
  callbackAt: number | null;
  callbackSource: 'flow' | 'agent' | null;
  leaseCallId: string | null;
  leasedAt: number | null;
  lastCallId: string | null;
  lastOutcome: CallOutcome | null;
  lastDisposition: string | null;
  lastAttemptAt: number | null;
  doneReason: string | null;
}

/** A lease whose call has ended (or never started), with the call as stored. */
export interface LeaseWithCall {
  campaignId: number;
  contactId: number;
  attempts: number;
  call: CallRecord;
  /** Whether the call's disposition is a final one (stops further attempts). */
  dispositionFinal: boolean;
  /** The seat (engine) that holds the lease, and until when (schema 12); null on older leases. */
  owner: string | null;
  expiresAt: number | null;
}

/** Who takes a lease and until when: the seat renews it while the call lives (schema 12). */
export interface LeaseClaim {
  owner: string;
  expiresAt: number;
}

/** What settling a finished call writes on its contact. */
export interface Settlement {
  status: 'pending' | 'done';
  nextAt: number;
  callbackAt: number | null;
  callbackSource: 'flow' | 'agent' | null;
  doneReason: string | null;
}

export interface CampaignCounts {
  contacts: number;
  pending: number;
  leased: number;
  done: number;
  /** Contacts called at least once. */
  dialed: number;
  calls: number;
  answered: number;
  transferred: number;
  completed: number;
  transferFallbacks: number;
  byOutcome: Partial<Record<CallOutcome, number>>;
  byDisposition: Record<string, number>;
  callbacksDue: number;
  /** Soonest next_at of a pending contact later than `now`, or null. */
  nextAttemptAt: number | null;
}

export interface CampaignContactRepository {
  createCampaign(input: NewDialingCampaign): Promise<DialingCampaignRecord>;
  updateCampaign(id: number, changes: DialingCampaignChanges): Promise<DialingCampaignRecord>;
  getCampaign(id: number): Promise<DialingCampaignRecord | null>;
  getCampaignByName(name: string): Promise<DialingCampaignRecord | null>;
  /** Campaigns in a status (e.g. every running one when a long-running shell starts). */
  campaignsWithStatus(status: CampaignRecord['status']): Promise<DialingCampaignRecord[]>;
  /**
   * Adds the list's contacts the campaign does not have yet (INSERT … SELECT), those with an id
   * above `afterContactId` only when given (contacts imported since the last look). Returns how
   * many were added and the highest contact id of the list seen.
   */
  enroll(
    campaignId: number,
    listId: number,
    afterContactId?: number,
  ): Promise<{ added: number; maxContactId: number }>;
  /**
   * Pending contacts the dialer may judge at `now`: due callbacks first (oldest promise first),
   * then by next_at. At most `limit`.
   */
  due(
    campaignId: number,
    now: number,
    limit: number,
    options?: { lock?: boolean },
  ): Promise<CampaignContactRecord[]>;
  /**
   * Inside the dialer's pass transaction, before the numbers' call history is read: the numbers
   * this transaction may judge and lease. PostgreSQL takes a transaction-scoped advisory lock per
   * number and leaves out the ones another seat is judging now, so the per-number daily cap holds
   * across seats; SQLite (one writer) returns every number.
   */
  lockNumbers(phones: readonly string[]): Promise<Set<string>>;
  /** Moves a pending contact's next judgement to `nextAt` (not callable before). */
  defer(campaignId: number, contactId: number, nextAt: number): Promise<void>;
  /** A pending contact that needs no more calls (DNC, attempts used up…), with why. */
  finish(campaignId: number, contactId: number, reason: string, at: number): Promise<void>;
  /**
   * Leases the pending contact and creates its call row (state 'queued') in one transaction;
   * null when the contact is no longer pending (another pass took it).
   */
  lease(
    campaignId: number,
    contactId: number,
    call: NewCall & { campaignId: number; contactId: number; attempt: number },
  ): Promise<CallRecord | null>;
  /**
   * lease() for many contacts in a few statements (a dialer pass): each pending contact is leased
   * with its call row (state 'queued', its 'created' event and first transition, as calls.create
   * writes them). Each call's id is `callIdPrefix` + the contact id (give a fresh prefix per call,
   * e.g. a UUID and a dash). Returns contact id → call id for the contacts that were still pending.
   */
  leaseMany(
    campaignId: number,
    callIdPrefix: string,
    calls: ReadonlyArray<Omit<NewCall, 'id'> & { contactId: number; attempt: number }>,
    claim?: LeaseClaim,
  ): Promise<Map<number, string>>;
  /** Extends every lease `owner` holds to `expiresAt`, in one statement; returns how many. */
  renewLeases(owner: string, expiresAt: number): Promise<number>;
  /**
   * Leases of other seats whose expiry passed before `at` (their seat stopped renewing them),
   * each with its call. On PostgreSQL the rows are locked (FOR UPDATE SKIP LOCKED): call it in the
   * transaction that closes and settles them, and two reapers never take the same lease.
   */
  expiredLeases(exceptOwner: string, at: number, limit: number): Promise<LeaseWithCall[]>;
  /**
   * The reaper's close of many lost calls in three statements (calls.update's writes, set-based):
   * each call still in `state` goes to 'done' with its outcome (failed; completed when its result
   * was already stored) at `at` with its reason, its transition and an event of `type` with its
   * data. Returns the ids closed (a call that moved on is left).
   */
  closeLostCalls(
    items: ReadonlyArray<{
      callId: string;
      state: CallState;
      outcome: 'failed' | 'completed';
      reason: string;
      data: JsonObject;
    }>,
    at: number,
    type: string,
  ): Promise<Set<string>>;
  /** defer() for many contacts in one statement. */
  deferMany(
    campaignId: number,
    items: ReadonlyArray<{ contactId: number; nextAt: number }>,
  ): Promise<void>;
  /** finish() for many contacts in one statement. */
  finishMany(
    campaignId: number,
    items: ReadonlyArray<{ contactId: number; reason: string }>,
    at: number,
  ): Promise<void>;
  /**
   * Every leased contact whose call is done, or (with `includeOpen`) every lease with its call.
   * With `owner`: only that seat's leases and those with no owner (made before schema 12).
   */
  leases(options?: { includeOpen?: boolean; owner?: string }): Promise<LeaseWithCall[]>;
  /**
   * Ends a lease after its call: attempts + 1, last call's outcome/disposition, what comes next.
   * False when the lease was no longer there (another seat's reaper settled it first).
   */
  settle(lease: LeaseWithCall, settlement: Settlement): Promise<boolean>;
  /** A lease whose call never left 'queued': the call row is removed and the contact is pending again, uncounted. */
  discard(callId: string): Promise<boolean>;
  /** Leased contacts per campaign (calls under way). */
  leasedCount(campaignId: number): Promise<number>;
  counts(campaignId: number, now: number): Promise<CampaignCounts>;
  contacts(
    campaignId: number,
    filter: { status?: LeaseStatus; search?: string; limit: number; offset: number },
  ): Promise<{ contacts: CampaignContactRecord[]; total: number }>;
  /** The contact's row in the campaign, or null. */
  contact(campaignId: number, contactId: number): Promise<CampaignContactRecord | null>;
  /**
   * calls.attemptHistory for many contacts in one query: every call to each contact, and every
   * call to each number since `since` (any campaign), each with the contact and number it was for.
   */
  histories(
    items: ReadonlyArray<{ contactId: number; phone: string }>,
    since: number,
  ): Promise<Array<CallAttempt & { id: string; number: string }>>;
  /** Whether any contact of the campaign is still pending or leased (cheap: stops at the first). */
  hasOpen(campaignId: number): Promise<boolean>;
  /** Which of these numbers are on the DNC list. */
  dncAmong(phones: readonly string[]): Promise<Set<string>>;
  /** The campaign's leased calls by call state (how many are still waiting for an agent…). */
  leaseStates(campaignId: number, owner?: string): Promise<Partial<Record<CallState, number>>>;
  /**
   * Calls answered by a person, and of them abandoned, per epoch minute from `fromMinute` on
   * (campaign_abandonment, schema 8): the pacing's rolling window after a restart.
   */
  abandonmentMinutes(
    campaignId: number,
    fromMinute: number,
  ): Promise<Array<{ minute: number; answered: number; abandoned: number }>>;
  /** Counts one call answered by a person (abandoned or not) in its minute. */
  countAnswered(campaignId: number, minute: number, abandoned: boolean): Promise<void>;
}
