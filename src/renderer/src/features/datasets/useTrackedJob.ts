import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Job } from '@shared/domain';
import { isActive, upsertJob } from '@renderer/features/jobs/upsertJob';
import { jobsKey, useJobs } from '@renderer/features/jobs/useJobs';

/**
 * Follows one job started here: `track(job)` with the answer of the start method, then `job` is its
 * live state (from `jobs.progress` / `jobs.updated`) and `onFinish` runs once when it ends, even if
 * it ended before the start method answered.
 */
export function useTrackedJob(onFinish: (job: Job) => void): {
  job: Job | null;
  track: (job: Job) => void;
  reset: () => void;
} {
  const queryClient = useQueryClient();
  const jobs = useJobs();
  const [id, setId] = useState<string | null>(null);
  const finished = useRef<string | null>(null);
  const latest = useRef(onFinish);
  useEffect(() => {
    latest.current = onFinish;
  });
  const job = id ? ((jobs.data ?? []).find((j) => j.id === id) ?? null) : null;

  useEffect(() => {
    if (!job || isActive(job) || finished.current === job.id) return;
    finished.current = job.id;
    latest.current(job);
  }, [job]);

  return {
    job,
    track: (started) => {
      queryClient.setQueryData<Job[]>(jobsKey, (list) => upsertJob(list, started));
      setId(started.id);
    },
    reset: () => setId(null),
  };
}
