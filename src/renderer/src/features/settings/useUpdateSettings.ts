import { useQueryClient } from '@tanstack/react-query';
import type { Settings } from '@shared/domain';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { settingsKey } from './useSettings';

/**
 * Changes settings. The theme is applied optimistically (and rolled back on failure) so the
 * picker feels instant; other fields wait for the core, which validates them.
 */
export function useUpdateSettings() {
  const queryClient = useQueryClient();
  return useApiMutation<'settings.update', { previous: Settings | undefined }>('settings.update', {
    onMutate: async (patch) => {
      const previous = queryClient.getQueryData<Settings>(settingsKey);
      if (patch.theme && previous) {
        await queryClient.cancelQueries({ queryKey: settingsKey });
        queryClient.setQueryData<Settings>(settingsKey, { ...previous, theme: patch.theme });
      }
      return { previous };
    },
    onError: (_error, patch, context) => {
      if (patch.theme && context?.previous) queryClient.setQueryData(settingsKey, context.previous);
    },
    onSuccess: (settings) => queryClient.setQueryData(settingsKey, settings),
  });
}
