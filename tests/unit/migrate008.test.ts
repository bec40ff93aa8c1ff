import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/main/core/db/migrate';
import { migrations } from '../../src/main/core/db/migrations';
import { silentLogger } from '../../src/main/core/logger';

describe('migration 008 (token counts counted again)', () => {
  it('drops the cached counts and keeps every example and its search index', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations.slice(0, 7), silentLogger);
    db.prepare("INSERT INTO datasets (id, name, created_at, updated_at) VALUES ('d1', 'x', 0, 0)").run();
    const insert = db.prepare(
      `INSERT INTO dataset_examples (id, dataset_id, messages, source, char_count, turn_count, token_count, token_model, created_at, updated_at)
       VALUES (?, 'd1', ?, 'manual', 5, 2, ?, ?, 0, 0)`,
    );
    const messages = (text: string) =>
      JSON.stringify([
        { role: 'user', content: text },
        { role: 'assistant', content: 'ok' },
      ]);
    insert.run('e1', messages('lathe counted'), 42, 'model-a');
    insert.run('e2', messages('never counted'), null, null);
    migrate(db, migrations.slice(0, 8), silentLogger);
    expect(db.prepare('SELECT id, token_count, token_model FROM dataset_examples ORDER BY id').all()).toEqual([
      { id: 'e1', token_count: null, token_model: null },
      { id: 'e2', token_count: null, token_model: null },
    ]);
    const found = db
      .prepare(
        "SELECT e.id FROM dataset_examples_fts f JOIN dataset_examples e ON e.seq = f.rowid WHERE dataset_examples_fts MATCH 'lathe'",
      )
      .pluck()
      .all();
    expect(found).toEqual(['e1']);
  });
});
