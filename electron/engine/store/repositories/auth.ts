/** Sign-in's rows (schema 5): users' password hashes and disabled flags, sessions, attempts. */
import type { AuthRepository, CredentialRecord, SessionRecord } from '../auth-types.js';
import type { SqlValue } from '../database.js';
import { notFound, type RepositoryContext } from './context.js';

interface CredentialRow {
  id: number;
  username: string;
  display_name: string;
  role: CredentialRecord['role'];
  password_hash: string | null;
  disabled_at: number | null;
  created_at: number;
}

interface SessionRow {
  token_hash: string;
  user_id: number;
  source: SessionRecord['source'];
  address: string | null;
  created_at: number;
  last_seen_at: number;
}

const COLUMNS = 'id, username, display_name, role, password_hash, disabled_at, created_at';

function toCredential(row: CredentialRow): CredentialRecord {
  return {
    userId: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    passwordHash: row.password_hash,
    disabledAt: row.disabled_at,
  };
}

function toSession(row: SessionRow): SessionRecord {
  return {
    tokenHash: row.token_hash,
    userId: row.user_id,
    source: row.source,
    address: row.address,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
  };
}

export function createAuthRepository({ db, now }: RepositoryContext): AuthRepository {
  const update = async (userId: number, sql: string, params: Record<string, SqlValue>) => {
    const { changes } = await db.run(sql, { $id: userId, ...params });
    if (changes === 0) throw notFound(`User ${userId} does not exist.`);
  };
  const failures = async (sql: string, params: Record<string, SqlValue>) => {
    const row = await db.get<{ count: number; last: number | null }>(sql, params);
    return { count: row?.count ?? 0, last: row?.last ?? null };
  };
  return {
    async credentialsByName(username) {
      const row = await db.get<CredentialRow>(
        `SELECT ${COLUMNS} FROM users WHERE username = $username`,
        { $username: username },
      );
      return row ? toCredential(row) : null;
    },
    async credentials(userId) {
      const row = await db.get<CredentialRow>(`SELECT ${COLUMNS} FROM users WHERE id = $id`, {
        $id: userId,
      });
      return row ? toCredential(row) : null;
    },
    async activeAdmins() {
      const row = await db.get<{ count: number }>(
        `SELECT count(*) AS count FROM users
         WHERE role = 'admin' AND password_hash IS NOT NULL AND disabled_at IS NULL`,
      );
      return row?.count ?? 0;
    },
    setPassword: (userId, passwordHash) =>
      update(userId, 'UPDATE users SET password_hash = $hash WHERE id = $id', {
        $hash: passwordHash,
      }),
    setDisabled: (userId, disabled) =>
      update(userId, 'UPDATE users SET disabled_at = $at WHERE id = $id', {
        $at: disabled ? now() : null,
      }),
    setRole: (userId, role) =>
      update(userId, 'UPDATE users SET role = $role WHERE id = $id', { $role: role }),
    async list() {
      const rows = await db.all<CredentialRow>(`SELECT ${COLUMNS} FROM users ORDER BY username`);
      return rows.map((row) => ({
        ...toCredential(row),
        hasPassword: row.password_hash !== null,
        createdAt: row.created_at,
      }));
    },

    async addSession(session) {
      await db.run(
        `INSERT INTO sessions (token_hash, user_id, source, address, created_at, last_seen_at)
         VALUES ($token_hash, $user_id, $source, $address, $created_at, $last_seen_at)`,
        {
          $token_hash: session.tokenHash,
          $user_id: session.userId,
          $source: session.source,
          $address: session.address,
          $created_at: session.createdAt,
          $last_seen_at: session.lastSeenAt,
        },
      );
    },
    async session(tokenHash) {
      const row = await db.get<SessionRow>(
        'SELECT * FROM sessions WHERE token_hash = $token_hash',
        { $token_hash: tokenHash },
      );
      return row ? toSession(row) : null;
    },
    async touchSession(tokenHash, at) {
      await db.run('UPDATE sessions SET last_seen_at = $at WHERE token_hash = $token_hash', {
        $at: at,
        $token_hash: tokenHash,
      });
    },
    async removeSession(tokenHash) {
      await db.run('DELETE FROM sessions WHERE token_hash = $token_hash', {
        $token_hash: tokenHash,
      });
    },
    async removeUserSessions(userId) {
      return (await db.run('DELETE FROM sessions WHERE user_id = $id', { $id: userId })).changes;
    },
    async removeIdleSessions(before) {
      return (
        await db.run('DELETE FROM sessions WHERE last_seen_at < $before', { $before: before })
      ).changes;
    },

    async addAttempt({ at, username, address, ok }) {
      await db.run(
        `INSERT INTO sign_in_attempts (at, username, address, ok) VALUES ($at, $username, $address, $ok)`,
        { $at: at, $username: username, $address: address, $ok: ok ? 1 : 0 },
      );
    },
    failuresForUser: (username, since) =>
      failures(
        `SELECT count(*) AS count, max(at) AS last FROM sign_in_attempts
         WHERE username = $username AND ok = 0 AND at >= $since
           AND at > coalesce((SELECT max(at) FROM sign_in_attempts WHERE username = $username AND ok = 1), -1)`,
        { $username: username, $since: since },
      ),
    failuresFromAddress: (address, since) =>
      failures(
        `SELECT count(*) AS count, max(at) AS last FROM sign_in_attempts
         WHERE address = $address AND ok = 0 AND at >= $since`,
        { $address: address, $since: since },
      ),
  };
}
