/**
 * Users, sign-in and sessions (issue 13).
 *
 * - Passwords are scrypt hashes (password.ts). An unknown name, a wrong password, a disabled user
 *   and a user without a password all get the same answer, after the same scrypt work, so the
 *   sign-in page tells nobody which names exist.
 * - Failed sign-ins are counted per name typed and per source address over a window (stored, so a
 *   restart does not reset them); past the limit, sign-in is refused until the window's failures
 *   age out (the lockout expires by itself). A success clears the name's count.
 * - A session is a random token; the store keeps only its SHA-256. It ends on sign-out, after
 *   `sessionIdleMs` without a request, or when an admin disables the user, resets the password or
 *   changes the role. Live sessions are held here too, so such a change ends them at once on every
 *   connection that carries them.
 */
import { createHash, randomBytes } from 'node:crypto';

import type { UserRole, UserView, WhoAmI } from '../api/auth.js';
import { ApiError } from '../api/errors.js';
import { type Actor, writeAudit } from '../audit/index.js';
import type { Store } from '../store/index.js';
import { type CredentialRecord, StoreError } from '../store/types.js';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './password.js';
import type { Principal, PrincipalSource } from './principal.js';

/** Failed sign-ins for one name within the window before it is locked. */
export const USER_FAILURE_LIMIT = 5;
/** Failed sign-ins from one address within the window before it is locked (several users share a desk). */
export const ADDRESS_FAILURE_LIMIT = 20;
/** The window failures are counted over, and so the longest a lockout lasts. */
export const FAILURE_WINDOW_MS = 15 * 60_000;
/** How often a busy session's last-use time is written to the store (it is kept exactly in memory). */
const TOUCH_EVERY_MS = 60_000;

/** A signed-in session as a connection holds it. */
export interface LiveSession {
  readonly tokenHash: string;
  readonly user: { userId: number; username: string; displayName: string; role: UserRole };
  lastSeenAt: number;
  storedSeenAt: number;
  ended: 'signed_out' | 'expired' | 'revoked' | null;
}

export interface AuthServiceOptions {
  store: Store;
  /** settings.sessionIdleMs, read when a session is checked. */
  idleMs: () => number;
  now?: () => number;
  onError?: (what: string, error: unknown) => void;
  /** Default USER_FAILURE_LIMIT / ADDRESS_FAILURE_LIMIT (tests lower the per-source one). */
  limits?: { perUser?: number; perAddress?: number };
}

export interface NewUser {
  username: string;
  displayName?: string | undefined;
  role: UserRole;
  password: string;
  skills?: string[];
}

const GENERIC_REFUSAL = 'Wrong user name or password.';

