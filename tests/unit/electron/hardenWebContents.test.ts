import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/main/core/logger';
import { createAppUrlCheck } from '../../../src/main/electron/appUrl';
import { hardenWebContents, isWebUrl, type GuardedContents } from '../../../src/main/electron/hardenWebContents';

const rendererIndex = '/opt/lathe/out/renderer/index.html';
const appUrl = pathToFileURL(rendererIndex).href;

function setup() {
  const emitter = new EventEmitter();
  let openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  const contents = {
    on: (event: string, listener: (...args: unknown[]) => void) => emitter.on(event, listener),
    setWindowOpenHandler: (handler: typeof openHandler) => (openHandler = handler),
  } as unknown as GuardedContents;
  const opened: string[] = [];
  hardenWebContents(contents, {
    isAppUrl: createAppUrlCheck({ rendererIndex }),
    openExternal: (url) => opened.push(url),
    logger: silentLogger,
  });
  const fire = (event: string, url?: string) => {
    let prevented = false;
    emitter.emit(event, { url, preventDefault: () => (prevented = true) });
    return prevented;
  };
  return { fire, opened, open: (url: string) => openHandler?.({ url }) };
}

describe('hardenWebContents', () => {
  it('lets the app navigate within its own page', () => {
    const { fire, opened } = setup();
    expect(fire('will-navigate', `${appUrl}#/settings`)).toBe(false);
    expect(opened).toEqual([]);
  });

  it('cancels navigation away and opens web links in the system browser', () => {
    const { fire, opened } = setup();
    expect(fire('will-navigate', 'https://huggingface.co/models')).toBe(true);
    expect(fire('will-redirect', 'http://example.com/')).toBe(true);
    expect(opened).toEqual(['https://huggingface.co/models', 'http://example.com/']);
  });

  it('cancels navigation to local files and other schemes without opening anything', () => {
    const { fire, opened } = setup();
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'lathe-other://x']) {
      expect(fire('will-navigate', url), url).toBe(true);
    }
    expect(opened).toEqual([]);
  });

  it('denies every new window, handing only web links to the browser', () => {
    const { open, opened } = setup();
    expect(open('https://example.com/docs')).toEqual({ action: 'deny' });
    expect(open(appUrl)).toEqual({ action: 'deny' });
    expect(open('file:///tmp/x.html')).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://example.com/docs']);
  });

  it('refuses to attach webviews', () => {
    expect(setup().fire('will-attach-webview')).toBe(true);
  });
});

describe('isWebUrl', () => {
  it('accepts only absolute http(s) URLs', () => {
    expect(isWebUrl('https://a.example/')).toBe(true);
    expect(isWebUrl('HTTP://A.EXAMPLE/')).toBe(true);
    for (const url of ['file:///x', 'mailto:a@b.c', '//example.com', '/relative', 'javascript:void 0', '']) {
      expect(isWebUrl(url), url).toBe(false);
    }
  });
});
