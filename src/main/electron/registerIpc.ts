import { ipcChannels, type Envelope } from '../../shared/contract';
import type { Dispatch } from '../core/dispatch';
import type { Logger } from '../core/logger';

/** The part of Electron's `WebFrameMain` that registerIpc reads. */
export interface SenderFrameLike {
  readonly url: string;
  readonly parent: SenderFrameLike | null;
}

/** The part of Electron's `IpcMainInvokeEvent` that registerIpc reads. */
export interface IpcInvokeEventLike {
  /** Null when the frame navigated away or was destroyed before the call arrived. */
  readonly senderFrame: SenderFrameLike | null;
}

/** The part of Electron's `ipcMain` that registerIpc uses; tests pass a fake. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface RegisterIpcOptions {
  /** Whether a top-level frame is Lathe's own page (see createAppUrlCheck). */
  isTrustedSender(frame: SenderFrameLike): boolean;
  logger?: Logger;
}

/**
 * Serves the contract over `ipcChannels.invoke`: `(event, method, input)` → the envelope from
 * `dispatch`, which validates both. Calls from anything but a top-level frame showing Lathe's own
 * page are answered with an UNAUTHORIZED envelope and never reach the core.
 *
 * @returns a function that removes the handler (idempotent).
 */
export function registerIpc(ipcMain: IpcMainLike, dispatch: Dispatch, options: RegisterIpcOptions): () => void {
  ipcMain.handle(ipcChannels.invoke, (event, method, input) => {
    if (!isTrusted(event.senderFrame, options)) {
      options.logger?.warn('ipc call refused', { method: String(method).slice(0, 100), url: frameUrl(event) });
      return unauthorized;
    }
    return dispatch(method, input);
  });
  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    ipcMain.removeHandler(ipcChannels.invoke);
  };
}

const unauthorized: Envelope<never> = {
  ok: false,
  error: { code: 'UNAUTHORIZED', message: 'This page is not allowed to call Lathe.' },
};

function isTrusted(frame: SenderFrameLike | null, options: RegisterIpcOptions): boolean {
  if (!frame) return false;
  try {
    // Subframes are refused even from our own URL: Lathe has none, so one is an injected frame.
    return frame.parent === null && options.isTrustedSender(frame);
  } catch {
    return false; // Electron throws when reading a frame that has just been disposed.
  }
}

function frameUrl(event: IpcInvokeEventLike): string {
  try {
    return event.senderFrame?.url.slice(0, 200) ?? '(no frame)';
  } catch {
    return '(disposed frame)';
  }
}
