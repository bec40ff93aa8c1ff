import type { LlamaContext } from 'node-llama-cpp';

/**
 * CPU threads of a context: every math core (or `threads`) for prompt batches, which are
 * compute-bound; for generating, either a fixed `generationThreads` or the faster of `candidates`,
 * found by the context's first answers (see GenerationThreadTuner).
 */
export interface ThreadPlan {
  batch: number;
  /** The generation threads: fixed, or chosen once tuned; null while tuning. */
  generation: number | null;
  /** What tuning compares (one entry when fixed). */
  candidates: number[];
}

/**
 * Why tune: generating is memory-bound and ends every operation at a barrier where the threads
 * wait for each other, on a machine shared with the app's own threads (the event loop streaming
 * the tokens, the UI). Measured on the 2-core development machine through node-llama-cpp: a
 * 135M-parameter Q8_0 model generates 48 tokens/s on 2 threads (21 % of the time in
 * `ggml_barrier`) and 104.5 on 1; a 1B Q4_K_M model 22.5 on 2 and 19.9 on 1. No single count is
 * right for both, so the first answers try all cores and one fewer, and keep the faster.
 */
export function threadPlan(mathCores: number, config: { threads?: number; generationThreads?: number }): ThreadPlan {
  const batch = Math.max(1, Math.floor(config.threads ?? mathCores));
  if (config.generationThreads !== undefined) {
    const fixed = Math.max(1, Math.min(batch, Math.floor(config.generationThreads)));
    return { batch, generation: fixed, candidates: [fixed] };
  }
  const candidates = batch > 1 ? [batch - 1, batch] : [1];
  return { batch, generation: candidates.length === 1 ? batch : null, candidates };
}

/**
 * Picks the generation thread count by measurement: after `warmup` decodes it alternates the
 * candidates until each has `samples` decode times, then keeps the one with the lowest median.
 */
export class GenerationThreadTuner {
  readonly #candidates: number[];
  readonly #samples: number;
  #warmup: number;
  readonly #times = new Map<number, number[]>();
  #turn = 0;
  #chosen: number | null;

  constructor(candidates: number[], options: { samples?: number; warmup?: number } = {}) {
    if (candidates.length === 0) throw new Error('no thread counts to choose from');
    this.#candidates = candidates;
    this.#samples = options.samples ?? 12;
    this.#warmup = options.warmup ?? 2;
    this.#chosen = candidates.length === 1 ? (candidates[0] as number) : null;
  }

  get chosen(): number | null {
    return this.#chosen;
  }

  /** Threads for the next generation decode. */
  next(): number {
    if (this.#chosen !== null) return this.#chosen;
    if (this.#warmup > 0) return this.#candidates[0] as number;
    return this.#candidates[this.#turn++ % this.#candidates.length] as number;
  }

  /** A generation decode on `threads` took `ms`; answers the choice when this one settled it. */
  record(threads: number, ms: number): number | null {
    if (this.#chosen !== null) return null;
    if (this.#warmup > 0) {
      this.#warmup--;
      return null;
    }
    const times = this.#times.get(threads) ?? [];
    times.push(ms);
    this.#times.set(threads, times);
    if (this.#candidates.some((c) => (this.#times.get(c)?.length ?? 0) < this.#samples)) return null;
    let best = this.#candidates[0] as number;
    for (const c of this.#candidates) {
      if (median(this.#times.get(c) ?? []) < median(this.#times.get(best) ?? [])) best = c;
    }
    this.#chosen = best;
    return best;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** How many decodes ran with how many threads (for tests and logs). */
export type ThreadUse = Map<number, number>;

interface NativeContext {
  addToBatch: (sequenceId: number, firstToken: number, tokens: Uint32Array, logits: Uint32Array) => unknown;
  setThreads: (threads: number) => unknown;
  decodeBatch: () => Promise<unknown>;
}

/**
 * node-llama-cpp 3.21.1 gives a context one thread count for every batch (`llama_set_n_threads(n, n)`
 * right before each decode). This wraps the context's native handle so that a batch of at most one
 * token per sequence (generation) runs on the tuner's count and larger ones (prompts) on the count
 * node-llama-cpp asked for; each decode is counted in `use` by its thread count. Answers false
 * (and changes nothing) when the handle does not look as expected (another node-llama-cpp version).
 */
export function useGenerationThreads(
  context: LlamaContext,
  tuner: GenerationThreadTuner,
  sequences: number,
  use: ThreadUse,
  onChosen: (threads: number) => void,
): boolean {
  const native = (context as unknown as { _ctx?: Partial<NativeContext> })._ctx;
  if (
    !native ||
    typeof native.addToBatch !== 'function' ||
    typeof native.setThreads !== 'function' ||
    typeof native.decodeBatch !== 'function'
  ) {
    return false;
  }
  const addToBatch = native.addToBatch.bind(native);
  const setThreads = native.setThreads.bind(native);
  const decodeBatch = native.decodeBatch.bind(native);
  let tokens = 0;
  let requested = Number.POSITIVE_INFINITY;
  const wrapped: NativeContext = {
    addToBatch: (sequenceId, firstToken, batchTokens, logits) => {
      tokens += batchTokens.length;
      return addToBatch(sequenceId, firstToken, batchTokens, logits);
    },
    // node-llama-cpp's allocation (its thread splitter), applied at the decode below
    setThreads: (threads) => {
      requested = threads;
    },
    decodeBatch: () => {
      const generating = tokens <= sequences;
      tokens = 0;
      const threads = generating ? Math.min(requested, tuner.next()) : requested;
      if (Number.isFinite(threads)) setThreads(threads);
      use.set(threads, (use.get(threads) ?? 0) + 1);
      if (!generating || tuner.chosen !== null) return decodeBatch();
      const started = performance.now();
      return decodeBatch().then((result) => {
        const chosen = tuner.record(threads, performance.now() - started);
        if (chosen !== null) onChosen(chosen);
        return result;
      });
    },
  };
  try {
    // the addon's methods are read-only on its prototype: own properties shadow them
    for (const [name, value] of Object.entries(wrapped)) {
      Object.defineProperty(native, name, { value, configurable: true, writable: true });
    }
  } catch {
    for (const name of Object.keys(wrapped)) delete (native as Record<string, unknown>)[name];
    return false;
  }
  return true;
}
