import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { AppError } from '../../../shared/errors';
import type { Logger } from '../logger';

/**
 * One forward-only schema step. `sql` is the migration; its SHA-256 is stored when applied so an
 * edited migration is caught at the next start. Never edit a migration once it has landed: add a
 * new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function checksum(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

/**
 * Applies every migration newer than the database's version, each in its own transaction, and
 * records it in `schema_migrations`. Refuses databases from a newer app (DB_NEWER_VERSION) and
 * databases whose applied migrations differ from this build's (DB_ERROR).
 */
export function migrate(db: Database.Database, migrations: readonly Migration[], logger: Logger): number {
  assertOrdered(migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const latest = migrations.at(-1)?.version ?? 0;
  const applied = db.prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all() as {
    version: number;
    name: string;
    checksum: string;
  }[];
  const current = Math.max(applied.at(-1)?.version ?? 0, Number(db.pragma('user_version', { simple: true })));
  if (current > latest) {
    throw new AppError(
      'DB_NEWER_VERSION',
      `This database was written by a newer version of Lathe (schema ${current}; this version knows up to ${latest}). Update Lathe to open it.`,
      { databaseVersion: current, supportedVersion: latest },
    );
  }
  for (const row of applied) {
    const known = migrations.find((m) => m.version === row.version);
    if (!known || checksum(known) !== row.checksum) {
      throw new AppError(
        'DB_ERROR',
        `Migration ${row.version} (${row.name}) in this database differs from the one this version of Lathe ships. The database was left untouched.`,
        { version: row.version },
      );
    }
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)');
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, checksum(migration), Date.now());
      db.pragma(`user_version = ${migration.version}`);
    })();
    logger.info('applied migration', { version: migration.version, name: migration.name });
  }
  return latest;
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`Migrations must be numbered 1..n without gaps; found ${m.version} at position ${i + 1}.`);
  });
}
