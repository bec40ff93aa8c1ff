import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksum, migrate, type Migration } from '../../src/main/core/db/migrate';
import { migrations } from '../../src/main/core/db/migrations';
import { openDatabase } from '../../src/main/core/db/openDatabase';
import { silentLogger } from '../../src/main/core/logger';
import { AppError } from '../../src/shared/errors';
import { tempDir } from '../helpers/tempDir';

let dir: ReturnType<typeof tempDir>;
let file: string;
beforeEach(() => {
  dir = tempDir();
  file = join(dir.path, 'lathe.db');
});
afterEach(() => dir.remove());

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

const tables = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );

describe('openDatabase', () => {
  it('creates a fresh database at the latest schema with WAL, foreign keys and a busy timeout', () => {
    const db = openDatabase(file, { logger: silentLogger });
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(tables(db)).toEqual(expect.arrayContaining(['jobs', 'schema_migrations', 'settings']));
    const rows = db.prepare('SELECT version, checksum FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(migrations.map((m) => ({ version: m.version, checksum: checksum(m) })));
    db.close();
  });

  it('reopening an up-to-date database changes nothing', () => {
    openDatabase(file, { logger: silentLogger }).close();
    const first = new Database(file);
    const before = first.prepare('SELECT * FROM schema_migrations').all();
    first.close();
    openDatabase(file, { logger: silentLogger }).close();
    const second = new Database(file);
    expect(second.prepare('SELECT * FROM schema_migrations').all()).toEqual(before);
    second.close();
  });

  it('refuses a database written by a newer version and leaves it untouched', () => {
    openDatabase(file, { logger: silentLogger }).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${migrations.length + 5}`);
    raw.close();
    const bytes = readFileSync(file);
    const error = errorOf(() => openDatabase(file, { logger: silentLogger }));
    expect(error.code).toBe('DB_NEWER_VERSION');
    expect(error.message).toMatch(/newer version of Lathe/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('catches a migration that was edited after it was applied', () => {
    openDatabase(file, { logger: silentLogger }).close();
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, sql: `${m.sql}\n-- edited` } : m));
    const error = errorOf(() => openDatabase(file, { logger: silentLogger, migrations: edited }));
    expect(error.code).toBe('DB_ERROR');
    expect(error.message).toMatch(/Migration 1 \(settings\)/);
  });

  it('reports a file that is not SQLite as corrupt and never replaces it', () => {
    const garbage = Buffer.from('this is not a database, it is my diary. '.repeat(100));
    writeFileSync(file, garbage);
    const error = errorOf(() => openDatabase(file, { logger: silentLogger }));
    expect(error.code).toBe('DB_CORRUPT');
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it('reports a damaged SQLite file as corrupt and never replaces it', () => {
    const db = openDatabase(file, { logger: silentLogger });
    const insert = db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, \'"x"\', 0)');
    for (let i = 0; i < 2000; i++) insert.run(`key-${i}-${'x'.repeat(100)}`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(file);
    // Overwrite the middle pages (b-tree pages of the settings table) with noise; keep the header.
    for (let i = 4096 * 2; i < bytes.length - 4096; i++) bytes[i] = (i * 7919) % 251;
    writeFileSync(file, bytes);
    const error = errorOf(() => openDatabase(file, { logger: silentLogger }));
    expect(error.code).toBe('DB_CORRUPT');
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });
});

describe('migrate', () => {
  const good: Migration = { version: 1, name: 'one', sql: 'CREATE TABLE one (id INTEGER PRIMARY KEY) STRICT;' };

  it('rolls back a migration that fails halfway: no table, no record, no version bump', () => {
    const db = new Database(':memory:');
    const broken: Migration = {
      version: 2,
      name: 'broken',
      sql: 'CREATE TABLE two (id INTEGER PRIMARY KEY) STRICT; INSERT INTO missing_table VALUES (1);',
    };
    expect(() => migrate(db, [good, broken], silentLogger)).toThrow(/missing_table/);
    expect(tables(db)).toEqual(['one', 'schema_migrations']);
    expect(db.prepare('SELECT version FROM schema_migrations').all()).toEqual([{ version: 1 }]);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
  });

  it('refuses gaps in numbering', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [{ ...good, version: 2 }], silentLogger)).toThrow(/without gaps/);
    db.close();
  });
});

describe('migration 001 (settings)', () => {
  it('stores JSON values and rejects anything else', () => {
    const db = new Database(':memory:');
    migrate(db, migrations.slice(0, 1), silentLogger);
    db.prepare("INSERT INTO settings VALUES ('theme', '\"dark\"', 1)").run();
    expect(() => db.prepare("INSERT INTO settings VALUES ('bad', 'not json', 1)").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO settings VALUES ('theme', '\"light\"', 1)").run()).toThrow(/UNIQUE/);
    db.close();
  });
});

describe('migration 002 (jobs)', () => {
  it('accepts the six job states and rejects others and out-of-range progress', () => {
    const db = new Database(':memory:');
    migrate(db, migrations.slice(0, 2), silentLogger);
    const insert = db.prepare(
      "INSERT INTO jobs (id, kind, title, state, progress, args, created_at) VALUES (?, 'k', 't', ?, ?, '{}', 0)",
    );
    for (const [i, state] of ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'].entries()) {
      insert.run(`ok-${i}`, state, 0.5);
    }
    expect(() => insert.run('bad-state', 'paused', 0)).toThrow(/CHECK/);
    expect(() => insert.run('bad-progress', 'running', 1.5)).toThrow(/CHECK/);
    expect(() =>
      db
        .prepare("INSERT INTO jobs (id, kind, title, state, args, created_at) VALUES ('x', 'k', 't', 'queued', '{', 0)")
        .run(),
    ).toThrow(/CHECK/);
    db.close();
  });
});

describe('migration 003 (training)', () => {
  it('ties metrics to their run, cascades deletes and keeps adapters unique by path', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations.slice(0, 3), silentLogger);
    const run = db.prepare(
      `INSERT INTO training_runs (id, name, state, base_model_path, base_model_sha256, data_source, data_sha256,
         hyperparams, created_at, updated_at) VALUES (?, 'r', ?, '/m.gguf', '', '{"kind":"file","path":"/d"}', 'x', '{}', 0, 0)`,
    );
    run.run('r1', 'running');
    expect(() => run.run('r2', 'paused')).toThrow(/CHECK/);
    const metric = db.prepare(
      'INSERT INTO training_metrics (run_id, step, epoch, train_loss, eval_loss, learning_rate, tokens_per_second, at) VALUES (?, ?, 0, 1, NULL, 0.1, 5, 0)',
    );
    metric.run('r1', 1);
    expect(() => metric.run('missing', 1)).toThrow(/FOREIGN KEY/);
    expect(() => metric.run('r1', 1)).toThrow(/UNIQUE|PRIMARY/);
    const adapter = db.prepare(
      `INSERT INTO adapters (id, name, path, base_model_path, base_model_sha256, run_id, rank, alpha, targets, size_bytes, created_at)
       VALUES (?, 'a', ?, '/m.gguf', 'h', 'r1', 16, 32, '["q"]', 1, 0)`,
    );
    adapter.run('a1', '/runs/r1/adapter.gguf');
    expect(() => adapter.run('a2', '/runs/r1/adapter.gguf')).toThrow(/UNIQUE/);
    db.prepare("DELETE FROM training_runs WHERE id = 'r1'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM training_metrics').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT run_id FROM adapters').get()).toEqual({ run_id: null });
    db.close();
  });
});

describe('migration 004 (models and chat)', () => {
  it('keeps models unique by hash, branches messages by parent and unlinks kept examples on delete', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations.slice(0, 4), silentLogger);
    const model = db.prepare(
      `INSERT INTO models (id, name, path, sha256, size_bytes, mtime_ms, architecture, has_chat_template, created_at)
       VALUES (?, 'm', '/m.gguf', ?, 1, 0, 'llama', ?, 0)`,
    );
    model.run('m1', 'a'.repeat(64), 1);
    expect(() => model.run('m2', 'a'.repeat(64), 0)).toThrow(/UNIQUE/);
    expect(() => model.run('m3', 'short', 0)).toThrow(/CHECK/);
    expect(() => model.run('m4', 'b'.repeat(64), 2)).toThrow(/CHECK/);
    db.prepare(
      `INSERT INTO conversations (id, title, system_prompt, model_id, adapters, sampling, created_at, updated_at)
       VALUES ('c1', 't', '', 'm1', '[]', '{}', 0, 0)`,
    ).run();
    const message = db.prepare(
      `INSERT INTO messages (id, conversation_id, parent_id, role, content, status, created_at)
       VALUES (?, 'c1', ?, ?, 'x', ?, 0)`,
    );
    message.run('u1', null, 'user', 'done');
    message.run('a1', 'u1', 'assistant', 'done');
    message.run('a2', 'u1', 'assistant', 'stopped');
    expect(() => message.run('bad-role', 'u1', 'system', 'done')).toThrow(/CHECK/);
    expect(() => message.run('bad-status', 'u1', 'assistant', 'paused')).toThrow(/CHECK/);
    expect(() => message.run('orphan', 'nope', 'assistant', 'done')).toThrow(/FOREIGN KEY/);
    db.prepare(
      `INSERT INTO kept_examples (id, conversation_id, message_id, messages, edited, created_at)
       VALUES ('k1', 'c1', 'a1', '[]', 0, 0)`,
    ).run();
    expect(() =>
      db
        .prepare(
          "INSERT INTO kept_examples (id, conversation_id, message_id, messages, edited, created_at) VALUES ('k2', 'c1', 'a1', '[]', 0, 0)",
        )
        .run(),
    ).toThrow(/UNIQUE/);
    db.prepare("DELETE FROM models WHERE id = 'm1'").run();
    expect(db.prepare("SELECT model_id FROM conversations WHERE id = 'c1'").get()).toEqual({ model_id: null });
    db.prepare("DELETE FROM conversations WHERE id = 'c1'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM messages').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT conversation_id, message_id FROM kept_examples').get()).toEqual({
      conversation_id: null,
      message_id: null,
    });
    db.close();
  });
});
