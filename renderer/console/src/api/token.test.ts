import { describe, expect, it } from 'vitest';

import { engineSocketUrl, takeTokenFromHref } from './token.js';

describe('takeTokenFromHref', () => {
  it('takes the token out of the address and keeps the rest', () => {
    expect(takeTokenFromHref('http://127.0.0.1:4100/?token=abc123#/history')).toEqual({
      token: 'abc123',
      cleanedHref: 'http://127.0.0.1:4100/#/history',
    });
    expect(takeTokenFromHref('http://127.0.0.1:4100/?x=1&token=t%2Bk').token).toBe('t+k');
    expect(takeTokenFromHref('http://127.0.0.1:4100/?x=1&token=t').cleanedHref).toBe(
      'http://127.0.0.1:4100/?x=1',
    );
  });

  it('changes nothing when there is no token', () => {
    expect(takeTokenFromHref('http://127.0.0.1:4100/#/live')).toEqual({
      token: null,
      cleanedHref: null,
    });
    expect(takeTokenFromHref('file:///app/out/renderer/console/index.html')).toEqual({
      token: null,
      cleanedHref: null,
    });
  });

  it('removes an empty token but reports none', () => {
    expect(takeTokenFromHref('http://127.0.0.1:4100/?token=')).toEqual({
      token: null,
      cleanedHref: 'http://127.0.0.1:4100/',
    });
  });
});

describe('engineSocketUrl', () => {
  it('builds ws:// for http and wss:// for https on the same host', () => {
    expect(engineSocketUrl({ protocol: 'http:', host: '127.0.0.1:4100' }, 'a b')).toBe(
      'ws://127.0.0.1:4100/api?token=a%20b',
    );
    expect(engineSocketUrl({ protocol: 'https:', host: 'localhost:9' }, 't')).toBe(
      'wss://localhost:9/api?token=t',
    );
  });

  it('returns null for file:// pages', () => {
    expect(engineSocketUrl({ protocol: 'file:', host: '' }, 't')).toBeNull();
  });
});
