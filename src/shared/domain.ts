import { z } from 'zod';
import { appErrorDataSchema } from './errors';

/** Where a job is in its life. `interrupted`: it was running when the app stopped. */
export const jobStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export type JobState = (typeof jobStates)[number];
export const finishedJobStates: readonly JobState[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];

export const jobSchema = z.object({
  id: z.string(),
  /** What the job does, e.g. `models.download`, `datasets.import`, `training.run`. */
  kind: z.string(),
  /** A short human title, e.g. the file being imported. */
  title: z.string(),
  state: z.enum(jobStates),
  /** Fraction done, 0..1. */
  progress: z.number().min(0).max(1),
  /** The latest progress message, e.g. "12.4 MB of 480 MB". */
  message: z.string(),
  error: appErrorDataSchema.nullable(),
  /** Milliseconds since the Unix epoch. */
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  /** Kind-specific result, set when the job succeeds. */
  result: z.unknown().optional(),
});
export type Job = z.infer<typeof jobSchema>;

export const themes = ['system', 'light', 'dark'] as const;
export type Theme = (typeof themes)[number];

export const settingsSchema = z.object({
  theme: z.enum(themes),
  /** Absolute path of the folder where downloaded models are stored. */
  modelsDir: z.string(),
  /** Whether a Hugging Face access token is stored (for gated repositories). The token itself never leaves the core. */
  huggingFaceTokenSet: z.boolean(),
});
export type Settings = z.infer<typeof settingsSchema>;

