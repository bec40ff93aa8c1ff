import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/core/db/openDatabase';
import { silentLogger } from '../../src/main/core/logger';
import { tempDir } from '../helpers/tempDir';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.remove());

describe('a process killed inside a write transaction', () => {
  it('leaves nothing of that transaction behind, and the database opens cleanly', () => {
    const file = join(dir.path, 'lathe.db');
    openDatabase(file, { logger: silentLogger }).close();
    // A separate process commits one row, then dies with SIGKILL halfway through a second transaction.
    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(${JSON.stringify(file)});
      db.pragma('journal_mode = WAL');
      const insert = db.prepare("INSERT INTO settings (key, value, updated_at) VALUES (?, '1', 0)");
      insert.run('committed');
      db.exec('BEGIN');
      for (let i = 0; i < 5000; i++) insert.run('half-' + i);
      process.kill(process.pid, 'SIGKILL');
    `;
    const child = spawnSync(process.execPath, ['-e', script], { cwd: process.cwd() });
    expect(child.signal).toBe('SIGKILL');
    const db = openDatabase(file, { logger: silentLogger });
    const keys = (db.prepare('SELECT key FROM settings').all() as { key: string }[]).map((r) => r.key);
    expect(keys).toEqual(['committed']);
    db.close();
  });
});
