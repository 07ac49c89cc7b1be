/**
 * The headless console is opened as http://127.0.0.1:PORT/?token=TOKEN. These helpers take the
 * token out of the address (so it is not left on screen or in the history) and build the engine's
 * WebSocket address. Pure functions: unit-tested under Node.
 */
export const TOKEN_PARAM = 'token';
export const TOKEN_STORAGE_KEY = 'outbound.console.token';
/** The headless server closes the socket with this code when the token is wrong. */
export const REFUSED_CLOSE_CODE = 4401;

export interface TakenToken {
  /** The token from the address, or null when it has none. */
  token: string | null;
  /** The address without the token (query otherwise kept, hash kept); null when nothing changed. */
  cleanedHref: string | null;
}

export function takeTokenFromHref(href: string): TakenToken {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return { token: null, cleanedHref: null };
  }
  if (!url.searchParams.has(TOKEN_PARAM)) return { token: null, cleanedHref: null };
  const token = url.searchParams.get(TOKEN_PARAM)?.trim() ?? '';
  url.searchParams.delete(TOKEN_PARAM);
  return { token: token === '' ? null : token, cleanedHref: url.href };
}

export interface LocationLike {
  protocol: string;
  host: string;
}

/** ws(s)://<host>/api?token=…, or null when the page was not served over http(s) (file://). */
export function engineSocketUrl(location: LocationLike, token: string): string | null {
  if (location.protocol !== 'http:' && location.protocol !== 'https:') return null;
  if (location.host === '') return null;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
}
