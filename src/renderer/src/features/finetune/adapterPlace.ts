import type { ModelInfo, TrainingRun } from '@shared/domain';

/** Where a finished run's adapter stands in the library: what the result bar can offer. */
export type AdapterPlace =
  | { kind: 'ready'; model: ModelInfo; adapterId: string }
  | { kind: 'adapter-missing'; model: ModelInfo }
  | { kind: 'model-missing'; model: ModelInfo }
  /** A library model has the run's path but other content: the adapter does not fit it any more. */
  | { kind: 'model-changed'; model: ModelInfo }
  | { kind: 'not-in-library' };

/** Finds a run's adapter among the library's variants (matched by the base model's content). */
export function adapterPlace(
  models: readonly ModelInfo[],
  run: Pick<TrainingRun, 'baseModelPath' | 'summary'>,
): AdapterPlace | null {
  const adapterId = run.summary?.adapterId;
  if (!adapterId) return null;
  const model = models.find((m) => m.variants.some((v) => v.adapterId === adapterId));
  const variant = model?.variants.find((v) => v.adapterId === adapterId);
  if (model && variant) {
    if (model.missing) return { kind: 'model-missing', model };
    if (!variant.available) return { kind: 'adapter-missing', model };
    return { kind: 'ready', model, adapterId };
  }
  const samePath = models.find((m) => m.path === run.baseModelPath);
  if (samePath) return { kind: 'model-changed', model: samePath };
  return { kind: 'not-in-library' };
}
