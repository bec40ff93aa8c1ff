import { useMutation, type UseMutationOptions, type UseMutationResult } from '@tanstack/react-query';
import type { MethodInput, MethodName, MethodOutput } from '@shared/contract';
import type { ApiError } from './ApiError';
import { useApi } from './useApi';

/** A TanStack mutation for a method of the contract; failures toast through the MutationCache. */
export function useApiMutation<M extends MethodName, Context = unknown>(
  method: M,
  options?: Omit<UseMutationOptions<MethodOutput<M>, ApiError, MethodInput<M>, Context>, 'mutationFn'>,
): UseMutationResult<MethodOutput<M>, ApiError, MethodInput<M>, Context> {
  const api = useApi();
  return useMutation({ ...options, mutationFn: (input) => api.call(method, input) });
}
