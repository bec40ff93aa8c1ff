import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/main/core/db/migrate';
import { migrations } from '../../src/main/core/db/migrations';
import { silentLogger } from '../../src/main/core/logger';

describe('migration 009 (what a merged model was made from)', () => {
  it('keeps existing models (merged_from null) and accepts only JSON', () => {
    const db = new Database(':memory:');
    migrate(db, migrations.slice(0, 8), silentLogger);
    db.prepare(
      `INSERT INTO models (id, name, path, sha256, size_bytes, mtime_ms, architecture, has_chat_template, created_at)
       VALUES ('m1', 'Old', '/m.gguf', '${'a'.repeat(64)}', 1, 1, 'llama', 1, 1)`,
    ).run();
    migrate(db, migrations.slice(0, 9), silentLogger);
    expect(db.prepare('SELECT name, merged_from FROM models').all()).toEqual([{ name: 'Old', merged_from: null }]);
    const set = db.prepare("UPDATE models SET merged_from = ? WHERE id = 'm1'");
    set.run('{"base":"B","adapter":"A"}');
    expect(() => set.run('not json')).toThrow(/CHECK/);
  });
});
