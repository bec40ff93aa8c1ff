import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/main/core/db/migrate';
import { migrations } from '../../src/main/core/db/migrations';
import { silentLogger } from '../../src/main/core/logger';

function at004(): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations.slice(0, 4), silentLogger);
  return db;
}

function upTo005(db: Database.Database): void {
  migrate(db, migrations.slice(0, 5), silentLogger);
}

const insertExample = (db: Database.Database) =>
  db.prepare(
    `INSERT INTO dataset_examples (id, dataset_id, messages, source, source_ref, char_count, turn_count, created_at, updated_at)
     VALUES (?, ?, ?, 'manual', ?, 1, 1, 0, 0)`,
  );

describe('migration 005 (datasets)', () => {
  it('on a fresh database: creates no dataset, enforces names, messages, sources and splits', () => {
    const db = at004();
    upTo005(db);
    expect(db.prepare('SELECT COUNT(*) AS n FROM datasets').get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'kept_examples'").get()).toBeUndefined();
    const dataset = db.prepare('INSERT INTO datasets (id, name, created_at, updated_at) VALUES (?, ?, 0, 0)');
    dataset.run('d1', 'Mine');
    expect(() => dataset.run('d2', 'MINE')).toThrow(/UNIQUE/);
    expect(() => dataset.run('d3', '  ')).toThrow(/CHECK/);
    const example = insertExample(db);
    example.run('e1', 'd1', '[{"role":"user","content":"hello tokenizer"}]', null);
    expect(() => example.run('e2', 'd1', 'not json', null)).toThrow(/CHECK/);
    expect(() => example.run('e3', 'd1', '[]', null)).toThrow(/CHECK/);
    expect(() => example.run('e4', 'd1', '{"role":"user"}', null)).toThrow(/CHECK/);
    expect(() => example.run('e5', 'nope', '[{"role":"user","content":"x"}]', null)).toThrow(/FOREIGN KEY/);
    expect(() => example.run('e6', 'd1', '[{"role":"user","content":"x"}]', '[1]')).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE dataset_examples SET split = 'test' WHERE id = 'e1'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE dataset_examples SET source = 'web' WHERE id = 'e1'").run()).toThrow(/CHECK/);
    db.close();
  });

  it('keeps the search index in step with inserts, edits and deletes, with prefix search', () => {
    const db = at004();
    upTo005(db);
    db.prepare("INSERT INTO datasets (id, name, created_at, updated_at) VALUES ('d1', 'x', 0, 0)").run();
    const example = insertExample(db);
    example.run(
      'e1',
      'd1',
      '[{"role":"user","content":"Explain the tokenizer"},{"role":"assistant","content":"It splits text."}]',
      null,
    );
    example.run('e2', 'd1', '[{"role":"user","content":"Café au lait"}]', null);
    const search = (q: string) =>
      (
        db
          .prepare(
            'SELECT e.id FROM dataset_examples_fts f JOIN dataset_examples e ON e.seq = f.rowid WHERE dataset_examples_fts MATCH ? ORDER BY e.seq',
          )
          .all(q) as { id: string }[]
      ).map((r) => r.id);
    expect(search('tok*')).toEqual(['e1']);
    expect(search('text : (splits)')).toEqual(['e1']);
    expect(search('cafe')).toEqual(['e2']);
    db.prepare(
      `UPDATE dataset_examples SET messages = '[{"role":"user","content":"Other words"}]' WHERE id = 'e1'`,
    ).run();
    expect(search('tok*')).toEqual([]);
    expect(search('other')).toEqual(['e1']);
    db.prepare(`UPDATE dataset_examples SET rejected = 'a rejected answer' WHERE id = 'e2'`).run();
    expect(search('rejected')).toEqual(['e2']);
    // The scope column follows the dataset and the trash; tags and notes leave the index alone.
    db.prepare("INSERT INTO datasets (id, name, created_at, updated_at) VALUES ('d-2', 'y', 0, 0)").run();
    expect(search('text : (other) AND scope : ("dd1" "live")')).toEqual(['e1']);
    db.prepare("UPDATE dataset_examples SET deleted_at = 5 WHERE id = 'e1'").run();
    expect(search('text : (other) AND scope : ("dd1" "live")')).toEqual([]);
    expect(search('text : (other) AND scope : ("dd1" "trash")')).toEqual(['e1']);
    db.prepare("UPDATE dataset_examples SET dataset_id = 'd-2', deleted_at = NULL WHERE id = 'e1'").run();
    expect(search('text : (other) AND scope : ("dd2" "live")')).toEqual(['e1']);
    expect(search('text : live')).toEqual([]);
    db.prepare("UPDATE dataset_examples SET tags = '[\"t\"]', note = 'n' WHERE id = 'e1'").run();
    expect(search('text : (other) AND scope : ("dd2" "live")')).toEqual(['e1']);
    db.prepare("DELETE FROM dataset_examples WHERE id = 'e1'").run();
    expect(search('other')).toEqual([]);
    db.prepare("DELETE FROM datasets WHERE id = 'd1'").run();
    expect(search('cafe')).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM dataset_examples').get()).toEqual({ n: 0 });
    db.close();
  });

  it('keeps the newest 20 history entries per example', () => {
    const db = at004();
    upTo005(db);
    db.prepare("INSERT INTO datasets (id, name, created_at, updated_at) VALUES ('d1', 'x', 0, 0)").run();
    insertExample(db).run('e1', 'd1', '[{"role":"user","content":"x"}]', null);
    insertExample(db).run('e2', 'd1', '[{"role":"user","content":"x"}]', null);
    const history = db.prepare(
      "INSERT INTO example_history (example_id, kind, snapshot, created_at) VALUES (?, 'edit', ?, 0)",
    );
    for (let i = 0; i < 25; i++) history.run('e1', JSON.stringify({ i }));
    history.run('e2', '{}');
    const kept = db.prepare("SELECT snapshot FROM example_history WHERE example_id = 'e1' ORDER BY id").all() as {
      snapshot: string;
    }[];
    expect(kept.map((r) => JSON.parse(r.snapshot).i)).toEqual(Array.from({ length: 20 }, (_, i) => i + 5));
    expect(() => history.run('e1', 'nope')).toThrow(/CHECK/);
    expect(() =>
      db
        .prepare("INSERT INTO example_history (example_id, kind, snapshot, created_at) VALUES ('e1', 'x', '{}', 0)")
        .run(),
    ).toThrow(/CHECK/);
    db.prepare("DELETE FROM dataset_examples WHERE id = 'e1'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM example_history').get()).toEqual({ n: 1 });
    db.close();
  });

  it('moves kept examples from chat into "Kept from chat" with the same ids and a link to the message', () => {
    const db = at004();
    db.prepare(
      `INSERT INTO conversations (id, title, system_prompt, model_id, adapters, sampling, created_at, updated_at)
       VALUES ('c1', 't', '', NULL, '[]', '{}', 0, 0)`,
    ).run();
    const message = db.prepare(
      `INSERT INTO messages (id, conversation_id, parent_id, role, content, status, created_at) VALUES (?, 'c1', ?, ?, ?, 'done', 0)`,
    );
    message.run('u1', null, 'user', 'Hi');
    message.run('a1', 'u1', 'assistant', 'Hello');
    message.run('a2', 'u1', 'assistant', 'Hey');
    const kept = db.prepare(
      `INSERT INTO kept_examples (id, conversation_id, message_id, messages, edited, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const turns = [
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello there' },
    ];
    kept.run('k1', 'c1', 'a1', JSON.stringify(turns), 1, 1000);
    kept.run('k2', 'c1', 'a2', JSON.stringify(turns.slice(1)), 0, 2000);
    kept.run('k3', null, null, JSON.stringify([{ role: 'user', content: 'orphan' }]), 0, 3000);
    upTo005(db);

    const datasets = db.prepare('SELECT * FROM datasets').all() as { id: string; name: string; created_at: number }[];
    expect(datasets).toHaveLength(1);
    expect(datasets[0]).toMatchObject({ name: 'Kept from chat', created_at: 1000 });
    expect(datasets[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    const rows = db
      .prepare(
        'SELECT id, dataset_id, messages, source, source_ref, source_message_id, split, char_count, turn_count, created_at FROM dataset_examples ORDER BY seq',
      )
      .all() as Record<string, unknown>[];
    expect(rows.map((r) => r.id)).toEqual(['k1', 'k2', 'k3']);
    expect(rows[0]).toMatchObject({
      dataset_id: datasets[0]!.id,
      source: 'chat',
      source_message_id: 'a1',
      split: 'auto',
      char_count: 'Be kind.'.length + 'Hi'.length + 'Hello there'.length,
      turn_count: 3,
      created_at: 1000,
    });
    expect(JSON.parse(rows[0]!.messages as string)).toEqual(turns);
    expect(JSON.parse(rows[0]!.source_ref as string)).toEqual({ conversationId: 'c1', messageId: 'a1', edited: true });
    expect(JSON.parse(rows[2]!.source_ref as string)).toEqual({ conversationId: null, messageId: null, edited: false });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'kept_examples'").get()).toBeUndefined();
    const found = db
      .prepare(
        "SELECT e.id FROM dataset_examples_fts f JOIN dataset_examples e ON e.seq = f.rowid WHERE dataset_examples_fts MATCH 'orphan'",
      )
      .all();
    expect(found).toEqual([{ id: 'k3' }]);
    db.close();
  });
});
