// The desktop app end to end: the built app (out/) in real Electron, with a fresh data folder.
// Needs Electron's binary; without it this file reports itself SKIPPED and says why.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronSqliteBindingFile, findElectron } from '../../scripts/lib/electron.mjs';
import type { AppInfo } from '../../src/shared/domain';
import type { Envelope, LatheApi } from '../../src/shared/contract';
import { tempDir } from '../helpers/tempDir';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const mainEntry = join(root, 'out/main/index.js');
const electron = findElectron(root);

function skipReason(): string | null {
  if (!electron.executable) return `${electron.reason}. Run \`npx install-electron\` to enable it`;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'no display to open a window on (DISPLAY is unset); run the tests under xvfb-run';
  }
  return null;
}
const skip = skipReason();
if (skip) console.warn(`SKIPPED tests/e2e/electron.test.ts (desktop app end to end): ${skip}.`);

/** Runs `window.lathe.invoke` in the page. */
function invoke(page: Page, method: string, input: unknown): Promise<Envelope<unknown>> {
  return page.evaluate(
    ([m, i]) => (globalThis as unknown as { lathe: LatheApi }).lathe.invoke(m as 'app.info', i as never),
    [method, input] as const,
  );
}

describe.skipIf(skip !== null)('desktop app (Electron)', () => {
  let dataDir: ReturnType<typeof tempDir>;
  let app: ElectronApplication;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(mainEntry)) throw new Error(`${mainEntry} is missing; run \`npm run build\` first.`);
    const binding = electronSqliteBindingFile(root, electron.version ?? '', process.platform, process.arch);
    if (!existsSync(binding)) throw new Error(`${binding} is missing; run \`npm run rebuild:electron\` first.`);

    dataDir = tempDir('lathe-electron-e2e-');
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      // A dev-server URL or run-as-node left in the environment would change what starts.
      if (value !== undefined && key !== 'ELECTRON_RENDERER_URL' && key !== 'ELECTRON_RUN_AS_NODE') env[key] = value;
    }
    // Chromium refuses to start as root with its OS sandbox (CI containers); the renderer still runs
    // with Electron's `sandbox: true` preload restrictions.
    const rootArgs = process.platform === 'linux' && process.getuid?.() === 0 ? ['--no-sandbox'] : [];
    app = await _electron.launch({
      executablePath: electron.executable ?? '',
      args: [...rootArgs, mainEntry, `--data-dir=${dataDir.path}`],
      cwd: root,
      env,
      timeout: 60_000,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  afterAll(async () => {
    await app?.close().catch(() => {});
    dataDir?.remove();
  });

  it('opens the window with the sidebar', async () => {
    await page.getByRole('navigation', { name: 'Main' }).waitFor({ state: 'visible' });
    expect(await page.title()).toBe('Lathe');
  });

  it('answers app.info over IPC as the electron host, using --data-dir', async () => {
    const result = await invoke(page, 'app.info', {});
    expect(result.ok).toBe(true);
    const info = (result as { data: AppInfo }).data;
    expect(info.host).toBe('electron');
    expect(info.versions.electron).toBe(electron.version);
    expect(info.dataDir).toBe(dataDir.path);
    expect(await app.evaluate(({ app: electronApp }) => electronApp.getPath('userData'))).toBe(dataDir.path);
  });

  it('gives the page no Node, and a bridge that refuses unknown methods', async () => {
    const globals = await page.evaluate(() => {
      const g = globalThis as Record<string, unknown>;
      return { require: typeof g.require, process: typeof g.process, bridge: Object.keys(g.lathe as object).sort() };
    });
    expect(globals).toEqual({ require: 'undefined', process: 'undefined', bridge: ['invoke', 'on'] });
    expect(await invoke(page, 'fs.readFile', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await invoke(page, 'jobs.list', { limit: 0 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
  });

  it('shuts down cleanly: the database is closed and the window bounds saved', async () => {
    await app.close();
    const dbFile = join(dataDir.path, 'lathe.db');
    // Closing the last connection checkpoints and removes the WAL file; a killed app leaves it.
    expect(existsSync(`${dbFile}-wal`)).toBe(false);
    const db = new Database(dbFile, { readonly: true });
    try {
      expect(db.pragma('quick_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
    expect(existsSync(join(dataDir.path, 'window-state.json'))).toBe(true);
  });
});
