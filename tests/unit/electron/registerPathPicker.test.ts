import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../src/main/core/logger';
import type { IpcInvokeEventLike, IpcMainLike, SenderFrameLike } from '../../../src/main/electron/registerIpc';
import { registerPathPicker } from '../../../src/main/electron/registerPathPicker';
import { ipcChannels, type PickPathOptions } from '../../../src/shared/contract';

type Listener = (event: IpcInvokeEventLike, ...args: unknown[]) => unknown;

function setup() {
  const handlers = new Map<string, Listener>();
  const ipc: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const show = vi.fn((options: PickPathOptions) =>
    Promise.resolve(options.mode === 'open' ? '/home/me/model.gguf' : null),
  );
  const dispose = registerPathPicker(ipc, {
    isTrustedSender: (frame) => frame.url === 'app://lathe/index.html',
    show,
    logger: silentLogger,
  });
  const ask = (frame: SenderFrameLike | null, options: unknown) =>
    (handlers.get(ipcChannels.pickPath) as Listener)({ senderFrame: frame }, options);
  return { handlers, show, dispose, ask };
}

const lathe: SenderFrameLike = { url: 'app://lathe/index.html', parent: null };

describe('registerPathPicker', () => {
  it("shows the dialog for Lathe's own page and answers the chosen path or null", async () => {
    const { show, ask } = setup();
    await expect(ask(lathe, { mode: 'open', filters: [{ name: 'GGUF', extensions: ['gguf'] }] })).resolves.toBe(
      '/home/me/model.gguf',
    );
    await expect(ask(lathe, { mode: 'save', defaultName: 'pairs.jsonl' })).resolves.toBeNull();
    expect(show).toHaveBeenCalledTimes(2);
    expect(show.mock.calls[1]?.[0]).toEqual({ mode: 'save', defaultName: 'pairs.jsonl' });
  });

  it('refuses foreign pages, subframes, disposed frames and bad options without showing anything', async () => {
    const { show, ask } = setup();
    const disposed = {
      get url(): string {
        throw new Error('Render frame was disposed');
      },
      parent: null,
    };
    await expect(ask({ url: 'https://evil.example/', parent: null }, { mode: 'open' })).resolves.toBeNull();
    await expect(ask({ url: lathe.url, parent: lathe }, { mode: 'open' })).resolves.toBeNull();
    await expect(ask(null, { mode: 'open' })).resolves.toBeNull();
    await expect(ask(disposed, { mode: 'open' })).resolves.toBeNull();
    await expect(ask(lathe, { mode: 'open', properties: ['openDirectory'] })).resolves.toBeNull();
    await expect(ask(lathe, { mode: 'open', filters: [{ name: 'x', extensions: ['*.gguf;rm'] }] })).resolves.toBeNull();
    expect(show).not.toHaveBeenCalled();
  });

  it('removes its handler once, however often disposed', () => {
    const { handlers, dispose } = setup();
    expect(handlers.has(ipcChannels.pickPath)).toBe(true);
    dispose();
    dispose();
    expect(handlers.has(ipcChannels.pickPath)).toBe(false);
  });
});
