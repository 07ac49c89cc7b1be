import { describe, expect, it } from 'vitest';

import { EMPTY_TRUNK_DRAFT, toCreateParams, trunkFormFieldOf } from './trunkDraft.js';

describe('trunk draft', () => {
  const filled = {
    ...EMPTY_TRUNK_DRAFT,
    name: 'main',
    uri: ' wss://pbx.example.com/ws ',
    domain: 'pbx.example.com',
  };

  it('leaves empty optional boxes out instead of sending ""', () => {
    expect(toCreateParams(filled)).toEqual({
      ok: true,
      params: {
        name: 'main',
        uri: 'wss://pbx.example.com/ws',
        domain: 'pbx.example.com',
        register: false,
        maxConcurrentCalls: 30,
        role: 'primary',
        transferMode: 'bridge',
      },
    });
  });

  it('sends username, caller ID and the password exactly as typed', () => {
    const result = toCreateParams({
      ...filled,
      username: '1001',
      password: ' p w ',
      callerId: '+8602100000000',
      register: true,
      role: 'backup',
      transferMode: 'refer',
      maxConcurrentCalls: ' 12 ',
    });
    expect(result).toEqual({
      ok: true,
      params: expect.objectContaining({
        username: '1001',
        password: ' p w ',
        callerId: '+8602100000000',
        register: true,
        role: 'backup',
        transferMode: 'refer',
        maxConcurrentCalls: 12,
      }),
    });
  });

  it('points at the number box when it holds no whole number', () => {
    for (const text of ['', 'ten', '1.5', '-3'])
      expect(toCreateParams({ ...filled, maxConcurrentCalls: text })).toEqual({
        ok: false,
        field: 'maxConcurrentCalls',
      });
  });

  it('maps API error fields onto form fields', () => {
    expect(trunkFormFieldOf('uri')).toBe('uri');
    expect(trunkFormFieldOf('changes.name')).toBe('name');
    expect(trunkFormFieldOf('transport')).toBeNull();
    expect(trunkFormFieldOf(undefined)).toBeNull();
  });
});
