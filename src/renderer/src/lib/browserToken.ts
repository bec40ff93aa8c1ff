const STORAGE_KEY = 'lathe.token';

/**
 * Reads the browser-mode access token. The server prints a URL with `?token=`; the token is
 * kept in sessionStorage so a reload still works, and removed from the address bar so it does
 * not linger in history or get shared with a screenshot.
 */
export function takeBrowserToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      sessionStorage.setItem(STORAGE_KEY, fromUrl);
    } catch {
      // Storage may be disabled; the token still works for this page's life.
    }
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
