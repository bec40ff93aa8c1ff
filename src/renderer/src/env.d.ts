import type { LatheApi } from '@shared/contract';
import type { ApiError } from './lib/ApiError';
import type { ApiMeta } from './lib/createQueryClient';

declare global {
  interface Window {
    /** The Electron preload bridge; absent in browser mode. */
    lathe?: LatheApi;
  }
}

declare module '@tanstack/react-query' {
  interface Register {
    defaultError: ApiError;
    queryMeta: ApiMeta;
    mutationMeta: ApiMeta;
  }
}
