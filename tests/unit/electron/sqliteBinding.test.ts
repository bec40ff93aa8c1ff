import { describe, expect, it } from 'vitest';
import { findSqliteBinding, type SqliteBindingQuery } from '../../../src/main/electron/sqliteBinding';
import { electronSqliteBindingFile } from '../../../scripts/lib/electron.mjs';

const query: SqliteBindingQuery = {
  electronVersion: '45.5.0',
  platform: 'linux',
  arch: 'x64',
  isPackaged: false,
  appRoot: '/src/lathe',
  resourcesPath: '/opt/Lathe/resources',
};
const devFile = '/src/lathe/build/electron-sqlite/45.5.0-linux-x64/better_sqlite3.node';
const packagedFile = '/opt/Lathe/resources/electron-sqlite/45.5.0-linux-x64/better_sqlite3.node';

describe('findSqliteBinding', () => {
  it('finds the binary the build script writes, in a source checkout', () => {
    expect(findSqliteBinding(query, (file) => file === devFile)).toEqual({ ok: true, file: devFile });
    // The script and the app must agree on the path, or the app never finds what was built.
    expect(electronSqliteBindingFile('/src/lathe', '45.5.0', 'linux', 'x64')).toBe(devFile);
  });

  it('finds the binary in resources/ in a packaged app', () => {
    const packaged = { ...query, isPackaged: true };
    expect(findSqliteBinding(packaged, (file) => file === packagedFile)).toEqual({ ok: true, file: packagedFile });
  });

  it('uses the running Electron version and architecture', () => {
    const result = findSqliteBinding({ ...query, electronVersion: '46.0.0', arch: 'arm64' }, () => false);
    expect(result.file).toBe('/src/lathe/build/electron-sqlite/46.0.0-linux-arm64/better_sqlite3.node');
  });

  it('tells a developer to run rebuild:electron when the binary is missing', () => {
    const result = findSqliteBinding(query, () => false);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('npm run rebuild:electron');
    expect(result.message).toContain(devFile);
  });

  it('tells a user of a packaged app to reinstall', () => {
    const result = findSqliteBinding({ ...query, isPackaged: true }, () => false);
    expect(result.ok || result.message).toMatch(/Reinstall Lathe/);
  });
});
