/**
 * The store's public face: typed repositories behind interfaces. Nothing outside `store/` writes
 * SQL; a PostgreSQL backend (DESIGN.md §5) implements these same interfaces later.
 *
 * Times are epoch milliseconds; durations are milliseconds.
 */
import type {
  AgentRole,
  AgentStatus,
  CallOutcome,
  CallState,
  Language,
  Speaker,
} from '../api/contract.js';
import type { RoutingRepository } from './routing-types.js';
import type { SeatCommandRepository } from './seat-command-types.js';
import type { SeatRepository } from './seat-types.js';
export * from './routing-types.js';
export * from './seat-command-types.js';
export * from './seat-types.js';
import type { CampaignContactRepository } from './campaign-dialing-types.js';
import type { ChangeListen, ChangeNotifier } from './change-feed.js';
export * from './campaign-dialing-types.js';
import type { UtteranceLabelRepository } from './label-types.js';
export * from './label-types.js';
import type { KpiRepository } from './kpi-types.js';
export * from './kpi-types.js';
import type { AuthRepository } from './auth-types.js';
export * from './auth-types.js';
import type { PrivacyRepository } from './privacy-types.js';
export * from './privacy-types.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

// ---------------------------------------------------------------------------------------------
// Records

export interface ContactListRecord {
  id: number;
  name: string;
  description: string;
  /** Region used for numbers without a country code, e.g. CN. */
  defaultRegion: string;
  /** Custom fields declared for this list (e.g. amount, vip_level, tags). */
  fields: CustomFieldDefinition[];
  createdAt: number;
}

export interface CustomFieldDefinition {
  name: string;
  type: 'text' | 'number' | 'date' | 'tags';
  label?: string;
}

