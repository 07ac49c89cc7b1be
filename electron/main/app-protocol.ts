/**
 * `outbound-app://app/…` in the desktop shell: the built renderer files, served with the headers
 * that make a page cross-origin isolated (APP_RESPONSE_HEADERS). The media host window loads from
 * here, so it alone gets SharedArrayBuffer (its audio rings); the console stays on file://.
 *
 * Why a scheme and not a switch or a web preference: since Chrome 92 SharedArrayBuffer is exposed
 * only to cross-origin isolated pages, and file:// responses carry no headers. The app-wide
 * `--enable-features=SharedArrayBuffer` switch this replaces gave it to every page. Serving the
 * page from a privileged standard, secure scheme with COOP + COEP is how Electron apps isolate
 * one page (VS Code's vscode-file:// does the same); Electron 41 broke `crossOriginIsolated` on
 * custom schemes and electron/electron#50789 (April 2026, before Electron 45) fixed it
 * (electron/electron#50242). The headless media host runs the same page with the same headers in
 * Chromium (electron/headless/server.ts), which is what the tests exercise.
 */
import { readFile } from 'node:fs/promises';

import { protocol } from 'electron';

import { APP_RESPONSE_HEADERS, APP_SCHEME, resolveAppRequest } from './shell-policy.js';

/** The scheme's privileges (registered with the media scheme, before the app is ready). */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
} as const;

/** Serves `<rendererDir>` on outbound-app://app/; call once the app is ready. */
export function handleAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const target = resolveAppRequest(rendererDir, request.method, request.url);
    if (!target) return new Response('Not found', { status: 404, headers: APP_RESPONSE_HEADERS });
    try {
      const body = await readFile(target.file);
      return new Response(request.method === 'HEAD' ? null : body, {
        status: 200,
        headers: { ...APP_RESPONSE_HEADERS, 'Content-Type': target.contentType },
      });
    } catch {
      return new Response('Not found', { status: 404, headers: APP_RESPONSE_HEADERS });
    }
  });
}
