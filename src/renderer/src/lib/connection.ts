/** How the client's link to the Lathe core is doing. The IPC bridge is always `connected`. */
export interface ConnectionStatus {
  state: 'connecting' | 'connected' | 'disconnected';
  /** When the next reconnect attempt starts, in ms since the Unix epoch; null unless `disconnected`. */
  retryAt: number | null;
  /** Consecutive failed attempts since the last successful connection. */
  failures: number;
}

/** An observable connection status, shaped for `useSyncExternalStore`. */
export interface ConnectionSource {
  /** The current status; the same object until the status changes. */
  get(): ConnectionStatus;
  subscribe(listener: () => void): () => void;
  /** Skips the backoff wait and tries to connect now (no-op when connected). */
  reconnectNow(): void;
}

const connectedStatus: ConnectionStatus = Object.freeze({ state: 'connected', retryAt: null, failures: 0 });

/** The connection source of a transport that cannot disconnect (Electron IPC). */
export const alwaysConnected: ConnectionSource = {
  get: () => connectedStatus,
  subscribe: () => () => {},
  reconnectNow: () => {},
};
