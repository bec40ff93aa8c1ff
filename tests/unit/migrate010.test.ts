import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/main/core/db/migrate';
import { migrations } from '../../src/main/core/db/migrations';
import { silentLogger } from '../../src/main/core/logger';

describe('migration 010 (reasoning, answers edited by hand)', () => {
  it('leaves older models unread (NULL) and older messages without a thought, and checks the mode', () => {
    const db = new Database(':memory:');
    migrate(db, migrations.slice(0, 9), silentLogger);
    db.prepare(
      `INSERT INTO models (id, name, path, sha256, size_bytes, mtime_ms, architecture, has_chat_template, created_at)
       VALUES ('m1', 'Old', '/m.gguf', '${'a'.repeat(64)}', 1, 1, 'llama', 1, 1)`,
    ).run();
    db.prepare(
      `INSERT INTO conversations (id, title, system_prompt, model_id, adapters, sampling, created_at, updated_at)
       VALUES ('c1', 'Chat', '', NULL, '[]', '{}', 1, 1)`,
    ).run();
    db.prepare(
      `INSERT INTO messages (id, conversation_id, parent_id, role, content, status, truncated_context, created_at)
       VALUES ('u1', 'c1', NULL, 'user', 'Hi', 'done', 0, 1)`,
    ).run();
    migrate(db, migrations.slice(0, 10), silentLogger);
    expect(db.prepare('SELECT name, reasoning FROM models').all()).toEqual([{ name: 'Old', reasoning: null }]);
    expect(db.prepare('SELECT content, reasoning, edited FROM messages').all()).toEqual([
      { content: 'Hi', reasoning: null, edited: 0 },
    ]);
    expect(() => db.prepare("UPDATE messages SET edited = 2 WHERE id = 'u1'").run()).toThrow(/CHECK/);
    const set = db.prepare("UPDATE models SET reasoning = ? WHERE id = 'm1'");
    set.run('switchable');
    expect(() => set.run('sometimes')).toThrow(/CHECK/);
  });
});
