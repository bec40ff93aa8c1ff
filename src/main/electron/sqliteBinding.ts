import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface SqliteBindingQuery {
  /** `process.versions.electron`. */
  electronVersion: string;
  platform: string;
  arch: string;
  /** `app.isPackaged`. */
  isPackaged: boolean;
  /** The repository root in a source checkout (see resolveAppPaths). */
  appRoot: string;
  /** `process.resourcesPath`; where a packaged app ships the binary. */
  resourcesPath: string;
}

export type SqliteBindingResult =
  | { ok: true; file: string }
  /** `message` tells the user how to get the missing binary. */
  | { ok: false; file: string; message: string };

/**
 * Finds the better-sqlite3 binary built for the running Electron's ABI.
 *
 * From source it is `build/electron-sqlite/<electron>-<platform>-<arch>/better_sqlite3.node`,
 * written by scripts/build-electron-sqlite.mjs (keep the two paths in step). A packaged app ships
 * that folder as `resources/electron-sqlite/...`, outside app.asar because a native module cannot
 * be loaded from inside an archive.
 */
export function findSqliteBinding(
  query: SqliteBindingQuery,
  exists: (file: string) => boolean = existsSync,
): SqliteBindingResult {
  const key = `${query.electronVersion}-${query.platform}-${query.arch}`;
  const file = query.isPackaged
    ? join(query.resourcesPath, 'electron-sqlite', key, 'better_sqlite3.node')
    : join(query.appRoot, 'build', 'electron-sqlite', key, 'better_sqlite3.node');
  if (exists(file)) return { ok: true, file };
  const message = query.isPackaged
    ? `This copy of Lathe is missing its database driver (${file}). Reinstall Lathe.`
    : `The database driver (better-sqlite3) has not been built for Electron ${query.electronVersion} yet.\n\n` +
      `Run \`npm run rebuild:electron\` in ${query.appRoot}, then start Lathe again.\n\nExpected: ${file}`;
  return { ok: false, file, message };
}
