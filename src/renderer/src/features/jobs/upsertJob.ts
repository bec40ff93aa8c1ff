import type { Job } from '@shared/domain';

/**
 * Puts a job (from an event or a mutation) into a cached list, replacing the one with its id,
 * newest first, as `jobs.list` orders them. Progress events may arrive after the job finished;
 * a stale one (an older state than the cached one) is ignored.
 */
export function upsertJob(list: readonly Job[] | undefined, job: Job): Job[] {
  const current = list ?? [];
  const index = current.findIndex((j) => j.id === job.id);
  if (index === -1) return [job, ...current].sort((a, b) => b.createdAt - a.createdAt);
  const existing = current[index]!;
  if (isFinished(existing) && !isFinished(job)) return [...current];
  const next = [...current];
  next[index] = job;
  return next;
}

export function isActive(job: Job): boolean {
  return job.state === 'queued' || job.state === 'running';
}

function isFinished(job: Job): boolean {
  return !isActive(job);
}
