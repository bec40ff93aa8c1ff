import { randomInt } from 'node:crypto';
import {
  getLlama,
  LlamaChat,
  LlamaLogLevel,
  type ChatHistoryItem,
  type ChatWrapper,
  type Llama,
  type LlamaContext,
  type LlamaModel,
} from 'node-llama-cpp';
import type { ChatMessage, GenerationStats, InferenceStatus, Sampling } from '../../../shared/domain';
import { AppError, toAppErrorData } from '../../../shared/errors';
import type { EventBus } from '../EventBus';
import type { Logger } from '../logger';
import { inspectGguf } from '../models/inspectGguf';
import { modelError } from '../models/modelError';
import { fitHistory } from './fitHistory';
import { chatWrapperFor, LatheChatWrapper } from './LatheChatWrapper';
import { ThoughtSplitter, type SplitFrom } from './ThoughtSplitter';
import { GenerationThreadTuner, threadPlan, useGenerationThreads, type ThreadPlan, type ThreadUse } from './threadPlan';

/** How the inference engine runs; every field optional. */
export interface InferenceConfig {
  /** `false` forces the CPU (tests, machines with a broken driver); `'auto'` (default) picks the best backend. */
  gpu?: false | 'auto';
  /** CPU threads for prompt batches; default: every math core on the CPU, llama.cpp's choice on a GPU. */
  threads?: number;
  /** CPU threads while generating, on the CPU; default: the faster of `threads` and one fewer, measured (threadPlan.ts). */
  generationThreads?: number;
  /** Tokens per sequence; default the model's training context, capped at 4096. */
  contextSize?: number;
  /**
   * Conversations one context serves at once (default 2: the chat being read plus one in the
   * background or a Compare pane). Each costs `contextSize` tokens of KV cache; an idle one keeps its
   * conversation's evaluated prefix, so the next turn only evaluates the new tokens.
   */
  sequences?: number;
  /** Adapter sets with a live context at once (default 2); the least recently used idle one is freed. */
  maxContexts?: number;
}

/** A model the engine can load, as the library resolves it. */
export interface ModelSource {
  id: string;
  path: string;
  sha256: string;
}

/** An adapter file to apply, as the library resolves it. */
export interface AdapterSource {
  adapterId: string;
  path: string;
  scale: number;
}

export interface InferenceServiceOptions {
  config: InferenceConfig;
  events: Pick<EventBus, 'emit'>;
  logger: Logger;
  /** Throws NOT_FOUND (reason `missing` when the file is gone). */
  resolveModel: (modelId: string) => ModelSource;
  /** Throws NOT_FOUND or CONFLICT (`adapter-mismatch`). */
  resolveAdapters: (model: ModelSource, refs: readonly { adapterId: string; scale: number }[]) => AdapterSource[];
}

export interface GenerateRequest {
  /** One generation per owner at a time; the owner keeps its sequence (and KV prefix) between turns. */
  owner: string;
  modelId: string;
  adapters: readonly { adapterId: string; scale: number }[];
  /** System prompt (optional) first, last a user message. */
  messages: readonly ChatMessage[];
  sampling: Sampling;
  /**
   * An answer to go on with (it stopped, or ran out of tokens): what it has so far, thought apart.
   * The model continues the same text; `onText`/`onThought` deliver only what it adds.
   */
  continueFrom?: { content: string; reasoning: string | null };
}

/** A generation whose prompt has been checked and whose sequence is reserved. */
export interface PreparedGeneration {
  promptTokens: number;
  /** The sampling settings this generation uses: a null seed replaced by the random one drawn. */
  sampling: Sampling;
  /** Oldest turns left out so the prompt fits. */
  droppedMessages: number;
  run(hooks: GenerationHooks): Promise<GenerationOutcome>;
  /** Gives the sequence back without running. */
  discard(): void;
}

/** A seed in the range the sampling schema accepts. */
function randomSeed(): number {
  return randomInt(0, 2 ** 31);
}

/** Where a running generation's text goes: the answer, and a reasoning model's thought apart. */
export interface GenerationHooks {
  signal: AbortSignal;
  onText: (delta: string) => void;
  /** The thought a reasoning model writes before its answer (else it is dropped). */
  onThought?: (delta: string) => void;
}

