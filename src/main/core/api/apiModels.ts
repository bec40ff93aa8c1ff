import type { ModelInfo } from '../../../shared/domain';

/** A model as the local API lists it: a library model, or a fine-tune (one adapter on its base). */
export interface ApiModel {
  /** What clients pass as `model`: readable, unique (`qwen3-0-6b`, `qwen3-0-6b+my-tune`). */
  id: string;
  modelId: string;
  adapterId: string | null;
  name: string;
  created: number;
}

/** `Qwen3 0.6B (Q8_0)` → `qwen3-0-6b-q8-0`. */
export function slug(name: string): string {
  const s = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s || 'model';
}

/**
 * The library's usable models and, after each, its fine-tunes (its variants whose adapter file is
 * there), with ids made from their names; a clash gets the model's or adapter's id prefix.
 */
export function apiModels(models: readonly ModelInfo[]): ApiModel[] {
  const out: ApiModel[] = [];
  const taken = new Set<string>();
  const unique = (wanted: string, id: string) => {
    const name = taken.has(wanted) ? `${wanted}-${id.slice(0, 8)}` : wanted;
    taken.add(name);
    return name;
  };
  for (const model of models) {
    if (model.missing) continue;
    const base = unique(slug(model.name), model.id);
    out.push({ id: base, modelId: model.id, adapterId: null, name: model.name, created: model.createdAt });
    for (const variant of model.variants) {
      if (!variant.available) continue;
      out.push({
        id: unique(`${base}+${slug(variant.name)}`, variant.adapterId),
        modelId: model.id,
        adapterId: variant.adapterId,
        name: `${model.name} + ${variant.name}`,
        created: variant.createdAt,
      });
    }
  }
  return out;
}

/** The listed model a request's `model` names: its API id, a library model id, or an adapter id. */
export function findApiModel(list: readonly ApiModel[], wanted: string): ApiModel | null {
  return (
    list.find((m) => m.id === wanted) ??
    list.find((m) => m.adapterId === null && m.modelId === wanted) ??
    list.find((m) => m.adapterId === wanted) ??
    null
  );
}
