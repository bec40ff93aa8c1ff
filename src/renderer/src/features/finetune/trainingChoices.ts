import type { DatasetInfo } from '@shared/datasets';
import type { ModelInfo, TrainingRun } from '@shared/domain';

/**
 * What the New fine-tune form offers as a base model and as data: pure helpers (no React, no
 * `@shared` values) so unit tests can run them in Node.
 */

/** Why a library model cannot be a base model now, for its disabled entry; null when it can. */
export function modelUnavailableReason(
  model: Pick<ModelInfo, 'missing' | 'architecture'>,
  trainable: readonly string[],
): string | null {
  if (model.missing) return 'File missing';
  if (!trainable.includes(model.architecture)) return `Lathe cannot fine-tune ${model.architecture} yet`;
  return null;
}

/**
 * The model the form shows: `preferred` while it is in the library (even unusable, so the form
 * can say why), else the newest one that can train (the list comes newest first).
 */
export function defaultModelId(
  models: readonly ModelInfo[],
  trainable: readonly string[],
  preferred?: string | null,
): string | null {
  if (preferred && models.some((m) => m.id === preferred)) return preferred;
  return models.find((m) => modelUnavailableReason(m, trainable) === null)?.id ?? null;
}

/** Why a dataset cannot be trained on, for its disabled entry; null when it can. */
export function datasetUnavailableReason(dataset: Pick<DatasetInfo, 'counts'>): string | null {
  return dataset.counts.total === 0 ? 'No examples yet' : null;
}

/**
 * The dataset the form shows: `preferred` while it exists (even empty, so the form can say why),
 * else the most recently updated one with examples.
 */
export function defaultDatasetId(datasets: readonly DatasetInfo[], preferred?: string | null): string | null {
  if (preferred && datasets.some((d) => d.id === preferred)) return preferred;
  const usable = datasets.filter((d) => datasetUnavailableReason(d) === null);
  let newest: DatasetInfo | null = null;
  for (const d of usable) if (!newest || d.updatedAt > newest.updatedAt) newest = d;
  return newest?.id ?? null;
}

export interface SplitPlan {
  train: number;
  eval: number;
  /** True when the eval examples are drawn from the data by `evalFraction` (it has no eval split). */
  drawn: boolean;
}

/**
 * How the trainer will split a dataset's live examples, before length and tool-turn skips: the
 * eval split when there is one (auto examples train); otherwise, from 20 examples up, a share of
 * `evalFraction` (at least one) drawn for evaluation; below 20, everything trains. Mirrors
 * `prepareExamples` in the core.
 */
export function splitPlan(split: { train: number; eval: number; auto: number }, evalFraction: number): SplitPlan {
  const total = split.train + split.eval + split.auto;
  if (split.eval > 0) return { train: split.train + split.auto, eval: split.eval, drawn: false };
  if (total < 20) return { train: total, eval: 0, drawn: false };
  const drawn = Math.max(1, Math.round(total * evalFraction));
  return { train: total - drawn, eval: drawn, drawn: true };
}

/** The library model a past run trained (same file content, else the same path), for "Reuse settings". */
export function modelOfRun(
  models: readonly Pick<ModelInfo, 'id' | 'sha256' | 'path'>[],
  run: Pick<TrainingRun, 'baseModelSha256' | 'baseModelPath'>,
): string | null {
  const bySha = run.baseModelSha256 ? models.find((m) => m.sha256 === run.baseModelSha256) : undefined;
  return (bySha ?? models.find((m) => m.path === run.baseModelPath))?.id ?? null;
}

/** The split counts of a dataset as a short line: `120 train · 12 eval · 30 auto` (zero counts left out). */
export function splitCountsLabel(split: { train: number; eval: number; auto: number }, format: (n: number) => string) {
  const parts = (['train', 'eval', 'auto'] as const).filter((s) => split[s] > 0).map((s) => `${format(split[s])} ${s}`);
  return parts.length > 0 ? parts.join(' · ') : 'empty';
}

/** The trainer's max length range, tokens (`hyperparamsSchema.maxLength`). */
export const maxLengthRange = { min: 16, max: 32768 } as const;

/** A dataset's token budget as a run's max length: within the trainer's range; null when unset. */
export function runMaxLength(datasetMaxLength: number | null | undefined): number | null {
  if (!datasetMaxLength) return null;
  return Math.min(maxLengthRange.max, Math.max(maxLengthRange.min, datasetMaxLength));
}
