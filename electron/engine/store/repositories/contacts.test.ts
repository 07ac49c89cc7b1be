import { expect, it } from 'vitest';

import { describeBackends } from '../testing/backends.js';

describeBackends('contact repository', (testStore) => {
  it('creates lists with their custom fields', async () => {
    const store = await testStore({ now: () => 1_000 });
    const fields = [
      { name: 'amount', type: 'number' as const, label: 'Amount due' },
      { name: 'tags', type: 'tags' as const },
    ];
    const list = await store.contacts.createList({
      name: 'Spring',
      description: 'Leads from the fair',
      defaultRegion: 'US',
      fields,
    });
    expect(list).toEqual({
      id: list.id,
      name: 'Spring',
      description: 'Leads from the fair',
      defaultRegion: 'US',
      fields,
      createdAt: 1_000,
    });
    expect(await store.contacts.getListByName('Spring')).toEqual(list);
    expect(await store.contacts.getListByName('Autumn')).toBeNull();
  });

  it('gives a list without a region the one from Settings, else CN', async () => {
    const store = await testStore();
    expect((await store.contacts.createList({ name: 'a' })).defaultRegion).toBe('CN');
    await store.settings.setMany({ defaultRegion: 'GB' });
    expect((await store.contacts.createList({ name: 'b' })).defaultRegion).toBe('GB');
    expect(
      (await store.contacts.lists()).map((l) => [l.name, l.defaultRegion, l.description, l.fields]),
    ).toEqual([
      ['a', 'CN', '', []],
      ['b', 'GB', '', []],
    ]);
  });

  it('inserts new numbers and merges known ones: fields merged, name, zone and consent kept unless given', async () => {
    let now = 1_000;
    const store = await testStore({ now: () => now });
    const list = await store.contacts.createList({ name: 'list' });
    expect(
      await store.contacts.upsertContacts(list.id, [
        {
          phone: '+8613800138000',
          name: 'Wang Wei',
          timeZone: 'Asia/Shanghai',
          fields: { amount: 100, vip_level: 2 },
          consentSource: 'web form',
          consentAt: 500,
        },
        { phone: '+12025550100', consentSource: 'old', consentAt: 400 },
      ]),
    ).toEqual({ inserted: 2, merged: 0 });

    now = 2_000;
    expect(
      await store.contacts.upsertContacts(list.id, [
        { phone: '+8613800138000', fields: { amount: 250, tags: ['vip'] } },
        // A new consent record replaces the stored one as a whole (here: a time, no source).
        { phone: '+12025550100', name: 'John', consentAt: 1_500 },
        { phone: '+447700900123', name: 'Ann' },
        { phone: '+447700900123', fields: { note: 'listed twice' } },
      ]),
    ).toEqual({ inserted: 1, merged: 3 });

    const contacts = await store.contacts.contacts(list.id);
    expect(contacts.map(({ id: _id, listId: _listId, ...rest }) => rest)).toEqual([
      {
        phone: '+8613800138000',
        name: 'Wang Wei',
        timeZone: 'Asia/Shanghai',
        fields: { amount: 250, vip_level: 2, tags: ['vip'] },
        consentSource: 'web form',
        consentAt: 500,
        createdAt: 1_000,
        updatedAt: 2_000,
      },
      {
        phone: '+12025550100',
        name: 'John',
        timeZone: null,
        fields: {},
        consentSource: null,
        consentAt: 1_500,
        createdAt: 1_000,
        updatedAt: 2_000,
      },
      {
        phone: '+447700900123',
        name: 'Ann',
        timeZone: null,
        fields: { note: 'listed twice' },
        consentSource: null,
        consentAt: null,
        createdAt: 2_000,
        updatedAt: 2_000,
      },
    ]);
    expect(contacts.every((c) => c.listId === list.id)).toBe(true);
  });

  it('keeps the same number apart in different lists', async () => {
    const store = await testStore();
    const a = await store.contacts.createList({ name: 'a' });
    const b = await store.contacts.createList({ name: 'b' });
    await store.contacts.upsertContacts(a.id, [{ phone: '+8613800138000' }]);
    expect(await store.contacts.upsertContacts(b.id, [{ phone: '+8613800138000' }])).toEqual({
      inserted: 1,
      merged: 0,
    });
  });

  it('pages and counts contacts', async () => {
    const store = await testStore();
    const list = await store.contacts.createList({ name: 'list' });
    const phones = Array.from({ length: 25 }, (_, i) => `+8613900${String(i).padStart(6, '0')}`);
    await store.contacts.upsertContacts(
      list.id,
      phones.map((phone) => ({ phone })),
    );
    expect(await store.contacts.countContacts(list.id)).toBe(25);
    expect(
      (await store.contacts.contacts(list.id, { limit: 10, offset: 20 })).map((c) => c.phone),
    ).toEqual(phones.slice(20));
    expect(await store.contacts.contacts(list.id)).toHaveLength(25);
    expect(await store.contacts.countContacts(9_999)).toBe(0);
  });

  it('imports a large batch in one go (several statements, one transaction)', async () => {
    const store = await testStore();
    const list = await store.contacts.createList({ name: 'big' });
    const contacts = Array.from({ length: 25_000 }, (_, i) => ({
      phone: `+1202${String(i).padStart(7, '0')}`,
      fields: { row: i },
    }));
    expect(await store.contacts.upsertContacts(list.id, contacts)).toEqual({
      inserted: 25_000,
      merged: 0,
    });
    expect(await store.contacts.upsertContacts(list.id, contacts.slice(0, 100))).toEqual({
      inserted: 0,
      merged: 100,
    });
    expect(await store.contacts.countContacts(list.id)).toBe(25_000);
  });

  it('refuses numbers that are not E.164, and writes nothing of that batch', async () => {
    const store = await testStore();
    const list = await store.contacts.createList({ name: 'list' });
    await expect(
      store.contacts.upsertContacts(list.id, [
        { phone: '+8613800138000' },
        { phone: '138 0013 8000' },
      ]),
    ).rejects.toMatchObject({
      code: 'SQLITE',
      message: expect.stringContaining('phone_is_e164'),
    });
    expect(await store.contacts.countContacts(list.id)).toBe(0);
  });

  it('says which list is missing', async () => {
    const store = await testStore();
    await expect(
      store.contacts.upsertContacts(42, [{ phone: '+8613800138000' }]),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Contact list 42 does not exist.',
    });
  });
});
