import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createAppUrlCheck } from '../../../src/main/electron/appUrl';

const rendererIndex = '/opt/My Apps/lathe/out/renderer/index.html';
const indexUrl = pathToFileURL(rendererIndex).href;

describe('createAppUrlCheck', () => {
  const built = createAppUrlCheck({ rendererIndex });
  const dev = createAppUrlCheck({ rendererIndex, devServerUrl: 'http://localhost:5173' });

  it("accepts the renderer's index.html, with any hash or query", () => {
    expect(indexUrl).toContain('%20');
    expect(built(indexUrl)).toBe(true);
    expect(built(`${indexUrl}#/datasets`)).toBe(true);
    expect(built(`${indexUrl}?x=1`)).toBe(true);
  });

  it('rejects every other local file, including neighbours of index.html', () => {
    expect(built(pathToFileURL('/opt/My Apps/lathe/out/renderer/evil.html').href)).toBe(false);
    expect(built(pathToFileURL('/tmp/index.html').href)).toBe(false);
    expect(built('file:///etc/passwd')).toBe(false);
    expect(built(`file://attacker.example${pathToFileURL(rendererIndex).pathname}`)).toBe(false);
  });

  it('accepts the dev server origin only when one is configured', () => {
    expect(dev('http://localhost:5173/')).toBe(true);
    expect(dev('http://localhost:5173/#/chat')).toBe(true);
    expect(built('http://localhost:5173/')).toBe(false);
    expect(dev('http://localhost:5174/')).toBe(false);
    expect(dev('http://127.0.0.1:5173/')).toBe(false);
    expect(dev('https://localhost:5173/')).toBe(false);
  });

  it('rejects foreign and malformed URLs', () => {
    for (const url of [
      'https://example.com/',
      'about:blank',
      'devtools://devtools/',
      'data:text/html,hi',
      '',
      'not a url',
    ]) {
      expect(dev(url), url).toBe(false);
    }
  });
});
