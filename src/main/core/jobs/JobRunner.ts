import { randomUUID } from 'node:crypto';
import type { Job, JobState } from '../../../shared/domain';
import { AppError, toAppErrorData } from '../../../shared/errors';
import type { JobsRepo } from '../db/repos/JobsRepo';
import type { EventBus } from '../EventBus';
import type { Logger } from '../logger';

/** Progress reported by a running job: fraction 0..1 and/or a human message. */
export interface JobProgress {
  progress?: number;
  message?: string;
}

export interface JobContext {
  jobId: string;
  /** Aborted when the user cancels the job or the app shuts down. */
  signal: AbortSignal;
  /** Cheap to call at any rate: persisting and pushing are throttled by the runner. */
  onProgress(progress: JobProgress): void;
}

/** A long operation: `(args, {signal, onProgress})`, resolving to a JSON-serialisable result. */
export type JobHandler<Args = unknown, Result = unknown> = (args: Args, context: JobContext) => Promise<Result>;

export interface JobRunnerOptions {
  repo: JobsRepo;
  events: EventBus;
  logger: Logger;
  /** Minimum time between two persisted, pushed progress updates of one job. Default 250 ms. */
  progressIntervalMs?: number;
  now?: () => number;
}

interface Running {
  job: Job;
  controller: AbortController;
  /** Why the job is being aborted; decides its final state. */
  abortReason: 'cancel' | 'shutdown' | null;
  lastFlush: number;
  timer: NodeJS.Timeout | null;
  done: Promise<Job>;
}

/**
 * Runs every long operation as a persisted job with throttled progress events and cancellation.
 * Jobs that were queued or running when the app last stopped are marked `interrupted` at
 * construction, so the UI can offer to resume them.
 */
export class JobRunner {
  readonly #handlers = new Map<string, JobHandler<never, unknown>>();
  readonly #running = new Map<string, Running>();
  readonly #repo: JobsRepo;
  readonly #events: EventBus;
  readonly #logger: Logger;
  readonly #interval: number;
  readonly #now: () => number;
  #closed = false;

