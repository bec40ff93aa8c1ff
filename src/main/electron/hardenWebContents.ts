import type { Logger } from '../core/logger';

/** The part of Electron's `WebContents` that hardenWebContents uses; tests pass a fake. */
export interface GuardedContents {
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: { preventDefault(): void; url: string }) => void,
  ): void;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface HardenWebContentsOptions {
  /** Whether a URL is Lathe's own page (see createAppUrlCheck). */
  isAppUrl(url: string): boolean;
  /** `shell.openExternal`; receives only http(s) URLs. */
  openExternal(url: string): void;
  logger: Logger;
}

/**
 * Keeps every window on Lathe's own page: navigation and redirects elsewhere are cancelled, new
 * windows are never created, and webviews cannot be attached. A web link the user clicks (plain or
 * `target=_blank`) opens in the default browser instead.
 */
export function hardenWebContents(contents: GuardedContents, options: HardenWebContentsOptions): void {
  const leave = (event: { preventDefault(): void; url: string }) => {
    if (options.isAppUrl(event.url)) return;
    event.preventDefault();
    openIfWebLink(event.url, options);
  };
  contents.on('will-navigate', leave);
  contents.on('will-redirect', leave);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openIfWebLink(url, options);
    return { action: 'deny' };
  });
}

function openIfWebLink(url: string, { openExternal, logger }: HardenWebContentsOptions): void {
  if (isWebUrl(url)) openExternal(url);
  else logger.warn('navigation blocked', { url: url.slice(0, 200) });
}

/** True for absolute http: and https: URLs, the only ones handed to the system browser. */
export function isWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
