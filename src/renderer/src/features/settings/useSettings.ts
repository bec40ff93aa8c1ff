import { useQueryClient } from '@tanstack/react-query';
import { apiQueryKey, useApiQuery } from '@renderer/lib/useApiQuery';
import { useApiEvent } from '@renderer/lib/useApiEvent';

export const settingsKey = apiQueryKey('settings.get', {});

/** The settings, kept current by `settings.changed` (a change from any window or client). */
export function useSettings() {
  const queryClient = useQueryClient();
  useApiEvent('settings.changed', (settings) => queryClient.setQueryData(settingsKey, settings));
  return useApiQuery('settings.get', {}, { staleTime: Infinity });
}
