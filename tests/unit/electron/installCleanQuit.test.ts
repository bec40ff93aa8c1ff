import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { silentLogger, type Logger } from '../../../src/main/core/logger';
import { installCleanQuit, type QuittableApp } from '../../../src/main/electron/installCleanQuit';

/** Quits the way Electron's app does: emits before-quit, and stops unless a listener prevented it. */
class FakeApp extends EventEmitter implements QuittableApp {
  quits = 0;
  quitted = false;
  override on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): this {
    return super.on(event, listener);
  }
  quit(): void {
    this.quits++;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.quitted = true;
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('installCleanQuit', () => {
  it('holds the first quit until close resolves, then quits for real', async () => {
    const app = new FakeApp();
    let finish!: () => void;
    const close = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    installCleanQuit(app, close, { logger: silentLogger });

    app.quit();
    expect(app.quitted).toBe(false);
    app.quit(); // A second quit while closing neither quits nor closes twice.
    expect(app.quitted).toBe(false);
    expect(close).toHaveBeenCalledTimes(1);

    finish();
    await settle();
    expect(app.quitted).toBe(true);
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('quits anyway, logging, when close fails', async () => {
    const app = new FakeApp();
    const error = vi.fn();
    const logger: Logger = { ...silentLogger, error };
    installCleanQuit(app, () => Promise.reject(new Error('disk gone')), { logger });
    app.quit();
    await settle();
    expect(app.quitted).toBe(true);
    expect(error).toHaveBeenCalledWith('shutdown failed; quitting anyway', expect.anything());
  });

  it('quits anyway when close hangs past the timeout', async () => {
    const app = new FakeApp();
    const warn = vi.fn();
    installCleanQuit(app, () => new Promise<void>(() => {}), { logger: { ...silentLogger, warn }, timeoutMs: 20 });
    app.quit();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(app.quitted).toBe(true);
    expect(warn).toHaveBeenCalledOnce();
  });
});
