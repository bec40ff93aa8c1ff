import type { Hyperparams, TrainingDeviceReport, TrainingProgress, TrainingSummary } from '../../../shared/domain';
import type { AppErrorData } from '../../../shared/errors';
import type { PrepareReport } from './prepareExamples';

/** Everything the training process needs to run (or resume) one run. */
export interface TrainerSpec {
  runId: string;
  /** Absolute path of the built trainer addon; the worker's own lookup otherwise. */
  addonPath?: string;
  baseModelPath: string;
  /** JSONL snapshot of the run's examples: one `{id, messages, split?}` per line. */
  examplesFile: string;
  /** Run folder: checkpoint and adapter are written here. */
  runDir: string;
  adapterPath: string;
  checkpointPath: string;
  hyperparams: Hyperparams;
  /** The adapter a new run starts from (`hyperparams.initAdapterId`'s file) instead of a fresh one. */
  initAdapterPath?: string;
  /** Continue from `checkpointPath` instead of starting fresh. */
  resume: boolean;
  /** Save a checkpoint at least this often, in seconds (and at every epoch end, cancel and failure). */
  checkpointEverySeconds: number;
}

/** A compute device of the trainer's build, as its addon lists it (`devices()`). */
export interface TrainerDevice {
  name: string;
  description: string;
  type: 'cpu' | 'gpu' | 'igpu' | 'accel';
  memoryFree: number;
  memoryTotal: number;
}

/** A merge of an adapter into its base model (the addon's `mergeAdapter`). */
export interface MergeSpec {
  addonPath?: string;
  base: string;
  adapter: string;
  output: string;
  name: string;
  /** Extra GGUF metadata of the merged file (where it came from). */
  metadata: Record<string, string | number>;
}

export type ToTrainer =
  | { type: 'start'; spec: TrainerSpec }
  /** Write a merged GGUF, reporting progress, then exit. */
  | { type: 'merge'; spec: MergeSpec }
  | { type: 'cancel' }
  /** List the devices the trainer would use, then exit (for estimates before a run). */
  | { type: 'devices'; addonPath?: string };

export type FromTrainer =
  | {
      type: 'prepared';
      report: Omit<PrepareReport, 'lengths'>;
      lengths: number[];
      windowSize: number;
      totalSteps: number;
      fill: number;
    }
  | { type: 'progress'; progress: Omit<TrainingProgress, 'runId'> }
  /** The device, window and memory estimate before the first step; again with measurements after it. */
  | { type: 'device'; device: TrainingDeviceReport }
  | { type: 'checkpoint'; step: number }
  | {
      type: 'done';
      summary: Omit<TrainingSummary, 'adapterId'>;
      adapter: { rank: number; alpha: number; sizeBytes: number };
    }
  | { type: 'devices'; devices: TrainerDevice[] }
  | { type: 'mergeProgress'; done: number; total: number }
  | { type: 'merged'; tensors: number; merged: number; bytes: number }
  | { type: 'cancelled'; step: number; checkpoint: boolean }
  | { type: 'failed'; error: AppErrorData; checkpoint: boolean };
