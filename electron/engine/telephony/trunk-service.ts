/**
 * SIP trunks as the engine manages them: the API's trunks.* commands (create, update, remove and
 * the list with live health), each change written with its audit entry in one transaction and
 * announced as `trunks.changed`; passwords encrypted with the engine's SecretBox before they reach
 * the store and decrypted only for the telephony code (`resolve`).
 *
 * Events: `trunks.changed` (the full list) after every change; `trunk.health` ({ trunkId, health })
 * whenever TrunkHealthRegistry records a new state — lighter than resending the list.
 */
import type {
  ParsedParams,
  SecretStorage,
  TrunkChanges,
  TrunkList,
  TrunkView,
} from '../api/contract.js';
import { PASSWORD_NEEDS_USERNAME } from '../api/contract.js';
import { ApiError } from '../api/errors.js';
import { type Actor, writeAudit } from '../audit/index.js';
import type { EventHub } from '../events/index.js';
import type { Logger } from '../log.js';
import { type SecretBox, SecretDecryptError } from '../secrets/index.js';
import {
  type JsonObject,
  type Store,
  StoreError,
  type TrunkChanges as StoredTrunkChanges,
  type TrunkRecord,
} from '../store/types.js';
import type { TrunkHealthRegistry } from './trunk-health.js';

/** A trunk with its password decrypted, for placing calls. Keep it in memory only. */
export interface ResolvedTrunk extends TrunkRecord {
  password: string | null;
}

/** What changed, for code inside the engine that follows trunks (e.g. to reconnect a user agent). */
export type TrunkChange =
  | { kind: 'created' | 'updated'; trunk: TrunkRecord; previous: TrunkRecord | null }
  | { kind: 'removed'; trunk: TrunkRecord; previous: null };

/** A stored password that cannot be decrypted; the message says so and what to do. */
export class TrunkPasswordError extends Error {
  override readonly name = 'TrunkPasswordError';
  constructor(
    readonly trunkName: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `The trunk password for "${trunkName}" cannot be decrypted: ${reason}; enter the password again.`,
      options,
    );
  }
}

export interface TrunkServiceOptions {
  store: Store;
  secrets: SecretBox;
  health: TrunkHealthRegistry;
  events: EventHub;
  log: Logger;
}

export class TrunkService {
  private readonly store: Store;
  private readonly secrets: SecretBox;
  private readonly health: TrunkHealthRegistry;
  private readonly events: EventHub;
  private readonly log: Logger;
  private readonly listeners = new Set<(change: TrunkChange) => void>();

  constructor(options: TrunkServiceOptions) {
    ({
      store: this.store,
      secrets: this.secrets,
      health: this.health,
      events: this.events,
      log: this.log,
    } = options);
    this.health.onChange((trunkId, health) =>
      this.events.emit('trunk.health', { trunkId, health }),
    );
  }

  /** Where passwords are protected (shown to admins). */
  get secretStorage(): SecretStorage {
    return this.secrets.kind;
  }

  // --- for the rest of the engine ---------------------------------------------------------------

  /** Every trunk as stored (primary ones first, then by name); passwords stay encrypted. */
  list(): Promise<TrunkRecord[]> {
    return this.store.trunks.list();
  }

  /**
   * A trunk by name (or id) with its password decrypted. Throws ApiError NOT_FOUND when there is no
   * such trunk, and TrunkPasswordError when the stored password cannot be decrypted.
   */
  async resolve(ref: string | number): Promise<ResolvedTrunk> {
    const trunk =
      typeof ref === 'number'
        ? await this.store.trunks.get(ref)
        : await this.store.trunks.getByName(ref);
    if (!trunk)
      throw new ApiError(
        'NOT_FOUND',
        typeof ref === 'number' ? `No trunk with id ${ref}` : `No trunk named "${ref}"`,
      );
    if (trunk.passwordCipher === null) return { ...trunk, password: null };
    try {
      return { ...trunk, password: this.secrets.decrypt(trunk.passwordCipher) };
    } catch (error) {
      if (error instanceof SecretDecryptError)
        throw new TrunkPasswordError(trunk.name, error.reason, { cause: error });
      throw error;
    }
  }

