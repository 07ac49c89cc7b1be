/** The store's side of sign-in (schema 5): users' credentials, sessions, sign-in attempts. */
import type { AgentRole } from '../api/contract.js';

export interface CredentialRecord {
  userId: number;
  username: string;
  displayName: string;
  role: AgentRole;
  /** NULL: no password set, the user cannot sign in. */
  passwordHash: string | null;
  disabledAt: number | null;
}

export interface SessionRecord {
  tokenHash: string;
  userId: number;
  source: 'ipc' | 'ws' | 'cli';
  address: string | null;
  createdAt: number;
  lastSeenAt: number;
}

export interface AuthRepository {
  /** By sign-in name; null when no such user. */
  credentialsByName(username: string): Promise<CredentialRecord | null>;
  credentials(userId: number): Promise<CredentialRecord | null>;
  /** Users who can sign in as admin (a password, not disabled): 0 means the first admin is still to be made. */
  activeAdmins(): Promise<number>;
  setPassword(userId: number, passwordHash: string): Promise<void>;
  setDisabled(userId: number, disabled: boolean): Promise<void>;
  setRole(userId: number, role: AgentRole): Promise<void>;
  /** Every user's sign-in state, for the Users page. */
  list(): Promise<Array<CredentialRecord & { hasPassword: boolean; createdAt: number }>>;

  addSession(session: SessionRecord): Promise<void>;
  session(tokenHash: string): Promise<SessionRecord | null>;
  touchSession(tokenHash: string, at: number): Promise<void>;
  removeSession(tokenHash: string): Promise<void>;
  /** Ends every session of a user (disabled, password reset, role changed). */
  removeUserSessions(userId: number): Promise<number>;
  /** Sessions idle since before `before`. */
  removeIdleSessions(before: number): Promise<number>;

  addAttempt(attempt: {
    at: number;
    username: string;
    address: string;
    ok: boolean;
  }): Promise<void>;
  /** Failures for a name since `since` and since its last success. */
  failuresForUser(username: string, since: number): Promise<{ count: number; last: number | null }>;
  /** Failures from a source address since `since`. */
  failuresFromAddress(
    address: string,
    since: number,
  ): Promise<{ count: number; last: number | null }>;
}
