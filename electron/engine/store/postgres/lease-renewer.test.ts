/**
 * The lease renewer on a connection of its own, on a real PostgreSQL: while the store's writer
 * lane is held by a long transaction, the renewer's UPDATE lands at once (the store's own renewal
 * waits for the transaction), renews exactly the owner's leases, and reopens after close().
 */
import { afterAll, describe, expect, it } from 'vitest';

import { freshPostgresUrl, sharedPostgres } from '../../../../test/support/postgres.js';
import { seedCampaign } from '../../dialer/testing/seats.js';
import { pgLeaseRenewer } from './lease-renewer.js';
import { openPostgresStore } from './store.js';

afterAll(async () => (await sharedPostgres()).stop());

describe('pgLeaseRenewer', () => {
  it('renews a seat’s leases while the store’s lane is held by a long transaction', async () => {
    const url = await freshPostgresUrl();
    const store = await openPostgresStore({ url });
    const renewer = pgLeaseRenewer(url);
    try {
      const { campaign } = await seedCampaign(store, { contacts: 6, name: 'Renew' });
      await store.campaignContacts.enroll(campaign.id, campaign.listId!, 0);
      // Four leases of seat-x, two of seat-y (what a pass would leave; no calls needed here).
      await store.database.run(
        `UPDATE campaign_contacts SET status = 'leased', lease_call_id = 'call-' || contact_id,
           leased_at = 1, lease_expires_at = 1,
           lease_owner = CASE WHEN contact_id <= (SELECT min(contact_id) + 3 FROM campaign_contacts) THEN 'seat-x' ELSE 'seat-y' END`,
      );
      let released!: () => void;
      const held = new Promise<void>((resolve) => (released = resolve));
      const order: string[] = [];
      const long = store.transaction(async () => {
        await held;
        order.push('transaction done');
      });
      const throughStore = store.campaignContacts
        .renewLeases('seat-x', 5_000)
        .then((n) => order.push(`store renewed ${n}`));
      const renewed = await renewer.renewLeases('seat-x', 9_000);
      order.push(`renewer renewed ${renewed}`);
      released();
      await Promise.all([long, throughStore]);
      expect(order).toEqual(['renewer renewed 4', 'transaction done', 'store renewed 4']);
      const rows = await store.database.all<{ owner: string; expires: number }>(
        'SELECT lease_owner AS owner, lease_expires_at AS expires FROM campaign_contacts ORDER BY contact_id',
      );
      expect(rows.filter((r) => r.owner === 'seat-y').map((r) => r.expires)).toEqual([1, 1]);
      await renewer.close();
      // Opened again on the next use.
      expect(await renewer.renewLeases('seat-y', 7_000)).toBe(2);
    } finally {
      await renewer.close();
      await store.close();
    }
  });
});
