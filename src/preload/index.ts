// The whole bridge between the sandboxed renderer and the main process: `window.lathe`, with
// exactly two functions, each checked against the contract before anything crosses.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { ipcChannels, isEventName, isMethodName, type Envelope, type LatheApi } from '../shared/contract';

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
};

contextBridge.exposeInMainWorld('lathe', api);