export interface GenerationOutcome {
  /** The answer text (what `onText` delivered, concatenated). */
  text: string;
  /** The thought before the answer, without the whitespace around it; '' when there was none. */
  thought: string;
  stopReason: 'done' | 'maxTokens' | 'aborted';
  stats: GenerationStats;
}

/** Counters for tests and logs: how often the expensive steps ran and how long they took. */
export interface InferenceCounters {
  modelLoads: number;
  contextCreations: number;
  lastModelLoadMs: number | null;
  lastContextCreateMs: number | null;
  /** How the loaded model's chats are written: `Lathe template`, or node-llama-cpp's pick when its template cannot be used. */
  chatWrapper: string | null;
  /** On the CPU: the threads for prompt batches and for generating, of the last context created (null on a GPU). */
  threads: ThreadPlan | null;
  /** On the CPU: how many decodes ran with how many threads, over every context created. */
  decodesByThreads: ThreadUse;
}

/** Counters before anything ran. */
export function emptyCounters(): InferenceCounters {
  return {
    modelLoads: 0,
    contextCreations: 0,
    lastModelLoadMs: null,
    lastContextCreateMs: null,
    chatWrapper: null,
    threads: null,
    decodesByThreads: new Map(),
  };
}

/**
 * The chat engine as the rest of the core sees it: InferenceService in the process that runs the
 * model, InferenceClient in the core when that is another process.
 */
export interface Inference {
  readonly counters: InferenceCounters;
  status(): InferenceStatus;
  load(modelId: string, adapters?: readonly { adapterId: string; scale: number }[]): Promise<InferenceStatus>;
  unload(): Promise<InferenceStatus>;
  release(modelId: string): Promise<void>;
  prepare(request: GenerateRequest): Promise<PreparedGeneration>;
  /** llama.cpp for work without model weights: vocabularies, hardware, fit estimates. */
  llama(): Promise<Llama>;
  close(): Promise<void>;
}

/** Starts llama.cpp (node-llama-cpp's prebuilt binaries; the GPU backend it finds, unless `gpu: false`). */
export function createLlama(config: InferenceConfig, logger: Logger): Promise<Llama> {
  return getLlama({
    gpu: config.gpu ?? 'auto',
    build: 'never',
    logLevel: LlamaLogLevel.warn,
    logger: (level, message) => {
      if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) {
        logger.warn('llama.cpp', { message: message.trim() });
      }
    },
  }).catch((error: unknown) => {
    throw new AppError('UNSUPPORTED', `llama.cpp could not start on this machine: ${messageOf(error)}`);
  });
}

interface Slot {
  chat: LlamaChat;
  /** The sequence's own wrapper (its thinking switch is set for each generation). */
  wrapper: ChatWrapper;
  owner: string | null;
  busy: boolean;
  lastUsed: number;
}

interface ContextEntry {
  key: string;
  adapterIds: string[];
  context: LlamaContext;
  slots: Slot[];
  lastUsed: number;
}

interface Loaded {
  modelId: string;
  sha256: string;
  model: LlamaModel;
  wrapper: ChatWrapper;
  contextSize: number;
  contexts: Map<string, ContextEntry>;
}

/**
 * The one llama.cpp engine of the app. Holds one model at a time (loading another unloads the
 * previous one), and one context per adapter set: node-llama-cpp applies LoRA adapters per context,
 * so switching adapters creates (or reuses) a context over the same loaded weights and never
 * reloads the base. Each context has a few sequences shared by conversations; a conversation keeps
 * its sequence between turns so only the new tokens are evaluated.
 */
export class InferenceService implements Inference {
  readonly #o: InferenceServiceOptions;
  #llama: Promise<Llama> | null = null;
  #loaded: Loaded | null = null;
  #lock: Promise<unknown> = Promise.resolve();
  #state: InferenceStatus['state'] = 'idle';
  #loadingModelId: string | null = null;
  #loadProgress = 0;
  #error: InferenceStatus['error'] = null;
  #closed = false;
  readonly #generating = new Set<string>();
  readonly counters: InferenceCounters = emptyCounters();

  constructor(options: InferenceServiceOptions) {
    this.#o = options;
  }

