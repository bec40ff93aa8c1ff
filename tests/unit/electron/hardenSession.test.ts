import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createAppUrlCheck } from '../../../src/main/electron/appUrl';
import { contentSecurityPolicy } from '../../../src/main/electron/contentSecurityPolicy';
import { isPermissionAllowed } from '../../../src/main/electron/hardenSession';

const rendererIndex = '/opt/lathe/out/renderer/index.html';
const appUrl = pathToFileURL(rendererIndex).href;
const isAppUrl = createAppUrlCheck({ rendererIndex });

function directives(policy: string): Map<string, string> {
  return new Map(policy.split(';').map((d) => d.trim().split(/\s+(.*)/s) as [string, string]));
}

describe('isPermissionAllowed', () => {
  it('grants only clipboard writes, and only to the app page', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write', appUrl, isAppUrl)).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://example.com/', isAppUrl)).toBe(false);
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'fullscreen',
    ]) {
      expect(isPermissionAllowed(permission, appUrl, isAppUrl), permission).toBe(false);
    }
  });
});

describe('contentSecurityPolicy', () => {
  it('is strict for the built app: nothing inline, nothing remote', () => {
    const csp = directives(contentSecurityPolicy());
    expect(csp.get('default-src')).toBe("'none'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('connect-src')).toBe("'self'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(csp.get('base-uri')).toBe("'none'");
    expect(contentSecurityPolicy()).not.toMatch(/unsafe-eval|https?:|\*/);
  });

  it("admits only the dev server's inline preamble and HMR socket in development", () => {
    const csp = directives(contentSecurityPolicy('http://localhost:5173'));
    expect(csp.get('script-src')).toBe("'self' 'unsafe-inline'");
    expect(csp.get('connect-src')).toBe("'self' ws://localhost:5173");
    expect(csp.get('default-src')).toBe("'none'");
  });
});
