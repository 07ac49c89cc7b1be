/**
 * The desktop shell's security decisions as pure functions (no Electron import), so they are
 * unit-tested under Node (shell-policy.test.ts): which dev server URL is honoured, which page URLs
 * are trusted (exactly), and how the `outbound-app://` scheme maps requests to the built renderer
 * files with the headers that make the media host cross-origin isolated.
 */
import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * electron-vite's dev server, from ELECTRON_RENDERER_URL, only in an unpackaged app: a packaged
 * app loads its own files whatever the environment says (a variable set by someone else must not
 * point the app, with its API bridge, at another page). Only http(s) URLs are accepted.
 */
export function devServerUrlFor(
  isPackaged: boolean,
  value: string | undefined,
): string | undefined {
  if (isPackaged || value === undefined || value === '') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The privileged scheme the media host page is served from (see app-protocol.ts). A file:// page
 * cannot carry response headers; this scheme sends COOP and COEP with the page, which makes that
 * window — and no other — cross-origin isolated, so it gets SharedArrayBuffer (its audio rings)
 * without the app-wide `--enable-features=SharedArrayBuffer` switch.
 */
export const APP_SCHEME = 'outbound-app';
const APP_ORIGIN = `${APP_SCHEME}://app`;

export type RendererPage = 'console' | 'media-host';

export interface PageLocations {
  /** `<out>/renderer`, the built pages. */
  rendererDir: string;
  devServerUrl: string | undefined;
}

/** The URL a page is loaded from: the dev server, `file://` (console) or `outbound-app://` (media host). */
export function pageUrl(page: RendererPage, where: PageLocations): string {
  if (where.devServerUrl) return new URL(`${page}/index.html`, where.devServerUrl).toString();
  if (page === 'media-host') return `${APP_ORIGIN}/media-host/index.html`;
  return pathToFileURL(join(where.rendererDir, 'console', 'index.html')).toString();
}

/**
 * Matches page URLs exactly: scheme, host, port and path must equal one of `pages` (the query and
 * the fragment are ignored: the console routes by `#/…`). Not a prefix test: a file beside ours, a
 * look-alike host (`localhost:5173.evil.example`) or another port is refused.
 */
export function exactPageMatcher(pages: readonly string[]): (url: string) => boolean {
  const key = (url: URL): string => `${url.protocol}//${url.host}${url.pathname}`;
  const trusted = new Set(pages.map((page) => key(new URL(page))));
  return (url) => {
    try {
      return trusted.has(key(new URL(url)));
    } catch {
      return false;
    }
  };
}

/**
 * Response headers of everything served on `outbound-app://`: COOP + COEP make the page
 * cross-origin isolated (the same headers the headless server sends, electron/headless/server.ts);
 * every asset is same-origin, and says so with CORP.
 */
export const APP_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

/**
 * The file an `outbound-app://app/<path>` request reads (inside the renderer folder, no dot
 * segments, no `..`), with its content type; null for any other host, method or path.
 */
export function resolveAppRequest(
  rendererDir: string,
  method: string,
  requestUrl: string,
): { file: string; contentType: string } | null {
  if (method !== 'GET' && method !== 'HEAD') return null;
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== 'app') return null;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.split(/[/\\]/).some((s) => s.startsWith('.'))) return null;
  const file = normalize(join(rendererDir, path));
  if (!file.startsWith(normalize(rendererDir) + sep) || file.endsWith(sep)) return null;
  return { file, contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' };
}