export interface ContactRecord {
  id: number;
  listId: number;
  /** E.164, e.g. +8613800138000. */
  phone: string;
  name: string | null;
  /** IANA zone, or null to use the campaign's / settings' default. */
  timeZone: string | null;
  /** Custom field values by field name. */
  fields: JsonObject;
  /** Where the person agreed to be called (web form, recorded call…); null without a record. */
  consentSource: string | null;
  /** When they agreed (epoch ms); null: no consent on record (see campaigns' requireConsent). */
  consentAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A consent record given with a contact replaces the stored one; none given keeps it. */
export type NewContact = Pick<ContactRecord, 'phone'> &
  Partial<Pick<ContactRecord, 'name' | 'timeZone' | 'fields' | 'consentSource' | 'consentAt'>>;

export interface CampaignRecord {
  id: number;
  name: string;
  status: 'draft' | 'running' | 'paused' | 'stopped' | 'completed';
  dialingMode: 'agentless' | 'progressive' | 'power' | 'predictive' | 'preview';
  listId: number | null;
  flowId: number | null;
  /** The flow version pinned when the campaign started. */
  flowVersion: number | null;
  maxConcurrentCalls: number;
  /** Weekday windows, holidays; shape owned by the dialer. */
  schedule: JsonObject;
  /** Retry delays per outcome and max attempts; shape owned by the dialer. */
  retryPolicy: JsonObject;
  createdAt: number;
  updatedAt: number;
}

export type NewCampaign = Pick<CampaignRecord, 'name'> &
  Partial<
    Pick<
      CampaignRecord,
      'dialingMode' | 'listId' | 'flowId' | 'maxConcurrentCalls' | 'schedule' | 'retryPolicy'
    >
  >;

export interface FlowRecord {
  id: number;
  name: string;
  language: Language;
  latestVersion: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface FlowVersionRecord {
  flowId: number;
  version: number;
  definition: JsonObject;
  createdAt: number;
}

export interface TrunkRecord {
  id: number;
  name: string;
  /** ws:// or wss:// URI of the PBX / carrier's SIP WebSocket. */
  uri: string;
  domain: string;
  username: string | null;
  /** Encrypted by the caller (engine/secrets); the store never sees a plain password. */
  passwordCipher: string | null;
  register: boolean;
  callerId: string | null;
  maxConcurrentCalls: number;
  role: 'primary' | 'backup';
  /**
   * How a transfer to an agent on another seat goes on this trunk (schema 15): `bridge`, a second
   * leg from the call's seat; `refer`, a REFER that moves the call to the agent's seat.
   */
  transferMode: 'bridge' | 'refer';
  createdAt: number;
  updatedAt: number;
}

export type NewTrunk = Omit<TrunkRecord, 'id' | 'createdAt' | 'updatedAt' | 'transferMode'> & {
  /** Default `bridge`. */
  transferMode?: TrunkRecord['transferMode'];
};
/** Fields to change; a key left out (or undefined) keeps its stored value. */
export type TrunkChanges = Partial<NewTrunk>;

export interface CallRecord {
  id: string;
  campaignId: number | null;
  contactId: number | null;
  trunkId: number | null;
  /** The number dialed, E.164 where it could be normalized. */
  number: string;
  /** 1 for the first attempt at this contact in this campaign. */
  attempt: number;
  state: CallState;
  outcome: CallOutcome | null;
  dispositionCode: string | null;
  sipCode: number | null;
  sipReason: string | null;
  agentId: number | null;
  flowId: number | null;
  flowVersion: number | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  /** Why the call ended, in words (e.g. "customer hung up", "engine restarted mid-call"). */
  endReason: string | null;
  /** The queue a transfer was routed to. */
  queueId: number | null;
  /** Why the bot (or a rule) transferred the call, in words or as the flow's reason. */
  transferReason: string | null;
  /** The agent's wrap-up notes. */
  notes: string | null;
  /** A callback time promised on this call (by the flow or the agent). */
  callbackAt: number | null;
}

export type NewCall = Pick<CallRecord, 'id' | 'number' | 'startedAt'> &
  Partial<
    Pick<
      CallRecord,
      'campaignId' | 'contactId' | 'trunkId' | 'attempt' | 'state' | 'flowId' | 'flowVersion'
    >
  > & {
    /** The seat (engine) that places the call (schema 12): its start-up recovery closes only its own. */
    seatId?: string | null;
  };

/** A call joined with what the History page shows beside it. */
export interface CallListItem extends CallRecord {
  contactName: string | null;
  campaignName: string | null;
}

export interface CallEventRecord {
  id: number;
  callId: string;
  at: number;
  type: string;
  data: JsonObject;
}

export interface UtteranceRecord {
  id: number;
  callId: string;
  speaker: Speaker;
  text: string;
  intent: string | null;
  confidence: number | null;
  /** ms from the call's answer (its media start). */
  startMs: number;
  endMs: number;
  /** ms from the call's answer at which barge-in cut this prompt, or null. */
  cutAtMs: number | null;
  /** The flow node that said it (bot) or asked for it (customer); null outside a flow. */
  nodeId: string | null;
}

export type NewUtterance = Omit<
  UtteranceRecord,
  'id' | 'callId' | 'intent' | 'confidence' | 'cutAtMs' | 'nodeId'
> &
  Partial<Pick<UtteranceRecord, 'intent' | 'confidence' | 'cutAtMs' | 'nodeId'>> & {
    /** On a bot line that answered the customer: end of their speech → the answer going out (the wallboard's reply latency). */
    replyLatencyMs?: number | null;
  };

export interface RecordingRecord {
  id: number;
  callId: string;
  /** Path relative to the data directory (of the seat that made it). */
  path: string;
  /**
   * The seat that made it (its call's seat, schema 12; null before, or on one desktop), read by
   * `calls.recording()`: another seat finds the file through the recordings share (issue 16 §4).
   */
  seatId?: string | null;
  channels: number;
  sampleRate: number;
  durationMs: number;
  bytes: number;
  createdAt: number;
}

export interface UserRecord {
  id: number;
  username: string;
  displayName: string;
  role: AgentRole;
  skills: string[];
  status: AgentStatus;
  createdAt: number;
}

export interface DispositionRecord {
  code: string;
  labelEn: string;
  labelZh: string;
  /** System dispositions are set by the engine; agent ones are chosen in the wrap-up form. */
  kind: 'system' | 'agent';
  /** A final disposition stops further attempts at the contact. */
  final: boolean;
}

export interface DncRecord {
  phone: string;
  reason: string | null;
  /** Where it came from: import, agent, flow, api. */
  source: string;
  createdAt: number;
}

export interface AuditRecord {
  id: number;
  at: number;
  /** Who did it: a user's sign-in name, "local-admin" (the CLI), "engine". */
  actor: string;
  /** The user's id; null for the engine itself and for entries from before schema 6. */
  actorId: number | null;
  role: AgentRole | null;
  /** Where from: ipc, ws, cli, or the engine itself (api/audit.ts's AUDIT_SOURCES). */
  source: 'ipc' | 'ws' | 'cli' | 'engine';
  /** The remote address of a WebSocket client, when known. */
  address: string | null;
  action: string;
  subject: string | null;
  details: JsonObject;
}

export type NewAudit = Pick<AuditRecord, 'actor' | 'action' | 'subject'> &
  Partial<Pick<AuditRecord, 'actorId' | 'role' | 'source' | 'address'>> & {
    details?: JsonObject;
    at?: number;
  };

/** Which audit entries to read (all optional, combined with AND). */
export interface AuditQuery {
  actor?: string;
  /** Any of these actions (an empty list matches nothing). */
  actions?: readonly string[];
  subject?: string;
  /** At or after (epoch ms). */
  from?: number;
  /** Before (epoch ms, exclusive). */
  to?: number;
}

// ---------------------------------------------------------------------------------------------
// Repositories

export interface SettingsRepository {
  /** Every stored setting as raw JSON values (validation belongs to the caller's schema). */
  getAll(): Promise<Record<string, Json>>;
  /** Writes all given keys in one transaction. */
  setMany(values: Record<string, Json>): Promise<void>;
}

export interface ContactRepository {
  createList(input: {
    name: string;
    description?: string;
    defaultRegion?: string;
    fields?: CustomFieldDefinition[];
  }): Promise<ContactListRecord>;
  getListByName(name: string): Promise<ContactListRecord | null>;
  lists(): Promise<ContactListRecord[]>;
  /** Inserts or merges (same list + phone → fields merged, name kept unless given) in one transaction. */
  upsertContacts(
    listId: number,
    contacts: NewContact[],
  ): Promise<{ inserted: number; merged: number }>;
  contacts(listId: number, page?: { limit: number; offset: number }): Promise<ContactRecord[]>;
  countContacts(listId: number): Promise<number>;
  /** The list's contact with this E.164 number, or null. */
  contactByPhone(listId: number, phone: string): Promise<ContactRecord | null>;
  /**
   * Staging for a large import (contacts/import.ts): rows are parked in a temporary table of the
   * writer's connection (gone when it closes, never in the list) while the file is read, then
   * merged into the list in short transactions. Returns a fresh staging id.
   */
  beginStaging(): Promise<number>;
  /** Parks rows under `stagingId`, numbered from `firstSeq` on (file order). */
  stageContacts(stagingId: number, firstSeq: number, contacts: NewContact[]): Promise<void>;
  /**
   * Upserts the staged rows `fromSeq` ≤ seq < `toSeq` into the list, in file order (as
   * upsertContacts), and removes them from staging, in one transaction.
   */
  mergeStaged(
    stagingId: number,
    listId: number,
    fromSeq: number,
    toSeq: number,
  ): Promise<{ inserted: number; merged: number }>;
  /** Removes what is left of a staging (all of it when the import stopped before merging). */
  dropStaging(stagingId: number): Promise<void>;
}

export interface CampaignRepository {
  create(input: NewCampaign): Promise<CampaignRecord>;
  get(id: number): Promise<CampaignRecord | null>;
  getByName(name: string): Promise<CampaignRecord | null>;
  list(): Promise<Array<CampaignRecord & { listName: string | null; flowName: string | null }>>;
  setStatus(id: number, status: CampaignRecord['status']): Promise<void>;
}

export interface FlowRepository {
  create(input: { name: string; language: Language }): Promise<FlowRecord>;
  list(): Promise<FlowRecord[]>;
  getByName(name: string): Promise<FlowRecord | null>;
  /** Stores a new immutable version and returns it (versions count up from 1). */
  addVersion(flowId: number, definition: JsonObject): Promise<FlowVersionRecord>;
  getVersion(flowId: number, version: number): Promise<FlowVersionRecord | null>;
  /** Every version of a flow without its definition, oldest first. */
  listVersions(flowId: number): Promise<Array<Pick<FlowVersionRecord, 'version' | 'createdAt'>>>;
  /** A new version may change the flow's language; the flow row follows it. */
  setLanguage(flowId: number, language: Language): Promise<void>;
}

export interface TrunkRepository {
  create(input: NewTrunk): Promise<TrunkRecord>;
  list(): Promise<TrunkRecord[]>;
  get(id: number): Promise<TrunkRecord | null>;
  getByName(name: string): Promise<TrunkRecord | null>;
  /** Changes the named trunk (renaming it with `changes.name`); NOT_FOUND when there is none, CONFLICT when the new name is taken. */
  update(name: string, changes: TrunkChanges): Promise<TrunkRecord>;
  remove(name: string): Promise<boolean>;
}

export interface CallRepository {
  /** Creates the call and its first event ("created") in one transaction. */
  create(input: NewCall): Promise<CallRecord>;
  /** The call with its contact's and campaign's names, as History shows it. */
  get(id: string): Promise<CallListItem | null>;
  /** Applies a state change and records it as an event, in one transaction. */
  update(
    id: string,
    changes: Partial<Omit<CallRecord, 'id' | 'startedAt'>>,
    event?: { at: number; type: string; data?: JsonObject },
  ): Promise<CallRecord>;
  appendEvent(
    callId: string,
    event: { at: number; type: string; data?: JsonObject },
  ): Promise<void>;
  /** Every state change of the call, oldest first (the first has `from: null`). */
  transitions(callId: string): Promise<CallTransitionRecord[]>;
  events(callId: string): Promise<CallEventRecord[]>;
  addUtterance(callId: string, utterance: NewUtterance): Promise<UtteranceRecord>;
  utterances(callId: string): Promise<UtteranceRecord[]>;
  addRecording(input: Omit<RecordingRecord, 'id' | 'createdAt'>): Promise<RecordingRecord>;
  recording(callId: string): Promise<RecordingRecord | null>;
  /**
   * Newest first. `search` matches number, contact name and transcript text; `disposition` is a
   * disposition code; `from`/`to` bound `startedAt` (from inclusive, to exclusive).
   */
  list(filter: CallListFilter): Promise<{ calls: CallListItem[]; total: number }>;
  /**
   * Calls not yet ended (state not 'done'), e.g. to close them after a crash. With `seatId`: only
   * that seat's calls and those with no seat (stored before schema 12), never another seat's.
   */
  unfinished(options?: { seatId?: string }): Promise<CallRecord[]>;
  /**
   * What the dialer's policy needs to judge a contact: every call to the contact (any time, for
   * attempts and retries) and every call to its number since `since` (any campaign, for the daily
   * cap), with whether the call's disposition is final. Oldest first.
   */
  attemptHistory(query: {
    contactId: number;
    number: string;
    since: number;
  }): Promise<CallAttempt[]>;
}

export interface CallListFilter {
  limit: number;
  offset: number;
  outcome?: CallOutcome | undefined;
  campaignId?: number | undefined;
  search?: string | undefined;
  disposition?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

export interface CallTransitionRecord {
  from: CallState | null;
  to: CallState;
  at: number;
  reason: string | null;
}

export interface CallAttempt {
  campaignId: number | null;
  contactId: number | null;
  startedAt: number;
  endedAt: number | null;
  outcome: CallOutcome | null;
  disposition: { code: string; final: boolean } | null;
}

export interface UserRepository {
  create(input: {
    username: string;
    displayName: string;
    role: AgentRole;
    skills: string[];
  }): Promise<UserRecord>;
  list(): Promise<UserRecord[]>;
  get(id: number): Promise<UserRecord | null>;
  setStatus(id: number, status: AgentStatus): Promise<void>;
}

export interface DispositionRepository {
  list(): Promise<DispositionRecord[]>;
  upsert(record: DispositionRecord): Promise<void>;
}

export interface DncRepository {
  add(entries: Array<{ phone: string; reason?: string | null; source: string }>): Promise<number>;
  /** Listed, or erased on request and kept only as a keyed hash (schema 10; see `keyWith`). */
  has(phone: string): Promise<boolean>;
  /**
   * The keyed hash (retention/dnc-key.ts) that `has` and the dialer's DNC check also look up in
   * `dnc_hashes`; shared by the store and its transactions. Null: hashed entries are not checked.
   */
  keyWith(digest: ((phone: string) => string) | null): void;
  /** Those of `phones` (E.164) erased on request: kept only as a keyed hash. */
  erasedAmong(phones: readonly string[]): Promise<Set<string>>;
  list(page?: { limit: number; offset: number }): Promise<DncRecord[]>;
  remove(phone: string): Promise<boolean>;
}

/** Append-only: there is no update or delete, and the table's triggers refuse both (schema 6). */
export interface AuditRepository {
  add(entry: NewAudit): Promise<void>;
  /** Newest first (by id, which is the order of writing). */
  list(query?: AuditQuery & { limit?: number; offset?: number }): Promise<AuditRecord[]>;
  count(query?: AuditQuery): Promise<number>;
}

/** Every repository, bound to one connection (or one open transaction). */
export interface Repositories {
  settings: SettingsRepository;
  contacts: ContactRepository;
  campaigns: CampaignRepository;
  flows: FlowRepository;
  trunks: TrunkRepository;
  calls: CallRepository;
  users: UserRepository;
  dispositions: DispositionRepository;
  dnc: DncRepository;
  audit: AuditRepository;
  /** Queues, routing rules and agents' live status (routing-types.ts). */
  routing: RoutingRepository;
  /** The dialer's campaign settings and contact leases (campaign-dialing-types.ts). */
  campaignContacts: CampaignContactRepository;
  /** History's utterance labels (label-types.ts). */
  labels: UtteranceLabelRepository;
  /** Sign-in: passwords, sessions, attempts (auth-types.ts). */
  auth: AuthRepository;
  /** The wallboard's and the reports' figures (kpi-types.ts). */
  kpi: KpiRepository;
  /** Retention's purge and erasure (privacy-types.ts). */
  privacy: PrivacyRepository;
  /** Seat lines, agents' seats and seat legs: people on other seats (seat-types.ts). */
  seats: SeatRepository;
  /** Mute, hold and DTMF for a call another seat holds (seat-command-types.ts). */
  seatCommands: SeatCommandRepository;
  /** Wake-ups for the other seats sharing the store (change-feed.ts); sent when the transaction commits. */
  changes: ChangeNotifier;
}

export interface Store extends Repositories {
  readonly path: string;
  readonly schemaVersion: number;
  /**
   * Runs `work` in one transaction: everything it writes through `tx` commits together or not at
   * all. Other store calls wait until it finishes (one writer at a time, no interleaving).
   */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Wakes `onWake` when another seat notified `topic` (change-feed.ts); a no-op on SQLite. */
  listen: ChangeListen;
  close(): Promise<void>;
}

/** Error codes the store raises; the engine maps them onto API errors. */
export type StoreErrorCode =
  /** The data directory cannot be created or written. */
  | 'DATA_DIR_UNWRITABLE'
  /** The file is not a SQLite database, or fails its integrity check. */
  | 'CORRUPT'
  /** The file was written by a newer version of the app. */
  | 'TOO_NEW'
  /** Another running process holds the database. */
  | 'LOCKED'
  /** A unique name or key is already used. */
  | 'CONFLICT'
  /** A referenced row does not exist. */
  | 'NOT_FOUND'
  /** Anything else SQLite reported. */
  | 'SQLITE';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
