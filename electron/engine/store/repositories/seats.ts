/**
 * Seat lines, agents' seats and seat legs (schema 13, seat-types.ts). Every write notifies the
 * `agents` topic, so the other seats wake and re-read the rows (change-feed.ts).
 */
import { createChangeNotifier } from '../change-feed.js';
import type {
  NewSeatLeg,
  SeatLegMode,
  SeatLegRecord,
  SeatLegRole,
  SeatLegState,
  SeatRepository,
} from '../seat-types.js';
import { decodeJsonObject, encodeJson } from './codec.js';
import { notFound, type RepositoryContext } from './context.js';

interface LegRow {
  call_id: string;
  role: SeatLegRole;
  call_seat: string;
  user_seat: string;
  user_id: number;
  state: SeatLegState;
  mode: SeatLegMode | null;
  context: string | null;
  expires_at: number | null;
  detail: string | null;
  changed_at: number;
}

const LEG_COLUMNS =
  'call_id, role, call_seat, user_seat, user_id, state, mode, context, expires_at, detail, changed_at';

function toLeg(row: LegRow): SeatLegRecord {
  return {
    callId: row.call_id,
    role: row.role,
    callSeat: row.call_seat,
    userSeat: row.user_seat,
    userId: Number(row.user_id),
    state: row.state,
    mode: row.mode,
    context:
      row.context === null
        ? null
        : decodeJsonObject(row.context, `seat leg ${row.call_id}/${row.role} context`),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    detail: row.detail,
    changedAt: Number(row.changed_at),
  };
}

export function createSeatRepository({ db, now }: RepositoryContext): SeatRepository {
  const changes = createChangeNotifier(db);
  return {
    async setLine(seatId, uri) {
      await db.run(
        `INSERT INTO seat_lines (seat_id, uri, updated_at) VALUES ($seat, $uri, $at)
         ON CONFLICT (seat_id) DO UPDATE SET uri = excluded.uri, updated_at = excluded.updated_at`,
        { $seat: seatId, $uri: uri, $at: now() },
      );
    },

    async line(seatId) {
      const row = await db.get<{ uri: string }>(
        'SELECT uri FROM seat_lines WHERE seat_id = $seat',
        {
          $seat: seatId,
        },
      );
      return row?.uri ?? null;
    },

    async setUserSeat(userId, seatId) {
      const { changes: n } = await db.run('UPDATE users SET seat_id = $seat WHERE id = $id', {
        $id: userId,
        $seat: seatId,
      });
      if (n === 0) throw notFound(`User ${userId} does not exist.`);
      await changes.notify('agents');
    },

    async userSeats() {
      const rows = await db.all<{ id: number; seat_id: string | null }>(
        'SELECT id, seat_id FROM users ORDER BY id',
      );
      return rows.map((r) => ({ id: Number(r.id), seatId: r.seat_id }));
    },

    async putLeg(leg: NewSeatLeg) {
      await db.run(
        `INSERT INTO seat_legs (${LEG_COLUMNS})
         VALUES ($call, $role, $call_seat, $user_seat, $user, $state, $mode, $context, $expires, $detail, $at)
         ON CONFLICT (call_id, role) DO UPDATE SET call_seat = excluded.call_seat,
           user_seat = excluded.user_seat, user_id = excluded.user_id, state = excluded.state,
           mode = excluded.mode, context = excluded.context, expires_at = excluded.expires_at,
           detail = excluded.detail, changed_at = excluded.changed_at`,
        {
          $call: leg.callId,
          $role: leg.role,
          $call_seat: leg.callSeat,
          $user_seat: leg.userSeat,
          $user: leg.userId,
          $state: leg.state,
          $mode: leg.mode,
          $context: leg.context === null ? null : encodeJson(leg.context),
          $expires: leg.expiresAt,
          $detail: leg.detail,
          $at: now(),
        },
      );
      await changes.notify('agents');
    },

    async moveLeg(callId, role, to, options) {
      const params: Record<string, string | number | null> = {
        $call: callId,
        $role: role,
        $to: to,
        $mode: options.mode ?? null,
        $detail: options.detail ?? null,
        $at: now(),
      };
      const from = options.from.map((state, i) => {
        params[`$from${i}`] = state;
        return `$from${i}`;
      });
      if (from.length === 0) return false;
      const { changes: n } = await db.run(
        `UPDATE seat_legs SET state = $to, changed_at = $at,
           mode = COALESCE($mode, mode), detail = COALESCE($detail, detail),
           context = CASE WHEN $to = 'ended' THEN NULL ELSE context END
         WHERE call_id = $call AND role = $role AND state IN (${from.join(', ')})`,
        params,
      );
      if (n > 0) await changes.notify('agents');
      return n > 0;
    },

    async leg(callId, role) {
      const row = await db.get<LegRow>(
        `SELECT ${LEG_COLUMNS} FROM seat_legs WHERE call_id = $call AND role = $role`,
        { $call: callId, $role: role },
      );
      return row ? toLeg(row) : null;
    },

    async liveCallSeat(callId) {
      const row = await db.get<{ seat_id: string | null }>(
        "SELECT seat_id FROM calls WHERE id = $id AND state <> 'done' AND ended_at IS NULL",
        { $id: callId },
      );
      return row?.seat_id ?? null;
    },

    async legsOf(seatId, sinceMs) {
      const rows = await db.all<LegRow>(
        `SELECT ${LEG_COLUMNS} FROM seat_legs
         WHERE (call_seat = $seat OR user_seat = $seat) AND (state <> 'ended' OR changed_at >= $since)
         ORDER BY changed_at, call_id`,
        { $seat: seatId, $since: sinceMs },
      );
      return rows.map(toLeg);
    },
  };
}
