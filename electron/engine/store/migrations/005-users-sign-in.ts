/**
 * Schema 5: sign-in (issue 13). The users table (agents, supervisors, admins) gains a password and a
 * disabled flag; sessions and sign-in attempts get tables of their own.
 *
 * - users.password_hash: the scrypt hash (auth/password.ts; never the password). NULL: the user
 *   cannot sign in yet (an agent created before sign-in existed, until an admin sets a password).
 * - users.disabled_at: a disabled user cannot sign in and their sessions end; the row stays, since
 *   calls and audit entries name it.
 * - sessions: one row per signed-in console, keyed by the SHA-256 of its token (the token itself is
 *   only ever in the console's memory), with the time it was last used for the idle expiry.
 * - sign_in_attempts: every attempt by the name typed (known or not) and the source address, for
 *   the per-user and per-source lockouts; a success clears a user's earlier failures.
 */
export const usersSignIn = {
  version: 5,
  name: 'users sign-in',
  up: `
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN disabled_at INTEGER;

CREATE TABLE sessions (
  token_hash   TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
  user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  source       TEXT NOT NULL CHECK (source IN ('ipc', 'ws', 'cli')),
  address      TEXT,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE sign_in_attempts (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  username TEXT NOT NULL,
  address  TEXT NOT NULL,
  ok       INTEGER NOT NULL CHECK (ok IN (0, 1))
) STRICT;
CREATE INDEX sign_in_attempts_by_user ON sign_in_attempts (username, at);
CREATE INDEX sign_in_attempts_by_address ON sign_in_attempts (address, at);
`,
};
