import { afterAll, describe, expect, it } from 'vitest';
import type { TrainingWindow } from '../../../native/index.js';
import { GgmlType } from '../../helpers/gguf/GgufWriter.js';
import { tempDir } from '../../helpers/tempDir.js';
import {
  WINDOW,
  hasGpu,
  packRows,
  randomTokens,
  randomizeB,
  relDiff,
  rig,
  tinyModel,
  trainer,
} from './trainerFixtures.js';

/**
 * Rows (patch 0011): a window of R rows, no example crossing a row, attends row by row — the same
 * scores as one row of the whole window (the scores between rows are masked anyway), at 1/R of the
 * attention's cost. So a session with rows must give the loss and gradients of a session without,
 * on the same window.
 */

describe('attention by rows', () => {
  const dir = tempDir('lathe-rows-');
  afterAll(() => dir.remove());
  const path = tinyModel(dir.path, 'rows.gguf', GgmlType.F16, { nLayer: 2 });
  const names = [
    'blk.0.attn_q.weight.lora_a',
    'blk.0.attn_k.weight.lora_b',
    'blk.1.attn_v.weight.lora_a',
    'blk.1.ffn_up.weight.lora_b',
  ];

  const fourRows = packRows([
    [{ tokens: randomTokens(30, 1), trainFrom: 4 }, { tokens: randomTokens(25, 2) }],
    [{ tokens: randomTokens(64, 3), trainFrom: 10 }],
    [{ tokens: randomTokens(40, 4) }],
    [{ tokens: randomTokens(20, 5) }, { tokens: randomTokens(20, 6), trainFrom: 3 }, { tokens: randomTokens(20, 7) }],
  ]);

  async function lossAndGrads(rows: number, windows: TrainingWindow[]) {
    const r = await rig(path, {}, 2, { offload: hasGpu(), session: { rows } });
    randomizeB(r.adapter, 5); // A gets gradients too
    try {
      const out: { loss: number; grads: Float32Array[] }[] = [];
      for (const w of windows) {
        r.session.zeroGrad();
        const fb = await r.session.forwardBackward([w]);
        out.push({ loss: fb.lossSum, grads: names.map((n) => r.session.gradient(n)) });
      }
      const compute = r.session.memory().reduce((sum, d) => sum + d.compute, 0);
      const evaluation = await r.session.evaluate(windows);
      return { out, evalLoss: evaluation.lossSum, compute };
    } finally {
      r.dispose();
    }
  }

  it('gives the loss and gradients of whole-window attention, for 2 and 4 rows', async () => {
    const twoRows = packRows([
      [{ tokens: randomTokens(70, 8), trainFrom: 6 }, { tokens: randomTokens(50, 9) }],
      [{ tokens: randomTokens(128, 10), trainFrom: 30 }],
    ]);
    const whole = await lossAndGrads(1, [fourRows, twoRows]);
    const byFour = await lossAndGrads(4, [fourRows]);
    const byTwo = await lossAndGrads(2, [twoRows, fourRows]); // four rows of 64 are also two rows of 128
    // On the CPU the rows change only the attention's summation order. A GPU's F32 products run on
    // TF32 tensor cores with kernels chosen by shape, so rows and whole windows round differently
    // (an H100: losses 4.5e-5 apart; gradients of the GPU against the CPU 1.5e-3 apart for F32).
    const gpu = hasGpu();
    const close = (a: number, b: number) => expect(Math.abs(a - b) / Math.abs(b)).toBeLessThan(gpu ? 5e-4 : 1e-5);
    const gradTolerance = gpu ? 5e-3 : 1e-4;
    close(byFour.out[0]!.loss, whole.out[0]!.loss);
    close(byTwo.out[0]!.loss, whole.out[1]!.loss);
    close(byTwo.out[1]!.loss, whole.out[0]!.loss);
    for (let g = 0; g < names.length; g++) {
      expect(relDiff(byFour.out[0]!.grads[g]!, whole.out[0]!.grads[g]!)).toBeLessThan(gradTolerance);
      expect(relDiff(byTwo.out[0]!.grads[g]!, whole.out[1]!.grads[g]!)).toBeLessThan(gradTolerance);
      expect(relDiff(byTwo.out[1]!.grads[g]!, whole.out[0]!.grads[g]!)).toBeLessThan(gradTolerance);
      expect(whole.out[0]!.grads[g]!.some((x) => x !== 0)).toBe(true);
    }
    close(byFour.evalLoss, whole.out[0]!.loss);
    // and the attention's activations shrink with the rows (scores, probabilities and their gradients)
    expect(byTwo.compute).toBeLessThan(whole.compute);
    expect(byFour.compute).toBeLessThan(byTwo.compute);
  });

  it('refuses a window whose sequence spans two rows, and a row count that does not divide the window', async () => {
    const r = await rig(path, {}, 2, { session: { rows: 4 } });
    try {
      // one example of 100 tokens crosses the first row boundary (64)
      const crossing = packRows([[{ tokens: randomTokens(100, 11) }]]);
      await expect(r.session.forwardBackward([crossing])).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/sequence 0 is in rows 0 and 1/),
      });
      // the session still works after the refusal
      const ok = await r.session.forwardBackward([fourRows]);
      expect(Number.isFinite(ok.lossSum)).toBe(true);
    } finally {
      r.dispose();
    }
    const t = await rig(path, {}, 2);
    try {
      for (const rows of [3, 0, 1.5, 512]) {
        expect(() => new (trainer().TrainingSession)(t.model, t.adapter, { windowSize: WINDOW, rows })).toThrow(
          /rows must be a whole number of rows that divides windowSize/,
        );
      }
    } finally {
      t.dispose();
    }
  });
});