  /** Calls `listener` after each committed create, update and remove; returns the unsubscriber. */
  onChange(listener: (change: TrunkChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // --- the API ------------------------------------------------------------------------------------

  async views(): Promise<TrunkList> {
    const trunks = await this.store.trunks.list();
    return { trunks: trunks.map((trunk) => this.toView(trunk)), secretStorage: this.secrets.kind };
  }

  async create(input: ParsedParams<'trunks.create'>, actor: Actor): Promise<TrunkView> {
    const password = input.password ?? null;
    const trunk = await this.store
      .transaction(async (tx) => {
        const created = await tx.trunks.create({
          name: input.name,
          uri: input.uri,
          domain: input.domain,
          username: input.username ?? null,
          passwordCipher: password === null ? null : this.secrets.encrypt(password),
          register: input.register,
          callerId: input.callerId ?? null,
          maxConcurrentCalls: input.maxConcurrentCalls,
          role: input.role,
          transferMode: input.transferMode,
        });
        await writeAudit(tx, actor, {
          action: 'trunks.create',
          subject: created.name,
          details: auditDetails(created, password === null ? 'none' : 'set'),
        });
        return created;
      })
      .catch(conflictOn('name'));
    await this.changed({ kind: 'created', trunk, previous: null });
    return this.toView(trunk);
  }

  async update(name: string, changes: TrunkChanges, actor: Actor): Promise<TrunkView> {
    const { trunk, previous } = await this.store
      .transaction(async (tx) => {
        const current = await tx.trunks.getByName(name);
        if (!current) throw new ApiError('NOT_FOUND', `No trunk named "${name}"`);
        checkCredentials(current, changes);
        const { password, ...rest } = changes;
        const stored: StoredTrunkChanges = { ...rest };
        if (password !== undefined)
          stored.passwordCipher = password === null ? null : this.secrets.encrypt(password);
        if (Object.values(stored).every((value) => value === undefined))
          return { trunk: current, previous: null };
        const updated = await tx.trunks.update(name, stored);
        const details: JsonObject = {
          changed: Object.keys(stored).filter((key) => key !== 'passwordCipher'),
        };
        for (const key of [
          'name',
          'uri',
          'domain',
          'username',
          'register',
          'callerId',
          'maxConcurrentCalls',
          'role',
          'transferMode',
        ] as const) {
          const value = rest[key];
          if (value !== undefined) details[key] = value;
        }
        if (password !== undefined) details.password = password === null ? 'cleared' : 'changed';
        await writeAudit(tx, actor, { action: 'trunks.update', subject: name, details });
        return { trunk: updated, previous: current };
      })
      .catch(conflictOn('changes.name'));
    if (previous) await this.changed({ kind: 'updated', trunk, previous });
    return this.toView(trunk);
  }

  async remove(name: string, actor: Actor): Promise<{ name: string }> {
    const trunk = await this.store.transaction(async (tx) => {
      const current = await tx.trunks.getByName(name);
      if (!current || !(await tx.trunks.remove(name)))
        throw new ApiError('NOT_FOUND', `No trunk named "${name}"`);
      await writeAudit(tx, actor, {
        action: 'trunks.remove',
        subject: name,
        details: { id: current.id, uri: current.uri },
      });
      return current;
    });
    this.health.delete(trunk.id);
    await this.changed({ kind: 'removed', trunk, previous: null });
    return { name: trunk.name };
  }

  private toView(trunk: TrunkRecord): TrunkView {
    const { passwordCipher, ...rest } = trunk;
    return {
      ...rest,
      hasPassword: passwordCipher !== null,
      health: this.health.getOrIdle(trunk.id, trunk.createdAt),
    };
  }

  private async changed(change: TrunkChange): Promise<void> {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.log.error('A trunk change listener failed', {
          error: error instanceof Error ? error.stack : String(error),
        });
      }
    }
    this.events.emit('trunks.changed', await this.views());
  }
}

/** The audit entry's details for a new trunk: everything but the password, which is only "set" or "none". */
function auditDetails(trunk: TrunkRecord, password: 'set' | 'none'): JsonObject {
  const { uri, domain, username, register, callerId, maxConcurrentCalls, role, transferMode } =
    trunk;
  return {
    uri,
    domain,
    username,
    register,
    callerId,
    maxConcurrentCalls,
    role,
    transferMode,
    password,
  };
}

/** Digest auth sends a username with the password: refuse a trunk left with one and not the other. */
function checkCredentials(current: TrunkRecord, changes: TrunkChanges): void {
  const username = changes.username !== undefined ? changes.username : current.username;
  const hasPassword =
    changes.password !== undefined ? changes.password !== null : current.passwordCipher !== null;
  if (!hasPassword || username !== null) return;
  if (changes.username === null) {
    throw new ApiError(
      'INVALID_PARAMS',
      'trunks.update: changes.username: cannot be cleared while the trunk has a password; clear the password too (password: null)',
      'changes.username',
    );
  }
  throw new ApiError(
    'INVALID_PARAMS',
    `trunks.update: changes.password: ${PASSWORD_NEEDS_USERNAME}`,
    'changes.password',
  );
}

/** The only unique key is the name: point the form at it. */
function conflictOn(field: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof StoreError && error.code === 'CONFLICT')
      throw new ApiError('CONFLICT', error.message, field);
    throw error;
  };
}
