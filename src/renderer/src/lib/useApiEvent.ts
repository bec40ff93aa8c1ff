import { useEffect, useRef } from 'react';
import type { EventName, EventPayload } from '@shared/contract';
import { useApi } from './useApi';

/** Subscribes to a push event for the component's life; the latest `listener` is always called. */
export function useApiEvent<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): void {
  const api = useApi();
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => api.on(event, (payload) => latest.current(payload)), [api, event]);
}
