import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../../src/main/core/db/openDatabase';
import { JobsRepo } from '../../src/main/core/db/repos/JobsRepo';
import { EventBus } from '../../src/main/core/EventBus';
import { JobRunner, type JobContext } from '../../src/main/core/jobs/JobRunner';
import { silentLogger } from '../../src/main/core/logger';
import type { EventName } from '../../src/shared/contract';
import type { Job } from '../../src/shared/domain';
import { AppError } from '../../src/shared/errors';
import { tempDir } from '../helpers/tempDir';

let dir: ReturnType<typeof tempDir>;
let db: Db;
let events: EventBus;
let seen: { event: EventName; job: Job }[];

function runner(progressIntervalMs = 100): JobRunner {
  return new JobRunner({ repo: new JobsRepo(db), events, logger: silentLogger, progressIntervalMs });
}

/** A handler that finishes when `release` is called, or fails when its signal aborts. */
function controllable() {
  let release: (value: unknown) => void = () => {};
  const released = new Promise((resolve) => (release = resolve));
  let context: JobContext | undefined;
  const handler = (_args: unknown, ctx: JobContext) =>
    new Promise((resolve, reject) => {
      context = ctx;
      void released.then(resolve);
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error));
    });
  return { handler, release: (v: unknown) => release(v), context: () => context! };
}

beforeEach(() => {
  dir = tempDir();
  db = openDatabase(join(dir.path, 'lathe.db'), { logger: silentLogger });
  events = new EventBus();
  seen = [];
  events.subscribe((event, payload) => seen.push({ event, job: payload as Job }));
});
afterEach(() => {
  vi.useRealTimers();
  if (db.open) db.close();
  dir.remove();
});

