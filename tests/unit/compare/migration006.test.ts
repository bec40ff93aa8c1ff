import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/core/db/migrate';
import { migrations } from '../../../src/main/core/db/migrations';
import { silentLogger } from '../../../src/main/core/logger';

function at006(): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations.slice(0, 5), silentLogger);
  migrate(db, migrations.slice(0, 6), silentLogger);
  return db;
}

const insertComparison = (db: Database.Database) =>
  db.prepare(
    `INSERT INTO comparisons (id, batch_id, messages, blind, swapped, mode, contender_a, contender_b, status_a, status_b,
       vote, voted_at, created_at)
     VALUES (?, ?, '[]', 1, ?, 'parallel', '{}', '{}', ?, 'pending', ?, ?, 0)`,
  );

describe('migration 006 (compare)', () => {
  it('is the sixth migration and applies on top of 005', () => {
    expect(migrations[5]).toMatchObject({ version: 6, name: 'compare' });
    const db = at006();
    const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (r) => r.name,
    );
    expect(names).toEqual(expect.arrayContaining(['compare_batches', 'comparisons', 'chat_preferences']));
    db.close();
  });

  it('checks statuses, votes and flags, and a vote always has its time', () => {
    const db = at006();
    const insert = insertComparison(db);
    insert.run('c1', null, 0, 'done', null, null);
    insert.run('c2', null, 1, 'failed', 'both_bad', 5);
    expect(() => insert.run('c3', null, 2, 'done', null, null)).toThrow(/CHECK/);
    expect(() => insert.run('c4', null, 0, 'paused', null, null)).toThrow(/CHECK/);
    expect(() => insert.run('c5', null, 0, 'done', 'left', 5)).toThrow(/CHECK/);
    expect(() => insert.run('c6', null, 0, 'done', 'a', null)).toThrow(/CHECK/);
    expect(() => insert.run('c7', 'no-batch', 0, 'done', null, null)).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare("UPDATE comparisons SET messages = 'not json' WHERE id = 'c1'").run()).toThrow(/CHECK/);
    db.close();
  });

  it('deletes a batch with its comparisons', () => {
    const db = at006();
    db.prepare(
      `INSERT INTO compare_batches (id, name, blind, contenders, state, created_at) VALUES ('b1', 'b', 0, '[]', 'ready', 0)`,
    ).run();
    expect(() =>
      db
        .prepare(
          `INSERT INTO compare_batches (id, name, blind, contenders, state, created_at) VALUES ('b2', 'b', 0, '[]', 'done', 0)`,
        )
        .run(),
    ).toThrow(/CHECK/);
    insertComparison(db).run('c1', 'b1', 0, 'pending', null, null);
    insertComparison(db).run('c2', null, 0, 'pending', null, null);
    db.prepare("DELETE FROM compare_batches WHERE id = 'b1'").run();
    expect(db.prepare('SELECT id FROM comparisons').all()).toEqual([{ id: 'c2' }]);
    db.close();
  });

  it('keeps one chat preference per pair of answers and drops it with the conversation', () => {
    const db = at006();
    db.prepare(
      `INSERT INTO conversations (id, title, system_prompt, model_id, adapters, sampling, created_at, updated_at)
       VALUES ('conv', 't', '', NULL, '[]', '{}', 0, 0)`,
    ).run();
    const message = db.prepare(
      `INSERT INTO messages (id, conversation_id, parent_id, role, content, status, created_at) VALUES (?, 'conv', ?, ?, 'x', 'done', 0)`,
    );
    message.run('u', null, 'user');
    message.run('a1', 'u', 'assistant');
    message.run('a2', 'u', 'assistant');
    const prefer = db.prepare(
      `INSERT INTO chat_preferences (id, conversation_id, chosen_message_id, rejected_message_id, pair_key, created_at)
       VALUES (?, 'conv', ?, ?, ?, 0)`,
    );
    prefer.run('p1', 'a1', 'a2', 'a1|a2');
    expect(() => prefer.run('p2', 'a2', 'a1', 'a1|a2')).toThrow(/UNIQUE/);
    expect(() => prefer.run('p3', 'a1', 'a1', 'a1|a1')).toThrow(/CHECK/);
    expect(() => prefer.run('p4', 'a1', 'gone', 'a1|gone')).toThrow(/FOREIGN KEY/);
    db.prepare("DELETE FROM conversations WHERE id = 'conv'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM chat_preferences').get()).toEqual({ n: 0 });
    db.close();
  });
});
