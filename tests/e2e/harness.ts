import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const serverEntry = join(root, 'out/main/server.js');
const rendererIndex = join(root, 'out/renderer/index.html');
/** Where screenshots go; CI uploads this folder. */
export const screenshotDir = join(root, 'test-results/e2e');

const chromiumPath = process.env.LATHE_CHROMIUM ?? '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** Console errors that are not failures (none today: every console error fails a test). */
const expectedConsoleErrors: RegExp[] = [];

export interface LatheServer {
  /** The URL the server printed, token included. */
  url: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  dataDir: string;
  process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the built browser-mode server (`out/main/server.js`) on a free port with a fresh data
 * folder, and resolves once it has printed its URL.
 */
export async function startServer(
  options: { dataDir?: string; env?: Record<string, string> } = {},
): Promise<LatheServer> {
  if (!existsSync(serverEntry) || !existsSync(rendererIndex)) {
    throw new Error(`The app is not built (${serverEntry} or ${rendererIndex} missing); run \`npm run build\` first.`);
  }
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lathe-e2e-'));
  const child = spawn(process.execPath, [serverEntry, '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`The server printed no URL within 20 s. Output:\n${output}`)),
      20_000,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => fail(new Error(`The server exited with ${code} before printing its URL:\n${output}`)));
  });
  // Keep draining the pipes so a chatty server never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();

  let stopped: Promise<void> | null = null;
  const stop = () =>
    (stopped ??= new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(killer);
        done();
      });
      child.kill('SIGTERM');
    }));

  return { url, origin: new URL(url).origin, dataDir, process: child, stop };
}

export interface LatheApp {
  server: LatheServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught exceptions and CSP violations seen so far. */
  errors: string[];
  /** Saves a full-window screenshot as `test-results/e2e/<name>.png`; returns its path. */
  screenshot(name: string): Promise<string>;
  /** Closes the browser, stops the server and deletes the data folder. */
  close(): Promise<void>;
}

/** Waits for a job to succeed (polling `jobs.get`) and answers its result; throws when it fails. */
export async function waitForJob<R>(app: LatheApp, id: string): Promise<R> {
  for (;;) {
    const job = await api<{ state: string; result?: R; error?: { message: string } }>(app, 'jobs.get', { id });
    if (job.state === 'succeeded') return job.result as R;
    if (job.state !== 'running' && job.state !== 'queued') throw new Error(`job ${job.state}: ${job.error?.message}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Imports a GGUF into the library through the API and waits for it: the model's id. */
export async function importModel(app: LatheApp, path: string, name: string): Promise<string> {
  const { job } = await api<{ job: { id: string } }>(app, 'models.import', { path, name });
  return (await waitForJob<{ modelId: string }>(app, job.id)).modelId;
}

/** Waits until the page's connection to the core is up. */
export const waitForConnected = (page: Page) =>
  page.locator('[data-testid="connection-status"][data-state="connected"]').waitFor();

/** Calls the running server's API the way scripts do (`POST /api/<method>` with the token). */
export async function api<T>(app: LatheApp, method: string, input: unknown): Promise<T> {
  const token = new URL(app.server.url).searchParams.get('token');
  const response = await fetch(`${app.server.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  });
  const envelope = (await response.json()) as { ok: boolean; data?: T; error?: { message: string } };
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error?.message}`);
  return envelope.data as T;
}

/**
 * Starts a server and a headless Chromium, and opens the app at the server's tokenised URL
 * (plus `hash`, e.g. `#/settings`). One per test file: cheap enough (~2 s), and files stay
 * independent.
 */
export async function launchApp(
  options: { hash?: string; colorScheme?: 'light' | 'dark'; env?: Record<string, string> } = {},
): Promise<LatheApp> {
  // Both take a second or two on a small CI machine; start them together.
  const [server, browser] = await Promise.allSettled([
    startServer(options.env ? { env: options.env } : {}),
    chromium.launch({ executablePath: chromiumPath, args: chromiumArgs }),
  ]);
  const close = async () => {
    if (browser.status === 'fulfilled') await browser.value.close().catch(() => {});
    if (server.status === 'fulfilled') {
      await server.value.stop();
      rmSync(server.value.dataDir, { recursive: true, force: true });
    }
  };
  if (server.status === 'rejected' || browser.status === 'rejected') {
    await close();
    throw server.status === 'rejected' ? server.reason : (browser as PromiseRejectedResult).reason;
  }
  try {
    const context = await browser.value.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: options.colorScheme ?? 'light',
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && !expectedConsoleErrors.some((re) => re.test(message.text())))
        errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.value.url + (options.hash ?? ''));
    await page.locator('[data-testid="connection-status"][data-state="connected"]').waitFor();

    return {
      server: server.value,
      browser: browser.value,
      context,
      page,
      errors,
      screenshot: async (name) => {
        mkdirSync(screenshotDir, { recursive: true });
        const path = join(screenshotDir, `${name}.png`);
        await page.screenshot({ path, animations: 'disabled' });
        return path;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The page's background colour as `[r, g, b]` (0..255), whatever CSS colour syntax it uses. */
export async function backgroundRgb(page: Page, selector = 'body'): Promise<[number, number, number]> {
  return page.evaluate((sel) => {
    const element = document.querySelector(sel);
    if (!element) throw new Error(`no element matches ${sel}`);
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('no 2d canvas');
    context.fillStyle = getComputedStyle(element).backgroundColor;
    context.fillRect(0, 0, 1, 1);
    const [r, g, b] = context.getImageData(0, 0, 1, 1).data;
    return [r ?? 0, g ?? 0, b ?? 0] as [number, number, number];
  }, selector);
}

/** Relative luminance, 0 (black) .. 1 (white), of an sRGB colour. */
export function luminance([r, g, b]: [number, number, number]): number {
  const linear = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}
