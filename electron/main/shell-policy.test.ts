import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  APP_RESPONSE_HEADERS,
  devServerUrlFor,
  exactPageMatcher,
  pageUrl,
  resolveAppRequest,
} from './shell-policy.js';

describe('devServerUrlFor', () => {
  it('honours ELECTRON_RENDERER_URL only in an unpackaged app, and only an http(s) URL', () => {
    expect(devServerUrlFor(false, 'http://localhost:5173')).toBe('http://localhost:5173/');
    expect(devServerUrlFor(true, 'http://localhost:5173')).toBeUndefined();
    expect(devServerUrlFor(false, undefined)).toBeUndefined();
    expect(devServerUrlFor(false, '')).toBeUndefined();
    expect(devServerUrlFor(false, 'file:///tmp/evil/')).toBeUndefined();
    expect(devServerUrlFor(false, 'javascript:alert(1)')).toBeUndefined();
    expect(devServerUrlFor(false, 'not a url')).toBeUndefined();
  });
});

describe('page URLs and exact matching', () => {
  const rendererDir = join('/opt', 'Outbound Console', 'resources', 'app.asar', 'out', 'renderer');

  it('loads the console from file:// and the media host from outbound-app://', () => {
    const where = { rendererDir, devServerUrl: undefined };
    expect(pageUrl('console', where)).toBe(
      'file:///opt/Outbound%20Console/resources/app.asar/out/renderer/console/index.html',
    );
    expect(pageUrl('media-host', where)).toBe('outbound-app://app/media-host/index.html');
    const dev = { rendererDir, devServerUrl: 'http://localhost:5173/' };
    expect(pageUrl('console', dev)).toBe('http://localhost:5173/console/index.html');
    expect(pageUrl('media-host', dev)).toBe('http://localhost:5173/media-host/index.html');
  });

  it('trusts exactly the listed pages: scheme, host, port and path; query and fragment ignored', () => {
    const consolePage = pageUrl('console', { rendererDir, devServerUrl: undefined });
    const trusted = exactPageMatcher([consolePage, 'http://localhost:5173/console/index.html']);
    expect(trusted(consolePage)).toBe(true);
    expect(trusted(`${consolePage}#/history/abc`)).toBe(true);
    expect(trusted(`${consolePage}?x=1`)).toBe(true);
    expect(trusted('http://localhost:5173/console/index.html#/live')).toBe(true);
    for (const url of [
      consolePage.replace('console/index.html', 'console/other.html'),
      consolePage.replace('/renderer/', '/renderer-old/'),
      `${consolePage}/../../../../../../tmp/x.html`,
      'file:///tmp/downloaded.html',
      'http://localhost:5173/',
      'http://localhost:5173/media-host/index.html',
      'http://localhost:5174/console/index.html',
      'https://localhost:5173/console/index.html',
      'http://localhost:5173.evil.example/console/index.html',
      'http://evil.example/console/index.html',
      'outbound-app://app/console/index.html',
      'about:blank',
      '',
      'not a url',
    ])
      expect(trusted(url), url).toBe(false);
  });
});

describe('outbound-app:// requests', () => {
  const rendererDir = join('/app', 'out', 'renderer');

  it('serves the built renderer files with the cross-origin isolation headers', () => {
    expect(
      resolveAppRequest(rendererDir, 'GET', 'outbound-app://app/media-host/index.html'),
    ).toEqual({
      file: join(rendererDir, 'media-host', 'index.html'),
      contentType: 'text/html; charset=utf-8',
    });
    expect(
      resolveAppRequest(rendererDir, 'HEAD', 'outbound-app://app/assets/player-processor-X.js'),
    ).toEqual({
      file: join(rendererDir, 'assets', 'player-processor-X.js'),
      contentType: 'text/javascript; charset=utf-8',
    });
    expect(APP_RESPONSE_HEADERS).toMatchObject({
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    });
  });

  it('refuses other hosts, methods, dot segments and paths outside the renderer folder', () => {
    for (const [method, url] of [
      ['POST', 'outbound-app://app/media-host/index.html'],
      ['GET', 'outbound-app://other/media-host/index.html'],
      ['GET', 'outbound-media://app/media-host/index.html'],
      ['GET', 'outbound-app://app/assets/%2E%2E%2F%2E%2E%2Fmain%2Findex.js'],
      ['GET', 'outbound-app://app/..%5C..%5Cmain%5Cindex.js'],
      ['GET', 'outbound-app://app/.hidden'],
      ['GET', 'outbound-app://app/a%00b'],
      ['GET', 'outbound-app://app/%E0%A4%A'],
      ['GET', 'outbound-app://app/'],
    ] as const)
      expect(resolveAppRequest(rendererDir, method, url), `${method} ${url}`).toBeNull();
    // The URL parser folds encoded dot segments away: what is left stays inside the folder.
    expect(
      resolveAppRequest(rendererDir, 'GET', 'outbound-app://app/%2e%2e/%2e%2e/etc/passwd')?.file,
    ).toBe(join(rendererDir, 'etc', 'passwd'));
  });
});
