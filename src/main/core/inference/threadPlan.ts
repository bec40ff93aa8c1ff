import type { LlamaContext } from 'node-llama-cpp';

/** CPU threads of a context: for prompt batches, and for generating (one token per sequence). */
export interface ThreadPlan {
  batch: number;
  generation: number;
}

/**
 * Prompt batches are compute-bound: they get every math core (or `threads`). Generating is
 * memory-bound, ends every operation at a barrier where the threads wait for each other, and shares
 * the machine with the app's own threads (the event loop that streams the tokens, the UI): one core
 * is left to those (or `generationThreads`). Measured on the 2-core development machine with a
 * 135M-parameter Q8_0 model, node-llama-cpp generating with 2 threads: 48 tokens/s (21 % of the time
 * in `ggml_barrier`); with 1: 104.5, what llama.cpp's own `llama-bench` reaches with 2.
 */
export function threadPlan(mathCores: number, config: { threads?: number; generationThreads?: number }): ThreadPlan {
  const batch = Math.max(1, Math.floor(config.threads ?? mathCores));
  const generation = Math.max(1, Math.min(batch, Math.floor(config.generationThreads ?? batch - 1)));
  return { batch, generation };
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
 * token per sequence (generation) runs on `plan.generation` threads and larger ones (prompts) on the
 * count node-llama-cpp asked for; each decode is counted in `use` by its thread count. Answers false
 * (and changes nothing) when the handle does not look as expected (another node-llama-cpp version).
 */
export function useGenerationThreads(
  context: LlamaContext,
  plan: ThreadPlan,
  sequences: number,
  use: ThreadUse,
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
  let requested = plan.batch;
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
      const threads = tokens > sequences ? requested : Math.min(requested, plan.generation);
      tokens = 0;
      setThreads(threads);
      use.set(threads, (use.get(threads) ?? 0) + 1);
      return decodeBatch();
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
