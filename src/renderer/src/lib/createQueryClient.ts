import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './ApiError';

/**
 * Per-query or per-mutation `meta`. `silent: true` turns off the global error toast for a call
 * whose failure the component shows itself.
 */
export interface ApiMeta extends Record<string, unknown> {
  silent?: boolean;
}

/**
 * The app's QueryClient: every failed query or mutation is reported to `onError`, once.
 * Queries that fail with `UNAVAILABLE` are not reported: the connection banner already says so,
 * and they refetch on reconnect. Mutations always are, because a person asked for them.
 */
export function createQueryClient(onError: (error: ApiError) => void): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        const apiError = ApiError.from(error);
        if (query.meta?.silent || apiError.code === 'UNAVAILABLE') return;
        onError(apiError);
      },
    }),
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => {
        if (mutation.meta?.silent) return;
        onError(ApiError.from(error));
      },
    }),
    defaultOptions: {
      queries: {
        // Errors are values with codes; retrying INVALID_INPUT or NOT_FOUND cannot help, and the
        // connection is local, so `navigator.onLine` says nothing about it.
        retry: false,
        networkMode: 'always',
        refetchOnWindowFocus: false,
        // Push events keep the data fresh; see the `use*` hooks of each feature.
        staleTime: 30_000,
      },
      mutations: { retry: false, networkMode: 'always' },
    },
  });
}
