import type { DesktopFiles, Envelope, LatheApi, MethodInput, MethodName, MethodOutput } from '@shared/contract';
import { ApiError } from './ApiError';
import { takeBrowserToken } from './browserToken';
import { alwaysConnected, type ConnectionSource } from './connection';
import { WsTransport } from './WsTransport';

/** The renderer's single way to reach the Lathe core, whichever host it runs in. */
export interface ApiClient extends Omit<LatheApi, 'files'> {
  /** Calls a method and returns its data, or throws an `ApiError`: the shape TanStack Query wants. */
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  readonly connection: ConnectionSource;
  /** `ipc` inside Electron (the preload bridge), `websocket` in a browser. */
  readonly transport: 'ipc' | 'websocket';
  /** Native dialogs and dropped files' paths: the desktop app only; null in a browser. */
  readonly files: DesktopFiles | null;
}

/**
 * Picks the transport: the preload bridge `window.lathe` when present, otherwise a WebSocket
 * to the server that served this page, authenticated with the token from the page URL.
 */
export function createApiClient(): ApiClient {
  if (window.lathe) return wrap(safeBridge(window.lathe), alwaysConnected, 'ipc');

  const token = takeBrowserToken();
  const protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  const ws = new WsTransport({ url: `${protocol}//${window.location.host}/ws${query}` });
  // Coming back online or to the tab is a good moment to skip the rest of the backoff.
  window.addEventListener('online', () => ws.connection.reconnectNow());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') ws.connection.reconnectNow();
  });
  return wrap(ws, ws.connection, 'websocket');
}

/** Calls a method through any `LatheApi`, unwrapping the envelope; see `ApiClient.call`. */
export async function call<M extends MethodName>(
  api: LatheApi,
  method: M,
  input: MethodInput<M>,
): Promise<MethodOutput<M>> {
  const envelope = await api.invoke(method, input);
  if (envelope.ok) return envelope.data;
  throw new ApiError(envelope.error);
}

function wrap(api: LatheApi, connection: ConnectionSource, transport: ApiClient['transport']): ApiClient {
  return {
    invoke: (method, input) => api.invoke(method, input),
    on: (event, listener) => api.on(event, listener),
    call: (method, input) => call(api, method, input),
    connection,
    transport,
    files: api.files ?? null,
  };
}

/** The bridge answers envelopes, but an IPC failure can still reject; keep the never-throws promise. */
function safeBridge(bridge: LatheApi): LatheApi {
  return {
    invoke: async (method, input) => {
      try {
        return await bridge.invoke(method, input);
      } catch (error) {
        const envelope: Envelope<never> = {
          ok: false,
          error: { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) },
        };
        return envelope;
      }
    },
    on: (event, listener) => bridge.on(event, listener),
    ...(bridge.files ? { files: bridge.files } : {}),
  };
}
