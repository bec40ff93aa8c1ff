import { useContext } from 'react';
import type { ApiClient } from './api';
import { ApiContext } from './ApiProvider';

/** The API client of the nearest `ApiProvider`. */
export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi must be used inside <ApiProvider>.');
  return client;
}
