import { describe, expect, it } from 'vitest';

import { useTestStores } from '../testing/temp.js';

const testStore = useTestStores();

describe('audit repository', () => {
  it('records entries and lists them newest first with paging', async () => {
    const store = await testStore({ now: () => 5_000 });
    await store.audit.add({
      actor: 'amy',
      action: 'campaign.start',
      subject: 'Renewals',
      details: { from: 'draft' },
    });
    await store.audit.add({ actor: 'engine', action: 'engine.start', subject: null });
    await store.audit.add({ actor: 'cli', action: 'contacts.import', subject: 'Leads', at: 1_234 });
    const entries = await store.audit.list();
    expect(entries.map(({ id: _id, ...rest }) => rest)).toEqual([
      { at: 1_234, actor: 'cli', action: 'contacts.import', subject: 'Leads', details: {} },
      { at: 5_000, actor: 'engine', action: 'engine.start', subject: null, details: {} },
      {
        at: 5_000,
        actor: 'amy',
        action: 'campaign.start',
        subject: 'Renewals',
        details: { from: 'draft' },
      },
    ]);
    expect((await store.audit.list({ limit: 1, offset: 2 })).map((e) => e.actor)).toEqual(['amy']);
  });
});
