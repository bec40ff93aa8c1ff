import { ipcChannels } from '../../shared/contract';
import type { EventBus } from '../core/EventBus';

/** The part of Electron's `WebContents` that forwardEvents uses. */
export interface WebContentsLike {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/**
 * Pushes every core event to every live window as `ipcChannels.event` with `(name, payload)`.
 * `getWebContents` is asked on each event, so windows opened later receive events too.
 *
 * @returns the unsubscribe function.
 */
export function forwardEvents(
  events: Pick<EventBus, 'subscribe'>,
  getWebContents: () => Iterable<WebContentsLike>,
): () => void {
  return events.subscribe((name, payload) => {
    for (const contents of getWebContents()) {
      if (contents.isDestroyed()) continue;
      try {
        contents.send(ipcChannels.event, name, payload);
      } catch {
        // A window closing between the check and the send must not keep the others from the event.
      }
    }
  });
}
