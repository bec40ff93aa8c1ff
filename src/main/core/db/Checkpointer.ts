import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger';
import type { Db } from './openDatabase';

/**
 * The worker's code: its own connection to the database, and a PASSIVE checkpoint (copy what the
 * write-ahead log holds into the database file, waiting for no one) every `intervalMs` and when
 * asked. It answers each checkpoint with SQLite's counts: frames in the log, frames copied.
 */
const workerCode = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file, {
  fileMustExist: true,
  ...(workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {}),
});
db.pragma('busy_timeout = 0');
const checkpoint = (id) => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ type: 'checkpoint', id, busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (error) {
    parentPort.postMessage({ type: 'error', id, message: String((error && error.message) || error) });
  }
};
const timer = setInterval(() => checkpoint(null), workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m.type === 'checkpoint') checkpoint(m.id);
  if (m.type === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
parentPort.postMessage({ type: 'ready' });
`;

export interface CheckpointResult {
  /** 1 when another connection held what the checkpoint needed (it is tried again later). */
  busy: number;
  /** Frames in the write-ahead log, and how many of them are now in the database file. */
  log: number;
  checkpointed: number;
}

export interface CheckpointerOptions {
  logger: Logger;
  /** better-sqlite3 binary for this runtime (Electron's copy); the one in node_modules by default. */
  nativeBinding?: string | undefined;
  /** Between two checkpoints, ms (default 500). */
  intervalMs?: number;
}

/**
 * Checkpoints the database's write-ahead log from a worker thread, so that no commit on the main
 * thread pays for it. SQLite's default checkpoints inside the COMMIT that takes the log past 1000
 * pages: copying ~4 MB and syncing the file, 100–190 ms measured on this project's machine during a
 * dataset import, which stalled the event loop (and with it every request of the app). Once the
 * worker runs, the main connection stops checkpointing on commit (`wal_autocheckpoint = 0`); if the
 * worker fails, it checkpoints on commit again. The log is cut back to 16 MB whenever it restarts.
 */
export class Checkpointer {
  readonly #db: Db;
  readonly #o: CheckpointerOptions;
  readonly #worker: Worker;
  readonly #ready: Promise<boolean>;
  readonly #pending = new Map<number, { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #stopped: Promise<void> | null = null;
  #exited = false;

  constructor(db: Db, file: string, options: CheckpointerOptions) {
    this.#db = db;
    this.#o = options;
    db.pragma('journal_size_limit = 16777216');
    this.#worker = new Worker(workerCode, {
      eval: true,
      workerData: {
        file,
        sqlite: createRequire(import.meta.url).resolve('better-sqlite3'),
        nativeBinding: options.nativeBinding,
        intervalMs: options.intervalMs ?? 500,
      },
    });
    // The worker keeps the process alive only while someone waits for it (its start, a requested
    // checkpoint): a forgotten stop() never holds a process open, and an await never finds an empty loop.
    this.#ready = new Promise<boolean>((resolve) => {
      this.#worker.on('message', (m: { type: string; id?: number | null; message?: string } & CheckpointResult) => {
        if (m.type === 'ready') {
          db.pragma('wal_autocheckpoint = 0');
          this.#refWhileWaiting();
          resolve(true);
        } else if (m.type === 'checkpoint') {
          this.#settle(m.id, null, { busy: m.busy, log: m.log, checkpointed: m.checkpointed });
        } else if (m.type === 'error') {
          options.logger.warn('background checkpoint failed', { message: m.message });
          this.#settle(m.id, new Error(m.message ?? 'checkpoint failed'), null);
        }
      });
      this.#worker.on('error', (error) => {
        this.#fallBack(error);
        resolve(false);
      });
      this.#worker.on('exit', () => {
        this.#exited = true;
        if (!this.#stopped) this.#fallBack(new Error('the checkpoint worker exited'));
        this.#rejectPending(new Error('the checkpoint worker stopped'));
        resolve(false);
      });
    });
  }

  /** True once the worker checkpoints (and the main connection no longer does), false if it could not start. */
  ready(): Promise<boolean> {
    return this.#ready;
  }

  /** One checkpoint now (tests, and a quiet moment after a large write). */
  checkpoint(): Promise<CheckpointResult> {
    if (this.#exited || this.#stopped) return Promise.reject(new Error('the checkpoint worker is not running'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      // a checkpoint waits for no one; one that has not answered in 30 s never will
      const timer = setTimeout(() => this.#settle(id, new Error('the checkpoint did not answer'), null), 30_000);
      timer.unref();
      this.#worker.ref();
      this.#pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.#worker.postMessage({ type: 'checkpoint', id });
    });
  }

  /** Stops the worker and closes its connection; the main connection checkpoints on commit again. */
  stop(): Promise<void> {
    return (this.#stopped ??= new Promise<void>((resolve) => {
      if (this.#exited) return resolve();
      this.#worker.once('exit', () => resolve());
      this.#worker.ref(); // waited for, like a checkpoint
      this.#worker.postMessage({ type: 'stop' });
    }).then(() => this.#restore()));
  }

  #settle(id: number | null | undefined, error: Error | null, result: CheckpointResult | null): void {
    if (id === null || id === undefined) return;
    const waiter = this.#pending.get(id);
    if (!waiter) return;
    this.#pending.delete(id);
    this.#refWhileWaiting();
    if (error) waiter.reject(error);
    else waiter.resolve(result!);
  }

  #refWhileWaiting(): void {
    if (this.#pending.size > 0 || (this.#stopped && !this.#exited)) this.#worker.ref();
    else this.#worker.unref();
  }

  #rejectPending(error: Error): void {
    const waiters = [...this.#pending.values()];
    this.#pending.clear();
    for (const waiter of waiters) waiter.reject(error);
  }

  #fellBack = false;

  #fallBack(error: Error): void {
    if (!this.#fellBack) {
      this.#fellBack = true;
      this.#o.logger.warn('background checkpoints stopped; commits checkpoint again', { message: error.message });
    }
    this.#rejectPending(error);
    this.#restore();
  }

  #restore(): void {
    if (this.#db.open) this.#db.pragma('wal_autocheckpoint = 1000');
  }
}
