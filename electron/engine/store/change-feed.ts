/**
 * Wake-ups between seats sharing one store (issue 16 §2): a seat that changes something others
 * act on (a campaign started, paused or stopped, the DNC list, agents' states) notifies a topic;
 * the other seats listening on it wake up and re-read the rows. A notification carries no data:
 * what changed is always read from the store, so a lost or merged notification costs latency,
 * never correctness (the dialer also polls).
 *
 * PostgreSQL: NOTIFY through the writer's executor, so inside a transaction it is sent at COMMIT
 * (never before the rows are visible, never for a rolled-back change), and LISTEN on a connection
 * of its own (postgres/listen.ts). SQLite has one seat: both are no-ops.
 */
import type { SqlExecutor } from './database.js';

/** `commands`: a command for a call another seat holds, written or finished (seats/command-relay.ts). */
export type ChangeTopic = 'campaigns' | 'dnc' | 'agents' | 'commands';

export const CHANGE_TOPICS: readonly ChangeTopic[] = ['campaigns', 'dnc', 'agents', 'commands'];

/** The PostgreSQL channel of a topic (a constant identifier, never user input). */
export function channelOf(topic: ChangeTopic): string {
  return `outbound_${topic}`;
}

/** Bound to an executor like the repositories: inside a transaction, sent when it commits. */
export interface ChangeNotifier {
  notify(topic: ChangeTopic): Promise<void>;
}

/** Calls `onWake` when another seat notified `topic` (or the listener reconnected). */
export type ChangeListen = (topic: ChangeTopic, onWake: () => void) => () => void;

export function createChangeNotifier(db: SqlExecutor): ChangeNotifier {
  return {
    async notify(topic) {
      if (db.dialect.name !== 'postgres') return;
      await db.get('SELECT pg_notify($channel, $payload) AS sent', {
        $channel: channelOf(topic),
        $payload: '',
      });
    },
  };
}

/** One seat (SQLite): nobody else to hear from. */
export const listenNowhere: ChangeListen = () => () => undefined;
