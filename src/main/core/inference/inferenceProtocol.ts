import type { ChatMessage, InferenceStatus, Sampling } from '../../../shared/domain';
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
    }
  /** Runs the generation prepared by request `id`; text arrives as `text` messages, then its `result`. */
  | { type: 'run'; id: number }
  | { type: 'abort'; id: number }
  | { type: 'discard'; id: number }
  | { type: 'close'; id: number };

export interface PreparedReply {
  promptTokens: number;
  droppedMessages: number;
  sampling: Sampling;
}

export type FromInference =
  | {
      type: 'result';
      id: number;
      value: InferenceStatus | PreparedReply | GenerationOutcome | null;
      counters: InferenceCounters;
    }
  | { type: 'error'; id: number; error: AppErrorData; counters: InferenceCounters }
  | { type: 'text'; id: number; delta: string }
  | { type: 'status'; status: InferenceStatus; counters: InferenceCounters }
  | { type: 'log'; level: LogLevel; message: string; fields?: Record<string, unknown> };
