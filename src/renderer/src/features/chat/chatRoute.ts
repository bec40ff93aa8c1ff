import { useCallback, useSyncExternalStore } from 'react';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const getHash = () => window.location.hash;

/**
 * The open conversation, from the address (`#/chat/<id>`), so it survives a reload and other
 * pages can link to a conversation. `open(null)` goes back to `#/chat`.
 */
export function useChatRoute(): [string | null, (id: string | null) => void] {
  const hash = useSyncExternalStore(subscribe, getHash);
  const [page, id] = hash.replace(/^#\/?/, '').split('/');
  const open = useCallback((next: string | null) => {
    const target = next ? `#/chat/${encodeURIComponent(next)}` : '#/chat';
    if (window.location.hash !== target) window.location.hash = target;
  }, []);
  return [page === 'chat' && id ? decodeURIComponent(id) : null, open];
}
