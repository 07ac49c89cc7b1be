import { useEffect, useSyncExternalStore } from 'react';

import { DEFAULT_PAGE, hrefFor, type PageName, parseHash, type Route } from './routes.js';

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

const getHash = (): string => window.location.hash;

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, getHash);
  const route = parseHash(hash);
  useEffect(() => {
    // Unknown or empty hash: show the default page and say so in the address, without a history entry.
    if (!route) window.history.replaceState(window.history.state, '', hrefFor(DEFAULT_PAGE));
  }, [route === null]);
  return route ?? { page: DEFAULT_PAGE, param: null };
}

export function navigate(page: PageName, param?: string | null): void {
  window.location.hash = hrefFor(page, param);
}
