import { describe, expect, it } from 'vitest';
import type { ModelInfo, ModelVariant, TrainingRun } from '../../../src/shared/domain';
import { adapterPair, defaultPair } from '../../../src/renderer/src/features/compare/pairs';
import { compareHref, parseCompareHash } from '../../../src/renderer/src/features/compare/compareRoute';
import { adapterPlace } from '../../../src/renderer/src/features/finetune/adapterPlace';

const variant = (adapterId: string, available = true): ModelVariant => ({
  adapterId,
  name: adapterId,
  rank: 8,
  alpha: 16,
  sizeBytes: 1,
  available,
  createdAt: 1,
});
const model = (id: string, variants: ModelVariant[], extra: Partial<ModelInfo> = {}) =>
  ({ id, name: id, path: `/m/${id}.gguf`, sha256: id, missing: false, variants, ...extra }) as ModelInfo;
const run = (adapterId: string | null, baseModelPath = '/m/a.gguf') =>
  ({ baseModelPath, summary: adapterId === null ? null : { adapterId } }) as Pick<
    TrainingRun,
    'baseModelPath' | 'summary'
  >;

describe("a finished run's way back into chat and compare", () => {
  it('finds the adapter among the library’s variants, or says what stands in the way', () => {
    const a = model('a', [variant('x'), variant('gone', false)]);
    expect(adapterPlace([a], run('x'))).toEqual({ kind: 'ready', model: a, adapterId: 'x' });
    expect(adapterPlace([a], run('gone'))).toEqual({ kind: 'adapter-missing', model: a });
    const missing = model('a', [variant('x')], { missing: true });
    expect(adapterPlace([missing], run('x'))).toEqual({ kind: 'model-missing', model: missing });
    // The path is in the library, but as other content (the file changed): no variant matches.
    const changed = model('a', []);
    expect(adapterPlace([changed], run('y'))).toEqual({ kind: 'model-changed', model: changed });
    expect(adapterPlace([changed], run('y', '/elsewhere/b.gguf'))).toEqual({ kind: 'not-in-library' });
    expect(adapterPlace([a], run(null))).toBeNull();
  });

  it('links a fine-tune to the Compare page, against its base', () => {
    const href = compareHref({ adapterId: 'a b/c' });
    expect(href).toBe('#/compare/adapter/a%20b%2Fc');
    expect(parseCompareHash(href)).toEqual({ adapterId: 'a b/c', datasetId: null, thinking: false });
    expect(parseCompareHash('#/compare')).toEqual({ adapterId: null, datasetId: null, thinking: false });
    expect(parseCompareHash('#/finetune/adapter/x')).toEqual({ adapterId: null, datasetId: null, thinking: false });
    expect(parseCompareHash('#/compare/adapter/%E0%A4%A')).toEqual({
      adapterId: null,
      datasetId: null,
      thinking: false,
    });

    const base = model('base', []);
    const tuned = model('tuned', [variant('old'), variant('new'), variant('lost', false)]);
    const [first, second] = adapterPair([base, tuned], 'new')!;
    expect(first).toMatchObject({ modelId: 'tuned', adapters: [] });
    expect(second).toEqual({ ...first, adapters: [{ adapterId: 'new', scale: 1 }] });
    expect(adapterPair([base, tuned], 'lost')).toBeNull();
    expect(adapterPair([base, model('tuned', [variant('new')], { missing: true })], 'new')).toBeNull();
    // Without a link: the first model with a fine-tune, against it; else one model at two temperatures.
    expect(defaultPair([base, tuned])[1].adapters).toEqual([{ adapterId: 'old', scale: 1 }]);
    const [cold, hot] = defaultPair([base]);
    expect([cold.modelId, hot.modelId, hot.sampling.temperature]).toEqual(['base', 'base', 1]);
  });
});

describe('a batch review of a fine-tune on its dataset’s eval split', () => {
  it('is an address of the Compare page', () => {
    const href = compareHref({ adapterId: 'a/1', datasetId: 'd 2' });
    expect(href).toBe('#/compare/adapter/a%2F1/dataset/eval/d%202');
    expect(parseCompareHash(href)).toEqual({ adapterId: 'a/1', datasetId: 'd 2', thinking: false });
    expect(parseCompareHash('#/compare/adapter/a1')).toEqual({ adapterId: 'a1', datasetId: null, thinking: false });
    expect(parseCompareHash('#/compare/adapter/a1/dataset/eval')).toEqual({
      adapterId: 'a1',
      datasetId: null,
      thinking: false,
    });
    expect(parseCompareHash('#/compare/dataset/eval/d1')).toEqual({
      adapterId: null,
      datasetId: null,
      thinking: false,
    });
  });

  it('asks both sides with thinking on for a fine-tune that learned to think (`/think` last)', () => {
    const withData = compareHref({ adapterId: 'a1', datasetId: 'd1', thinking: true });
    expect(withData).toBe('#/compare/adapter/a1/dataset/eval/d1/think');
    expect(parseCompareHash(withData)).toEqual({ adapterId: 'a1', datasetId: 'd1', thinking: true });
    expect(parseCompareHash(compareHref({ adapterId: 'a1', thinking: true }))).toEqual({
      adapterId: 'a1',
      datasetId: null,
      thinking: true,
    });
    // An adapter whose id is "think" is not the switch.
    expect(parseCompareHash('#/compare/adapter/think')).toEqual({
      adapterId: 'think',
      datasetId: null,
      thinking: false,
    });

    const thinker = model('qwen3', [variant('t')], { reasoning: 'switchable' });
    const [base, tuned] = adapterPair([thinker], 't', { thinking: true })!;
    expect([base.sampling.thinking, tuned.sampling.thinking]).toEqual([true, true]);
    // A model that cannot think is compared as it is.
    const [plain] = adapterPair([model('llama', [variant('t')])], 't', { thinking: true })!;
    expect(plain.sampling.thinking).toBeUndefined();
  });
});