export const appInfoSchema = z.object({
  name: z.literal('Lathe'),
  version: z.string(),
  /** `electron` inside the desktop app, `server` in browser mode. */
  host: z.enum(['electron', 'server', 'test']),
  platform: z.string(),
  arch: z.string(),
  dataDir: z.string(),
  versions: z.object({ node: z.string(), electron: z.string().nullable(), sqlite: z.string() }),
  schemaVersion: z.number().int(),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

export const chatRoles = ['system', 'user', 'assistant'] as const;
export type ChatRole = (typeof chatRoles)[number];
export const chatMessageSchema = z.object({ role: z.enum(chatRoles), content: z.string() });
/** One turn of a conversation, as stored in datasets and rendered with a model's chat template. */
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** LoRA target modules: attention q/k/v/o and the MLP's gate/up/down projections. */
export const targetModules = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as const;
export type TargetModule = (typeof targetModules)[number];

/**
 * Fine-tuning hyperparameters. Every field has the default people expect from LoRA tools
 * (rank 16, alpha 32, lr 2e-4 with warmup and cosine decay, 2 epochs, all seven projections).
 */
export const hyperparamsSchema = z.object({
  /**
   * What the run learns from. `sft`: the examples' answers (supervised fine-tuning). `dpo`: the
   * examples that have a rejected answer, as preference pairs (Direct Preference Optimization:
   * raise the answer over the rejected one, relative to the base model).
   */
  method: z.enum(['sft', 'dpo']).default('sft'),
  /** DPO's β: how strongly the fine-tune is held to its base while it learns the preferences (TRL's 0.1). */
  dpoBeta: z.number().positive().max(10).default(0.1),
  /**
   * Start from this fine-tune (a library adapter of the same base model) instead of a new adapter:
   * training goes on from its weights, with its rank, alpha and target modules, and a DPO run
   * holds to it as its reference (the usual SFT-then-DPO recipe). The result is a new adapter.
   */
  initAdapterId: z.string().min(1).max(200).optional(),
  /** LoRA rank r, 1..256. */
  rank: z.number().int().min(1).max(256).default(16),
  /** LoRA alpha; the update is scaled by alpha / rank. */
  alpha: z.number().positive().max(4096).default(32),
  targets: z
    .array(z.enum(targetModules))
    .min(1)
    .max(7)
    .default([...targetModules]),
  /** Peak learning rate. */
  learningRate: z.number().positive().max(1).default(2e-4),
  /** Share of the steps spent warming up linearly from 0, 0..0.5. */
  warmupRatio: z.number().min(0).max(0.5).default(0.1),
  schedule: z.enum(['cosine', 'linear', 'constant']).default('cosine'),
  /** Passes over the training data; fractions allowed. */
  epochs: z.number().positive().max(100).default(2),
  /** Longest example in tokens; by default the longest in the data, capped at 2048. */
  maxLength: z.number().int().min(16).max(32768).optional(),
  /** Examples longer than maxLength: skipped (default) or truncated. */
  overLength: z.enum(['skip', 'truncate']).default('skip'),
  /** Tokens per optimizer step (the effective batch, by token budget). */
  batchTokens: z.number().int().min(64).max(1_048_576).default(8192),
  /** Share of examples held out for evaluation when the data has no eval split. */
  evalFraction: z.number().min(0).max(0.5).default(0.05),
  /** Evaluate every this many steps; 0 = about ten times per run. */
  evalEvery: z.number().int().min(0).max(1_000_000).default(0),
  /** Clip the gradient's global L2 norm; 0 = off. */
  maxGradNorm: z.number().min(0).max(1000).default(1),
  weightDecay: z.number().min(0).max(1).default(0),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(42),
  /** CPU threads; by default all cores. */
  threads: z.number().int().min(1).max(512).optional(),
});
export type Hyperparams = z.output<typeof hyperparamsSchema>;
export type HyperparamsInput = z.input<typeof hyperparamsSchema>;

/**
 * `general.architecture` values the trainer knows (attention q/k/v/o + gated MLP, separate
 * tensors); `training.start` refuses other base models with UNSUPPORTED.
 */
export const trainableArchitectures = ['llama', 'qwen2', 'qwen3', 'mistral3', 'granite', 'smollm3'] as const;

export const trainingDataSourceSchema = z.discriminatedUnion('kind', [
  /** A JSONL/JSON file of chat examples (OpenAI `messages`), by absolute path on the machine running Lathe. */
  z.object({ kind: z.literal('file'), path: z.string().min(1).max(4096) }).strict(),
  /**
   * A Lathe dataset: its live examples are snapshotted when the run starts (split train/eval kept,
   * `auto` left to the trainer's own eval share; examples with tool turns are left out).
   */
  z.object({ kind: z.literal('dataset'), datasetId: z.string().min(1).max(200) }).strict(),
]);
export type TrainingDataSource = z.infer<typeof trainingDataSourceSchema>;

/** `scoring`: a preference run's base model scoring its pairs before the first step. */
export const trainingPhases = ['preparing', 'scoring', 'training', 'evaluating', 'saving'] as const;

export const trainingProgressSchema = z.object({
  runId: z.string(),
  phase: z.enum(trainingPhases),
  /** Optimizer steps done. */
  step: z.number().int(),
  totalSteps: z.number().int(),
  /** Fractional epoch, e.g. 1.25. */
  epoch: z.number(),
  trainLoss: z.number().nullable(),
  evalLoss: z.number().nullable(),
  learningRate: z.number(),
  /** Unmasked (answer) tokens learned from per second, over the last step. */
  tokensPerSecond: z.number(),
  /** Estimated seconds left; null until the first step. */
  etaSeconds: z.number().nullable(),
  /** Resident memory of the training process, bytes. */
  memoryBytes: z.number(),
  /**
   * Preference (DPO) runs: the share of pairs whose chosen answer gains more over the base than the
   * rejected one, in the last step and at the last evaluation.
   */
  rewardAccuracy: z.object({ train: z.number().nullable(), eval: z.number().nullable() }).optional(),
  /** Work inside a phase (the base model scoring the pairs before a preference run), when it is counted. */
  phaseProgress: z.object({ done: z.number().int(), total: z.number().int() }).optional(),
});
export type TrainingProgress = z.infer<typeof trainingProgressSchema>;

export interface TrainingMetricPoint {
  step: number;
  epoch: number;
  trainLoss: number | null;
  evalLoss: number | null;
  learningRate: number;
  tokensPerSecond: number;
}

export interface TrainingRun {
  id: string;
  name: string;
  state: JobState;
  jobId: string | null;
  baseModelPath: string;
  baseModelSha256: string;
  dataSource: TrainingDataSource;
  hyperparams: Hyperparams;
  step: number;
  totalSteps: number;
  /** Set when the run has a checkpoint it can resume from. */
  resumable: boolean;
  summary: TrainingSummary | null;
  /** Why the run stopped; `details.stderr` holds the training process's last output after a crash. */
  error: { code: string; message: string; details?: unknown } | null;
  /** Device, window and memory (estimated, then measured); null until the run has planned. */
  device: TrainingDeviceReport | null;
  createdAt: number;
  finishedAt: number | null;
}

/** Bytes a training run needs or holds, by what holds them (`TrainingDeviceReport`). */
export interface TrainingMemoryParts {
  weights: number;
  /** Transposes of the frozen weights, for the backward pass. */
  transposes: number;
  adapter: number;
  /** Gradient accumulators. */
  gradients: number;
  /** Host gradient copy and AdamW moments. */
  optimizer: number;
  kvCache: number;
  /** Forward + backward activations of one window. */
  activations: number;
  total: number;
}

/** What ggml allocated on one device after the first training step (the run's peak), bytes. */
export interface TrainingDeviceMemory {
  /** `CPU`, `CUDA0`, `Vulkan0`, … (host buffers count as `CPU`). */
  device: string;
  model: number;
  context: number;
  compute: number;
  adapter: number;
  gradients: number;
  transposes: number;
  optimizer: number;
  total: number;
}

/**
 * Where a run trains and what it costs there: reported by the training process once it has planned
 * (device, window, estimate) and again after the first step (allocated memory, CPU fallbacks).
 */
export interface TrainingDeviceReport {
  /** ggml's device name: `CPU`, `CUDA0`, `Vulkan0`, `Metal`… */
  backend: string;
  /** e.g. `NVIDIA H100 80GB HBM3`, or the CPU's name. */
  description: string;
  gpu: boolean;
  /** Tokens per forward/backward pass (examples are packed into windows of this size). */
  windowSize: number;
  /**
   * Tokens per row: a window of several rows attends row by row (no example crosses a row), so
   * its attention costs windowSize·rowSize instead of windowSize². Equal to windowSize for one row.
   */
  rowSize: number;
  /** The smallest window the data needs; a GPU run may use a larger one to pack more per pass. */
  neededWindowSize: number;
  /** Device memory free when the run planned, with the weights already loaded; null on the CPU. */
  freeBytes: number | null;
  totalBytes: number | null;
  estimate: { device: TrainingMemoryParts; host: TrainingMemoryParts };
  /** Allocated after the first step; null until then. */
  measured: TrainingDeviceMemory[] | null;
  /**
   * Kernel-running nodes of the training graph that a GPU backend could not run and the scheduler
   * kept on the CPU, as `OP(type)` → count (the token-embedding lookup, which llama.cpp always
   * keeps on the host, is not counted). Empty on CPU runs and when everything runs on the GPU;
   * null until the first step.
   */
  cpuFallbacks: Record<string, number> | null;
  /**
   * Backward ops the GPU backend has no kernel for, which the training graph builds from ops it has
   * instead of leaving them to the CPU (`OUT_PROD`, `RMS_NORM_BACK`, … on Metal). Empty on the CPU,
   * CUDA and Vulkan; null until the first step, absent in reports from before it existed.
   */
  decomposedOps?: string[] | null;
}

export type TrainingEstimateBasis = 'data' | 'max-length' | 'upper-bound';

/** What a fine-tune would need before it starts (`training.estimate`). */
export interface TrainingEstimate {
  /** Where the trainer would run: ggml's device name (`CPU`, `CUDA0`, `Vulkan0`…). */
  backend: string;
  description: string;
  gpu: boolean;
  /** Free and total memory of that device (the host's for the CPU). */
  freeBytes: number;
  totalBytes: number;
  /** Tokens per pass the estimate assumes. */
  windowSize: number;
  /** Tokens per row: each of the window's windowSize / rowSize rows attends within itself. */
  rowSize: number;
  /**
   * What the window follows from. `data`: the dataset's token counts for this base model, planned
   * as the run will plan it. `max-length`: the max length, with examples assumed that long (the
   * data's lengths unknown). `upper-bound`: neither: the data decides at the start (its longest
   * example, at most 2048 tokens) and the estimate is for the most it can need.
   */
  basis: TrainingEstimateBasis;
  /** For a dataset on a library model: its examples with a token count for that model, and without. */
  tokenCounts: { counted: number; uncounted: number } | null;
  /**
   * A GPU this machine has (chat uses it) that this trainer build cannot: a CPU-only build, or one
   * for another backend. The run would train on the CPU; building the trainer for `backend` fixes it.
   */
  unusedGpu: { backend: 'cuda' | 'vulkan' | 'metal'; name: string } | null;
  estimate: { device: TrainingMemoryParts; host: TrainingMemoryParts };
  /** The estimate fits in 90 % of the device's free memory (and the host's share in its RAM). */
  fits: boolean;
}

export interface TrainingSummary {
  adapterId: string | null;
  finalTrainLoss: number | null;
  finalEvalLoss: number | null;
  trainExamples: number;
  evalExamples: number;
  skippedTooLong: number;
  /** Examples that taught thinking (trained with thinking on: ask the fine-tune with Think on); absent in older runs. */
  thinkingExamples?: number;
  /** A preference (DPO) run: its pairs and how the fine-tune ranks the held-out ones; absent otherwise. */
  preference?: PreferenceSummary;
  usefulTokensPerSecond: number;
  peakMemoryBytes: number;
  seconds: number;
}

/** How a preference (DPO) run went: `train/evalExamples` count pairs. */
export interface PreferenceSummary {
  /** Examples left out because they have no rejected answer. */
  withoutRejected: number;
  /** Share of the eval pairs whose chosen answer the fine-tune prefers more than its base did (null: no eval pairs). */
  evalRewardAccuracy: number | null;
  /** Mean β·((log π − log π_base)(chosen) − (…)(rejected)) over the eval pairs, nats. */
  evalRewardMargin: number | null;
  /** The same over the last step's training pairs. */
  trainRewardAccuracy: number | null;
}

/** What a merged model was made from, by name (from its GGUF's `general.base_model.0.name` and `lathe.merged.adapter`). */
export interface MergedFrom {
  base: string;
  adapter: string;
}

/** A fine-tune exported as a standalone GGUF (`adapters.merge`'s job result). */
export interface MergedModel {
  path: string;
  name: string;
  sizeBytes: number;
  /** Weights the adapter changed. */
  mergedTensors: number;
  /** The library model it was added as, or null when it was not added. */
  modelId: string | null;
}

export interface Adapter {
  id: string;
  name: string;
  path: string;
  baseModelPath: string;
  baseModelSha256: string;
  runId: string | null;
  rank: number;
  alpha: number;
  targets: TargetModule[];
  sizeBytes: number;
  createdAt: number;
}

// ─── Models, inference and chat ──────────────────────────────────────────────

/**
 * Why a model could not be imported or loaded, in `error.details.reason`, so the UI can say more
 * than the error code: `not-gguf` (INVALID_INPUT: the file does not start with the GGUF magic),
 * `corrupt` (INVALID_INPUT: truncated or unreadable GGUF), `architecture` (UNSUPPORTED: llama.cpp
 * does not know the model's architecture), `missing` (NOT_FOUND: the file was moved or deleted
 * since import), `load-failed` (IO_ERROR: llama.cpp refused the file), `prompt-too-long`
 * (INVALID_INPUT: the system prompt plus the new message do not fit in the context),
 * `adapter-mismatch` (CONFLICT: the adapter was trained on another base model), `is-adapter`
 * (INVALID_INPUT: the file is a LoRA adapter, not a model), `split-part` (INVALID_INPUT: a part of
 * a split model other than the first), `split-name` (INVALID_INPUT: a split model whose parts are
 * not named the gguf-split way), `runtime-crashed` (INTERNAL: the model process stopped mid-request;
 * `details.exitCode`, `details.signal`, `details.stderr`).
 */
export const modelErrorReasons = [
  'not-gguf',
  'corrupt',
  'architecture',
  'missing',
  'load-failed',
  'prompt-too-long',
  'adapter-mismatch',
  'is-adapter',
  'split-part',
  'split-name',
  'runtime-crashed',
] as const;
export type ModelErrorReason = (typeof modelErrorReasons)[number];

/** An adapter of a model: a fine-tune recorded in the `adapters` table whose base hash matches. */
export const modelVariantSchema = z.object({
  adapterId: z.string(),
  name: z.string(),
  rank: z.number(),
  alpha: z.number(),
  sizeBytes: z.number(),
  /** False when the adapter file is gone. */
  available: z.boolean(),
  createdAt: z.number(),
});
export type ModelVariant = z.infer<typeof modelVariantSchema>;

/** A GGUF model in the library. */
export const reasoningModes = ['none', 'switchable', 'always'] as const;
export type ReasoningMode = (typeof reasoningModes)[number];

export const modelInfoSchema = z.object({
  id: z.string(),
  /** Display name; the GGUF's `general.name` or the file name at import, renamable. */
  name: z.string(),
  /** Absolute path of the GGUF on the machine running Lathe. */
  /** The file, or the first part of a split model (`…-00001-of-0000N.gguf`; the others lie beside it). */
  path: z.string(),
  /** SHA-256 of the whole file, or of a split model's parts one after the other (hex): the model's
   *  identity, shared with adapters. */
  sha256: z.string(),
  /** Of all its files. */
  sizeBytes: z.number(),
  /** 1, or the number of parts of a split model. */
  files: z.number().int(),
  /** `general.architecture`, e.g. `llama`, `qwen2`. */
  architecture: z.string(),
  /** Number of weights, e.g. 3.2e9; null when it cannot be derived. */
  parameterCount: z.number().nullable(),
  /** The file type / quantization, e.g. `Q4_K_M`, `F16`; null when the GGUF does not say. */
  fileType: z.string().nullable(),
  /** Context length the model was trained with, tokens. */
  contextLength: z.number().nullable(),
  /** True when the GGUF carries `tokenizer.chat_template`. */
  hasChatTemplate: z.boolean(),
  /**
   * How its chat template handles reasoning: `switchable` (thinking can be turned on per
   * conversation: Qwen 3, SmolLM3, Gemma 4), `always` (it opens a thought before every answer:
   * DeepSeek R1 distills, QwQ), `none`.
   */
  reasoning: z.enum(reasoningModes),
  /** Made by Lathe from a fine-tune (`adapters.merge`): the base model and adapter it was merged from. */
  mergedFrom: z.object({ base: z.string(), adapter: z.string() }).nullable(),
  /** True when the file (or a part of a split model) is no longer there (moved or deleted since import). */
  missing: z.boolean(),
  createdAt: z.number(),
  /** Fine-tuned adapters of this model (matched by base sha256), newest first. */
  variants: z.array(modelVariantSchema),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

/** What a `models.import` job answers in `job.result` when it succeeds. */
export interface ModelImportResult {
  modelId: string;
}

/** One LoRA adapter applied on top of a base model, with its scale (1 = as trained). */
export const adapterRefSchema = z
  .object({
    adapterId: z.string().min(1).max(200),
    /** Multiplier of the adapter's update, 0..4; default 1. */
    scale: z.number().min(0).max(4).default(1),
  })
  .strict();
export type AdapterRef = z.output<typeof adapterRefSchema>;

/** A base model plus zero or more adapters: what answers a chat. */
export const variantSchema = z.object({
  modelId: z.string(),
  adapters: z.array(z.object({ adapterId: z.string(), scale: z.number() })),
});
export type Variant = z.infer<typeof variantSchema>;

/** Sampling settings of a conversation (and, as used, of each answer). */
export const samplingSchema = z.object({
  /** 0 = greedy; typical 0.2..1.2. */
  temperature: z.number().min(0).max(5),
  /** Nucleus sampling threshold, 0..1 (1 = off). */
  topP: z.number().min(0).max(1),
  /** Keep the k most likely tokens, 0 = off. */
  topK: z.number().int().min(0).max(1000),
  /** Drop tokens below minP × the top probability, 0..1 (0 = off). */
  minP: z.number().min(0).max(1),
  /** Penalty on recently repeated tokens, 1 = off. */
  repeatPenalty: z.number().min(1).max(3),
  /** Longest answer, tokens. */
  maxTokens: z.number().int().min(1).max(32768),
  /** Fixed seed for reproducible answers; null = random. */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .nullable(),
  /**
   * Let a reasoning model think before it answers (models whose template can switch it, see
   * `ModelInfo.reasoning`); absent = off, as Lathe trains. The thought is kept apart from the answer.
   */
  thinking: z.boolean().optional(),
});
export type Sampling = z.infer<typeof samplingSchema>;

export const samplingPresetNames = ['precise', 'balanced', 'creative'] as const;
export type SamplingPresetName = (typeof samplingPresetNames)[number];
/** Named sampling presets; `balanced` is what a new conversation gets. */
export const samplingPresets: Record<SamplingPresetName, Sampling> = {
  precise: { temperature: 0.2, topP: 0.9, topK: 40, minP: 0.05, repeatPenalty: 1.05, maxTokens: 1024, seed: null },
  balanced: { temperature: 0.7, topP: 0.95, topK: 40, minP: 0.05, repeatPenalty: 1.1, maxTokens: 1024, seed: null },
  creative: { temperature: 1.0, topP: 0.98, topK: 100, minP: 0.02, repeatPenalty: 1.15, maxTokens: 2048, seed: null },
};

/** A conversation and its settings. */
export const conversationSchema = z.object({
  id: z.string(),
  title: z.string(),
  systemPrompt: z.string(),
  /** The model that answers; null until one is chosen. */
  modelId: z.string().nullable(),
  /** Adapters applied on the model (empty = the base model). */
  adapters: z.array(z.object({ adapterId: z.string(), scale: z.number() })),
  sampling: samplingSchema,
  /** The leaf of the branch last shown or written; null for an empty conversation. */
  activeLeafId: z.string().nullable(),
  messageCount: z.number().int(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Conversation = z.infer<typeof conversationSchema>;

/** A conversation in the list, with where a search matched. */
export const conversationSummarySchema = conversationSchema.extend({
  /** A short excerpt of the message text that matched the search, if it was not the title. */
  snippet: z.string().nullable(),
});
export type ConversationSummary = z.infer<typeof conversationSummarySchema>;

/** `streaming`: being written now; `stopped`: the user stopped it; `failed`: see `error`. */
export const messageStatuses = ['streaming', 'done', 'stopped', 'failed'] as const;
export type MessageStatus = (typeof messageStatuses)[number];

export const generationStatsSchema = z.object({
  /** Tokens of the rendered prompt (after dropping turns, if any). */
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  /** From the start of generation to the first token, ms. */
  timeToFirstTokenMs: z.number().nullable(),
  /** Completion tokens per second, after the first token. */
  tokensPerSecond: z.number().nullable(),
  /** True when the answer stopped at its token limit (`maxTokens` or the context's end): it can be continued. */
  reachedMaxTokens: z.boolean().optional(),
});
export type GenerationStats = z.infer<typeof generationStatsSchema>;

/** One stored message. Messages form a tree by `parentId`: edits and regenerations are siblings. */
export const storedMessageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  /** Null for the first message of a branch from the start. */
  parentId: z.string().nullable(),
  role: z.enum(['user', 'assistant']),
  /** The answer (of an assistant message: without its thought). */
  content: z.string(),
  /** Assistant messages: what a reasoning model thought before answering; null when it did not. */
  reasoning: z.string().nullable(),
  /** Assistant messages: a version written by hand (`chat.editAnswer`), not by the model. */
  edited: z.boolean(),
  status: z.enum(messageStatuses),
  error: appErrorDataSchema.nullable(),
  /** Assistant messages: the model and adapters that wrote it. */
  variant: variantSchema.nullable(),
  /** Assistant messages: the sampling settings used. */
  sampling: samplingSchema.nullable(),
  stats: generationStatsSchema.nullable(),
  /** True when the oldest turns were left out so the chat fits the context (system prompt kept). */
  truncatedContext: z.boolean(),
  rating: z.enum(['up', 'down']).nullable(),
  /** The kept example made from this answer (`chat.keep`), if any. */
  keptExampleId: z.string().nullable(),
  createdAt: z.number(),
});
export type StoredMessage = z.infer<typeof storedMessageSchema>;

/** A message on the shown branch, with its siblings for `< 2/3 >` navigation. */
export const threadMessageSchema = storedMessageSchema.extend({
  /** 0-based position among the messages sharing its parent, oldest first. */
  siblingIndex: z.number().int(),
  siblingCount: z.number().int(),
  /** Every sibling's id (itself included), oldest first. */
  siblingIds: z.array(z.string()),
});
export type ThreadMessage = z.infer<typeof threadMessageSchema>;

export interface ChatThread {
  conversation: Conversation;
  /** Root to leaf. */
  messages: ThreadMessage[];
}

/** What `chat.send`, `chat.edit` and `chat.regenerate` answer at once; the answer streams after. */
export interface ChatTurnStarted {
  userMessageId: string;
  assistantMessageId: string;
}

/** An answer kept as instruction data ("Add to dataset"). */
export const keptExampleSchema = z.object({
  id: z.string(),
  /** The dataset the example is in. */
  datasetId: z.string(),
  conversationId: z.string().nullable(),
  messageId: z.string().nullable(),
  /** System prompt (if any), the turns up to the answer, and the answer (edited, if it was). */
  messages: z.array(chatMessageSchema),
  edited: z.boolean(),
  createdAt: z.number(),
});
export type KeptExample = z.infer<typeof keptExampleSchema>;

/** The state of the inference engine: which model is in memory. */
export const inferenceStatusSchema = z.object({
  state: z.enum(['idle', 'loading', 'ready', 'failed']),
  /** The model in memory (or loading). */
  modelId: z.string().nullable(),
  /** Load progress 0..1 while loading. */
  loadProgress: z.number(),
  /** Adapter sets with a live context, each as adapter ids. */
  contexts: z.array(z.array(z.string())),
  /** Conversations generating now. */
  generating: z.array(z.string()),
  /** Tokens per sequence of each context. */
  contextSize: z.number().nullable(),
  error: appErrorDataSchema.nullable(),
});
export type InferenceStatus = z.infer<typeof inferenceStatusSchema>;

/** How a blind comparison's generations are named in `InferenceStatus.generating` (then a random id). */
export const blindComparisonOwnerPrefix = 'compare-blind:';

/** Whether a blind comparison is generating (or loading a model to). */
export function blindComparisonRunning(status: InferenceStatus): boolean {
  return status.generating.some((owner) => owner.startsWith(blindComparisonOwnerPrefix));
}

/**
 * The status as pages that name models should show it: while a blind comparison generates, which
 * model is in memory (and which adapters) would say which side is writing, so it reads as nothing
 * loaded until the comparison ends.
 */
export function maskBlindComparison(status: InferenceStatus): InferenceStatus {
  if (!blindComparisonRunning(status)) return status;
  return { ...status, state: 'idle', modelId: null, loadProgress: 0, contexts: [], contextSize: null, error: null };
}

export const exportFormats = ['json', 'markdown'] as const;
export type ExportFormat = (typeof exportFormats)[number];

// ─── Downloads, catalog, hardware and fit ───────────────────────────────────

/**
 * Why a `models.download` job failed, in `error.details.reason` (with the code in parentheses):
 * `http-status` (NOT_FOUND for 404/410, IO_ERROR otherwise; `details.status`), `network` (IO_ERROR:
 * the connection failed or stalled after the retries; the partial file is kept for resume),
 * `not-gguf` (INVALID_INPUT: the server sent something else, e.g. an HTML page; nothing is kept),
 * `checksum-mismatch` (IO_ERROR: the published SHA-256 differs; nothing is kept), `disk-full`
 * (IO_ERROR: `details.neededBytes` / `details.availableBytes`), `no-such-file` (NOT_FOUND: the
 * repository has no GGUF of that quantization; `details.available` lists the ones it has),
 * `file-exists` (CONFLICT: a different file already has that name in the models folder; `details.path`).
 */
export const downloadErrorReasons = [
  'http-status',
  'network',
  'not-gguf',
  'checksum-mismatch',
  'disk-full',
  'no-such-file',
  'file-exists',
] as const;
export type DownloadErrorReason = (typeof downloadErrorReasons)[number];

/** What a `models.download` job answers in `job.result` when it succeeds. */
export interface ModelDownloadResult {
  /** The model in the library (a new one, imported from the downloaded file). */
  modelId: string;
  /** Absolute path of the downloaded GGUF in the models folder. */
  path: string;
  sizeBytes: number;
  /** SHA-256 of the file (hex). */
  sha256: string;
  /** True when a SHA-256 published by the source was checked; false when the source published none. */
  verified: boolean;
}

/** The quantizations the catalog lists for every model. */
export const catalogQuantizations = ['Q4_K_M', 'Q5_K_M', 'Q8_0', 'F16'] as const;
export type CatalogQuantization = (typeof catalogQuantizations)[number];

/** A curated model that Lathe knows how to fetch (static data; sizes are approximate). */
export const catalogEntrySchema = z.object({
  /** Stable id, e.g. `qwen3-1.7b`. */
  id: z.string(),
  name: z.string(),
  family: z.string(),
  /** Number of weights, e.g. 1.7e9 (approximate, as published). */
  parameterCount: z.number(),
  /** Hugging Face repository of the GGUF files, `user/repo`. */
  hfRepo: z.string(),
  files: z.array(
    z.object({
      quantization: z.enum(catalogQuantizations),
      /** File name in the repository (as published when the catalog was written). */
      fileName: z.string(),
      /** Approximate size in bytes; the real size comes from the server when downloading. */
      approxSizeBytes: z.number(),
      /** What to pass to `models.download` (`hf:user/repo:QUANT`, resolved at download time). */
      source: z.string(),
    }),
  ),
  /** Context length it was trained for, tokens. */
  contextLength: z.number(),
  license: z.string(),
  /** Short note on the license terms that matter (attribution, use policy). */
  licenseNote: z.string(),
  /** What a LoRA fine-tune of this model does well, in plain words. */
  fineTunesWellOn: z.array(z.string()),
  description: z.string(),
});
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;

export const gpuTypes = ['cuda', 'vulkan', 'metal', 'none'] as const;
export type GpuType = (typeof gpuTypes)[number];

/** The machine running Lathe, as llama.cpp sees it. Memory in bytes. */
export const hardwareInfoSchema = z.object({
  cpu: z.object({ model: z.string(), cores: z.number(), arch: z.string() }),
  ram: z.object({ totalBytes: z.number(), freeBytes: z.number() }),
  gpu: z.object({
    /** The llama.cpp backend in use; `none` = CPU only. */
    type: z.enum(gpuTypes),
    names: z.array(z.string()),
    vramTotalBytes: z.number(),
    vramFreeBytes: z.number(),
    /** True on unified-memory machines (Apple silicon): VRAM and RAM are the same memory. */
    unifiedMemory: z.boolean(),
  }),
});
export type HardwareInfo = z.infer<typeof hardwareInfoSchema>;

/** Where a model would run: all layers on the GPU, some, or none. */
export const fitPlacements = ['gpu', 'partial', 'cpu'] as const;
export type FitPlacement = (typeof fitPlacements)[number];

/** Whether a model fits this machine, from its GGUF header (nothing is loaded). Memory in bytes. */
export const modelFitSchema = z.object({
  fits: z.boolean(),
  placement: z.enum(fitPlacements),
  gpuLayers: z.number(),
  totalLayers: z.number(),
  /** Context size the estimate is for, tokens. */
  contextSize: z.number(),
  ramBytes: z.number(),
  vramBytes: z.number(),
  /** Size of the weights in the file. */
  modelBytes: z.number(),
  /** One plain-language sentence, e.g. "Fits in memory and runs on the CPU (about 1.2 GB of RAM)." */
  summary: z.string(),
  /**
   * A rough expectation of generation speed, tokens per second (an estimate from the memory
   * bandwidth typical of this kind of hardware and the bytes read per token, not a measurement).
   */
  tokensPerSecond: z.object({ low: z.number(), high: z.number(), basis: z.string() }),
  hardware: hardwareInfoSchema,
});
export type ModelFit = z.infer<typeof modelFitSchema>;
