/**
 * Holds a lock on a SQLite file until killed, as another running program would.
 * Usage: hold-lock.ts <database path> <write|exclusive>
 *   write:     an open write transaction (BEGIN IMMEDIATE)
 *   exclusive: exclusive locking mode, which shuts out readers too
 * Prints "locked" once the lock is held.
 */
import sqlite3 from 'sqlite3';

const [path, mode] = process.argv.slice(2);
if (!path || (mode !== 'write' && mode !== 'exclusive')) {
  console.error('usage: hold-lock.ts <database path> <write|exclusive>');
  process.exit(2);
}

const sql =
  mode === 'write'
    ? 'BEGIN IMMEDIATE'
    : 'PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; SELECT count(*) FROM sqlite_schema;';
const db = new sqlite3.Database(path);
db.exec(sql, (error) => {
  if (error) {
    console.error(error);
    process.exit(1);
  }
  console.log('locked');
});
// Stay alive, holding the lock, until the test kills us. The timer refers to `db` on purpose:
// otherwise nothing does, and garbage collection would close the connection and drop the lock.
setInterval(() => void db, 60_000);
