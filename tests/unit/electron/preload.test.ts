import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ipcChannels, type LatheApi, type PickPathOptions } from '../../../src/shared/contract';
import type { Job } from '../../../src/shared/domain';

// The preload runs against a fake Electron: what it exposes and what it sends is all there is.
const electron = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  const ipcListeners: { channel: string; listener: (...args: unknown[]) => void }[] = [];
  return {
    exposed,
    ipcListeners,
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    webUtils: { getPathForFile: vi.fn<(file: File) => string>() },
    ipcRenderer: {
      invoke: vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>(),
      on: (channel: string, listener: (...args: unknown[]) => void) => ipcListeners.push({ channel, listener }),
    },
    /** Delivers a push from main as `webContents.send(channel, name, payload)` would. */
    push(name: string, payload: unknown) {
      for (const { channel, listener } of ipcListeners) if (channel === ipcChannels.event) listener({}, name, payload);
    },
  };
});
vi.mock('electron', () => ({
  contextBridge: electron.contextBridge,
  ipcRenderer: electron.ipcRenderer,
  webUtils: electron.webUtils,
}));

await import('../../../src/preload/index');
const lathe = electron.exposed.get('lathe') as LatheApi;

const job: Job = {
  id: 'j1',
  kind: 'test',
  title: 'Test',
  state: 'running',
  progress: 0.5,
  message: '',
  error: null,
  createdAt: 1,
  startedAt: 1,
  finishedAt: null,
};

beforeEach(() => {
  electron.ipcRenderer.invoke.mockReset();
});

describe('preload bridge', () => {
  it('exposes exactly invoke, on and the desktop file access as window.lathe', () => {
    expect([...electron.exposed.keys()]).toEqual(['lathe']);
    expect(Object.keys(lathe).sort()).toEqual(['files', 'invoke', 'on']);
    expect(Object.keys(lathe.files ?? {}).sort()).toEqual(['pathForFile', 'pickPath']);
  });

  it('asks main for a dialog with checked options, and answers null when cancelled', async () => {
    const files = lathe.files!;
    electron.ipcRenderer.invoke.mockResolvedValue('/home/me/model.gguf');
    const options: PickPathOptions = { mode: 'open', filters: [{ name: 'GGUF', extensions: ['gguf'] }] };
    await expect(files.pickPath(options)).resolves.toBe('/home/me/model.gguf');
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith(ipcChannels.pickPath, options);
    electron.ipcRenderer.invoke.mockResolvedValue(undefined);
    await expect(files.pickPath({ mode: 'save', defaultName: 'data.jsonl' })).resolves.toBeNull();

    electron.ipcRenderer.invoke.mockClear();
    const bad = [
      { mode: 'delete' },
      { mode: 'open', filters: [{ name: 'x', extensions: ['../..'] }] },
      { mode: 'open', x: 1 },
    ];
    for (const options of bad) {
      await expect(files.pickPath(options as never)).rejects.toThrow(/Bad dialog options/);
    }
    expect(electron.ipcRenderer.invoke).not.toHaveBeenCalled();
  });

  it("gives a dropped File's path through webUtils, and null for anything that is not a File on disk", () => {
    const files = lathe.files!;
    electron.webUtils.getPathForFile.mockImplementation((file: File) =>
      file.name === 'on-disk.gguf' ? '/data/on-disk.gguf' : '',
    );
    expect(files.pathForFile(new File(['GGUF'], 'on-disk.gguf'))).toBe('/data/on-disk.gguf');
    expect(files.pathForFile(new File(['made in the page'], 'memory.txt'))).toBeNull();
    expect(files.pathForFile({ name: 'on-disk.gguf', path: '/etc/passwd' })).toBeNull();
    expect(files.pathForFile('/etc/passwd')).toBeNull();
  });

  it('sends a contract method over the invoke channel and returns the envelope', async () => {
    electron.ipcRenderer.invoke.mockResolvedValue({ ok: true, data: { deleted: 2 } });
    await expect(lathe.invoke('jobs.clearFinished', {})).resolves.toEqual({ ok: true, data: { deleted: 2 } });
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith(ipcChannels.invoke, 'jobs.clearFinished', {});
  });

  it('rejects an unknown method locally, without IPC', async () => {
    const invoke = lathe.invoke as (method: string, input: unknown) => ReturnType<LatheApi['invoke']>;
    for (const method of ['fs.readFile', '__proto__', 'toString', '']) {
      await expect(invoke(method, {})).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
    expect(electron.ipcRenderer.invoke).not.toHaveBeenCalled();
  });

  it('turns a missing main handler (startup, shutdown) into an UNAVAILABLE envelope', async () => {
    electron.ipcRenderer.invoke.mockRejectedValue(new Error("No handler registered for 'lathe:invoke'"));
    await expect(lathe.invoke('app.info', {})).resolves.toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });

  it('rejects an unknown event locally', () => {
    const on = lathe.on as (event: string, listener: (payload: unknown) => void) => () => void;
    expect(() => on('ipc.anything', () => {})).toThrow(/Unknown event/);
    expect(() => on('constructor', () => {})).toThrow(/Unknown event/);
  });

  it('delivers only the subscribed event, and stops after unsubscribe', () => {
    const progress: Job[] = [];
    const updated: Job[] = [];
    const stopProgress = lathe.on('jobs.progress', (payload) => progress.push(payload));
    const stopUpdated = lathe.on('jobs.updated', (payload) => updated.push(payload));
    electron.push('jobs.progress', job);
    electron.push('jobs.updated', job);
    electron.push('not.an.event', job);
    expect(progress).toEqual([job]);
    expect(updated).toEqual([job]);

    stopProgress();
    stopProgress();
    electron.push('jobs.progress', job);
    electron.push('jobs.updated', job);
    expect(progress).toHaveLength(1);
    expect(updated).toHaveLength(2);
    stopUpdated();
  });

  it('keeps two subscriptions of the same listener independent', () => {
    const seen: Job[] = [];
    const listener = (payload: Job) => seen.push(payload);
    const first = lathe.on('jobs.updated', listener);
    const second = lathe.on('jobs.updated', listener);
    first();
    electron.push('jobs.updated', job);
    expect(seen).toHaveLength(1);
    second();
  });

  it('listens on the IPC channel once, however many subscribers there are', () => {
    expect(electron.ipcListeners.filter((l) => l.channel === ipcChannels.event)).toHaveLength(1);
  });
});
