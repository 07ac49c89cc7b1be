/**
 * Commands on a call another seat holds (schema 14, seat-command-types.ts). Adding one and
 * finishing one notify the `commands` topic, so the call's seat (and the sender waiting for the
 * result) wake and re-read the row; the notification is never the data (change-feed.ts).
 */
import { createChangeNotifier } from '../change-feed.js';
import type {
  SeatCommandErrorCode,
  SeatCommandKind,
  SeatCommandRecord,
  SeatCommandRepository,
  SeatCommandState,
} from '../seat-command-types.js';
import { decodeJsonObject, encodeJson } from './codec.js';
import type { RepositoryContext } from './context.js';

interface CommandRow {
  id: number;
  call_id: string;
  call_seat: string;
  from_seat: string;
  user_id: number | null;
  kind: SeatCommandKind;
  args: string | null;
  state: SeatCommandState;
  result: string | null;
  error_code: SeatCommandErrorCode | null;
  error: string | null;
  created_at: number;
  changed_at: number;
}

const COLUMNS =
  'id, call_id, call_seat, from_seat, user_id, kind, args, state, result, error_code, error, created_at, changed_at';

function toCommand(row: CommandRow): SeatCommandRecord {
  const what = `seat command ${row.id}`;
  return {
    id: Number(row.id),
    callId: row.call_id,
    callSeat: row.call_seat,
    fromSeat: row.from_seat,
    userId: row.user_id === null ? null : Number(row.user_id),
    kind: row.kind,
    args: row.args === null ? null : decodeJsonObject(row.args, `${what} args`),
    state: row.state,
    result: row.result === null ? null : decodeJsonObject(row.result, `${what} result`),
    errorCode: row.error_code,
    error: row.error,
    createdAt: Number(row.created_at),
    changedAt: Number(row.changed_at),
  };
}

export function createSeatCommandRepository({ db, now }: RepositoryContext): SeatCommandRepository {
  const changes = createChangeNotifier(db);
  return {
    async add(command) {
      const at = now();
      const row = await db.get<CommandRow>(
        `INSERT INTO seat_commands (call_id, call_seat, from_seat, user_id, kind, args, state, created_at, changed_at)
         VALUES ($call, $call_seat, $from_seat, $user, $kind, $args, 'pending', $at, $at)
         RETURNING ${COLUMNS}`,
        {
          $call: command.callId,
          $call_seat: command.callSeat,
          $from_seat: command.fromSeat,
          $user: command.userId,
          $kind: command.kind,
          $args: encodeJson(command.args),
          $at: at,
        },
      );
      if (!row)
        throw new Error(
          `Storing a ${command.kind} command for call ${command.callId} returned no row`,
        );
      await changes.notify('commands');
      return toCommand(row);
    },

    async get(id) {
      const row = await db.get<CommandRow>(`SELECT ${COLUMNS} FROM seat_commands WHERE id = $id`, {
        $id: id,
      });
      return row ? toCommand(row) : null;
    },

    async pendingFor(callSeat) {
      // The IN term repeats the partial index's predicate, so SQLite's planner uses it too.
      const rows = await db.all<CommandRow>(
        `SELECT ${COLUMNS} FROM seat_commands
         WHERE call_seat = $seat AND state IN ('pending', 'running') AND state = 'pending'
         ORDER BY id`,
        { $seat: callSeat },
      );
      return rows.map(toCommand);
    },

    async claim(id) {
      const { changes: n } = await db.run(
        `UPDATE seat_commands SET state = 'running', changed_at = $at WHERE id = $id AND state = 'pending'`,
        { $id: id, $at: now() },
      );
      return n > 0;
    },

    async finish(id, from, outcome) {
      const params: Record<string, string | number | null> = {
        $id: id,
        $to: outcome.state,
        $result: outcome.state === 'done' ? encodeJson(outcome.result) : null,
        $code: outcome.state === 'failed' ? outcome.errorCode : null,
        $error: outcome.state === 'failed' ? outcome.error.slice(0, 1000) : null,
        $at: now(),
      };
      const states = from.map((state, i) => {
        params[`$from${i}`] = state;
        return `$from${i}`;
      });
      if (states.length === 0) return false;
      const { changes: n } = await db.run(
        `UPDATE seat_commands SET state = $to, result = $result, error_code = $code, error = $error,
           args = NULL, changed_at = $at
         WHERE id = $id AND state IN (${states.join(', ')})`,
        params,
      );
      if (n > 0) await changes.notify('commands');
      return n > 0;
    },

    async prune(beforeMs) {
      const { changes: n } = await db.run(
        "DELETE FROM seat_commands WHERE state IN ('done', 'failed') AND changed_at < $before",
        { $before: beforeMs },
      );
      return n;
    },
  };
}
