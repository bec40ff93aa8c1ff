import { useQueryClient } from '@tanstack/react-query';
import { blindComparisonRunning, maskBlindComparison, type InferenceStatus } from '@shared/domain';
import { apiQueryKey, useApiQuery } from '@renderer/lib/useApiQuery';
import { useApiEvent } from '@renderer/lib/useApiEvent';

export const modelsKey = apiQueryKey('models.list', {});
export const inferenceStatusKey = apiQueryKey('inference.status', {});

/** The model library, newest first; refetched whenever `models.changed` says it moved. */
export function useModels() {
  const queryClient = useQueryClient();
  useApiEvent('models.changed', () => {
    void queryClient.invalidateQueries({ queryKey: modelsKey });
    void queryClient.invalidateQueries({ queryKey: ['models.get'] });
  });
  // Refetch on mount: `missing` is re-checked by the core on every list.
  return useApiQuery('models.list', {}, { staleTime: 0 });
}

/**
 * Which model is in memory and what is generating, kept current by `inference.status`. While a
 * blind comparison generates, it reads as nothing loaded (`maskBlindComparison`): the loaded model
 * would say which side is writing. `blindComparison` says so, for a notice.
 */
export function useInferenceStatus() {
  const queryClient = useQueryClient();
  useApiEvent('inference.status', (status) => queryClient.setQueryData<InferenceStatus>(inferenceStatusKey, status));
  const query = useApiQuery('inference.status', {}, { staleTime: Infinity });
  const raw = query.data;
  return {
    ...query,
    data: raw && maskBlindComparison(raw),
    blindComparison: raw ? blindComparisonRunning(raw) : false,
  };
}
