/**
 * Hash routing (#/history, #/history/<call id>): a reload keeps the page, and it works from file://
 * in Electron as well as over http. Pure functions here; the hook is in useRoute.ts.
 */
export const PAGES = [
  'live',
  'campaigns',
  'contacts',
  'flows',
  'history',
  'wallboard',
  'reports',
  'agent',
  'agents',
  'settings',
  'users',
  'audit',
] as const;
export type PageName = (typeof PAGES)[number];
export const DEFAULT_PAGE: PageName = 'live';

export interface Route {
  page: PageName;
  /** The second path segment, e.g. the call shown in the history detail panel. */
  param: string | null;
}

function isPage(value: string): value is PageName {
  return (PAGES as readonly string[]).includes(value);
}

/** Null when the hash names no page (the caller then redirects to the default page). */
export function parseHash(hash: string): Route | null {
  const path = hash.replace(/^#\/?/, '');
  const [page = '', param] = path.split('/');
  if (!isPage(page)) return null;
  if (param === undefined || param === '') return { page, param: null };
  try {
    return { page, param: decodeURIComponent(param) };
  } catch {
    return { page, param: null }; // A malformed escape: show the page without the detail.
  }
}

export function hrefFor(page: PageName, param?: string | null): string {
  return param ? `#/${page}/${encodeURIComponent(param)}` : `#/${page}`;
}
