import { expect, it } from 'vitest';

import { SYSTEM_DISPOSITIONS } from '../migrations/001-initial.js';
import { describeBackends } from '../testing/backends.js';

describeBackends('disposition repository', (testStore) => {
  it('starts with the system dispositions, in both languages', async () => {
    const store = await testStore();
    const list = await store.dispositions.list();
    expect(list).toEqual(SYSTEM_DISPOSITIONS);
    expect(list.find((d) => d.code === 'opted_out')).toEqual({
      code: 'opted_out',
      labelEn: 'Opted out',
      labelZh: '拒绝再联系',
      kind: 'system',
      final: true,
    });
    expect(list.map((d) => d.code)).toEqual(
      expect.arrayContaining([
        'completed',
        'transferred',
        'busy',
        'no_answer',
        'failed',
        'invalid_number',
        'callback_scheduled',
        'voicemail',
      ]),
    );
  });

  it('adds agent dispositions after the system ones and updates existing codes', async () => {
    const store = await testStore();
    await store.dispositions.upsert({
      code: 'sale',
      labelEn: 'Sale',
      labelZh: '成交',
      kind: 'agent',
      final: true,
    });
    await store.dispositions.upsert({
      code: 'busy',
      labelEn: 'Line busy',
      labelZh: '占线',
      kind: 'system',
      final: false,
    });
    const list = await store.dispositions.list();
    expect(list.at(-1)).toEqual({
      code: 'sale',
      labelEn: 'Sale',
      labelZh: '成交',
      kind: 'agent',
      final: true,
    });
    expect(list.find((d) => d.code === 'busy')?.labelEn).toBe('Line busy');
    expect(list).toHaveLength(SYSTEM_DISPOSITIONS.length + 1);
  });

  it('keeps call dispositions valid', async () => {
    const store = await testStore();
    await store.calls.create({ id: 'c1', number: '+8613800138000', startedAt: 1 });
    await expect(
      store.calls.update('c1', { dispositionCode: 'no_such_code' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await store.calls.update('c1', { dispositionCode: 'opted_out' })).toMatchObject({
      dispositionCode: 'opted_out',
    });
  });
});
