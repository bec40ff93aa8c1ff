import { afterAll, describe, expect, it } from 'vitest';
import { allTargetModules, type QuantizationType } from '../../../native/index.js';
import { cpuFallbacks, summarizeOps } from '../../../native/placement.js';
import { GgmlType } from '../../helpers/gguf/GgufWriter.js';
import { tempDir } from '../../helpers/tempDir.js';
import { packWindow, randomTokens, randomizeB, tinyModel, trainer } from './trainerFixtures.js';

/**
 * "No CPU fallback" (issue: GPU training): with every layer offloaded, the scheduler must put every
 * kernel-running node of the training graph (forward, backward, loss) on the GPU, for each base
 * type, except the token-embedding lookup llama.cpp keeps on the host (native/placement.ts).
 * Runs where the addon sees a GPU (a CUDA build, e.g. LATHE_TRAINER_ADDON=native/build-cuda/...);
 * elsewhere each case reports itself skipped, with the reason.
 */
describe('training graph placement on the GPU', () => {
  const dir = tempDir('lathe-gpu-placement-');
  afterAll(() => dir.remove());
  const gpu = trainer()
    .devices()
    .find((d) => d.type === 'gpu');
  const shape = { nEmbd: 256, nHead: 4, nHeadKv: 2, nFf: 512, nVocab: 512 }; // K-quant rows: multiples of 256

  it('the CPU build reports the CPU as its only device, with memory', () => {
    const cpu = trainer()
      .devices()
      .find((d) => d.type === 'cpu');
    expect(cpu?.name).toMatch(/CPU/);
    expect(cpu?.memoryTotal).toBeGreaterThan(0);
  });

  it('records where each node of the training graph ran (all on the CPU without offload)', async () => {
    const t = trainer();
    const model = new t.TrainerModel(tinyModel(dir.path, 'cpu.gguf', GgmlType.Q8_0, shape));
    await model.load();
    const adapter = new t.LoraAdapter(model);
    await adapter.create({ rank: 4, alpha: 8, targets: allTargetModules, seed: 7 });
    const plain = new t.TrainingSession(model, adapter, { windowSize: 256, threads: 2 });
    const session = new t.TrainingSession(model, adapter, { windowSize: 256, threads: 2, recordPlacement: true });
    try {
      await plain.init();
      expect(() => plain.nodePlacement()).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error);
      plain.dispose();
      await session.init();
      expect(session.nodePlacement().nodes).toBe(0);
      await session.forwardBackward([packWindow([{ tokens: randomTokens(100, 1, 512) }])]);
      const p = session.nodePlacement();
      const total = Object.values(p.byBackend).reduce((a, b) => a + b, 0);
      expect(total).toBe(p.nodes);
      if (gpu) return; // op offload may move nodes of host weights to a GPU
      expect(Object.keys(p.byBackend)).toEqual(['CPU']);
      const ops = summarizeOps(p.cpuOps);
      // the backward pass through the frozen Q8_0 weights is MUL_MAT with their transposes (no
      // OUT_PROD through a weight: see native/src/FrozenTranspose.h), and the loss is in the graph
      expect(ops['OUT_PROD(q8_0)']).toBeUndefined();
      expect(ops['MUL_MAT(q8_0)']).toBe(2 * (2 * 7 + 1) - 3);
      expect(ops['CROSS_ENTROPY_LOSS_BACK(f32)']).toBe(1);
      expect(ops['GET_ROWS(q8_0)']).toBe(1);
      expect(cpuFallbacks(p).length).toBe(p.cpuOps.length - 1);
    } finally {
      plain.dispose();
      session.dispose();
      adapter.dispose();
      model.dispose();
    }
  });

  it.for(['F32', 'F16', 'BF16', 'Q8_0', 'Q4_0', 'Q4_K_M'] as const)(
    '%s base: no training-graph node falls back to the CPU',
    { timeout: 120_000 },
    async (type, ctx) => {
      if (!gpu)
        ctx.skip(
          `no GPU device in this addon build or on this machine (devices: ${trainer()
            .devices()
            .map((d) => d.name)
            .join(', ')})`,
        );
      const f32 = tinyModel(dir.path, `p-${type}-f32.gguf`, GgmlType.F32, shape);
      const path = type === 'F32' ? f32 : `${dir.path}/p-${type}.gguf`;
      if (type !== 'F32') await trainer().quantizeModel(f32, path, type as QuantizationType, 2);
      const t = trainer();
      const model = new t.TrainerModel(path, { gpuLayers: -1 });
      await model.load();
      const adapter = new t.LoraAdapter(model);
      await adapter.create({ rank: 4, alpha: 8, targets: allTargetModules, seed: 7 });
      randomizeB(adapter, 3);
      const session = new t.TrainingSession(model, adapter, { windowSize: 256, threads: 2, recordPlacement: true });
      try {
        await session.init();
        const w = packWindow([
          { tokens: randomTokens(90, 1, 512), trainFrom: 10 },
          { tokens: randomTokens(60, 2, 512), trainFrom: 5 },
        ]);
        await session.forwardBackward([w]);
        const placement = session.nodePlacement();
        expect(placement.nodes).toBeGreaterThan(100);
        expect(placement.computeByBackend[gpu?.name ?? '']).toBeGreaterThan(100);
        expect(summarizeOps(cpuFallbacks(placement))).toEqual({});
      } finally {
        session.dispose();
        adapter.dispose();
        model.dispose();
      }
    },
  );
});
