import { useQuery, type UseQueryOptions, type UseQueryResult } from '@tanstack/react-query';
import type { MethodInput, MethodName, MethodOutput } from '@shared/contract';
import type { ApiError } from './ApiError';
import { useApi } from './useApi';

/** The query key of a method call; use it with `setQueryData` / `invalidateQueries`. */
export function apiQueryKey<M extends MethodName>(method: M, input: MethodInput<M>) {
  return [method, input] as const;
}

type Options<M extends MethodName> = Omit<
  UseQueryOptions<MethodOutput<M>, ApiError, MethodOutput<M>, ReturnType<typeof apiQueryKey<M>>>,
  'queryKey' | 'queryFn'
>;

/** A TanStack query for a read method of the contract, keyed by method and input. */
export function useApiQuery<M extends MethodName>(
  method: M,
  input: MethodInput<M>,
  options?: Options<M>,
): UseQueryResult<MethodOutput<M>, ApiError> {
  const api = useApi();
  return useQuery({ ...options, queryKey: apiQueryKey(method, input), queryFn: () => api.call(method, input) });
}