  status(): InferenceStatus {
    const loaded = this.#loaded;
    return {
      state: this.#state,
      modelId: this.#loadingModelId ?? loaded?.modelId ?? null,
      loadProgress: this.#state === 'ready' ? 1 : this.#loadProgress,
      contexts: loaded ? [...loaded.contexts.values()].map((c) => c.adapterIds) : [],
      generating: [...this.#generating],
      contextSize: loaded?.contextSize ?? null,
      error: this.#error,
    };
  }

  /** Loads a model and the context of an adapter set ahead of use. */
  async load(
    modelId: string,
    adapters: readonly { adapterId: string; scale: number }[] = [],
  ): Promise<InferenceStatus> {
    const model = this.#o.resolveModel(modelId);
    const resolved = this.#o.resolveAdapters(model, adapters);
    await this.#exclusive(async () => {
      const loaded = await this.#ensureModel(model);
      await this.#ensureContext(loaded, resolved);
    });
    return this.status();
  }

  /** Frees the loaded model; BUSY while it generates. */
  async unload(): Promise<InferenceStatus> {
    await this.#exclusive(() => this.#unloadModel());
    return this.status();
  }

  /** Unloads `modelId` if it is the loaded one (before it is deleted); BUSY while it generates. */
  async release(modelId: string): Promise<void> {
    await this.#exclusive(async () => {
      if (this.#loaded?.modelId === modelId) await this.#unloadModel();
    });
  }

  /**
   * Reserves a sequence for `owner`, loading the model and the adapter set's context if needed, and
   * fits the messages into the context (dropping the oldest turns). BUSY when the owner is already
   * generating or every sequence of the context is; INVALID_INPUT (`prompt-too-long`).
   */
  async prepare(request: GenerateRequest): Promise<PreparedGeneration> {
    if (this.#generating.has(request.owner)) {
      throw new AppError('BUSY', 'This conversation is already generating an answer.', { owner: request.owner });
    }
    const model = this.#o.resolveModel(request.modelId);
    const adapters = this.#o.resolveAdapters(model, request.adapters);
    this.#generating.add(request.owner);
    let slot: Slot | null = null;
    try {
      const { loaded, entry, reserved } = await this.#exclusive(async () => {
        const l = await this.#ensureModel(model);
        const e = await this.#ensureContext(l, adapters);
        return { loaded: l, entry: e, reserved: this.#acquire(e, request.owner) };
      });
      slot = reserved;
      if (slot.wrapper instanceof LatheChatWrapper) slot.wrapper.thinking = request.sampling.thinking === true;
      const wrapper = slot.wrapper;
      // node-llama-cpp's default seed is the current second, so two regenerations within one second
      // would repeat each other: no seed means a fresh random one, reported so the answer can be redone.
      const sampling = request.sampling.seed === null ? { ...request.sampling, seed: randomSeed() } : request.sampling;
      const contextSize = loaded.contextSize;
      const lathe = wrapper instanceof LatheChatWrapper ? wrapper : null;
      const soFar = continuation(lathe, request.messages, request.continueFrom);
      const fitted = fitHistory(request.messages, (messages) => countTokens(loaded, wrapper, messages, soFar.text), {
        contextSize,
        reserve: Math.min(sampling.maxTokens, Math.max(64, Math.floor(contextSize / 4))),
        minReserve: Math.min(sampling.maxTokens, 16),
      });
      const maxTokens = Math.max(1, Math.min(sampling.maxTokens, contextSize - fitted.promptTokens - 1));
      const owned = slot;
      let used = false;
      this.#emitStatus();
      return {
        promptTokens: fitted.promptTokens,
        droppedMessages: fitted.dropped,
        sampling,
        run: async (hooks) => {
          if (used) throw new Error('A prepared generation runs once.');
          used = true;
          try {
            const history = toHistory(fitted.messages, soFar.text);
            return await this.#run(owned, history, soFar.from, sampling, maxTokens, fitted.promptTokens, hooks);
          } finally {
            this.#free(owned, request.owner, entry);
          }
        },
        discard: () => {
          if (used) return;
          used = true;
          this.#free(owned, request.owner, entry);
        },
      };
    } catch (error) {
      if (slot) slot.busy = false;
      this.#generating.delete(request.owner);
      this.#emitStatus();
      throw error;
    }
  }

  /** Disposes every context, the model and llama.cpp. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#lock.catch(() => undefined);
    const loaded = this.#loaded;
    this.#loaded = null;
    if (loaded) await loaded.model.dispose().catch(() => undefined);
    const llama = this.#llama;
    this.#llama = null;
    if (llama) await (await llama.catch(() => null))?.dispose();
  }

  async #run(
    slot: Slot,
    history: ChatHistoryItem[],
    from: SplitFrom | null,
    sampling: Sampling,
    maxTokens: number,
    promptTokens: number,
    hooks: GenerationHooks,
  ): Promise<GenerationOutcome> {
    const started = performance.now();
    let firstAt: number | null = null;
    let completionTokens = 0;
    let text = '';
    const wrapper = slot.wrapper instanceof LatheChatWrapper ? slot.wrapper : null;
    const split = new ThoughtSplitter(
      wrapper?.reasoning.markers ?? null,
      from ?? (wrapper?.opensThought(history) ? 'openedThought' : 'start'),
      (delta, thought) => (thought ? hooks.onThought?.(delta) : hooks.onText(delta)),
    );
    const result = await slot.chat.generateResponse(history, {
      signal: hooks.signal,
      stopOnAbortSignal: true,
      maxTokens,
      temperature: sampling.temperature,
      topP: sampling.topP,
      topK: sampling.topK,
      minP: sampling.minP,
      seed: sampling.seed ?? randomSeed(),
      repeatPenalty: sampling.repeatPenalty > 1 ? { penalty: sampling.repeatPenalty } : false,
      onToken: (tokens) => {
        firstAt ??= performance.now();
        completionTokens += tokens.length;
      },
      onTextChunk: (delta) => {
        text += delta;
        split.push(delta);
      },
    });
    // Text held back while it might have been a stop trigger, then released at the end.
    if (result.response.length > text.length && result.response.startsWith(text)) {
      const rest = result.response.slice(text.length);
      text += rest;
      split.push(rest);
    }
    split.end();
    const ended = performance.now();
    const reason = result.metadata.stopReason;
    const first = firstAt as number | null;
    return {
      text: split.answer,
      thought: split.thought,
      stopReason: reason === 'abort' ? 'aborted' : reason === 'maxTokens' ? 'maxTokens' : 'done',
      stats: {
        promptTokens,
        completionTokens,
        timeToFirstTokenMs: first === null ? null : Math.round(first - started),
        tokensPerSecond:
          first === null || completionTokens < 2 || ended <= first
            ? null
            : Math.round(((completionTokens - 1) / ((ended - first) / 1000)) * 10) / 10,
        ...(reason === 'maxTokens' ? { reachedMaxTokens: true } : {}),
      },
    };
  }

  #acquire(entry: ContextEntry, owner: string): Slot {
    const idle = entry.slots.filter((s) => !s.busy);
    const slot =
      idle.find((s) => s.owner === owner) ??
      idle.find((s) => s.owner === null) ??
      idle.sort((a, b) => a.lastUsed - b.lastUsed)[0];
    if (!slot) {
      throw new AppError(
        'BUSY',
        `All ${entry.slots.length} conversation slots of this model are answering; try again when one finishes.`,
      );
    }
    slot.busy = true;
    slot.owner = owner;
    slot.lastUsed = entry.lastUsed = Date.now();
    return slot;
  }

  #free(slot: Slot, owner: string, entry: ContextEntry): void {
    slot.busy = false;
    slot.lastUsed = entry.lastUsed = Date.now();
    this.#generating.delete(owner);
    this.#emitStatus();
  }

  /** Runs load/unload steps one at a time. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#lock
      .catch(() => undefined)
      .then(() => {
        if (this.#closed) throw new AppError('CONFLICT', 'Lathe is shutting down.');
        return fn();
      });
    this.#lock = next.catch(() => undefined);
    return next;
  }

  /** The llama.cpp instance this service uses (started on first use), e.g. to load a vocabulary. */
  llama(): Promise<Llama> {
    return this.#getLlama();
  }

  #getLlama(): Promise<Llama> {
    this.#llama ??= createLlama(this.#o.config, this.#o.logger).catch((error: unknown) => {
      this.#llama = null;
      throw error;
    });
    return this.#llama;
  }

  async #ensureModel(source: ModelSource): Promise<Loaded> {
    if (this.#loaded?.modelId === source.id && this.#loaded.sha256 === source.sha256) return this.#loaded;
    await this.#unloadModel();
    // The header check gives a precise reason (truncated, not GGUF, unknown architecture) where
    // llama.cpp would only say that loading failed.
    const summary = await inspectGguf(source.path);
    const llama = await this.#getLlama();
    this.#state = 'loading';
    this.#loadingModelId = source.id;
    this.#loadProgress = 0;
    this.#error = null;
    this.#emitStatus();
    const started = performance.now();
    let emitted = 0;
    try {
      const model = await llama.loadModel({
        modelPath: source.path,
        onLoadProgress: (p) => {
          this.#loadProgress = p;
          if (p - emitted >= 0.1) {
            emitted = p;
            this.#emitStatus();
          }
        },
      });
      const wanted = this.#o.config.contextSize ?? Math.min(summary.contextLength ?? 4096, 4096);
      const loaded: Loaded = {
        modelId: source.id,
        sha256: source.sha256,
        model,
        wrapper: chatWrapperFor(model),
        contextSize: Math.min(wanted, model.trainContextSize),
        contexts: new Map(),
      };
      this.counters.modelLoads++;
      this.counters.chatWrapper = loaded.wrapper.wrapperName;
      this.counters.lastModelLoadMs = Math.round(performance.now() - started);
      this.#o.logger.info('model loaded', { modelId: source.id, ms: this.counters.lastModelLoadMs });
      this.#loaded = loaded;
      this.#state = 'ready';
      return loaded;
    } catch (error) {
      const appError = modelError(
        'IO_ERROR',
        'load-failed',
        `llama.cpp could not load this model: ${messageOf(error)}`,
        {
          modelId: source.id,
          path: source.path,
        },
      );
      this.#state = 'failed';
      this.#error = appError.toData();
      throw appError;
    } finally {
      this.#loadingModelId = null;
      this.#emitStatus();
    }
  }

  async #ensureContext(loaded: Loaded, adapters: readonly AdapterSource[]): Promise<ContextEntry> {
    const key = adapters.map((a) => `${a.adapterId}@${a.scale}`).join('|');
    const existing = loaded.contexts.get(key);
    if (existing) return existing;
    const max = Math.max(1, this.#o.config.maxContexts ?? 2);
    while (loaded.contexts.size >= max) {
      const idle = [...loaded.contexts.values()]
        .filter((c) => c.slots.every((s) => !s.busy))
        .sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (!idle) throw new AppError('BUSY', 'Every loaded variant of this model is answering; try again shortly.');
      loaded.contexts.delete(idle.key);
      await idle.context.dispose();
    }
    const sequences = Math.max(1, this.#o.config.sequences ?? 2);
    const started = performance.now();
    const llama = await this.#getLlama();
    // On the CPU Lathe picks the threads itself: node-llama-cpp's default there is at least 4, even on 2 cores.
    const plan = llama.gpu === false ? threadPlan(llama.cpuMathCores, this.#o.config) : null;
    const threads = plan?.batch ?? this.#o.config.threads;
    let context: LlamaContext;
    const slots: Slot[] = [];
    try {
      context = await loaded.model.createContext({
        contextSize: loaded.contextSize,
        sequences,
        // node-llama-cpp waits a turn of the event loop (setImmediate) before each decode, so that
        // sequences generating together may share one batch. With one generation running there is
        // no one to wait for: decode at once (interleaved A/B on the SmolLM2-135M shape, 2 threads:
        // median generation 94.2 → 98.6 and 94.9 → 96.2 tok/s). (Two chats answering at once on
        // the CPU were seen to share no decode with either schedule: their samplings and decodes
        // alternate on the model process's one pool thread.)
        batching: {
          dispatchSchedule: (dispatch: () => void) => {
            if (slots.filter((s) => s.busy).length <= 1) dispatch();
            else setImmediate(dispatch);
          },
        },
        ...(threads ? { threads } : {}),
        ...(adapters.length > 0
          ? { lora: { adapters: adapters.map((a) => ({ filePath: a.path, scale: a.scale })) } }
          : {}),
      });
    } catch (error) {
      throw modelError(
        'IO_ERROR',
        'load-failed',
        adapters.length > 0
          ? `llama.cpp could not apply the adapters: ${messageOf(error)}`
          : `llama.cpp could not create a context: ${messageOf(error)}`,
        { adapterIds: adapters.map((a) => a.adapterId) },
      );
    }
    this.counters.contextCreations++;
    this.counters.lastContextCreateMs = Math.round(performance.now() - started);
    this.counters.threads = plan ? { ...plan } : null;
    if (plan) {
      const threads = this.counters.threads as ThreadPlan;
      const tuner = new GenerationThreadTuner(plan.candidates);
      const onChosen = (chosen: number) => {
        threads.generation = chosen;
        this.#o.logger.info('generation threads', { chosen, candidates: plan.candidates });
      };
      if (!useGenerationThreads(context, tuner, sequences, this.counters.decodesByThreads, onChosen))
        this.#o.logger.warn('generation threads: node-llama-cpp context internals changed; one thread count for all');
    }
    for (let i = 0; i < sequences; i++) {
      const wrapper = loaded.wrapper instanceof LatheChatWrapper ? loaded.wrapper.forSequence() : loaded.wrapper;
      slots.push({
        chat: new LlamaChat({ contextSequence: context.getSequence(), chatWrapper: wrapper }),
        wrapper,
        owner: null,
        busy: false,
        lastUsed: 0,
      });
    }
    const entry: ContextEntry = {
      key,
      adapterIds: adapters.map((a) => a.adapterId),
      context,
      slots,
      lastUsed: Date.now(),
    };
    loaded.contexts.set(key, entry);
    this.#emitStatus();
    return entry;
  }

  async #unloadModel(): Promise<void> {
    const loaded = this.#loaded;
    if (!loaded) return;
    if ([...loaded.contexts.values()].some((c) => c.slots.some((s) => s.busy))) {
      throw new AppError('BUSY', 'The loaded model is answering; stop it first.');
    }
    this.#loaded = null;
    this.#state = 'idle';
    await loaded.model.dispose();
    this.#o.logger.info('model unloaded', { modelId: loaded.modelId });
    this.#emitStatus();
  }

  #emitStatus(): void {
    this.#o.events.emit('inference.status', this.status());
  }
}

