import { useCallback, useEffect, useSyncExternalStore } from 'react';

export interface HashRoute<Id extends string> {
  /** The page: the first segment of `#/page/rest...`. */
  page: Id;
  /** The segments after the page, for pages with their own sub-routes (e.g. `#/datasets/42`). */
  rest: string[];
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const getHash = () => window.location.hash;

/** The id in an address `#/<page>/<kind>/<id>`, decoded; null for any other address. */
export function hashTarget(hash: string, page: string, kind: string): string | null {
  const [p, k, id] = hash.replace(/^#\/?/, '').split('/');
  if (p !== page || k !== kind || !id) return null;
  try {
    return decodeURIComponent(id);
  } catch {
    return null;
  }
}

/** The address's hash (`#/page/...`), following it as it changes. */
export function useLocationHash(): string {
  return useSyncExternalStore(subscribe, getHash);
}

/**
 * Hash routing (`#/chat`): works from `file://` in Electron and lets tests deep-link.
 * An unknown or empty hash is replaced by `fallback` without adding a history entry.
 */
export function useHashRoute<Id extends string>(
  pages: readonly Id[],
  fallback: Id,
): [HashRoute<Id>, (page: Id) => void] {
  const hash = useLocationHash();
  const segments = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const first = segments[0];
  const known = first !== undefined && (pages as readonly string[]).includes(first);

  useEffect(() => {
    if (!known) {
      window.history.replaceState(window.history.state, '', `#/${fallback}`);
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    }
  }, [known, fallback]);

  const navigate = useCallback((page: Id) => {
    window.location.hash = `#/${page}`;
  }, []);

  return [{ page: known ? (first as Id) : fallback, rest: known ? segments.slice(1) : [] }, navigate];
}
