import { ipcChannels, pickPathOptionsSchema, type PickPathOptions } from '../../shared/contract';
import type { Logger } from '../core/logger';
import type { IpcMainLike, SenderFrameLike } from './registerIpc';

export interface RegisterPathPickerOptions {
  /** Whether a top-level frame is Lathe's own page (see createAppUrlCheck). */
  isTrustedSender(frame: SenderFrameLike): boolean;
  /** Shows the native dialog (Electron's `dialog`); answers the chosen path or null when cancelled. */
  show(options: PickPathOptions): Promise<string | null>;
  logger?: Logger;
}

/**
 * Serves `ipcChannels.pickPath`: a native open or save dialog for Lathe's own top-level page only,
 * with options validated here again (the preload already did; main trusts nothing it receives).
 * A path from a dialog is one the person chose, so handing it to the renderer reveals nothing.
 *
 * @returns a function that removes the handler (idempotent).
 */
export function registerPathPicker(ipcMain: IpcMainLike, options: RegisterPathPickerOptions): () => void {
  ipcMain.handle(ipcChannels.pickPath, async (event, raw) => {
    if (!isTrusted(event.senderFrame, options)) {
      options.logger?.warn('dialog request refused', {});
      return null;
    }
    const parsed = pickPathOptionsSchema.safeParse(raw);
    if (!parsed.success) {
      options.logger?.warn('dialog request with bad options', { issues: parsed.error.issues.length });
      return null;
    }
    return options.show(parsed.data);
  });
  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    ipcMain.removeHandler(ipcChannels.pickPath);
  };
}

function isTrusted(frame: SenderFrameLike | null, options: RegisterPathPickerOptions): boolean {
  try {
    return frame !== null && frame.parent === null && options.isTrustedSender(frame);
  } catch {
    return false; // a frame disposed while the call was in flight
  }
}