/** The conversation as node-llama-cpp's history, ending in the answer to write (begun with `soFar`). */
function toHistory(messages: readonly ChatMessage[], soFar = ''): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((m) =>
    m.role === 'system'
      ? { type: 'system', text: m.content }
      : m.role === 'user'
        ? { type: 'user', text: m.content }
        : { type: 'model', response: [m.content] },
  );
  history.push({ type: 'model', response: soFar ? [soFar] : [] });
  return history;
}

/**
 * The text an answer to continue has so far, as the model wrote it (its thought back between its
 * markers), and where the continuation starts: in the thought or in the answer. Null `from` for a
 * fresh answer. Without markers (a template that has no thoughts) the thought is left out.
 */
function continuation(
  wrapper: LatheChatWrapper | null,
  messages: readonly ChatMessage[],
  soFar: GenerateRequest['continueFrom'],
): { text: string; from: SplitFrom | null } {
  const content = soFar?.content ?? '';
  const reasoning = soFar?.reasoning ?? '';
  const markers = wrapper?.reasoning.markers;
  if (!reasoning || !markers) return { text: content, from: content ? 'answer' : null };
  const opened = wrapper.opensThought(toHistory(messages)) ? '' : `${markers.open}\n`;
  return content
    ? { text: `${opened}${reasoning}\n${markers.close}\n\n${content}`, from: 'answer' }
    : { text: `${opened}${reasoning}`, from: 'midThought' };
}

/** Tokens of the prompt the chat wrapper renders for these messages, the answer's opening included. */
function countTokens(loaded: Loaded, wrapper: ChatWrapper, messages: ChatMessage[], soFar = ''): number {
  const { contextText } = wrapper.generateContextState({ chatHistory: toHistory(messages, soFar) });
  return contextText.tokenize(loaded.model.tokenizer).length;
}

function messageOf(error: unknown): string {
  return toAppErrorData(error).message;
}
