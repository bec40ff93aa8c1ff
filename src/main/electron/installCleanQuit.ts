import type { Logger } from '../core/logger';

/** The part of Electron's `app` that installCleanQuit uses; tests pass a fake. */
export interface QuittableApp {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  quit(): void;
}

export interface CleanQuitOptions {
  logger: Logger;
  /** How long `close` may take before the app quits anyway, in ms. Default 10 000. */
  timeoutMs?: number;
}

/**
 * Makes every quit (menu, last window closed, signal) wait for `close`: the first `before-quit`
 * is cancelled, `close` runs once (stopping jobs and closing the database), then the app quits
 * for real. If `close` hangs past the timeout the app quits anyway; SQLite's WAL keeps the
 * database consistent even then.
 */
export function installCleanQuit(app: QuittableApp, close: () => Promise<void>, options: CleanQuitOptions): void {
  const { logger, timeoutMs = 10_000 } = options;
  let state: 'running' | 'closing' | 'closed' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'closed') return;
    event.preventDefault();
    if (state === 'closing') return;
    state = 'closing';
    void closeWithin(close, timeoutMs, logger).then(() => {
      state = 'closed';
      app.quit();
    });
  });
}

async function closeWithin(close: () => Promise<void>, timeoutMs: number, logger: Logger): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([close().then(() => 'closed' as const), timeout]);
    if (outcome === 'timeout') logger.warn('shutdown timed out; quitting anyway', { timeoutMs });
  } catch (error) {
    logger.error('shutdown failed; quitting anyway', { error });
  } finally {
    clearTimeout(timer);
  }
}
