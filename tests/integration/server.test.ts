import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Core } from '../../src/main/core/createCore';
import { silentLogger } from '../../src/main/core/logger';
import { createHttpServer, type LatheHttpServer } from '../../src/main/serve/createHttpServer';
import { testCore } from '../helpers/testCore';
import { tempDir } from '../helpers/tempDir';

let dir: ReturnType<typeof tempDir>;
let core: Core;
let http: LatheHttpServer;
let base: string;

beforeAll(async () => {
  dir = tempDir();
  const rendererDir = join(dir.path, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Lathe</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir.path, 'secret.txt'), 'do not serve');
  core = testCore(join(dir.path, 'data'), { host: 'server', progressIntervalMs: 0 });
  http = await createHttpServer({
    dispatch: core.dispatch,
    events: core.events,
    logger: silentLogger,
    rendererDir,
    port: 0,
  });
  base = `http://127.0.0.1:${http.port}`;
});
afterAll(async () => {
  await http.close();
  await core.close();
  dir.remove();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request, so Host and Origin can be set freely (fetch forbids both). */
function send(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function connect(query: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${http.port}/ws${query}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('browser-mode server', () => {
  it('binds to loopback by default with a 256-bit token in the URL', () => {
    const address = http.server.address();
    expect(typeof address === 'object' && address?.address).toBe('127.0.0.1');
    expect(http.token).toMatch(/^[0-9a-f]{64}$/);
    expect(http.url).toBe(`http://127.0.0.1:${http.port}/?token=${http.token}`);
  });

  it('refuses pages and API calls without the token, or with a wrong one', async () => {
    expect((await send('/')).status).toBe(401);
    expect((await send('/assets/app.js')).status).toBe(401);
    expect((await send('/?token=wrong')).status).toBe(401);
    const api = await send('/api/app.info', { method: 'POST', body: '{}' });
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    const wrongBearer = await send('/api/app.info', {
      method: 'POST',
      body: '{}',
      headers: { Authorization: 'Bearer nope' },
    });
    expect(wrongBearer.status).toBe(401);
  });

  it('serves the app with the token and sets an HttpOnly, SameSite cookie for the assets', async () => {
    const page = await send(`/?token=${http.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Lathe</title>');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const setCookie = String(page.headers['set-cookie']);
    expect(setCookie).toContain(`lathe_token=${http.token}`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const asset = await send('/assets/app.js', { headers: { Cookie: `lathe_token=${http.token}` } });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
  });

  it('never serves files outside the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%00']) {
      const reply = await send(`${path}${path.includes('?') ? '&' : '?'}token=${http.token}`);
      expect(reply.body, path).not.toContain('do not serve');
    }
  });

  it('answers the contract over HTTP with a bearer token', async () => {
    const reply = await send('/api/app.info', {
      method: 'POST',
      body: '{}',
      headers: { Authorization: `Bearer ${http.token}` },
    });
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, data: { name: 'Lathe', host: 'server' } });
    const bad = await send('/api/jobs.get', {
      method: 'POST',
      body: '{"id": 5}',
      headers: { Authorization: `Bearer ${http.token}` },
    });
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const notJson = await send('/api/jobs.get', {
      method: 'POST',
      body: '{',
      headers: { Authorization: `Bearer ${http.token}` },
    });
    expect(notJson.status).toBe(400);
  });

  it('refuses requests from a foreign Origin, even with the token', async () => {
    const reply = await send('/api/app.info', {
      method: 'POST',
      body: '{}',
      headers: { Authorization: `Bearer ${http.token}`, Origin: 'http://evil.example' },
    });
    expect(reply.status).toBe(403);
    await expect(connect(`?token=${http.token}`, { Origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    const own = await connect(`?token=${http.token}`, { Origin: `http://127.0.0.1:${http.port}` });
    own.close();
  });

  it('refuses a foreign Host header on loopback (DNS rebinding)', async () => {
    const reply = await send(`/?token=${http.token}`, { headers: { Host: `attacker.example:${http.port}` } });
    expect(reply.status).toBe(421);
  });

  it('refuses WebSocket upgrades without the right token', async () => {
    await expect(connect('')).rejects.toThrow('HTTP 401');
    await expect(connect('?token=0000')).rejects.toThrow('HTTP 401');
  });

  it('answers calls and pushes events over the WebSocket', async () => {
    const ws = await connect('', { Cookie: `lathe_token=${http.token}` });
    const frames: unknown[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data))));
    const waitFor = async (predicate: (f: Record<string, unknown>) => boolean) => {
      for (let i = 0; i < 200; i++) {
        const hit = frames.find((f) => predicate(f as Record<string, unknown>));
        if (hit) return hit as Record<string, unknown>;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('no such frame');
    };
    ws.send(JSON.stringify({ id: 1, method: 'settings.update', input: { theme: 'light' } }));
    expect(await waitFor((f) => f.id === 1)).toMatchObject({ result: { ok: true, data: { theme: 'light' } } });
    expect(await waitFor((f) => f.event === 'settings.changed')).toMatchObject({ payload: { theme: 'light' } });
    ws.send('not json');
    expect(await waitFor((f) => f.id === -1)).toMatchObject({
      result: { ok: false, error: { code: 'INVALID_INPUT' } },
    });
    ws.send(JSON.stringify({ id: 2, method: 'nope.nope', input: {} }));
    expect(await waitFor((f) => f.id === 2)).toMatchObject({
      result: { ok: false, error: { code: 'UNKNOWN_METHOD' } },
    });
    ws.close();
  });
});
