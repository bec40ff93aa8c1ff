import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { QuantizationType } from '../../../native/index.js';
import { GgmlType } from '../../helpers/gguf/GgufWriter.js';
import { tempDir } from '../../helpers/tempDir.js';
import { hasGpu, packWindow, randomTokens, randomizeB, relDiff, rig, tinyModel, trainer } from './trainerFixtures.js';

const window = packWindow([
  { tokens: randomTokens(40, 31), trainFrom: 12 },
  { tokens: randomTokens(30, 32), trainFrom: 9 },
]);

/** Every adapter gradient after one forward/backward pass over `window`, with B randomized. */
async function gradients(
  modelPath: string,
  offload = false,
): Promise<{
  grads: Map<string, Float32Array>;
  loss: number;
  made: { count: number; byGraph: number; checkError?: number };
}> {
  const r = await rig(modelPath, {}, 2, { offload });
  try {
    randomizeB(r.adapter, 9);
    const result = await r.session.forwardBackward([window]);
    const grads = new Map(r.adapter.info().tensors.map((t) => [t.name, r.session.gradient(t.name)]));
    const { bytes: _bytes, ...made } = trainer().backwardTransposes();
    return { grads, loss: result.lossSum / result.nTokens, made };
  } finally {
    r.dispose();
  }
}

describe('backward through frozen weights: MUL_MAT with their transposes instead of OUT_PROD', () => {
  const dir = tempDir('lathe-native-');
  afterAll(() => {
    delete process.env.LATHE_BACKWARD;
    delete process.env.LATHE_TRANSPOSE;
    dir.remove();
  });

  // F32 and F16 transposes are exact (F16 rounds the incoming gradient to F16 as its MUL_MAT does);
  // quantized weights get a Q8_0 transpose and the gradient is rounded to Q8_0 blocks: close, not equal.
  // A GPU build (npm run test:gpu) runs some of the large products on the GPU even with the weights
  // in host memory, and its F32 products round differently (5.4e-4 on lavapipe).
  it.each([
    ['F32', GgmlType.F32, hasGpu() ? 5e-3 : 1e-5],
    ['F16', GgmlType.F16, 5e-3],
    ['Q8_0', GgmlType.Q8_0, 3e-2],
    ['Q4_0', GgmlType.Q4_0, 3e-2],
  ] as const)(
    '%s: the same gradients as upstream OUT_PROD, and the transposes are freed with the model',
    async (name, type, tolerance) => {
      const path = tinyModel(dir.path, `${name}.gguf`, type);
      process.env.LATHE_BACKWARD = 'outprod';
      const reference = await gradients(path);
      expect(trainer().backwardTransposes()).toEqual({ count: 0, bytes: 0, byGraph: 0 });

      delete process.env.LATHE_BACKWARD;
      const r = await rig(path);
      randomizeB(r.adapter, 9);
      const result = await r.session.forwardBackward([window]);
      // Two layers × seven projections and the output head, less the three that need no backward.
      const made = trainer().backwardTransposes();
      // Layer 0's q, k and v read the embeddings, which need no gradient: 2 × 7 − 3 + 1.
      expect(made.count).toBe(12);
      expect(made.bytes).toBeGreaterThan(0);
      expect(made.byGraph).toBe(0); // the weights are in host memory: the host code builds them
      expect(result.lossSum / result.nTokens).toBeCloseTo(reference.loss, 5);
      for (const t of r.adapter.info().tensors) {
        const g = r.session.gradient(t.name);
        expect(relDiff(g, reference.grads.get(t.name)!), t.name).toBeLessThan(tolerance);
      }
      r.dispose();
      expect(trainer().backwardTransposes()).toEqual({ count: 0, bytes: 0, byGraph: 0 });
    },
  );

  // On a GPU the transposes are built there by a small ggml graph (a strided copy, or GET_ROWS to
  // dequantize, a transpose and a copy that quantizes). LATHE_TRANSPOSE=check runs that graph on the
  // weights' backend (the CPU backend here, every layer offloaded on a GPU build under
  // npm run test:gpu) and compares each transpose with the host code's.
  const shape = { nEmbd: 256, nHead: 4, nHeadKv: 2, nFf: 512, nVocab: 512 };
  it.for(['F32', 'F16', 'BF16', 'Q8_0', 'Q4_0', 'Q4_K_M'] as const)(
    "%s: a ggml graph on the weights' backend builds the host code's transposes",
    { timeout: 120_000 },
    async (type) => {
      const t = trainer();
      const f32 = tinyModel(dir.path, `graph-${type}-f32.gguf`, GgmlType.F32, shape, 5);
      const path = type === 'F32' ? f32 : join(dir.path, `graph-${type}.gguf`);
      if (type !== 'F32') await t.quantizeModel(f32, path, type as QuantizationType, 2);
      const offload = hasGpu();

      process.env.LATHE_TRANSPOSE = 'host';
      const host = await gradients(path, offload);
      process.env.LATHE_TRANSPOSE = 'check';
      const graph = await gradients(path, offload);
      delete process.env.LATHE_TRANSPOSE;
      const auto = await gradients(path, offload);

      expect(host.made).toEqual({ count: 12, byGraph: 0 });
      // Float transposes are copies: exact. A quantized weight is requantized to Q8_0 by each side's
      // own quantizer; the CPU backend's SIMD one rounds x·(127/max) where the host's reference
      // rounds x·(1/(max/127)), so a few values are one step apart (1e-4 relative, measured 1.8e-4).
      const float = type === 'F32' || type === 'F16' || type === 'BF16';
      expect(graph.made.count).toBe(12);
      expect(graph.made.byGraph).toBe(12);
      expect(graph.made.checkError).toBeLessThanOrEqual(float ? 0 : 1e-3);
      // unset: a graph where the weights are on a GPU, the host code where they are in host memory
      expect(auto.made).toEqual({ count: 12, byGraph: offload ? 12 : 0 });

      // The forward pass does not use them: the same loss. The gradients equal for float bases; for
      // quantized ones those one-step differences reach the gradients through products that
      // quantize their activations again (measured ~1e-2 on this tiny random model).
      expect(graph.loss).toBe(host.loss);
      for (const [name, g] of graph.grads) {
        expect(relDiff(g, host.grads.get(name)!), name).toBeLessThanOrEqual(float ? 0 : 3e-2);
      }
      expect(
        relDiff(
          auto.grads.get('blk.1.ffn_down.weight.lora_a')!,
          (offload ? graph : host).grads.get('blk.1.ffn_down.weight.lora_a')!,
        ),
      ).toBe(0);
    },
  );
});
