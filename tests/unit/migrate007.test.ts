import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/main/core/db/migrate';
import { migrations } from '../../src/main/core/db/migrations';
import { silentLogger } from '../../src/main/core/logger';

describe('migration 007 (training device report)', () => {
  it('keeps existing runs (device null) and accepts only JSON device reports', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations.slice(0, 6), silentLogger);
    db.prepare(
      `INSERT INTO training_runs (id, name, state, base_model_path, base_model_sha256, data_source, data_sha256,
         hyperparams, created_at, updated_at)
       VALUES ('r1', 'old run', 'succeeded', '/m.gguf', 'abc', '{"kind":"file","path":"/d.jsonl"}', 'def', '{}', 1, 1)`,
    ).run();
    migrate(db, migrations.slice(0, 7), silentLogger);
    expect(db.prepare('SELECT name, device FROM training_runs').all()).toEqual([{ name: 'old run', device: null }]);
    const set = db.prepare("UPDATE training_runs SET device = ? WHERE id = 'r1'");
    set.run('{"backend":"CUDA0","windowSize":512}');
    expect(db.prepare('SELECT device FROM training_runs').pluck().get()).toBe('{"backend":"CUDA0","windowSize":512}');
    expect(() => set.run('not json')).toThrow(/CHECK/);
  });
});
