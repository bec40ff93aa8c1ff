import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultApiPort, type ApiConfigure, type ApiServerStatus } from '../../../shared/api';
import type { ModelInfo } from '../../../shared/domain';
import { AppError, toAppErrorData } from '../../../shared/errors';
import type { Inference } from '../inference/InferenceService';
import type { Logger } from '../logger';
import { apiModels, findApiModel, type ApiModel } from './apiModels';
import { OpenAiError, parseChatCompletion, type ChatCompletionRequest } from './openAiRequest';
import { StopMatcher } from './StopMatcher';

/** Where the API keeps its switch, port and key (the settings table; not part of `Settings`). */
export interface ApiSettingsStore {
  get(): { enabled?: unknown; port?: unknown; key?: unknown } | null;
  set(value: { enabled: boolean; port: number; key: string }): void;
}

export interface ApiServerOptions {
  inference: Pick<Inference, 'prepare'>;
  /** The library, with each model's fine-tunes (`variants`). */
  models: () => ModelInfo[];
  store: ApiSettingsStore;
  logger: Logger;
  /** Interface to bind; loopback only by default. */
  host?: string;
}

const maxBodyBytes = 8 * 1024 * 1024;

/**
 * The local OpenAI-compatible API: `GET /v1/models` lists the library's models and fine-tunes,
 * `POST /v1/chat/completions` answers with one of them (streamed as server-sent events when asked),
 * through the same engine as chat — the model's own chat template, adapters applied, thoughts
 * apart (`reasoning_content`). It listens on loopback with a key (`Authorization: Bearer`), refuses
 * browsers from other origins and foreign Host headers (DNS rebinding), and answers one completion
 * at a time (a queue), so a client cannot starve chat of the engine's sequences.
 */
export class ApiServer {
  readonly #o: ApiServerOptions;
  readonly #host: string;
  #server: Server | null = null;
  #port: number;
  #key: string;
  #enabled: boolean;
  #error: string | null = null;
  #completions = 0;
  #queue: Promise<void> = Promise.resolve();
  readonly #inFlight = new Set<AbortController>();