describe('JobRunner', () => {
  it('runs a job to success, persisting its result and pushing state changes', async () => {
    const jobs = runner();
    jobs.register('test.sum', async (args: { a: number; b: number }) => ({ sum: args.a + args.b }));
    const started = jobs.start('test.sum', { a: 2, b: 3 }, 'Add');
    expect(started.state).toBe('running');
    const done = await jobs.wait(started.id);
    expect(done).toMatchObject({ state: 'succeeded', progress: 1, result: { sum: 5 }, error: null });
    expect(jobs.get(started.id)).toMatchObject({ state: 'succeeded', result: { sum: 5 } });
    expect(jobs.args(started.id)).toEqual({ a: 2, b: 3 });
    expect(seen.filter((s) => s.event === 'jobs.updated').map((s) => s.job.state)).toEqual(['running', 'succeeded']);
  });

  it('throttles progress: a flood of updates becomes a few events, and the last value is kept', async () => {
    vi.useFakeTimers();
    const jobs = runner(100);
    const job = controllable();
    jobs.register('test.flood', job.handler);
    const { id } = jobs.start('test.flood', {}, 'Flood');
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 1; i <= 1000; i++) {
      job.context().onProgress({ progress: i / 1000, message: `step ${i}` });
      if (i % 100 === 0) await vi.advanceTimersByTimeAsync(25); // 1000 updates over 250 ms
    }
    await vi.advanceTimersByTimeAsync(200);
    const progress = seen.filter((s) => s.event === 'jobs.progress');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThanOrEqual(4);
    expect(progress.at(-1)!.job).toMatchObject({ progress: 1, message: 'step 1000' });
    // Persisted too, so a reloaded renderer sees the latest progress.
    expect(new JobsRepo(db).get(id)!.job).toMatchObject({ progress: 1, message: 'step 1000', state: 'running' });
    job.release('ok');
    await vi.advanceTimersByTimeAsync(0);
    expect((await jobs.wait(id)).state).toBe('succeeded');
  });

  it('clamps progress to 0..1 and ignores non-finite values', async () => {
    const jobs = runner(0);
    const job = controllable();
    jobs.register('test.clamp', job.handler);
    const { id } = jobs.start('test.clamp', {}, 'Clamp');
    await Promise.resolve();
    await Promise.resolve();
    job.context().onProgress({ progress: 7 });
    expect(jobs.get(id).progress).toBe(1);
    job.context().onProgress({ progress: -3 });
    expect(jobs.get(id).progress).toBe(0);
    job.context().onProgress({ progress: Number.NaN });
    expect(jobs.get(id).progress).toBe(0);
    job.release(null);
    await jobs.wait(id);
  });

  it('cancels a running job through its signal; cancelling again is a CONFLICT', async () => {
    const jobs = runner();
    const job = controllable();
    jobs.register('test.cancel', job.handler);
    const { id } = jobs.start('test.cancel', {}, 'Long');
    await Promise.resolve();
    const cancelled = await jobs.cancel(id);
    expect(cancelled).toMatchObject({ state: 'cancelled', error: null });
    expect(job.context().signal.aborted).toBe(true);
    await expect(jobs.cancel(id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(jobs.cancel('no-such-job')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('records a failure with its error code and message', async () => {
    const jobs = runner();
    jobs.register('test.fail', async () => {
      throw new AppError('IO_ERROR', 'Disk full while writing the adapter.');
    });
    jobs.register('test.crash', async () => {
      throw new TypeError('boom');
    });
    const failed = await jobs.wait(jobs.start('test.fail', {}, 'Fail').id);
    expect(failed).toMatchObject({
      state: 'failed',
      error: { code: 'IO_ERROR', message: 'Disk full while writing the adapter.' },
    });
    const crashed = await jobs.wait(jobs.start('test.crash', {}, 'Crash').id);
    expect(crashed.error).toEqual({ code: 'INTERNAL', message: 'boom' });
  });

  it('marks jobs that were running when the process died as interrupted at the next start', async () => {
    const jobs = runner();
    const job = controllable();
    jobs.register('test.forever', job.handler);
    const { id } = jobs.start('test.forever', { file: 'big.gguf' }, 'Download');
    await Promise.resolve();
    // Simulated crash: the database goes away with the job still running; no close(), no cleanup.
    db.close();
    db = openDatabase(join(dir.path, 'lathe.db'), { logger: silentLogger });
    const after = runner();
    expect(after.get(id)).toMatchObject({ state: 'interrupted', title: 'Download' });
    expect(after.get(id).finishedAt).not.toBeNull();
    expect(after.args(id)).toEqual({ file: 'big.gguf' });
  });

  it('close() stops running jobs as interrupted (resumable) and refuses new ones', async () => {
    const jobs = runner();
    const job = controllable();
    jobs.register('test.forever', job.handler);
    const { id } = jobs.start('test.forever', {}, 'Train');
    await Promise.resolve();
    await jobs.close();
    expect(jobs.get(id).state).toBe('interrupted');
    expect(() => jobs.start('test.forever', {}, 'Again')).toThrow(/shutting down/);
  });

  it('lists newest first with filters, and clears only finished jobs', async () => {
    let t = 1000;
    const jobs = new JobRunner({ repo: new JobsRepo(db), events, logger: silentLogger, now: () => t++ });
    const job = controllable();
    jobs.register('test.quick', async () => 'done');
    jobs.register('test.slow', job.handler);
    const a = await jobs.wait(jobs.start('test.quick', {}, 'A').id);
    const b = jobs.start('test.slow', {}, 'B');
    expect(jobs.list().map((j) => j.title)).toEqual(['B', 'A']);
    expect(jobs.list({ states: ['running'] }).map((j) => j.id)).toEqual([b.id]);
    expect(jobs.list({ kind: 'test.quick' }).map((j) => j.id)).toEqual([a.id]);
    expect(jobs.clearFinished()).toBe(1);
    expect(jobs.list().map((j) => j.id)).toEqual([b.id]);
    job.release(null);
    await jobs.wait(b.id);
  });

  it('rejects unknown kinds and duplicate registrations', () => {
    const jobs = runner();
    expect(() => jobs.start('nope', {}, 'x')).toThrow(/No job handler/);
    jobs.register('k', async () => null);
    expect(() => jobs.register('k', async () => null)).toThrow(/already registered/);
  });
});
