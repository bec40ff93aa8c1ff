import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findElectron } from '../../../scripts/lib/electron.mjs';
import { planElectronBinary, planElectronSqlite, runSteps, steps, type Step } from '../../../scripts/postinstall.mjs';
import { buildElectronSqlite } from '../../../scripts/build-electron-sqlite.mjs';
import { tempDir } from '../../helpers/tempDir';

let root: ReturnType<typeof tempDir>;
beforeEach(() => (root = tempDir('lathe-postinstall-')));
afterEach(() => root.remove());

const exe = process.platform === 'win32' ? 'electron.exe' : 'electron';

function write(path: string, text: string) {
  mkdirSync(join(root.path, path, '..'), { recursive: true });
  writeFileSync(join(root.path, path), text);
}
const installElectronPackage = () => write('node_modules/electron/package.json', '{"version":"45.5.0"}');
const installElectronBinary = () => {
  write('node_modules/electron/path.txt', exe);
  write(`node_modules/electron/dist/${exe}`, '');
};

describe('planElectronBinary', () => {
  it('fetches the binary on a normal install, before building SQLite for it', () => {
    installElectronPackage();
    expect(planElectronBinary(root.path, {})).toEqual({ run: true });
    expect(steps.map((s) => s.name)).toEqual([
      'the LoRA trainer addon (llama.cpp)',
      "Electron's binary",
      'better-sqlite3 for Electron',
    ]);
  });

  it('respects ELECTRON_SKIP_BINARY_DOWNLOAD and says how to fetch it later', () => {
    installElectronPackage();
    const plan = planElectronBinary(root.path, { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
    expect(plan).toMatchObject({
      run: false,
      reason: expect.stringMatching(/ELECTRON_SKIP_BINARY_DOWNLOAD/),
      later: expect.stringMatching(/install-electron/),
    });
  });

  it('does nothing when the binary is already there', () => {
    installElectronPackage();
    installElectronBinary();
    expect(planElectronBinary(root.path, {}).run).toBe(false);
  });
});

describe('planElectronSqlite', () => {
  it('skips when the electron package is not installed', () => {
    const plan = planElectronSqlite(root.path, {});
    expect(plan).toMatchObject({ run: false, reason: expect.stringMatching(/electron package is not installed/) });
  });

  it('skips, naming ELECTRON_SKIP_BINARY_DOWNLOAD, when the binary was not downloaded for that reason', () => {
    installElectronPackage();
    const plan = planElectronSqlite(root.path, { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
    expect(plan.run).toBe(false);
    if (plan.run) return;
    expect(plan.reason).toMatch(/ELECTRON_SKIP_BINARY_DOWNLOAD/);
    expect(plan.later).toMatch(/npx install-electron.*npm run rebuild:electron/);
  });

  it('skips when the binary was never downloaded (offline)', () => {
    installElectronPackage();
    expect(planElectronSqlite(root.path, {})).toMatchObject({
      run: false,
      reason: expect.stringMatching(/not downloaded/),
    });
  });

  it('skips when path.txt points at a binary that is gone', () => {
    installElectronPackage();
    write('node_modules/electron/path.txt', exe);
    expect(planElectronSqlite(root.path, {})).toMatchObject({ run: false, reason: expect.stringMatching(/missing/) });
  });

  it('runs when the binary is present', () => {
    installElectronPackage();
    installElectronBinary();
    expect(planElectronSqlite(root.path, { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' })).toEqual({ run: true });
    expect(findElectron(root.path, {})).toEqual({
      version: '45.5.0',
      executable: join(root.path, 'node_modules/electron/dist', exe),
      reason: null,
    });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH', () => {
    installElectronPackage();
    write(`custom/${exe}`, '');
    const env = { ELECTRON_OVERRIDE_DIST_PATH: join(root.path, 'custom') };
    expect(planElectronSqlite(root.path, env)).toEqual({ run: true });
  });
});

describe('runSteps', () => {
  it('prints one line for a skipped step, reports a failed one, and never throws', () => {
    const lines: string[] = [];
    const ran: string[] = [];
    const steps: Step[] = [
      {
        name: 'skipped',
        plan: () => ({ run: false, reason: 'no binary', later: 'Do X.' }),
        run: () => ran.push('skipped'),
      },
      {
        name: 'broken',
        plan: () => ({ run: true }),
        run: () => {
          throw new Error('no compiler');
        },
      },
      { name: 'fine', plan: () => ({ run: true }), run: () => ran.push('fine') },
    ];
    expect(() => runSteps(steps, { root: root.path, env: {}, log: (line) => lines.push(line) })).not.toThrow();
    expect(ran).toEqual(['fine']);
    expect(lines).toEqual([
      'postinstall: skipped skipped: no binary. Do X.',
      'postinstall: broken failed, install continues: no compiler',
    ]);
  });
});

describe('buildElectronSqlite', () => {
  it('skips quickly when an up-to-date binary exists', async () => {
    installElectronPackage();
    write('node_modules/better-sqlite3/package.json', '{"version":"12.11.1"}');
    const key = `45.5.0-${process.platform}-${process.arch}`;
    write(`build/electron-sqlite/${key}/better_sqlite3.node`, 'binary');
    const stamp = { betterSqlite3: '12.11.1', electron: '45.5.0', platform: process.platform, arch: process.arch };
    write(`build/electron-sqlite/${key}/build.json`, JSON.stringify(stamp));
    const lines: string[] = [];
    const result = await buildElectronSqlite({ root: root.path, arch: process.arch, log: (line) => lines.push(line) });
    expect(result).toEqual({
      file: join(root.path, 'build/electron-sqlite', key, 'better_sqlite3.node'),
      built: false,
    });
    expect(lines.join('\n')).toMatch(/up to date/);
  });

  it('explains what is missing when electron is not installed', async () => {
    await expect(buildElectronSqlite({ root: root.path, log: () => {} })).rejects.toThrow(/electron is not installed/);
  });
});
