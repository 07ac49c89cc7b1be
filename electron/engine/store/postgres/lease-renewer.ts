/**
 * A seat's lease heartbeat on a PostgreSQL connection of its own (issue 16 §2). The store's writer
 * lane runs its statements one after another, a transaction holding it from BEGIN to COMMIT: on a
 * loaded seat a renewal queued there waits behind a dialer pass's transaction or a burst of call
 * writes, and a lease can expire while its call is alive (another seat's reaper then closes a live
 * call as `seat_lost`). The renewer is one UPDATE (the repository's own SQL) on a one-connection
 * pool, opened on first use and reopened after a failure; the dialer falls back to the store when
 * it cannot be reached.
 */
import { createCampaignContactRepository } from '../repositories/campaign-contacts.js';
import { PgDatabase } from './database.js';

export interface LeaseRenewer {
  /** Sets the expiry of every lease `owner` holds; returns how many. */
  renewLeases(owner: string, expiresAt: number): Promise<number>;
  close(): Promise<void>;
}

export function pgLeaseRenewer(url: string): LeaseRenewer {
  let opened: Promise<PgDatabase> | null = null;
  const open = (): Promise<PgDatabase> =>
    (opened ??= PgDatabase.open(url, { max: 1, applicationName: 'outbound-leases' }).catch(
      (error: unknown) => {
        opened = null;
        throw error;
      },
    ));
  return {
    async renewLeases(owner, expiresAt) {
      const db = await open();
      return createCampaignContactRepository({ db, now: Date.now }).renewLeases(owner, expiresAt);
    },
    async close() {
      const db = await opened?.catch(() => null);
      opened = null;
      await db?.close();
    },
  };
}
