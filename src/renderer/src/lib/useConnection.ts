import { useSyncExternalStore } from 'react';
import type { ConnectionStatus } from './connection';
import { useApi } from './useApi';

/** The live status of the link to the Lathe core. */
export function useConnection(): ConnectionStatus {
  const { connection } = useApi();
  return useSyncExternalStore(connection.subscribe, connection.get);
}
