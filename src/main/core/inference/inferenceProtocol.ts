import type { ChatMessage, HardwareInfo, InferenceStatus, ModelFit, Sampling } from '../../../shared/domain';
import type { AppErrorData } from '../../../shared/errors';
import type { LogLevel } from '../logger';
import type {
  AdapterSource,
  GenerationOutcome,
  InferenceConfig,
  InferenceCounters,
  ModelSource,
} from './InferenceService';

/**
 * Messages between the core and the model runtime process (workers/inference.ts). The core resolves
 * models and adapters from its library and sends the files; the process owns node-llama-cpp, the
 * loaded model and its contexts, and answers each request by its `id`.
 */
export type ToInference =
  | { type: 'init'; config: InferenceConfig }
  | { type: 'load'; id: number; model: ModelSource; adapters: AdapterSource[] }
  | { type: 'unload'; id: number }
  | { type: 'release'; id: number; modelId: string }
  | {
      type: 'prepare';
      id: number;
      owner: string;
      model: ModelSource;
      adapters: AdapterSource[];
      messages: ChatMessage[];
      sampling: Sampling;
      continueFrom?: { content: string; reasoning: string | null };
    }
  /** Runs the generation prepared by request `id`; text arrives as `text` messages, then its `result`. */
  | { type: 'run'; id: number }
  | { type: 'abort'; id: number }
  | { type: 'discard'; id: number }
  | { type: 'close'; id: number }
  /** GPU probes run here, in the process that holds the GPU, so the core never opens a second GPU context. */
  | { type: 'hardware'; id: number }
  | { type: 'fit'; id: number; path: string; contextSize?: number; gpuLayers?: number };

export interface PreparedReply {
  promptTokens: number;
  droppedMessages: number;
  sampling: Sampling;
}

export type FromInference =
  | {
      type: 'result';
      id: number;
      value: InferenceStatus | PreparedReply | GenerationOutcome | HardwareInfo | ModelFit | null;
      counters: InferenceCounters;
    }
  | { type: 'error'; id: number; error: AppErrorData; counters: InferenceCounters }
  /** Text of a running generation: of its answer, or (`thought`) of a reasoning model's thought. */
  | { type: 'text'; id: number; delta: string; thought?: true }
  | { type: 'status'; status: InferenceStatus; counters: InferenceCounters }
  | { type: 'log'; level: LogLevel; message: string; fields?: Record<string, unknown> };
