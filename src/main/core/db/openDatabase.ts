import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../../shared/errors';
import type { Logger } from '../logger';
import { migrate, type Migration } from './migrate';
import { migrations as appMigrations } from './migrations';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  logger: Logger;
  /**
   * Path of a better-sqlite3 binary built for the running runtime's ABI. Electron passes its own
   * copy (see scripts/build-electron-sqlite.mjs); Node uses the one in node_modules.
   */
  nativeBinding?: string;
  /** Migrations to apply; the application's own list by default (tests pass their own). */
  migrations?: readonly Migration[];
}

const sqliteHeader = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Opens (creating if needed) the database at `file`, checks it is intact, configures it for an
 * interactive app (WAL, foreign keys, busy timeout) and applies pending migrations.
 *
 * A damaged file or one that is not a SQLite database fails with DB_CORRUPT and is left exactly
 * as it was: the user's data is never silently replaced. A database written by a newer version of
 * Lathe fails with DB_NEWER_VERSION.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions): Db {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true });
    checkHeader(file);
  }
  let db: Db;
  try {
    db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  } catch (error) {
    throw asOpenError(error, file);
  }
  try {
    db.pragma('busy_timeout = 5000');
    if (file !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') {
      throw new AppError(
        'DB_CORRUPT',
        `The database ${file} is damaged (${String(check)}). It was left untouched; restore it from a backup or move it aside.`,
        { file, check },
      );
    }
    migrate(db, options.migrations ?? appMigrations, options.logger);
    return db;
  } catch (error) {
    db.close();
    throw asOpenError(error, file);
  }
}

function checkHeader(file: string): void {
  if (!existsSync(file)) return;
  const size = statSync(file).size;
  if (size === 0) return; // SQLite treats an empty file as a new database.
  const header = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (size < 100 || !header.equals(sqliteHeader)) {
    throw new AppError(
      'DB_CORRUPT',
      `${file} is not a SQLite database. It was left untouched; move it aside to let Lathe create a new one.`,
      { file },
    );
  }
}

function asOpenError(error: unknown, file: string): AppError {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return new AppError('DB_CORRUPT', `The database ${file} is damaged: ${message}. It was left untouched.`, {
      file,
      sqliteCode: code,
    });
  }
  return new AppError('DB_ERROR', `Could not open the database ${file}: ${message}`, { file, sqliteCode: code });
}
