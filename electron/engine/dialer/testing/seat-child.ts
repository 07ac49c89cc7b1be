/**
 * A seat in a process of its own, for the tests that kill it with SIGKILL mid-campaign
 * (test/e2e/seats-shared-campaign.test.ts): opens the PostgreSQL store at argv[2], runs a Dialer
 * as seat argv[3] with lease expiry argv[4] ms and heartbeat argv[5] ms over a line whose calls
 * never end (at most 300 at once), and prints `held N` (its leases of dialing calls) every 100 ms until killed.
 */
import { openPostgresStore } from '../../store/postgres/store.js';
import { ScriptedLine, seatDialer } from './seats.js';

const [url, seatId, expiry, heartbeat] = process.argv.slice(2);
if (!url || !seatId) throw new Error('usage: seat-child.ts URL SEAT_ID EXPIRY_MS HEARTBEAT_MS');
const store = await openPostgresStore({ url, max: 2 });
const dialer = seatDialer(
  store,
  new ScriptedLine(store, Date.now, null),
  { id: seatId, leaseExpiryMs: Number(expiry), heartbeatMs: Number(heartbeat) },
  // A desk's worth of lines: the other seats get their share of the campaign.
  { pollMs: 200, maxCalls: 300 },
);
dialer.start();
setInterval(() => {
  void store.database
    .get<{ n: number }>(
      `SELECT count(*) AS n FROM calls WHERE seat_id = $seat AND state = 'dialing'`,
      { $seat: seatId },
    )
    .then((row) => console.log(`held ${row?.n ?? 0}`));
}, 100);
