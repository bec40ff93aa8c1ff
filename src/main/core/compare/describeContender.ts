import type { Contender, StoredContender } from '../../../shared/compare';
import type { ModelInfo } from '../../../shared/domain';

/**
 * A contender with its display label and leaderboard key. `model` is the library's record, or null
 * when the model is no longer in the library (the label then says so; generating that side fails).
 */
export function describeContender(contender: Contender, model: ModelInfo | null): StoredContender {
  const adapters = [...contender.adapters].sort((x, y) => x.adapterId.localeCompare(y.adapterId));
  const names = new Map(model?.variants.map((v) => [v.adapterId, v.name]) ?? []);
  const parts = [model?.name ?? `Missing model ${contender.modelId.slice(0, 8)}`];
  for (const a of adapters) {
    const name = names.get(a.adapterId) ?? `missing adapter ${a.adapterId.slice(0, 8)}`;
    parts.push(a.scale === 1 ? name : `${name} ×${a.scale}`);
  }
  const temperature = contender.sampling.temperature;
  // Thinking on makes another contender (its answers differ); off reads as before.
  const thinking = contender.sampling.thinking === true;
  return {
    modelId: contender.modelId,
    adapters: contender.adapters.map((a) => ({ adapterId: a.adapterId, scale: a.scale })),
    sampling: contender.sampling,
    label: `${parts.join(' + ')} · T${temperature}${thinking ? ' · thinking' : ''}`,
    key: `${contender.modelId}|${adapters.map((a) => `${a.adapterId}@${a.scale}`).join(',')}|T${temperature}${thinking ? '|think' : ''}`,
  };
}
