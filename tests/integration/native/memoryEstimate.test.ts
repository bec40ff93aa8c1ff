import { join } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import { afterAll, describe, expect, it } from 'vitest';
import { allTargetModules, type DeviceMemory } from '../../../native/index.js';
import {
  activationBytes,
  estimateTrainingMemory,
  trainingShapeFromGguf,
} from '../../../src/main/core/training/memoryEstimate.js';
import { GgmlType } from '../../helpers/gguf/GgufWriter.js';
import { tempDir } from '../../helpers/tempDir.js';
import { randomTokens, tinyModel, trainer } from './trainerFixtures.js';

/**
 * The training-memory estimate (src/main/core/training/memoryEstimate.ts) against what the addon
 * really allocated (`TrainingSession.memory()`, ggml's own buffers) after one training window, on
 * shapes and windows that were not part of the activation fit. Every part but the activations
 * must be exact; the activations must cover the measured compute buffers with at most 25 % to spare.
 */
describe('training memory: estimate vs allocated', () => {
  const dir = tempDir('lathe-memory-');
  afterAll(() => dir.remove());

  const cases = [
    {
      name: 'F32, 10 layers, window 512, rank 8',
      type: GgmlType.F32,
      quantize: null,
      shape: { nLayer: 10, nEmbd: 160, nHead: 5, nHeadKv: 5, nFf: 448, nVocab: 1536 },
      window: 512,
      rank: 8,
    },
    {
      name: 'Q4_K_M, 6 layers, GQA, window 768, rank 16',
      type: GgmlType.F32,
      quantize: 'Q4_K_M' as const,
      shape: { nLayer: 6, nEmbd: 256, nHead: 8, nHeadKv: 2, nFf: 768, nVocab: 1024 },
      window: 768,
      rank: 16,
    },
    {
      name: 'F16, 8 layers, GQA, window 1024 as 4 rows of 256, rank 8',
      type: GgmlType.F16,
      quantize: null,
      shape: { nLayer: 8, nEmbd: 256, nHead: 8, nHeadKv: 4, nFf: 640, nVocab: 2048 },
      window: 1024,
      rows: 4,
      rank: 8,
    },
  ];

  it.for(cases)('$name', { timeout: 120_000 }, async (c) => {
    const t = trainer();
    const f32 = tinyModel(dir.path, `${c.window}.gguf`, c.type, c.shape);
    const path = c.quantize ? join(dir.path, `${c.window}-${c.quantize}.gguf`) : f32;
    if (c.quantize) await t.quantizeModel(f32, path, c.quantize, 2);

    const info = await readGgufFileInfo(path, { readTensorInfo: true, logWarnings: false });
    const shape = trainingShapeFromGguf(info);
    expect(shape).toMatchObject(c.shape);
    const estimate = estimateTrainingMemory({
      shape,
      rank: c.rank,
      targets: allTargetModules,
      windowSize: c.window,
      rowSize: c.window / (c.rows ?? 1),
      offload: false,
    });

    const model = new t.TrainerModel(path);
    await model.load();
    const adapter = new t.LoraAdapter(model);
    await adapter.create({ rank: c.rank, alpha: 2 * c.rank, targets: allTargetModules, seed: 3 });
    const rows = c.rows ?? 1;
    const session = new t.TrainingSession(model, adapter, { windowSize: c.window, threads: 2, rows });
    try {
      await session.init();
      const tokens = randomTokens(c.window, 5, c.shape.nVocab);
      await session.forwardBackward([
        {
          tokens: Int32Array.from(tokens),
          labels: Int32Array.from(tokens, (_, i) => (i + 1 < tokens.length ? (tokens[i + 1] as number) : -1)),
          // one sequence per row
          positions: Int32Array.from(tokens, (_, i) => i % (c.window / rows)),
          seqIds: Int32Array.from(tokens, (_, i) => Math.floor(i / (c.window / rows))),
        },
      ]);
      const memory = session.memory();
      expect(memory.map((r) => r.device)).toEqual(['CPU']);
      const cpu = memory[0] as DeviceMemory;
      const d = estimate.device;
      expect(cpu.model).toBeGreaterThanOrEqual(d.weights);
      expect(cpu.model).toBeLessThan(d.weights * 1.01 + 65_536); // buffers are padded per tensor
      expect(cpu.context).toBe(d.kvCache);
      expect(cpu.adapter).toBe(d.adapter);
      expect(cpu.gradients).toBe(d.gradients);
      expect(cpu.transposes).toBe(d.transposes);
      expect(cpu.optimizer).toBe(d.optimizer);
      expect(d.activations).toBeGreaterThanOrEqual(cpu.compute);
      expect(d.activations).toBeLessThan(cpu.compute * 1.25);
      // without the margin the fit itself is within ±10 %
      const fit = activationBytes(shape, c.window, c.window / rows);
      expect(Math.abs(fit / cpu.compute - 1)).toBeLessThan(0.1);
      // rows: the whole window's attention would have been far more
      if (rows > 1) expect(activationBytes(shape, c.window) / cpu.compute).toBeGreaterThan(1.5);
      expect(estimate.host.total).toBe(0);
    } finally {
      session.dispose();
      adapter.dispose();
      model.dispose();
    }
  });
});
