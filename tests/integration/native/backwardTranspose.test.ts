import { afterAll, describe, expect, it } from 'vitest';
import { GgmlType } from '../../helpers/gguf/GgufWriter.js';
import { tempDir } from '../../helpers/tempDir.js';
import { packWindow, randomTokens, randomizeB, relDiff, rig, tinyModel, trainer } from './trainerFixtures.js';

const window = packWindow([
  { tokens: randomTokens(40, 31), trainFrom: 12 },
  { tokens: randomTokens(30, 32), trainFrom: 9 },
]);

/** Every adapter gradient after one forward/backward pass over `window`, with B randomized. */
async function gradients(modelPath: string): Promise<{ grads: Map<string, Float32Array>; loss: number }> {
  const r = await rig(modelPath);
  try {
    randomizeB(r.adapter, 9);
    const result = await r.session.forwardBackward([window]);
    const grads = new Map(r.adapter.info().tensors.map((t) => [t.name, r.session.gradient(t.name)]));
    return { grads, loss: result.lossSum / result.nTokens };
  } finally {
    r.dispose();
  }
}

describe('backward through frozen weights: MUL_MAT with their transposes instead of OUT_PROD', () => {
  const dir = tempDir('lathe-native-');
  afterAll(() => {
    delete process.env.LATHE_BACKWARD;
    dir.remove();
  });

  // F32 and F16 transposes are exact (F16 rounds the incoming gradient to F16 as its MUL_MAT does);
  // quantized weights get a Q8_0 transpose and the gradient is rounded to Q8_0 blocks: close, not equal.
  it.each([
    ['F32', GgmlType.F32, 1e-5],
    ['F16', GgmlType.F16, 5e-3],
    ['Q8_0', GgmlType.Q8_0, 3e-2],
    ['Q4_0', GgmlType.Q4_0, 3e-2],
  ] as const)(
    '%s: the same gradients as upstream OUT_PROD, and the transposes are freed with the model',
    async (name, type, tolerance) => {
      const path = tinyModel(dir.path, `${name}.gguf`, type);
      process.env.LATHE_BACKWARD = 'outprod';
      const reference = await gradients(path);
      expect(trainer().backwardTransposes()).toEqual({ count: 0, bytes: 0 });

      delete process.env.LATHE_BACKWARD;
      const r = await rig(path);
      randomizeB(r.adapter, 9);
      const result = await r.session.forwardBackward([window]);
      // Two layers × seven projections and the output head, less the three that need no backward.
      const made = trainer().backwardTransposes();
      // Layer 0's q, k and v read the embeddings, which need no gradient: 2 × 7 − 3 + 1.
      expect(made.count).toBe(12);
      expect(made.bytes).toBeGreaterThan(0);
      expect(result.lossSum / result.nTokens).toBeCloseTo(reference.loss, 5);
      for (const t of r.adapter.info().tensors) {
        const g = r.session.gradient(t.name);
        expect(relDiff(g, reference.grads.get(t.name)!), t.name).toBeLessThan(tolerance);
      }
      r.dispose();
      expect(trainer().backwardTransposes()).toEqual({ count: 0, bytes: 0 });
    },
  );
});
