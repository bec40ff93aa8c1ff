import { afterAll, describe, expect, it } from 'vitest';
import type { TrainingWindow } from '../../../native/index.js';
import { cpuFallbacks, summarizeOps } from '../../../native/placement.js';
import { GgmlType } from '../../helpers/gguf/GgufWriter.js';
import { tempDir } from '../../helpers/tempDir.js';
import { hasGpu, packRows, randomTokens, randomizeB, relDiff, rig, tinyModel, trainer } from './trainerFixtures.js';

/**
 * Patch 0012: backward ops a GPU backend has no kernel for (Metal has none of these five) are built
 * from ops it has. The decomposed graph must compute the fused ops' gradients, and contain none of
 * the fused ops. Forced here with LATHE_DECOMPOSE (the trainer chooses by asking the adapter's
 * device, and CUDA, Vulkan and the CPU have every one), one op at a time and all together, on a
 * grouped-query model (REPEAT_BACK) with one row and with two (both of its GQA gradient paths). An
 * F32 base, so that only the order of the arithmetic differs: measured ≤ 5e-7 relative per tensor
 * (an F16 base turns that into ~1e-4, through the activations rounded to F16 for each product). A
 * GPU's F32 products round differently from its OUT_PROD kernel (5.3e-4 on lavapipe): there the
 * tolerance is the GPU gradient tests' F32 one.
 */
describe('backward ops built from simpler ones', () => {
  const dir = tempDir('lathe-decompose-');
  afterAll(() => {
    delete process.env.LATHE_DECOMPOSE;
    dir.remove();
  });
  const path = tinyModel(dir.path, 'decompose.gguf', GgmlType.F32, { nLayer: 2, nHead: 4, nHeadKv: 2 });
  const packed = packRows([
    [{ tokens: randomTokens(60, 1), trainFrom: 5 }, { tokens: randomTokens(40, 2) }],
    [{ tokens: randomTokens(100, 3), trainFrom: 12 }],
  ]);
  // weighted labels (patch 0013, preference training): one-hot rows in the first row, −0.5 in the
  // second, so the decomposed CROSS_ENTROPY_LOSS_BACK must follow the fused one for both
  const window: TrainingWindow = {
    ...packed,
    labelWeights: Float32Array.from(packed.labels, (_l, i) => (i < packed.labels.length / 2 ? 1 : -0.5)),
  };
  const tolerance = hasGpu() ? 5e-3 : 2e-6;
  const fused = ['OUT_PROD', 'RMS_NORM_BACK', 'SOFT_MAX_BACK', 'CROSS_ENTROPY_LOSS_BACK', 'REPEAT_BACK'];

  async function run(decompose: string | null, rows: number) {
    if (decompose === null) delete process.env.LATHE_DECOMPOSE;
    else process.env.LATHE_DECOMPOSE = decompose;
    const r = await rig(path, {}, 2, { offload: hasGpu(), session: { rows, recordPlacement: true } });
    try {
      randomizeB(r.adapter, 3); // A gets gradients too
      const fb = await r.session.forwardBackward([window]);
      const grads = new Map(r.adapter.info().tensors.map((t) => [t.name, r.session.gradient(t.name)]));
      const placement = r.session.nodePlacement();
      const ops = new Set(placement.cpuOps.map((o) => o.op));
      const fallbacks = summarizeOps(cpuFallbacks(placement));
      return { loss: fb.lossSum / fb.nTokens, grads, ops, fallbacks, decomposed: trainer().backwardDecomposed() };
    } finally {
      r.dispose();
    }
  }

  it.for([1, 2])(
    '%i row(s): each op and all of them give the fused ops’ gradients',
    { timeout: 120_000 },
    async (rows) => {
      const reference = await run(null, rows);
      // chosen by the device: the CPU (and CUDA, Vulkan) has a kernel for each
      expect(reference.decomposed).toEqual([]);
      if (!hasGpu()) for (const op of fused) expect(reference.ops, op).toContain(op);

      for (const op of [
        'out_prod',
        'rms_norm_back',
        'soft_max_back',
        'cross_entropy_loss_back',
        'repeat_back',
        'all',
      ]) {
        const got = await run(op, rows);
        expect(got.decomposed).toEqual(
          op === 'all'
            ? ['out_prod', 'rms_norm_back', 'soft_max_back', 'cross_entropy_loss_back', 'repeat_back']
            : [op],
        );
        // on a GPU (npm run test:gpu) the ops that replace them run there too: nothing falls back
        if (hasGpu()) expect(got.fallbacks, op).toEqual({});
        if (!hasGpu()) {
          // the CPU runs every node, so its list is the whole graph: the fused op is gone from it
          const gone = op === 'all' ? fused : [op.toUpperCase()];
          for (const name of gone) expect(got.ops, `${op}: ${name}`).not.toContain(name);
        }
        expect(Math.abs(got.loss - reference.loss)).toBeLessThan(1e-6 * reference.loss);
        let changed = false;
        for (const [name, g] of reference.grads) {
          const d = relDiff(got.grads.get(name)!, g);
          changed ||= d > 0;
          expect(d, `${op}: ${name}`).toBeLessThan(tolerance);
        }
        expect(reference.grads.get('blk.0.attn_k.weight.lora_a')!.some((x) => x !== 0)).toBe(true);
        // the decomposed graph computes in another order: not bit-identical, or it was not used
        if (op === 'all') expect(changed).toBe(true);
      }
    },
  );
});
