import type {
  Envelope,
  EventName,
  EventPayload,
  LatheApi,
  MethodInput,
  MethodName,
  MethodOutput,
  WsRequest,
} from '@shared/contract';
import type { ConnectionSource, ConnectionStatus } from './connection';

export interface WsTransportOptions {
  /** Full `ws:`/`wss:` URL of the server's `/ws` endpoint, token included. */
  url: string;
  /** Delay before the first reconnect attempt, in ms (default 300); doubles on each failure. */
  minDelayMs?: number;
  /** Longest delay between reconnect attempts, in ms (default 10 000). */
  maxDelayMs?: number;
}

type Listener = (payload: unknown) => void;

/**
 * The browser-mode transport: the contract over one WebSocket, reconnecting with exponential
 * backoff. It never rejects: a call made while disconnected, or left unanswered when the socket
 * drops, resolves to an `UNAVAILABLE` error envelope.
 */
export class WsTransport implements LatheApi {
  readonly connection: ConnectionSource;

  readonly #url: string;
  readonly #minDelayMs: number;
  readonly #maxDelayMs: number;
  #socket: WebSocket | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  /** Calls made while a connection attempt is in flight; run once it opens or fails. */
  #waiting: Array<() => void> = [];
  readonly #listeners = new Map<string, Set<Listener>>();
  #status: ConnectionStatus = { state: 'connecting', retryAt: null, failures: 0 };
  readonly #statusListeners = new Set<() => void>();
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #disposed = false;

  constructor(options: WsTransportOptions) {
    this.#url = options.url;
    this.#minDelayMs = options.minDelayMs ?? 300;
    this.#maxDelayMs = options.maxDelayMs ?? 10_000;
    this.connection = {
      get: () => this.#status,
      subscribe: (listener) => {
        this.#statusListeners.add(listener);
        return () => this.#statusListeners.delete(listener);
      },
      reconnectNow: () => {
        if (this.#status.state === 'disconnected') this.#connect();
      },
    };
    this.#connect();
  }

  invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Envelope<MethodOutput<M>>> {
    return new Promise((resolve) => {
      const send = () => {
        const socket = this.#socket;
        if (!socket || socket.readyState !== WebSocket.OPEN) {
          resolve(unavailable('Not connected to Lathe; reconnecting.'));
          return;
        }
        const id = this.#nextId++;
        this.#pending.set(id, resolve as (envelope: Envelope<unknown>) => void);
        const request: WsRequest = { id, method, input };
        socket.send(JSON.stringify(request));
      };
      if (this.#socket?.readyState === WebSocket.CONNECTING) this.#waiting.push(send);
      else send();
    });
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const entry = listener as Listener;
    set.add(entry);
    return () => set.delete(entry);
  }

  /** Closes the socket for good; pending calls resolve to `UNAVAILABLE`. */
  dispose(): void {
    this.#disposed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#socket?.close();
  }

  #connect(): void {
    if (this.#disposed) return;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#setStatus({ state: 'connecting', retryAt: null, failures: this.#status.failures });

    const socket = new WebSocket(this.#url);
    this.#socket = socket;
    socket.onopen = () => {
      this.#setStatus({ state: 'connected', retryAt: null, failures: 0 });
      this.#flushWaiting();
    };
    socket.onmessage = (message) => this.#receive(message.data);
    // `error` is always followed by `close`, which does the work.
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      const pending = [...this.#pending.values()];
      this.#pending.clear();
      for (const resolve of pending) resolve(unavailable('The connection to Lathe was lost before it answered.'));
      this.#flushWaiting();
      if (this.#disposed) return;
      const failures = this.#status.failures + 1;
      const base = Math.min(this.#maxDelayMs, this.#minDelayMs * 2 ** (failures - 1));
      // Jitter, so several tabs do not reconnect in lockstep after a server restart.
      const delay = Math.round(base * (0.75 + Math.random() * 0.5));
      this.#setStatus({ state: 'disconnected', retryAt: Date.now() + delay, failures });
      this.#retryTimer = setTimeout(() => this.#connect(), delay);
    };
  }

  #flushWaiting(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const send of waiting) send();
  }

  #receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    if ('id' in message && 'result' in message && typeof message.id === 'number') {
      const resolve = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      resolve?.(message.result as Envelope<unknown>);
    } else if ('event' in message && typeof message.event === 'string' && 'payload' in message) {
      const listeners = this.#listeners.get(message.event);
      if (!listeners) return;
      for (const listener of [...listeners]) {
        try {
          listener(message.payload);
        } catch (error) {
          // One broken listener must not starve the others.
          console.error(`listener for ${message.event} failed`, error);
        }
      }
    }
  }

  #setStatus(status: ConnectionStatus): void {
    const current = this.#status;
    if (current.state === status.state && current.retryAt === status.retryAt && current.failures === status.failures)
      return;
    this.#status = status;
    for (const listener of [...this.#statusListeners]) listener();
  }
}

function unavailable(message: string): Envelope<never> {
  return { ok: false, error: { code: 'UNAVAILABLE', message } };
}
