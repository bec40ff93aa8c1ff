import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Core } from '../../../src/main/core/createCore';
import { silentLogger } from '../../../src/main/core/logger';
import { createAppUrlCheck } from '../../../src/main/electron/appUrl';
import {
  registerIpc,
  type IpcInvokeEventLike,
  type IpcMainLike,
  type SenderFrameLike,
} from '../../../src/main/electron/registerIpc';
import { ipcChannels } from '../../../src/shared/contract';
import { testCore } from '../../helpers/testCore';
import { tempDir } from '../../helpers/tempDir';

type Listener = (event: IpcInvokeEventLike, ...args: unknown[]) => unknown;

/** Records handlers the way ipcMain does: one per channel, a second `handle` is an error. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** Calls the handler as a renderer's `ipcRenderer.invoke(channel, ...args)` would. */
  async invoke(frame: SenderFrameLike | null, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(ipcChannels.invoke);
    if (!handler) throw new Error('No handler registered');
    return handler({ senderFrame: frame }, ...args);
  }
}

const rendererIndex = '/opt/lathe/out/renderer/index.html';
const appUrl = pathToFileURL(rendererIndex).href;
const isAppUrl = createAppUrlCheck({ rendererIndex });
const topFrame = (url: string): SenderFrameLike => ({ url, parent: null });

let dir: ReturnType<typeof tempDir>;
let core: Core;
let ipc: FakeIpcMain;
let dispatch: ReturnType<typeof vi.fn<Core['dispatch']>>;
let dispose: () => void;

beforeEach(() => {
  dir = tempDir('lathe-ipc-');
  core = testCore(dir.path, { host: 'electron', appVersion: '1.2.3' });
  dispatch = vi.fn(core.dispatch);
  ipc = new FakeIpcMain();
  dispose = registerIpc(ipc, dispatch, { isTrustedSender: (frame) => isAppUrl(frame.url), logger: silentLogger });
});

afterEach(async () => {
  dispose();
  await core.close();
  dir.remove();
});

describe('registerIpc', () => {
  it('answers a call from the app page with the core envelope', async () => {
    const result = await ipc.invoke(topFrame(`${appUrl}#/chat`), 'app.info', {});
    expect(result).toMatchObject({ ok: true, data: { name: 'Lathe', host: 'electron', version: '1.2.3' } });
    expect(dispatch).toHaveBeenCalledWith('app.info', {});
  });

  it.each([
    ['a web page', topFrame('https://example.com/')],
    ['another local file', topFrame(pathToFileURL('/opt/lathe/out/renderer/other.html').href)],
    ['a subframe of the app page', { url: appUrl, parent: topFrame(appUrl) }],
    ['a destroyed frame', null],
  ])('answers UNAUTHORIZED to %s without reaching the core', async (_name, frame) => {
    const result = await ipc.invoke(frame, 'settings.update', { theme: 'dark' });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('treats a frame that throws when read (disposed in Electron) as untrusted', async () => {
    const frame = {
      get url(): string {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
      parent: null,
    };
    expect(await ipc.invoke(frame, 'app.info', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('answers an unknown method with an error envelope', async () => {
    const result = await ipc.invoke(topFrame(appUrl), 'fs.readFile', { path: '/etc/passwd' });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
  });

  it('answers invalid input with INVALID_INPUT', async () => {
    const result = await ipc.invoke(topFrame(appUrl), 'jobs.list', { limit: -1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('removes its handler on dispose, once', async () => {
    dispose();
    dispose();
    expect(ipc.handlers.size).toBe(0);
    await expect(ipc.invoke(topFrame(appUrl), 'app.info', {})).rejects.toThrow(/No handler/);
    // A fresh registration works after disposal (e.g. a restarted core).
    dispose = registerIpc(ipc, dispatch, { isTrustedSender: () => true });
    expect(await ipc.invoke(topFrame(appUrl), 'app.info', {})).toMatchObject({ ok: true });
  });
});
