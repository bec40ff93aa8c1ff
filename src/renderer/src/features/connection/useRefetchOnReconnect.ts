import { useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useConnection } from '@renderer/lib/useConnection';

/** After a dropped connection comes back, refetch everything: push events may have been missed. */
export function useRefetchOnReconnect(): void {
  const queryClient = useQueryClient();
  const { state } = useConnection();
  const wasDown = useRef(false);
  useEffect(() => {
    if (state === 'disconnected') wasDown.current = true;
    else if (state === 'connected' && wasDown.current) {
      wasDown.current = false;
      void queryClient.invalidateQueries();
    }
  }, [state, queryClient]);
}