  constructor(options: JobRunnerOptions) {
    this.#repo = options.repo;
    this.#events = options.events;
    this.#logger = options.logger;
    this.#interval = options.progressIntervalMs ?? 250;
    this.#now = options.now ?? Date.now;
    const interrupted = this.#repo.interruptUnfinished(
      this.#now(),
      'Interrupted: Lathe stopped while this was running.',
    );
    if (interrupted > 0) this.#logger.warn('jobs interrupted by the last shutdown', { count: interrupted });
  }

  register<Args, Result>(kind: string, handler: JobHandler<Args, Result>): void {
    if (this.#handlers.has(kind)) throw new Error(`Job kind ${kind} is already registered.`);
    this.#handlers.set(kind, handler as JobHandler<never, unknown>);
  }

  /** Persists a new job and starts it; returns the job as first stored. */
  start<Args>(kind: string, args: Args, title: string): Job {
    const handler = this.#handlers.get(kind);
    if (!handler) throw new AppError('UNSUPPORTED', `No job handler for ${kind}.`);
    if (this.#closed) throw new AppError('CONFLICT', 'Lathe is shutting down; no new jobs can start.');
    const now = this.#now();
    const job: Job = {
      id: randomUUID(),
      kind,
      title,
      state: 'running',
      progress: 0,
      message: '',
      error: null,
      createdAt: now,
      startedAt: now,
      finishedAt: null,
    };
    this.#repo.insert(job, args);
    this.#repo.update(job);
    const controller = new AbortController();
    const running: Running = {
      job,
      controller,
      abortReason: null,
      lastFlush: now,
      timer: null,
      done: Promise.resolve(job),
    };
    this.#running.set(job.id, running);
    this.#events.emit('jobs.updated', { ...job });
    running.done = this.#run(running, handler as JobHandler<Args, unknown>, args);
    return { ...job };
  }

  get(id: string): Job {
    const running = this.#running.get(id);
    if (running) return { ...running.job };
    const stored = this.#repo.get(id);
    if (!stored) throw new AppError('NOT_FOUND', `No job with id ${id}.`, { id });
    return stored.job;
  }

  /** The arguments a job was started with (to resume an interrupted one). */
  args(id: string): unknown {
    const stored = this.#repo.get(id);
    if (!stored) throw new AppError('NOT_FOUND', `No job with id ${id}.`, { id });
    return stored.args;
  }

  list(filter: { states?: readonly JobState[]; kind?: string; limit?: number } = {}): Job[] {
    return this.#repo.list(filter).map((job) => (this.#running.has(job.id) ? this.get(job.id) : job));
  }

  /** Requests cancellation; resolves once the job has stopped. */
  async cancel(id: string): Promise<Job> {
    const running = this.#running.get(id);
    if (!running) {
      const job = this.get(id);
      throw new AppError('CONFLICT', `The job "${job.title}" is already ${job.state}.`, { id, state: job.state });
    }
    running.abortReason ??= 'cancel';
    running.controller.abort(new AppError('CANCELLED', 'Cancelled by the user.'));
    return running.done;
  }

  /** Resolves with the job's final state. */
  async wait(id: string): Promise<Job> {
    const running = this.#running.get(id);
    return running ? running.done : this.get(id);
  }

  clearFinished(): number {
    return this.#repo.clearFinished();
  }

  /** Stops every running job (they end `interrupted`, resumable) and refuses new ones. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#running.values()];
    for (const running of all) {
      running.abortReason ??= 'shutdown';
      running.controller.abort(new AppError('CANCELLED', 'Lathe is shutting down.'));
    }
    await Promise.allSettled(all.map((r) => r.done));
  }

  async #run<Args>(running: Running, handler: JobHandler<Args, unknown>, args: Args): Promise<Job> {
    const { job, controller } = running;
    const context: JobContext = {
      jobId: job.id,
      signal: controller.signal,
      onProgress: (update) => this.#progress(running, update),
    };
    try {
      // Defer one tick so start() returns before the handler's first synchronous work.
      await Promise.resolve();
      const result = await handler(args, context);
      if (controller.signal.aborted) throw controller.signal.reason;
      job.result = result ?? null;
      job.state = 'succeeded';
      job.progress = 1;
    } catch (error) {
      if (running.abortReason === 'shutdown') {
        job.state = 'interrupted';
        job.message = 'Interrupted: Lathe was closed while this was running.';
      } else if (running.abortReason === 'cancel') {
        job.state = 'cancelled';
        job.message = 'Cancelled.';
      } else {
        job.state = 'failed';
        job.error = toAppErrorData(error);
        if (job.error.code === 'INTERNAL') this.#logger.error('job failed', { id: job.id, kind: job.kind, error });
      }
    }
    if (running.timer) clearTimeout(running.timer);
    job.finishedAt = this.#now();
    this.#running.delete(job.id);
    try {
      this.#repo.update(job);
    } catch (error) {
      this.#logger.error('could not persist the end of a job', { id: job.id, error });
    }
    this.#events.emit('jobs.updated', { ...job });
    return { ...job };
  }

  #progress(running: Running, update: JobProgress): void {
    if (!this.#running.has(running.job.id)) return;
    if (update.progress !== undefined && Number.isFinite(update.progress)) {
      running.job.progress = Math.min(1, Math.max(0, update.progress));
    }
    if (update.message !== undefined) running.job.message = update.message;
    const wait = running.lastFlush + this.#interval - this.#now();
    if (wait <= 0) this.#flush(running);
    else running.timer ??= setTimeout(() => this.#flush(running), wait);
  }

  #flush(running: Running): void {
    if (running.timer) clearTimeout(running.timer);
    running.timer = null;
    if (!this.#running.has(running.job.id)) return;
    running.lastFlush = this.#now();
    this.#repo.update(running.job);
    this.#events.emit('jobs.progress', { ...running.job });
  }
}
