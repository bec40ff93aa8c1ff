import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Envelope, WsPush, WsResponse } from '../../shared/contract';
import type { AppErrorData } from '../../shared/errors';
import type { Dispatch } from '../core/dispatch';
import type { EventBus } from '../core/EventBus';
import type { Logger } from '../core/logger';
import { resolveStatic, sendFile } from './staticFiles';

export interface HttpServerOptions {
  dispatch: Dispatch;
  events: EventBus;
  logger: Logger;
  /** Folder of the built renderer (`out/renderer`); omit to serve the API only. */
  rendererDir?: string;
  /** Interface to bind; 127.0.0.1 by default. */
  host?: string;
  /** Port to bind; 0 picks a free one. */
  port?: number;
  /** Access token; a random 256-bit one per launch by default. */
  token?: string;
}

export interface LatheHttpServer {
  /** The URL to open, token included. */
  url: string;
  host: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

const cookieName = 'lathe_token';
const maxBodyBytes = 16 * 1024 * 1024;
const securityHeaders: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  // The token travels in the first URL: never leak it through a Referer.
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
    "font-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

/**
 * Serves the built renderer and the whole contract over HTTP and WebSocket (browser mode).
 *
 * Every request needs the per-launch token (query `?token=`, `Authorization: Bearer`, or the
 * HttpOnly cookie set when the tokenised URL is first opened). Requests from a foreign `Origin`
 * and, on loopback, with a foreign `Host` (DNS rebinding) are refused.
 */
export async function createHttpServer(options: HttpServerOptions): Promise<LatheHttpServer> {
  const { dispatch, events, logger } = options;
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(32).toString('hex');
  const tokenBuffer = Buffer.from(token);
  let port = options.port ?? 0;

  const authorized = (req: IncomingMessage, url: URL): boolean => {
    const candidates = [
      url.searchParams.get('token'),
      bearer(req.headers.authorization),
      cookie(req.headers.cookie, cookieName),
    ];
    return candidates.some((c) => c !== null && c !== undefined && safeEqual(Buffer.from(c), tokenBuffer));
  };

  /** Loopback servers only answer to loopback host names (defeats DNS rebinding). */
  const hostAllowed = (req: IncomingMessage): boolean => {
    if (!isLoopback(host)) return true;
    const header = req.headers.host ?? '';
    return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(header.toLowerCase());
  };

  /** Browsers always send Origin on WebSocket upgrades and cross-site POSTs; it must be ours. */
  const originAllowed = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (origin === undefined) return true; // not a browser (CLI, tests)
    return origin === `http://${req.headers.host ?? ''}`;
  };

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBodyBytes });

  const server = createServer((req, res) => {
    void handleHttp(req, res).catch((error: unknown) => {
      logger.error('http handler failed', { error });
      if (!res.headersSent)
        respondJson(res, 500, errorEnvelope({ code: 'INTERNAL', message: 'Internal server error.' }));
      else res.destroy();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!hostAllowed(req)) return respondText(res, 421, 'Misdirected request: unexpected Host header.');
    if (!originAllowed(req)) {
      return respondJson(
        res,
        403,
        errorEnvelope({ code: 'UNAUTHORIZED', message: 'Requests from another origin are refused.' }),
      );
    }
    if (!authorized(req, url)) {
      return url.pathname.startsWith('/api/')
        ? respondJson(res, 401, errorEnvelope({ code: 'UNAUTHORIZED', message: 'Missing or wrong access token.' }))
        : respondText(res, 401, 'Lathe: open the full address printed by `npm run serve`, token included.');
    }
    const headers: Record<string, string> = { ...securityHeaders };
    if (url.searchParams.has('token')) {
      headers['Set-Cookie'] = `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }

    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return respondText(res, 405, 'Use POST /api/<method> with a JSON body.');
      const method = decodeURIComponent(url.pathname.slice('/api/'.length));
      const body = await readBody(req);
      if (body === null) {
        return respondJson(res, 413, errorEnvelope({ code: 'INVALID_INPUT', message: 'Request body too large.' }));
      }
      let input: unknown;
      try {
        input = body.length === 0 ? {} : (JSON.parse(body) as unknown);
      } catch {
        return respondJson(
          res,
          400,
          errorEnvelope({ code: 'INVALID_INPUT', message: 'The request body is not valid JSON.' }),
        );
      }
      return respondJson(res, 200, await dispatch(method, input));
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return respondText(res, 405, 'Method not allowed.');
    const file = options.rendererDir ? resolveStatic(options.rendererDir, url.pathname) : null;
    if (!file) return respondText(res, 404, 'Not found.');
    sendFile(res, file, headers);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/ws') return refuse(404, 'Not Found');
    if (!hostAllowed(req)) return refuse(421, 'Misdirected Request');
    if (!originAllowed(req)) return refuse(403, 'Forbidden');
    if (!authorized(req, url)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws));
  });

  function onSocket(ws: WebSocket): void {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => sockets.delete(ws));
    ws.on('message', (raw, isBinary) => {
      void (async () => {
        let id = -1;
        let result: Envelope<unknown>;
        try {
          const message = JSON.parse(isBinary ? '' : rawToString(raw)) as unknown;
          if (!isRequest(message)) throw new Error('not a request');
          id = message.id;
          result = await dispatch(message.method, message.input);
        } catch {
          result = errorEnvelope({
            code: 'INVALID_INPUT',
            message: 'Malformed message: expected {id, method, input} as JSON.',
          });
        }
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result } satisfies WsResponse));
      })();
    });
  }

  const unsubscribe = events.subscribe((event, payload) => {
    if (sockets.size === 0) return;
    const frame = JSON.stringify({ event, payload } satisfies WsPush);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    host,
    port,
    token,
    server,
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function isRequest(value: unknown): value is { id: number; method: string; input: unknown } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return Number.isSafeInteger(v.id) && typeof v.method === 'string';
}

function rawToString(raw: unknown): string {
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  if (Array.isArray(raw)) return Buffer.concat(raw as Buffer[]).toString('utf8');
  return Buffer.from(raw as ArrayBuffer).toString('utf8');
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function bearer(header: string | undefined): string | null {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1] ?? null;
}

function cookie(header: string | undefined, name: string): string | null {
  for (const part of header?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}

function errorEnvelope(error: AppErrorData): Envelope<never> {
  return { ok: false, error };
}

function respondJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    ...securityHeaders,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(JSON.stringify(body));
}

function respondText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    ...securityHeaders,
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/** Reads a request body as UTF-8, or null when it exceeds the limit. */
async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
