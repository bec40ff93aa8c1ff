import type { Session } from 'electron';
import type { Logger } from '../core/logger';

export interface HardenSessionOptions {
  /** The policy for every page and frame (see contentSecurityPolicy). */
  csp: string;
  /** Whether a URL is Lathe's own page (see createAppUrlCheck). */
  isAppUrl(url: string): boolean;
  logger: Logger;
}

/**
 * Permissions Lathe's own page may use. Copying a message needs the clipboard; nothing else
 * (camera, notifications, geolocation, ...) is granted, to any page.
 */
const allowedPermissions: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function isPermissionAllowed(permission: string, requestingUrl: string, isAppUrl: (url: string) => boolean) {
  return allowedPermissions.has(permission) && isAppUrl(requestingUrl);
}

/**
 * Sets the CSP as a response header on every document (the dev server's pages included) and
 * denies permission requests and checks.
 */
export function hardenSession(session: Session, { csp, isAppUrl, logger }: HardenSessionOptions): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    if (details.resourceType !== 'mainFrame' && details.resourceType !== 'subFrame') {
      callback({});
      return;
    }
    const headers: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
    }
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });

  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const allowed = isPermissionAllowed(permission, details.requestingUrl, isAppUrl);
    if (!allowed) logger.info('permission denied', { permission, url: details.requestingUrl.slice(0, 200) });
    callback(allowed);
  });
  session.setPermissionCheckHandler((contents, permission, _origin, details) =>
    isPermissionAllowed(permission, details.requestingUrl ?? contents?.getURL() ?? '', isAppUrl),
  );
}