  constructor(options: ApiServerOptions) {
    this.#o = options;
    this.#host = options.host ?? '127.0.0.1';
    const saved = options.store.get();
    this.#enabled = saved?.enabled === true;
    this.#port =
      typeof saved?.port === 'number' && Number.isInteger(saved.port) && saved.port >= 1024 && saved.port <= 65535
        ? saved.port
        : defaultApiPort;
    this.#key = typeof saved?.key === 'string' && saved.key.length >= 32 ? saved.key : newKey();
    if (saved?.key !== this.#key) this.#save();
  }

  status(): ApiServerStatus {
    const running = this.#server !== null;
    return {
      enabled: this.#enabled,
      running,
      host: this.#host,
      port: this.#port,
      baseUrl: running ? `http://${this.#host}:${this.#port}/v1` : null,
      key: this.#key,
      error: this.#error,
      completions: this.#completions,
    };
  }

  /** Starts it when it was switched on before (at launch); a failure is reported in the status. */
  async resume(): Promise<void> {
    if (this.#enabled) await this.#start().catch(() => undefined);
  }

  async configure(input: ApiConfigure): Promise<ApiServerStatus> {
    const restart = (input.port !== undefined && input.port !== this.#port) || input.newKey === true;
    if (input.port !== undefined) this.#port = input.port;
    if (input.newKey) this.#key = newKey();
    if (input.enabled !== undefined) this.#enabled = input.enabled;
    this.#save();
    if (!this.#enabled) {
      await this.#stop();
      this.#error = null;
    } else if (restart || this.#server === null) {
      await this.#stop();
      // on failure it stays enabled (it starts again at the next launch); the status says why it is not running
      await this.#start();
    }
    return this.status();
  }

  async close(): Promise<void> {
    await this.#stop();
  }

  #save(): void {
    this.#o.store.set({ enabled: this.#enabled, port: this.#port, key: this.#key });
  }

  async #start(): Promise<void> {
    const server = createServer((req, res) => {
      void this.#handle(req, res).catch((error: unknown) => {
        if (!(error instanceof OpenAiError)) this.#o.logger.error('local API request failed', { error });
        const answer =
          error instanceof OpenAiError ? error : new OpenAiError(500, 'Internal server error.', 'server_error');
        if (!res.headersSent) sendError(res, answer);
        else res.end();
      });
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.#port, this.#host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.#error =
        code === 'EADDRINUSE'
          ? `Port ${this.#port} is in use by another program: choose another port.`
          : `The local API could not listen on ${this.#host}:${this.#port}: ${(error as Error).message}`;
      throw new AppError('CONFLICT', this.#error, { port: this.#port, reason: code ?? 'listen' });
    }
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
    this.#error = null;
    this.#completions = 0;
    this.#o.logger.info('local API listening', { host: this.#host, port: this.#port });
  }

  async #stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    for (const controller of this.#inFlight) controller.abort();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const loopbackHosts = [`127.0.0.1:${this.#port}`, `localhost:${this.#port}`, `[::1]:${this.#port}`];
    if (!loopbackHosts.includes((req.headers.host ?? '').toLowerCase())) {
      return sendError(res, new OpenAiError(421, 'Unexpected Host header.', 'invalid_request_error', 'misdirected'));
    }
    // A web page in a browser must not drive the local API; programs send no Origin.
    if (req.headers.origin !== undefined) {
      return sendError(
        res,
        new OpenAiError(403, 'Requests from web pages are refused.', 'invalid_request_error', 'origin_refused'),
      );
    }
    if (!this.#authorized(req.headers.authorization)) {
      return sendError(
        res,
        new OpenAiError(
          401,
          'Missing or wrong API key: send the key from Lathe’s Settings as "Authorization: Bearer <key>".',
          'authentication_error',
          'invalid_api_key',
        ),
      );
    }
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/v1/models' && req.method === 'GET') {
      return sendJson(res, 200, {
        object: 'list',
        data: apiModels(this.#o.models()).map(modelObject),
      });
    }
    if (path.startsWith('/v1/models/') && req.method === 'GET') {
      const wanted = decodeURIComponent(path.slice('/v1/models/'.length));
      const model = findApiModel(apiModels(this.#o.models()), wanted);
      if (!model) return sendError(res, noSuchModel(wanted));
      return sendJson(res, 200, modelObject(model));
    }
    if (path === '/v1/chat/completions') {
      if (req.method !== 'POST') {
        return sendError(res, new OpenAiError(405, 'Use POST.', 'invalid_request_error', 'method_not_allowed'));
      }
      const body = await readJson(req);
      const request = parseChatCompletion(body);
      const model = findApiModel(apiModels(this.#o.models()), request.model);
      if (!model) return sendError(res, noSuchModel(request.model));
      return this.#serialized(() => this.#complete(res, request, model));
    }
    return sendError(
      res,
      new OpenAiError(404, `No route ${req.method} ${url.pathname}.`, 'not_found_error', 'unknown_route'),
    );
  }

  #authorized(header: string | undefined): boolean {
    const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
    if (!match) return false;
    const given = Buffer.from(match[1]!.trim());
    const key = Buffer.from(this.#key);
    return given.length === key.length && timingSafeEqual(given, key);
  }

  /** One completion at a time, in arrival order. */
  #serialized(work: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #complete(res: ServerResponse, request: ChatCompletionRequest, model: ApiModel) {
    const controller = new AbortController();
    this.#inFlight.add(controller);
    // the client went away (closed the stream, timed out): stop generating for it
    const onClose = () => {
      if (!res.writableFinished) controller.abort();
    };
    res.on('close', onClose);
    try {
      const id = `chatcmpl-${randomUUID().replace(/-/g, '')}`;
      const created = Math.floor(Date.now() / 1000);
      let prepared;
      try {
        prepared = await this.#o.inference.prepare({
          owner: `api:${randomUUID()}`,
          modelId: model.modelId,
          adapters: model.adapterId ? [{ adapterId: model.adapterId, scale: 1 }] : [],
          messages: request.messages,
          sampling: request.sampling,
        });
      } catch (error) {
        return sendError(res, engineError(error));
      }
      // the client left while the request waited its turn
      if (controller.signal.aborted || res.destroyed) {
        prepared.discard();
        return;
      }
      const stops = new StopMatcher(request.stop);
      const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
        id,
        object: 'chat.completion.chunk',
        created,
        model: model.id,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      });
      const sse = (data: unknown) => {
        if (!res.writableEnded) res.write(`data: ${JSON.stringify(data)}\n\n`);
      };
      if (request.stream) {
        res.writeHead(200, {
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache',
          Connection: 'keep-alive',
          'X-Accel-Buffering': 'no',
        });
        sse(chunk({ role: 'assistant', content: '' }, null));
      }
      let text = '';
      let thought = '';
      const onText = (delta: string) => {
        const out = stops.push(delta);
        if (out) {
          text += out;
          if (request.stream) sse(chunk({ content: out }, null));
        }
        // a stop string ends the answer here
        if (stops.stopped) controller.abort();
      };
      const onThought = (delta: string) => {
        thought += delta;
        if (request.stream) sse(chunk({ reasoning_content: delta }, null));
      };
      let outcome;
      try {
        outcome = await prepared.run({ signal: controller.signal, onText, onThought });
      } catch (error) {
        if (!request.stream) return sendError(res, engineError(error));
        // mid-stream: the error goes in the stream, as OpenAI's servers do
        sse(engineError(error).body());
        res.end();
        return;
      }
      const tail = stops.flush();
      if (tail) {
        text += tail;
        if (request.stream) sse(chunk({ content: tail }, null));
      }
      if (outcome.stopReason === 'aborted' && !stops.stopped) return; // the client left
      this.#completions++;
      const finish = outcome.stopReason === 'maxTokens' && !stops.stopped ? 'length' : 'stop';
      const usage = {
        prompt_tokens: outcome.stats.promptTokens,
        completion_tokens: outcome.stats.completionTokens,
        total_tokens: outcome.stats.promptTokens + outcome.stats.completionTokens,
      };
      if (request.stream) {
        sse(chunk({}, finish));
        if (request.includeUsage)
          sse({ id, object: 'chat.completion.chunk', created, model: model.id, choices: [], usage });
        res.write('data: [DONE]\n\n');
        res.end();
        return;
      }
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: model.id,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: text, ...(thought ? { reasoning_content: thought } : {}) },
            logprobs: null,
            finish_reason: finish,
          },
        ],
        usage,
      });
    } finally {
      res.off('close', onClose);
      this.#inFlight.delete(controller);
    }
  }
}

