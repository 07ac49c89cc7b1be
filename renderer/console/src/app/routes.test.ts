import { describe, expect, it } from 'vitest';

import { hrefFor, parseHash } from './routes.js';

describe('hash routes', () => {
  it('reads the page and its parameter', () => {
    expect(parseHash('#/history')).toEqual({ page: 'history', param: null });
    expect(parseHash('#/history/call%2F7')).toEqual({ page: 'history', param: 'call/7' });
    expect(parseHash('#/settings/')).toEqual({ page: 'settings', param: null });
  });

  it('rejects unknown or empty hashes', () => {
    expect(parseHash('')).toBeNull();
    expect(parseHash('#/')).toBeNull();
    expect(parseHash('#/nope')).toBeNull();
  });

  it('round-trips', () => {
    expect(parseHash(hrefFor('history', 'a b/c'))).toEqual({ page: 'history', param: 'a b/c' });
    expect(hrefFor('live')).toBe('#/live');
  });
});
