// The whole bridge between the sandboxed renderer and the main process: `window.lathe`, with
// invoke and on, each checked against the contract before anything crosses, and the desktop's
// file access (native dialogs, the path of a dropped file).
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import {
  ipcChannels,
  isEventName,
  isMethodName,
  pickPathOptionsSchema,
  type Envelope,
  type LatheApi,
} from '../shared/contract';

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

// One IPC listener fans out to all subscribers, however many components subscribe.
ipcRenderer.on(ipcChannels.event, (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
  for (const listener of listeners.get(String(name)) ?? []) listener(payload);
});

const fault = (code: 'UNKNOWN_METHOD' | 'UNAVAILABLE', message: string): Envelope<never> => ({
  ok: false,
  error: { code, message },
});

const api: LatheApi = {
  invoke(method, input) {
    if (!isMethodName(method)) return Promise.resolve(fault('UNKNOWN_METHOD', `Unknown method ${String(method)}.`));
    // Rejects only when main has no handler (starting up or shutting down); keep the envelope promise.
    return ipcRenderer
      .invoke(ipcChannels.invoke, method, input)
      .catch((error: unknown) => fault('UNAVAILABLE', `Lathe is not ready: ${String(error)}`));
  },
  on(event, listener) {
    if (!isEventName(event)) throw new TypeError(`Unknown event ${String(event)}.`);
    if (typeof listener !== 'function') throw new TypeError('on() needs a listener function.');
    const set = listeners.get(event) ?? new Set<Listener>();
    listeners.set(event, set);
    const entry: Listener = (payload) => (listener as Listener)(payload);
    set.add(entry);
    return () => void set.delete(entry);
  },
  files: {
    pickPath(options) {
      const parsed = pickPathOptionsSchema.safeParse(options);
      if (!parsed.success) return Promise.reject(new TypeError(`Bad dialog options: ${parsed.error.message}`));
      return ipcRenderer
        .invoke(ipcChannels.pickPath, parsed.data)
        .then((path: unknown) => (typeof path === 'string' && path !== '' ? path : null));
    },
    pathForFile(file) {
      if (typeof File === 'undefined' || !(file instanceof File)) return null;
      // Empty for a File that does not live on disk (made in the page, or from a browser drag).
      return webUtils.getPathForFile(file) || null;
    },
  },
};

contextBridge.exposeInMainWorld('lathe', api);
