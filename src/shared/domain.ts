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

export const trainingDataSourceSchema = z.discriminatedUnion('kind', [
  /** A JSONL/JSON file of chat examples (OpenAI `messages`), by absolute path on the machine running Lathe. */
  z.object({ kind: z.literal('file'), path: z.string().min(1).max(4096) }).strict(),
]);
export type TrainingDataSource = z.infer<typeof trainingDataSourceSchema>;

export const trainingPhases = ['preparing', 'training', 'evaluating', 'saving'] as const;

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
  error: { code: string; message: string } | null;
  createdAt: number;
  finishedAt: number | null;
}

export interface TrainingSummary {
  adapterId: string | null;
  finalTrainLoss: number | null;
  finalEvalLoss: number | null;
  trainExamples: number;
  evalExamples: number;
  skippedTooLong: number;
  usefulTokensPerSecond: number;
  peakMemoryBytes: number;
  seconds: number;
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
