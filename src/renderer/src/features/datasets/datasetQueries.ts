import { useQueryClient } from '@tanstack/react-query';
import { apiQueryKey, useApiQuery } from '@renderer/lib/useApiQuery';
import { useApiEvent } from '@renderer/lib/useApiEvent';

export const datasetsKey = apiQueryKey('datasets.list', {});

/** Every query that reads examples, counts, stats or reports: refetched on `datasets.changed`. */
const exampleQueries = [
  'datasets.examples.list',
  'datasets.examples.get',
  'datasets.get',
  'datasets.stats',
  'datasets.report',
] as const;

/**
 * The datasets with their counts, kept current by `datasets.changed`: any write (here, in another
 * window, or by a job) refetches the list and every example page, so nothing is polled.
 */
export function useDatasets() {
  const queryClient = useQueryClient();
  useApiEvent('datasets.changed', () => {
    void queryClient.invalidateQueries({ queryKey: datasetsKey });
    for (const method of exampleQueries) void queryClient.invalidateQueries({ queryKey: [method] });
  });
  return useApiQuery('datasets.list', {}, { staleTime: Infinity });
}
