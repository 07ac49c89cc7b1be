/**
 * Leaves a hot rollback journal behind, as a crash of a program using journal_mode=DELETE would:
 * switches the database to a rollback journal, writes a large uncommitted transaction into the
 * audit log (big enough to spill into the database file), then kills itself with SIGKILL.
 *
 * Usage: hot-journal.ts <database path>
 */
import sqlite3 from 'sqlite3';

const [path] = process.argv.slice(2);
if (!path) {
  console.error('usage: hot-journal.ts <database path>');
  process.exit(2);
}

const db = new sqlite3.Database(path);
db.exec(
  `PRAGMA journal_mode = DELETE;
   PRAGMA cache_size = 10;
   BEGIN;
   WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
   INSERT INTO audit_log (at, actor, action, subject) SELECT i, 'crash', 'uncommitted', hex(randomblob(500)) FROM n;`,
  (error) => {
    if (error) {
      console.error(error);
      process.exit(1);
    }
    // Referring to `db` here keeps it from being garbage-collected (and closed) before the kill.
    if (db) process.kill(process.pid, 'SIGKILL');
  },
);
