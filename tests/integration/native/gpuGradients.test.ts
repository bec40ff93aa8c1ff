import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  allTargetModules,
  loadTrainerAddon,
  type QuantizationType,
  type TrainerAddon,
  type TrainingWindow,
} from '../../../native/index.js';
import { cpuFallbacks, summarizeOps } from '../../../native/placement.js';
import { GgmlType } from '../../helpers/gguf/GgufWriter.js';
import { tempDir } from '../../helpers/tempDir.js';
import { randomTokens, randomizeB, tinyModel, trainer, relErr } from './trainerFixtures.js';

/**
 * The GPU path computes the same LoRA gradients as the CPU (issue: GPU training), for each base
 * type: one packed, partly masked window, every layer offloaded, against the CPU build of the addon
 * loaded beside it in this process (its ggml is its own: symbols are hidden). Runs where the addon
 * under test sees a GPU (LATHE_TRAINER_ADDON=<a CUDA or Vulkan build>; Mesa's lavapipe counts, with
 * GGML_VK_VISIBLE_DEVICES=0); elsewhere each case reports itself skipped, with the reason.
 *
 * Tolerances (relative L2 error of each adapter tensor's gradient): F32 5e-3 (CUDA's F32 GEMMs use
 * TF32: 1.5e-3 measured on an H200, 1.4e-3 on lavapipe); F16 and BF16 2e-2 (the activations meet
 * the half-precision weights rounded to half precision on both sides, in a different order: 6.3e-3
 * on the H200, 1.2e-2 on lavapipe); quantized bases 6e-2 (the CPU and GPU quantize the activations
 * of the forward products in different block formats, so the two compute slightly different
 * functions: 2e-2–5.3e-2 on the H200, 2.7e-2–3.8e-2 on lavapipe).
 */
describe('GPU gradients equal the CPU', () => {
  const dir = tempDir('lathe-gpu-grads-');
  afterAll(() => dir.remove());
  const gpu = trainer()
    .devices()
    .find((d) => d.type === 'gpu' || d.type === 'igpu');
  const cpuBuild = resolve('native/build/Release/lathe_trainer.node');
  const shape = { nEmbd: 256, nHead: 4, nHeadKv: 2, nFf: 512, nVocab: 512 };

  /**
   * Two examples packed in one window, the first 20 labels masked; the second example's labels
   * weigh −1, as a preference pair's rejected answer does (patch 0013: each backend's
   * CROSS_ENTROPY_LOSS_BACK takes weighted label rows).
   */
  function window(): TrainingWindow {
    const a = randomTokens(130, 21, 512);
    const b = randomTokens(120, 22, 512);
    const tokens = new Int32Array(256);
    const labels = new Int32Array(256).fill(-1);
    const positions = new Int32Array(256);
    const seqIds = new Int32Array(256).fill(2);
    [a, b].reduce((at, ex, k) => {
      ex.forEach((tok, i) => {
        tokens[at + i] = tok;
        positions[at + i] = i;
        seqIds[at + i] = k;
        if (i >= 20 && i + 1 < ex.length) labels[at + i] = ex[i + 1] as number;
      });
      return at + ex.length;
    }, 0);
    const labelWeights = Float32Array.from(seqIds, (s) => (s === 1 ? -1 : 1));
    return { tokens, labels, positions, seqIds, labelWeights };
  }

  async function gradients(t: TrainerAddon, path: string, offload: boolean) {
    const model = new t.TrainerModel(path, offload ? { gpuLayers: -1 } : {});
    await model.load();
    const adapter = new t.LoraAdapter(model);
    await adapter.create({ rank: 4, alpha: 8, targets: allTargetModules, seed: 7 });
    randomizeB(adapter, 5);
    const session = new t.TrainingSession(model, adapter, { windowSize: 256, threads: 2, recordPlacement: true });
    try {
      await session.init();
      const r = await session.forwardBackward([window()]);
      const grads = new Map(adapter.info().tensors.map((x) => [x.name, session.gradient(x.name)]));
      return { loss: r.lossSum / r.nTokens, grads, fallbacks: summarizeOps(cpuFallbacks(session.nodePlacement())) };
    } finally {
      session.dispose();
      adapter.dispose();
      model.dispose();
    }
  }

  it.for(['F32', 'F16', 'BF16', 'Q8_0', 'Q4_0', 'Q4_K_M'] as const)(
    '%s base',
    { timeout: 180_000 },
    async (type, ctx) => {
      if (!gpu) ctx.skip(`no GPU device in this addon build or on this machine`);
      if (!existsSync(cpuBuild)) ctx.skip(`the CPU build of the addon (${cpuBuild}) is needed as the reference`);
      const t = trainer();
      const f32 = tinyModel(dir.path, `g-${type}-f32.gguf`, GgmlType.F32, shape, 3);
      const path = type === 'F32' ? f32 : join(dir.path, `g-${type}.gguf`);
      if (type !== 'F32') await t.quantizeModel(f32, path, type as QuantizationType, 2);

      const onGpu = await gradients(t, path, true);
      const onCpu = await gradients(loadTrainerAddon(cpuBuild), path, false);
      expect(onGpu.fallbacks).toEqual({});
      // The window's loss is NLL(first) − NLL(second): a difference of two per-token losses of about
      // ln(512), so its error is measured against that scale, not against the (small) difference
      // (Q4_K_M on an H100: about 5e-3 apart on a loss of about 0.76, 8e-4 of ln 512).
      expect(Math.abs(onGpu.loss - onCpu.loss) / Math.log(shape.nVocab)).toBeLessThan(2e-3);
      const tolerance = type === 'F32' ? 5e-3 : type === 'F16' || type === 'BF16' ? 2e-2 : 6e-2;
      const errors = [...onCpu.grads].map(([name, ref]) => ({ name, err: relErr(onGpu.grads.get(name)!, ref) }));
      expect(errors).toHaveLength(2 * 7 * 2); // A and B of 7 modules in 2 layers
      const worst = errors.reduce((w, e) => (e.err > w.err ? e : w));
      console.log(
        `${gpu?.name} ${type}: loss ${onGpu.loss} vs ${onCpu.loss}, worst ${worst.name} ${worst.err.toExponential(2)}`,
      );
      expect(worst.err, worst.name).toBeLessThan(tolerance);
    },
  );
});
