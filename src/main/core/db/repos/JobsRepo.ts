import type { Job, JobState } from '../../../../shared/domain';
import type { AppErrorData } from '../../../../shared/errors';
import type { Db } from '../openDatabase';

interface JobRow {
  id: string;
  kind: string;
  title: string;
  state: JobState;
  progress: number;
  message: string;
  args: string;
  result: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface StoredJob {
  job: Job;
  args: unknown;
}

/** Persistence of jobs; every statement is prepared once. */
export class JobsRepo {
  readonly #insert;
  readonly #update;
  readonly #get;
  readonly #interrupt;
  readonly #clear;

  constructor(private readonly db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO jobs (id, kind, title, state, progress, message, args, created_at)
       VALUES (@id, @kind, @title, @state, @progress, @message, @args, @created_at)`,
    );
    this.#update = db.prepare(
      `UPDATE jobs SET state = @state, progress = @progress, message = @message, result = @result,
       error = @error, started_at = @started_at, finished_at = @finished_at WHERE id = @id`,
    );
    this.#get = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.#interrupt = db.prepare(
      `UPDATE jobs SET state = 'interrupted', finished_at = ?, message = ?
       WHERE state IN ('queued', 'running')`,
    );
    this.#clear = db.prepare(`DELETE FROM jobs WHERE state IN ('succeeded', 'failed', 'cancelled', 'interrupted')`);
  }

  insert(job: Job, args: unknown): void {
    this.#insert.run({
      id: job.id,
      kind: job.kind,
      title: job.title,
      state: job.state,
      progress: job.progress,
      message: job.message,
      args: JSON.stringify(args ?? null),
      created_at: job.createdAt,
    });
  }

  update(job: Job): void {
    this.#update.run({
      id: job.id,
      state: job.state,
      progress: job.progress,
      message: job.message,
      result: job.result === undefined ? null : JSON.stringify(job.result),
      error: job.error ? JSON.stringify(job.error) : null,
      started_at: job.startedAt,
      finished_at: job.finishedAt,
    });
  }

  get(id: string): StoredJob | undefined {
    const row = this.#get.get(id) as JobRow | undefined;
    return row && { job: toJob(row), args: JSON.parse(row.args) as unknown };
  }

  list(filter: { states?: readonly JobState[]; kind?: string; limit?: number }): Job[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.states?.length) {
      where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
      params.push(...filter.states);
    }
    if (filter.kind) {
      where.push('kind = ?');
      params.push(filter.kind);
    }
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, filter.limit ?? 100) as JobRow[]).map(toJob);
  }

  /** Marks every job that was queued or running as interrupted; returns how many. */
  interruptUnfinished(now: number, message: string): number {
    return this.#interrupt.run(now, message).changes;
  }

  clearFinished(): number {
    return this.#clear.run().changes;
  }
}

function toJob(row: JobRow): Job {
  const job: Job = {
    id: row.id,
    kind: row.kind,
    title: row.title,
    state: row.state,
    progress: row.progress,
    message: row.message,
    error: row.error ? (JSON.parse(row.error) as AppErrorData) : null,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
  if (row.result !== null) job.result = JSON.parse(row.result) as unknown;
  return job;
}
