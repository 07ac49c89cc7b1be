/**
 * Records and the repository for retention and erasure (schema 10, issue 15 §4): the purge's
 * batches by age, finding and erasing one person's rows, the keyed-hash DNC entries, and the
 * retention job's small state. Kept apart from types.ts like label-types.ts; types.ts re-exports it.
 * The rules (what is past retention, which formats of a number match) live in engine/retention/;
 * this is only the SQL.
 */

/** A recording row with the file behind it (relative to the data folder, as stored). */
export interface StoredRecordingFile {
  callId: string;
  path: string;
  bytes: number;
}

/** Rows that mention a number somewhere in their text, to be rewritten with the number removed. */
export interface TextRow {
  /** The row's key: an integer id, or a call id for `calls`. */
  id: number | string;
  text: string;
}

/** What an erasure found for one person: rows to delete and rows whose text mentions the number. */
export interface PersonRows {
  contactIds: number[];
  callIds: string[];
  recordings: StoredRecordingFile[];
  /** Labelled clips cut from those calls (relative to the phrase-recordings folder). */
  labelClips: string[];
  /** Candidates (the last digits matched in SQL; the caller checks each exactly). */
  contactFields: TextRow[];
  callNotes: TextRow[];
  utterances: TextRow[];
  callEvents: TextRow[];
  audit: PersonAudit[];
}

export interface PersonContact {
  id: number;
  list: string;
  phone: string;
  name: string | null;
  timeZone: string | null;
  fields: string;
  /** The consent record (schema 11): where and when they agreed to be called. */
  consentSource: string | null;
  consentAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface PersonAudit {
  id: number;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  details: string;
}

export interface ErasePlan {
  contactIds: number[];
  callIds: string[];
  /** Rewritten text per row (the number replaced). */
  contactFields: TextRow[];
  callNotes: TextRow[];
  utterances: TextRow[];
  callEvents: TextRow[];
  audit: Array<{ id: number; subject: string | null; details: string }>;
  /** DNC entries to drop (E.164) and the keyed hash that replaces them. */
  dncPhones: string[];
  dncDigest: string | null;
}

export interface EraseCounts {
  contacts: number;
  calls: number;
  recordings: number;
  utterances: number;
  labels: number;
  rewritten: number;
  audit: number;
  dnc: number;
}

/** Cut-offs (epoch ms) per kind; null: that kind is kept forever. */
export interface RetentionCutoffs {
  recordings: number | null;
  transcripts: number | null;
  calls: number | null;
  contacts: number | null;
  audit: number | null;
}

/** What a purge with these cut-offs would remove now (a dry run). */
export interface RetentionCounts {
  recordings: number;
  recordingBytes: number;
  transcripts: number;
  calls: number;
  contacts: number;
  audit: number;
}

export interface PrivacyRepository {
  countBefore(cutoffs: RetentionCutoffs): Promise<RetentionCounts>;
  /** Recording rows created before `cutoff` (epoch ms), oldest first. */
  recordingsBefore(cutoff: number, limit: number): Promise<StoredRecordingFile[]>;
  deleteRecordingRows(callIds: readonly string[]): Promise<number>;
  /** Deletes up to `limit` transcript lines of calls started before `cutoff`; returns the count. */
  deleteUtterancesBefore(cutoff: number, limit: number): Promise<number>;
  /** Finished calls started before `cutoff`, with their recordings (files still to delete). */
  callsBefore(
    cutoff: number,
    limit: number,
  ): Promise<{ callIds: string[]; recordings: StoredRecordingFile[] }>;
  /** Deletes the calls (their events, transitions, transcript lines and recording rows cascade). */
  deleteCalls(callIds: readonly string[]): Promise<number>;
  /**
   * Deletes up to `limit` contacts last changed before `cutoff` that have no call since and are
   * not waiting in a campaign (pending or leased).
   */
  deleteContactsBefore(cutoff: number, limit: number): Promise<number>;
  /** Deletes up to `limit` audit entries written before `cutoff` (through the audit gate). */
  deleteAuditBefore(cutoff: number, limit: number): Promise<number>;

  /** Everything stored about `phones` (every format of one number); `digits` prefilters text. */
  findPerson(phones: readonly string[], digits: string): Promise<PersonRows>;
  /** True when a call to one of `phones` is not finished (an erasure waits for it). */
  hasOpenCall(phones: readonly string[]): Promise<boolean>;
  /** Contacts as stored, with their list's name (an access export). */
  contactsByIds(ids: readonly number[]): Promise<PersonContact[]>;
  /** Audit entries whose subject is one of `subjects` (a person's call ids). */
  auditBySubjects(subjects: readonly string[]): Promise<PersonAudit[]>;
  /** Carries out a plan in the caller's transaction. */
  erase(plan: ErasePlan): Promise<EraseCounts>;
  /** Folds the WAL back into the file and truncates it to zero bytes. */
  checkpoint(): Promise<void>;

  /** The keyed-hash DNC list. */
  hasDncDigest(digest: string): Promise<boolean>;
  dncDigestsAmong(digests: readonly string[]): Promise<Set<string>>;
  addDncDigest(digest: string, reason: string | null): Promise<boolean>;
  removeDncDigest(digest: string): Promise<boolean>;
  countDncDigests(): Promise<number>;

  getState(key: string): Promise<unknown>;
  setState(key: string, value: unknown): Promise<void>;
  /**
   * Stores `value` under `key` unless a value is there already, and returns the stored one: of
   * two engines starting at once on one shared database, both get the same (the DNC key).
   */
  initState(key: string, value: unknown): Promise<unknown>;
}
