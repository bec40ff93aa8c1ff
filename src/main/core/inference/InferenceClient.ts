import type { Llama } from 'node-llama-cpp';
import type { HardwareInfo, InferenceStatus, ModelFit } from '../../../shared/domain';
import { AppError, type AppErrorData } from '../../../shared/errors';
import type { ChildHandle, ChildLauncher } from '../processes';
import type { FromInference, PreparedReply, ToInference } from './inferenceProtocol';
import {
  createLlama,
  emptyCounters,
  type GenerateRequest,
  type GenerationOutcome,
  type Inference,
  type InferenceCounters,
  type InferenceServiceOptions,
  type PreparedGeneration,
} from './InferenceService';

/** Starts the model runtime process (out/main/inference.js). */
export type InferenceLauncher = ChildLauncher<ToInference, FromInference>;

/** The environment the model runtime process needs on top of the app's (see workers/inference.ts). */
export const inferenceProcessEnv = { UV_THREADPOOL_SIZE: '1' } as const;

export interface InferenceClientOptions extends InferenceServiceOptions {
  launcher: InferenceLauncher;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onText?: (delta: string, thought: boolean) => void;
  /** The process the message went to, and the message (to send again if it never arrived). */
  child: ChildHandle<ToInference, FromInference>;
  message: ToInference;
  resent: boolean;
}

/**
 * Requests that hold no state of the process they run in: one that could not reach a process that
 * had just died is sent to a fresh one. A generation's `prepare`/`run` lived in the dead process
 * and fail with its crash instead.
 */
const resendable: ReadonlySet<ToInference['type']> = new Set(['load', 'unload', 'release', 'hardware', 'fit']);

const idleStatus = (error: AppErrorData | null = null): InferenceStatus => ({
  state: error ? 'failed' : 'idle',
  modelId: null,
  loadProgress: 0,
  contexts: [],
  generating: [],
  contextSize: null,
  error,
});

/**
 * The core's inference engine when the model runs in its own process: the same contract as
 * InferenceService (which runs inside that process), with the library's models and adapters
 * resolved here. The process starts on first use; if it dies, whatever was in flight fails with
 * `INTERNAL` (reason `runtime-crashed`, its last stderr in the details), the status says so, and
 * the next request starts a fresh one.
 */
export class InferenceClient implements Inference {
  readonly #o: InferenceClientOptions;
  readonly counters: InferenceCounters = emptyCounters();
  #child: ChildHandle<ToInference, FromInference> | null = null;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #status: InferenceStatus = idleStatus();
  #llama: Promise<Llama> | null = null;
  #closed = false;
  /** Processes started so far (tests: a crash is followed by a fresh one). */
  launches = 0;

  constructor(options: InferenceClientOptions) {
    this.#o = options;
  }

  status(): InferenceStatus {
    return this.#status;
  }

  /** The operating system's id of the model runtime process, while one runs. */
  processId(): number | null {
    return this.#child?.pid() ?? null;
  }

  async load(
    modelId: string,
    adapters: readonly { adapterId: string; scale: number }[] = [],
  ): Promise<InferenceStatus> {
    const model = this.#o.resolveModel(modelId);
    const resolved = this.#o.resolveAdapters(model, adapters);
    return (await this.#request({ type: 'load', model, adapters: resolved })) as InferenceStatus;
  }

  async unload(): Promise<InferenceStatus> {
    if (!this.#child) return this.#status;
    return (await this.#request({ type: 'unload' })) as InferenceStatus;
  }

  async release(modelId: string): Promise<void> {
    if (!this.#child || this.#status.modelId !== modelId) return;
    await this.#request({ type: 'release', modelId });
  }

  async prepare(request: GenerateRequest): Promise<PreparedGeneration> {
    const model = this.#o.resolveModel(request.modelId);
    const adapters = this.#o.resolveAdapters(model, request.adapters);
    const id = this.#nextId++;
    const reply = (await this.#send(id, {
      type: 'prepare',
      id,
      owner: request.owner,
      model,
      adapters,
      messages: [...request.messages],
      sampling: request.sampling,
      ...(request.continueFrom ? { continueFrom: request.continueFrom } : {}),
    })) as PreparedReply;
    const child = this.#child;
    let used = false;
    return {
      ...reply,
      run: async (hooks) => {
        if (used) throw new Error('A prepared generation runs once.');
        used = true;
        if (child !== this.#child) throw crashed(null, null, '');
        const abort = () => this.#child?.send({ type: 'abort', id });
        const result = this.#send(id, { type: 'run', id }, (delta, thought) =>
          thought ? hooks.onThought?.(delta) : hooks.onText(delta),
        );
        if (hooks.signal.aborted) abort();
        else hooks.signal.addEventListener('abort', abort, { once: true });
        try {
          return (await result) as GenerationOutcome;
        } finally {
          hooks.signal.removeEventListener('abort', abort);
        }
      },
      discard: () => {
        if (used) return;
        used = true;
        if (child === this.#child) this.#child?.send({ type: 'discard', id });
      },
    };
  }

  /** What the machine has, probed in the model process (the one that holds the GPU). */
  async hardware(): Promise<HardwareInfo> {
    return (await this.#request({ type: 'hardware' })) as HardwareInfo;
  }

  /** Whether the model file at `path` fits this machine (HardwareService.fit, in the model process). */
  async fit(input: {
    path: string;
    contextSize?: number | undefined;
    gpuLayers?: number | undefined;
  }): Promise<ModelFit> {
    return (await this.#request({
      type: 'fit',
      path: input.path,
      ...(input.contextSize !== undefined ? { contextSize: input.contextSize } : {}),
      ...(input.gpuLayers !== undefined ? { gpuLayers: input.gpuLayers } : {}),
    })) as ModelFit;
  }

  /**
   * llama.cpp in this process for what needs no weights and no GPU: vocabulary-only token counts.
   * CPU only, so the core never opens a GPU context of its own beside the model process's.
   */
  llama(): Promise<Llama> {
    this.#llama ??= createLlama({ ...this.#o.config, gpu: false }, this.#o.logger).catch((error: unknown) => {
      this.#llama = null;
      throw error;
    });
    return this.#llama;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const child = this.#child;
    if (child) {
      const id = this.#nextId++;
      const stopped = new Promise<void>((resolve) => child.onExit(() => resolve()));
      await Promise.race([this.#send(id, { type: 'close', id }).catch(() => undefined), sleep(5000)]);
      child.kill();
      await Promise.race([stopped, sleep(2000)]);
    }
    const llama = this.#llama;
    this.#llama = null;
    if (llama) await (await llama.catch(() => null))?.dispose();
  }

  #request(
    message: DistributiveOmit<Exclude<ToInference, { type: 'init' | 'prepare' | 'run' | 'abort' | 'discard' }>, 'id'>,
  ): Promise<unknown> {
    const id = this.#nextId++;
    return this.#send(id, { ...message, id } as ToInference);
  }

  #send(id: number, message: ToInference, onText?: (delta: string, thought: boolean) => void): Promise<unknown> {
    if (this.#closed && message.type !== 'close') {
      return Promise.reject(new AppError('CONFLICT', 'Lathe is shutting down.'));
    }
    const child = this.#ensure();
    return new Promise((resolve, reject) => {
      const entry: Pending = { resolve, reject, ...(onText ? { onText } : {}), child, message, resent: false };
      this.#pending.set(id, entry);
      this.#deliver(id, entry);
    });
  }

