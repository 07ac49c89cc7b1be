/**
 * Seat lines, agents' seats and seat legs (schema 13, seat-types.ts). Every write notifies the
 * `agents` topic, so the other seats wake and re-read the rows (change-feed.ts).
 */
import { createChangeNotifier } from '../change-feed.js';
import type {
  NewSeatLeg,
  RecordingPartRecord,
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

    async moveCall(callId, from, to) {
      const moved = await db.transaction(async (tx) => {
        const { changes: n } = await tx.run(
          `UPDATE calls SET seat_id = $to
           WHERE id = $id AND seat_id = $from AND state <> 'done' AND ended_at IS NULL`,
          { $id: callId, $from: from, $to: to },
        );
        if (n === 0) return false;
        // The lease follows: the new seat's heartbeat renews it and its dialer settles it.
        await tx.run(
          `UPDATE campaign_contacts SET lease_owner = $to
           WHERE lease_call_id = $id AND status = 'leased' AND lease_owner = $from`,
          { $id: callId, $from: from, $to: to },
        );
        return true;
      });
      if (moved) await changes.notify('agents');
      return moved;
    },

    async addRecordingPart(part) {
      const createdAt = now();
      const row = await db.get<PartRow>(
        `INSERT INTO recording_parts (call_id, part, seat_id, path, channels, sample_rate, duration_ms, bytes, started_at, created_at)
         VALUES ($call, (SELECT COALESCE(MAX(part), 1) + 1 FROM recording_parts WHERE call_id = $call),
                 $seat, $path, $channels, $rate, $duration, $bytes, $started, $created)
         RETURNING ${PART_COLUMNS}`,
        {
          $call: part.callId,
          $seat: part.seatId,
          $path: part.path,
          $channels: part.channels,
          $rate: part.sampleRate,
          $duration: part.durationMs,
          $bytes: part.bytes,
          $started: part.startedAt,
          $created: createdAt,
        },
      );
      if (!row) throw notFound(`Call ${part.callId} does not exist.`);
      return toPart(row);
    },

    async recordingParts(callId) {
      const rows = await db.all<PartRow>(
        `SELECT ${PART_COLUMNS} FROM recording_parts WHERE call_id = $call ORDER BY part`,
        { $call: callId },
      );
      return rows.map(toPart);
    },
  };
}

interface PartRow {
  call_id: string;
  part: number;
  seat_id: string | null;
  path: string;
  channels: number;
  sample_rate: number;
  duration_ms: number;
  bytes: number;
  started_at: number;
  created_at: number;
}

const PART_COLUMNS =
  'call_id, part, seat_id, path, channels, sample_rate, duration_ms, bytes, started_at, created_at';

function toPart(row: PartRow): RecordingPartRecord {
  return {
    callId: row.call_id,
    part: Number(row.part),
    seatId: row.seat_id,
    path: row.path,
    channels: Number(row.channels),
    sampleRate: Number(row.sample_rate),
    durationMs: Number(row.duration_ms),
    bytes: Number(row.bytes),
    startedAt: Number(row.started_at),
    createdAt: Number(row.created_at),
  };
}