function sha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class AuthService {
  private readonly sessions = new Map<string, LiveSession>();
  private readonly now: () => number;

  constructor(private readonly options: AuthServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  private get store(): Store {
    return this.options.store;
  }

  async needsFirstAdmin(): Promise<boolean> {
    return (await this.store.auth.activeAdmins()) === 0;
  }

  /** The first admin, only while no admin can sign in; returns a signed-in session. */
  async setupFirstAdmin(
    input: Omit<NewUser, 'role'>,
    where: { source: PrincipalSource; address: string | undefined },
  ): Promise<{ token: string; session: LiveSession }> {
    const problem = passwordProblem(input.password);
    if (problem) throw new ApiError('INVALID_PARAMS', `password ${problem}`, 'password');
    const hash = await hashPassword(input.password);
    const userId = await this.store.transaction(async (tx) => {
      // Checked inside the writer's transaction: two first-admin forms at once make one admin.
      if ((await tx.auth.activeAdmins()) > 0)
        throw new ApiError(
          'CONFLICT',
          'An admin already exists: sign in, or ask an admin to add your user.',
        );
      const user = await this.createIn(tx, { ...input, role: 'admin' }, hash);
      await writeAudit(
        tx,
        { userId: user.id, name: user.username, role: 'admin', ...from(where) },
        { action: 'users.setupFirstAdmin', subject: user.username, details: { role: 'admin' } },
      );
      return user.id;
    });
    return this.openSession(userId, where);
  }

  async signIn(
    username: string,
    password: string,
    where: { source: PrincipalSource; address: string | undefined },
  ): Promise<{ token: string; session: LiveSession }> {
    const address = where.address ?? where.source;
    const now = this.now();
    const since = now - FAILURE_WINDOW_MS;
    const [byUser, byAddress] = await Promise.all([
      this.store.auth.failuresForUser(username, since),
      this.store.auth.failuresFromAddress(address, since),
    ]);
    const locked =
      byUser.count >= (this.options.limits?.perUser ?? USER_FAILURE_LIMIT)
        ? byUser.last
        : byAddress.count >= (this.options.limits?.perAddress ?? ADDRESS_FAILURE_LIMIT)
          ? byAddress.last
          : null;
    if (locked !== null) {
      // Refused before any password check: the lockout says nothing about whether the name exists.
      const retryAfterMs = Math.max(1_000, locked + FAILURE_WINDOW_MS - now);
      await this.auditRefusal(username, where, 'locked out');
      throw new ApiError(
        'RATE_LIMITED',
        `Too many failed sign-ins. Try again in ${Math.ceil(retryAfterMs / 60_000)} minute(s).`,
        undefined,
        { retryAfterMs },
      );
    }
    const user = await this.store.auth.credentialsByName(username);
    const usable = user !== null && user.passwordHash !== null && user.disabledAt === null;
    const ok = await verifyPassword(
      password,
      usable && user.passwordHash ? user.passwordHash : await decoyHash(),
    );
    await this.store.auth.addAttempt({ at: now, username, address, ok: ok && usable });
    if (!ok || !usable) {
      // The reason is for the admin reading the trail; the caller only ever gets GENERIC_REFUSAL.
      const reason =
        user === null
          ? 'unknown user'
          : user.disabledAt !== null
            ? 'disabled'
            : user.passwordHash === null
              ? 'no password set'
              : 'wrong password';
      await this.auditRefusal(username, where, reason);
      throw new ApiError('UNAUTHENTICATED', GENERIC_REFUSAL);
    }
    await writeAudit(
      this.store,
      { userId: user.userId, name: user.username, role: user.role, ...from(where) },
      { action: 'auth.signIn', subject: user.username },
    );
    return this.openSession(user.userId, where);
  }

  /** A session by its token (a reload); null when it ended or expired. */
  async resume(token: string): Promise<LiveSession | null> {
    const tokenHash = sha256(token);
    const live = this.sessions.get(tokenHash);
    if (live) return this.alive(live) ? live : null;
    const stored = await this.store.auth.session(tokenHash);
    if (!stored) return null;
    if (stored.lastSeenAt + this.options.idleMs() < this.now()) {
      await this.store.auth.removeSession(tokenHash);
      return null;
    }
    const user = await this.store.auth.credentials(stored.userId);
    if (!user || user.disabledAt !== null) return null;
    return this.remember(tokenHash, user, stored.lastSeenAt);
  }

  /** Whether the session still holds; a live one counts as used now. */
  use(session: LiveSession): boolean {
    if (!this.alive(session)) return false;
    const now = this.now();
    session.lastSeenAt = now;
    if (now - session.storedSeenAt >= TOUCH_EVERY_MS) {
      session.storedSeenAt = now;
      this.store.auth
        .touchSession(session.tokenHash, now)
        .catch((error: unknown) => this.options.onError?.('recording a session as used', error));
    }
    return true;
  }

  /** Whether the session holds, without counting as a use (events). */
  alive(session: LiveSession): boolean {
    if (session.ended) return false;
    if (session.lastSeenAt + this.options.idleMs() < this.now()) {
      this.end(session, 'expired');
      return false;
    }
    return true;
  }

  async signOut(
    session: LiveSession,
    where?: { source: PrincipalSource; address: string | undefined },
  ): Promise<void> {
    this.end(session, 'signed_out');
    await this.store.auth.removeSession(session.tokenHash);
    if (where) {
      const { userId, username, role } = session.user;
      await writeAudit(
        this.store,
        { userId, name: username, role, ...from(where) },
        { action: 'auth.signOut', subject: username },
      );
    }
  }

  /** A refused sign-in in the audit trail (never the password); a failing write is only logged. */
  private async auditRefusal(
    username: string,
    where: { source: PrincipalSource; address: string | undefined },
    reason: string,
  ): Promise<void> {
    await writeAudit(
      this.store,
      { userId: null, name: username, role: null, ...from(where) },
      { action: 'auth.signInFailed', subject: username, details: { reason } },
    ).catch((error: unknown) => this.options.onError?.('auditing a failed sign-in', error));
  }

  principal(
    session: LiveSession,
    where: { source: PrincipalSource; address: string | undefined },
  ): Principal {
    const { userId, username, role } = session.user;
    return {
      userId,
      name: username,
      role,
      // Every user is an agent record (the users table): routing offers calls to it.
      agentId: userId,
      source: where.source,
      ...(where.address === undefined ? {} : { address: where.address }),
    };
  }

  whoAmI(session: LiveSession): WhoAmI {
    const { userId, username, displayName, role } = session.user;
    return {
      userId,
      username,
      displayName,
      role,
      agentId: userId,
      idleTimeoutMs: this.options.idleMs(),
    };
  }

  // -------------------------------------------------------------------------------------------
  // The admin's Users page and `outbound user add`.

  async listUsers(): Promise<UserView[]> {
    return (await this.store.auth.list()).map(toUserView);
  }

  async addUser(input: NewUser, actor: Actor): Promise<UserView> {
    const problem = passwordProblem(input.password);
    if (problem) throw new ApiError('INVALID_PARAMS', `password ${problem}`, 'password');
    const hash = await hashPassword(input.password);
    const id = await this.store.transaction(async (tx) => {
      const user = await this.createIn(tx, input, hash);
      await writeAudit(tx, actor, {
        action: 'users.add',
        subject: user.username,
        details: { role: input.role },
      });
      return user.id;
    });
    return this.view(id);
  }

  async setRole(id: number, role: UserRole, actor: Actor): Promise<UserView> {
    await this.store.transaction(async (tx) => {
      const user = await this.existing(tx, id);
      if (user.role === 'admin' && role !== 'admin') await this.keepAnAdmin(tx, user);
      await tx.auth.setRole(id, role);
      await tx.auth.removeUserSessions(id);
      await writeAudit(tx, actor, {
        action: 'users.update',
        subject: user.username,
        details: { role, was: user.role },
      });
    });
    this.revoke(id);
    return this.view(id);
  }

  async setDisabled(id: number, disabled: boolean, actor: Actor): Promise<UserView> {
    await this.store.transaction(async (tx) => {
      const user = await this.existing(tx, id);
      if (disabled && user.role === 'admin') await this.keepAnAdmin(tx, user);
      await tx.auth.setDisabled(id, disabled);
      if (disabled) await tx.auth.removeUserSessions(id);
      await writeAudit(tx, actor, {
        action: disabled ? 'users.disable' : 'users.enable',
        subject: user.username,
        details: {},
      });
    });
    if (disabled) this.revoke(id);
    return this.view(id);
  }

  async resetPassword(id: number, password: string, actor: Actor): Promise<UserView> {
    const problem = passwordProblem(password);
    if (problem) throw new ApiError('INVALID_PARAMS', `password ${problem}`, 'password');
    const hash = await hashPassword(password);
    await this.store.transaction(async (tx) => {
      const user = await this.existing(tx, id);
      await tx.auth.setPassword(id, hash);
      await tx.auth.removeUserSessions(id);
      await writeAudit(tx, actor, {
        action: 'users.resetPassword',
        subject: user.username,
        details: {},
      });
    });
    this.revoke(id);
    return this.view(id);
  }

  // -------------------------------------------------------------------------------------------

  private async createIn(
    tx: Parameters<Parameters<Store['transaction']>[0]>[0],
    input: NewUser,
    hash: string,
  ) {
    const user = await tx.users
      .create({
        username: input.username,
        displayName: input.displayName ?? input.username,
        role: input.role,
        skills: input.skills ?? [],
      })
      .catch((error: unknown) => {
        if (error instanceof StoreError && error.code === 'CONFLICT')
          throw new ApiError(
            'CONFLICT',
            `A user named "${input.username}" already exists`,
            'username',
          );
        throw error;
      });
    await tx.auth.setPassword(user.id, hash);
    return user;
  }

  private async existing(
    tx: Parameters<Parameters<Store['transaction']>[0]>[0],
    id: number,
  ): Promise<CredentialRecord> {
    const user = await tx.auth.credentials(id);
    if (!user) throw new ApiError('NOT_FOUND', `No user with id ${id}`, 'id');
    return user;
  }

  /** Refuses to take away the last admin who can sign in (nobody could manage users after). */
  private async keepAnAdmin(
    tx: Parameters<Parameters<Store['transaction']>[0]>[0],
    user: CredentialRecord,
  ): Promise<void> {
    const usable = user.passwordHash !== null && user.disabledAt === null;
    if (usable && (await tx.auth.activeAdmins()) <= 1)
      throw new ApiError(
        'CONFLICT',
        `${user.username} is the only admin who can sign in: make another admin first`,
      );
  }

  private async view(id: number): Promise<UserView> {
    const user = (await this.store.auth.list()).find((u) => u.userId === id);
    if (!user) throw new ApiError('NOT_FOUND', `No user with id ${id}`, 'id');
    return toUserView(user);
  }

  private async openSession(
    userId: number,
    where: { source: PrincipalSource; address: string | undefined },
  ): Promise<{ token: string; session: LiveSession }> {
    const token = randomBytes(32).toString('base64url');
    const tokenHash = sha256(token);
    const now = this.now();
    await this.store.auth.removeIdleSessions(now - this.options.idleMs());
    await this.store.auth.addSession({
      tokenHash,
      userId,
      source: where.source,
      address: where.address ?? null,
      createdAt: now,
      lastSeenAt: now,
    });
    const user = await this.store.auth.credentials(userId);
    if (!user) throw new ApiError('NOT_FOUND', `No user with id ${userId}`);
    return { token, session: this.remember(tokenHash, user, now) };
  }

  private remember(tokenHash: string, user: CredentialRecord, lastSeenAt: number): LiveSession {
    const session: LiveSession = {
      tokenHash,
      user: {
        userId: user.userId,
        username: user.username,
        displayName: user.displayName,
        role: user.role,
      },
      lastSeenAt,
      storedSeenAt: lastSeenAt,
      ended: null,
    };
    this.sessions.set(tokenHash, session);
    return session;
  }

  private end(session: LiveSession, why: NonNullable<LiveSession['ended']>): void {
    session.ended ??= why;
    this.sessions.delete(session.tokenHash);
    if (why === 'expired')
      this.store.auth
        .removeSession(session.tokenHash)
        .catch((error: unknown) => this.options.onError?.('removing an expired session', error));
  }

  private revoke(userId: number): void {
    for (const session of [...this.sessions.values()])
      if (session.user.userId === userId) this.end(session, 'revoked');
  }
}

function toUserView(
  user: CredentialRecord & { hasPassword: boolean; createdAt: number },
): UserView {
  return {
    id: user.userId,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    hasPassword: user.hasPassword,
    disabled: user.disabledAt !== null,
    createdAt: user.createdAt,
  };
}

/** Where a request came from, as the audit trail stores it. */
function from(where: { source: PrincipalSource; address: string | undefined }): {
  source: PrincipalSource;
  address?: string;
} {
  return where.address === undefined
    ? { source: where.source }
    : { source: where.source, address: where.address };
}