  #deliver(id: number, entry: Pending): void {
    entry.child.send(entry.message, () => this.#undelivered(id, entry));
  }

  /** The process died before this message reached it (its exit not reported yet). */
  #undelivered(id: number, entry: Pending): void {
    if (this.#pending.get(id) !== entry) return;
    const error = crashed(null, null, entry.child.stderrTail());
    this.#lost(entry.child, error);
    this.#retryOrFail(id, entry, error);
  }

  /**
   * A request whose process died: a stateless one gets one more try on a fresh process (it may have
   * been written to the process as it died); anything else, or a second crash (a model that kills
   * llama.cpp on load), fails with the crash.
   */
  #retryOrFail(id: number, entry: Pending, error: AppError): void {
    if (!this.#closed && !entry.resent && resendable.has(entry.message.type)) {
      entry.resent = true;
      entry.child = this.#ensure();
      this.#deliver(id, entry);
      return;
    }
    this.#pending.delete(id);
    entry.reject(error);
  }

  /** `child` is gone: if it was the current process, the model went with it; say so once. */
  #lost(child: ChildHandle<ToInference, FromInference>, error: AppError): void {
    if (this.#child !== child) return;
    this.#child = null;
    if (this.#closed) return;
    this.#o.logger.error('the model runtime stopped', { pid: child.pid() });
    this.#status = idleStatus(error.toData());
    this.#o.events.emit('inference.status', this.#status);
  }

  #ensure(): ChildHandle<ToInference, FromInference> {
    if (this.#child) return this.#child;
    const child = this.#o.launcher();
    this.#child = child;
    this.launches++;
    child.onMessage((message) => this.#receive(message));
    child.onExit((code, signal) => {
      const error = crashed(code, signal, child.stderrTail());
      this.#lost(child, error);
      for (const [id, p] of [...this.#pending]) if (p.child === child) this.#retryOrFail(id, p, error);
    });
    child.send({ type: 'init', config: this.#o.config });
    return child;
  }

  #receive(message: FromInference): void {
    switch (message.type) {
      case 'text':
        this.#pending.get(message.id)?.onText?.(message.delta, message.thought === true);
        return;
      case 'log':
        this.#o.logger[message.level](message.message, message.fields);
        return;
      case 'status':
        Object.assign(this.counters, message.counters);
        this.#status = message.status;
        this.#o.events.emit('inference.status', message.status);
        return;
      case 'result':
      case 'error': {
        Object.assign(this.counters, message.counters);
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.type === 'result') pending?.resolve(message.value);
        else pending?.reject(new AppError(message.error.code, message.error.message, message.error.details));
      }
    }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function crashed(code: number | null, signal: string | null, stderr: string): AppError {
  const how = signal ? `signal ${signal}` : code === null ? 'before it could answer' : `exit code ${code}`;
  return new AppError(
    'INTERNAL',
    `The model runtime stopped unexpectedly (${how}); the model was unloaded. Lathe starts it again on the next request.`,
    { reason: 'runtime-crashed', exitCode: code, signal, stderr: stderr.slice(-2000) },
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
