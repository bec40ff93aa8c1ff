import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetsRepo } from '../../src/main/core/datasets/DatasetsRepo';
import { importDataset } from '../../src/main/core/datasets/importDataset';
import { Checkpointer } from '../../src/main/core/db/Checkpointer';
import { openDatabase, type Db } from '../../src/main/core/db/openDatabase';
import { silentLogger } from '../../src/main/core/logger';
import { tempDir } from '../helpers/tempDir';
import { testCore } from '../helpers/testCore';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir('lathe-checkpointer-');
});
afterAll(() => dir?.remove());

const autocheckpoint = (db: Db) => db.pragma('wal_autocheckpoint', { simple: true });

function fill(db: Db, rows: number): void {
  db.exec('CREATE TABLE IF NOT EXISTS filler (x TEXT)');
  const insert = db.prepare('INSERT INTO filler VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run('x'.repeat(500));
  })();
}

describe('checkpoints from a worker thread', () => {
  it('takes over from commits, copies the log into the database, and lets the log restart', async () => {
    const file = join(dir.path, 'a.db');
    const db = openDatabase(file, { logger: silentLogger });
    const cp = new Checkpointer(db, file, { logger: silentLogger, intervalMs: 60_000 });
    expect(await cp.ready()).toBe(true);
    // commits no longer checkpoint
    expect(autocheckpoint(db)).toBe(0);
    fill(db, 20_000); // ~10 MB: past the 1000 pages a commit would have checkpointed at
    const first = await cp.checkpoint();
    expect(first.busy).toBe(0);
    expect(first.log).toBeGreaterThan(1000);
    expect(first.checkpointed).toBe(first.log);
    // the next write finds the log copied and starts it over: it holds only the new pages
    fill(db, 100);
    const second = await cp.checkpoint();
    expect(second.log).toBeLessThan(100);
    expect(second.checkpointed).toBe(second.log);
    // a checkpoint asked for just before the stop still answers
    const last = cp.checkpoint();
    await cp.stop();
    await expect(last).resolves.toMatchObject({ busy: 0 });
    // stopped: commits checkpoint again
    expect(autocheckpoint(db)).toBe(1000);
    await expect(cp.checkpoint()).rejects.toThrow('not running');
    db.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('falls back to checkpointing on commit when the worker cannot open the database', async () => {
    const file = join(dir.path, 'b.db');
    const db = openDatabase(file, { logger: silentLogger });
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) };
    const cp = new Checkpointer(db, file, { logger, nativeBinding: join(dir.path, 'no-such-binding.node') });
    expect(await cp.ready()).toBe(false);
    expect(autocheckpoint(db)).toBe(1000);
    await expect(cp.checkpoint()).rejects.toThrow();
    expect(warnings).toContain('background checkpoints stopped; commits checkpoint again');
    await cp.stop();
    db.close();
  });

  it('never holds a process open, and never leaves an await (start, checkpoint, stop) on an empty event loop', () => {
    // a script that waits for the worker (start, one checkpoint) and forgets to stop it
    const script = join(dir.path, 'forgets.ts');
    const src = (p: string) => JSON.stringify(resolve(p));
    writeFileSync(
      script,
      `await import(${src('bench/lib/inferenceHooks.ts')});
const { Checkpointer } = await import(${src('src/main/core/db/Checkpointer.ts')});
const { openDatabase } = await import(${src('src/main/core/db/openDatabase.ts')});
const { silentLogger } = await import(${src('src/main/core/logger.ts')});
const file = ${JSON.stringify(join(dir.path, 'script.db'))};
const db = openDatabase(file, { logger: silentLogger });
const cp = new Checkpointer(db, file, { logger: silentLogger });
console.log('ready', await cp.ready());
db.exec('CREATE TABLE IF NOT EXISTS t (x)');
console.log('checkpointed', (await cp.checkpoint()).busy === 0);
if (process.argv[2] === 'stop') {
  await cp.stop();
  db.close();
  console.log('stopped');
}
`,
    );
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', './bench/lib/register.mjs', script, ...args], {
        encoding: 'utf8',
        timeout: 60_000,
      });
    // exit code 13 would be an await the worker left on an empty loop; a timeout, a worker held open
    const forgets = run();
    expect(forgets.error).toBeUndefined();
    expect(forgets.stdout).toBe('ready true\ncheckpointed true\n');
    expect(forgets.status).toBe(0);
    // and one that stops it waits for the stop
    const stops = run('stop');
    expect(stops.stdout).toBe('ready true\ncheckpointed true\nstopped\n');
    expect(stops.status).toBe(0);
  });

  it('the core runs one, and stops it before closing the database', async () => {
    const core = testCore(join(dir.path, 'core'));
    expect(await core.checkpointer.ready()).toBe(true);
    expect(autocheckpoint(core.db)).toBe(0);
    await core.close();
    expect(existsSync(join(dir.path, 'core', 'lathe.db-wal'))).toBe(false);
  });

  it('an import checkpoints after each commit, so the log restarts instead of growing with it', async () => {
    const file = join(dir.path, 'import.db');
    const db = openDatabase(file, { logger: silentLogger });
    const cp = new Checkpointer(db, file, { logger: silentLogger, intervalMs: 60_000 });
    expect(await cp.ready()).toBe(true);
    const lines = Array.from({ length: 3000 }, (_v, i) =>
      JSON.stringify({
        messages: [
          { role: 'user', content: `question ${i} ${'about the weather and more '.repeat(8)}` },
          { role: 'assistant', content: `answer ${i} ${'it will rain tomorrow and then clear up '.repeat(8)}` },
        ],
      }),
    );
    const data = join(dir.path, 'import.jsonl');
    writeFileSync(data, lines.join('\n') + '\n');
    const logs: number[] = [];
    const result = await importDataset(
      new DatasetsRepo(db),
      { path: data, name: 'Checkpointed', format: 'openai', onErrors: 'skip' },
      { signal: new AbortController().signal, onProgress: () => {}, jobId: 'test' },
      {
        batchSize: 100,
        commitEveryMs: 0,
        afterCommit: async () => {
          const r = await cp.checkpoint();
          logs.push(r.log);
        },
      },
    );
    expect(result.imported).toBe(3000);
    // one checkpoint per commit (a commit after each batch here), each copying all of the log
    expect(logs.length).toBeGreaterThanOrEqual(25);
    // each log holds one batch's pages (and a merge step's), not everything written so far
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const written = statSync(file).size / pageSize;
    expect(Math.max(...logs)).toBeLessThan(written / 3);
    await cp.stop();
    db.close();
  });
});
