import { useApiQuery } from '@renderer/lib/useApiQuery';

/** Every fine-tune run, newest first; kept current by `useTrainingEvents`. */
export function useTrainingRuns() {
  // Refetch on mount: runs may have moved on while the page was closed and its events unheard.
  return useApiQuery('training.list', {}, { staleTime: 0 });
}
