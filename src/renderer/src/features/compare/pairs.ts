import type { ContenderInput } from '@shared/compare';
import type { ModelInfo } from '@shared/domain';
import { presets } from '../chat/sampling';

/** A model as it is, with the Balanced preset (none picked yet: an empty model id). */
export function defaultContender(model: ModelInfo | undefined): ContenderInput {
  return { modelId: model?.id ?? '', adapters: [], sampling: { ...presets.balanced } };
}

/**
 * A fine-tune against its base: the base model, then the same with the adapter at full scale; with
 * `thinking`, both think first (where the model's template can switch it on).
 */
export function adapterPair(
  models: readonly ModelInfo[],
  adapterId: string,
  options: { thinking?: boolean } = {},
): [ContenderInput, ContenderInput] | null {
  const model = models.find((m) => !m.missing && m.variants.some((v) => v.adapterId === adapterId && v.available));
  if (!model) return null;
  const plain = defaultContender(model);
  const thinks = options.thinking === true && model.reasoning === 'switchable';
  const base = thinks ? { ...plain, sampling: { ...plain.sampling, thinking: true } } : plain;
  return [base, { ...base, adapters: [{ adapterId, scale: 1 }] }];
}

/** Until the user picks: the first model's base against its newest fine-tune (or the same base at T 1.0). */
export function defaultPair(models: readonly ModelInfo[]): [ContenderInput, ContenderInput] {
  for (const model of models) {
    const variant = model.missing ? undefined : model.variants.find((v) => v.available);
    if (variant) return adapterPair(models, variant.adapterId)!;
  }
  const first = defaultContender(models.find((m) => !m.missing));
  return [first, { ...first, sampling: { ...first.sampling, temperature: 1.0 } }];
}
