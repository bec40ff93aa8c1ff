import { useQueryClient } from '@tanstack/react-query';
import type { Job } from '@shared/domain';
import { apiQueryKey, useApiQuery } from '@renderer/lib/useApiQuery';
import { useApiEvent } from '@renderer/lib/useApiEvent';
import { upsertJob } from './upsertJob';

/** How many recent jobs the activity list shows. */
const recentLimit = 30;
export const jobsKey = apiQueryKey('jobs.list', { limit: recentLimit });

/** Recent jobs, newest first, kept live by `jobs.updated` and `jobs.progress` (no polling). */
export function useJobs() {
  const queryClient = useQueryClient();
  const apply = (job: Job) => queryClient.setQueryData<Job[]>(jobsKey, (list) => upsertJob(list, job));
  useApiEvent('jobs.updated', apply);
  useApiEvent('jobs.progress', apply);
  return useApiQuery('jobs.list', { limit: recentLimit }, { staleTime: Infinity });
}