function newKey(): string {
  return `lathe-${randomBytes(24).toString('base64url')}`;
}

function modelObject(m: ApiModel) {
  return { id: m.id, object: 'model', created: Math.floor(m.created / 1000), owned_by: 'lathe', name: m.name };
}

function noSuchModel(wanted: string): OpenAiError {
  return new OpenAiError(
    404,
    `The model "${wanted}" is not in Lathe's library (GET /v1/models lists what is).`,
    'not_found_error',
    'model_not_found',
    'model',
  );
}

/** An engine failure in OpenAI's shape: a bad prompt is the client's, BUSY a retry later, the rest the server's. */
function engineError(error: unknown): OpenAiError {
  const data = toAppErrorData(error);
  if (data.code === 'INVALID_INPUT')
    return new OpenAiError(400, data.message, 'invalid_request_error', 'invalid_input');
  if (data.code === 'NOT_FOUND')
    return new OpenAiError(404, data.message, 'not_found_error', 'model_not_found', 'model');
  if (data.code === 'BUSY') return new OpenAiError(429, data.message, 'rate_limit_error', 'engine_busy');
  return new OpenAiError(500, data.message, 'server_error', data.code.toLowerCase());
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: OpenAiError): void {
  sendJson(res, error.status, error.body());
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new OpenAiError(413, 'The request body is too large.', 'invalid_request_error');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new OpenAiError(400, 'The request body is not valid JSON.', 'invalid_request_error', 'invalid_json');
  }
}
