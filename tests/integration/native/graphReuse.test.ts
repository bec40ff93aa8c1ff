import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TrainingWindow } from '../../../native/index.js';
import { GgmlType } from '../../helpers/gguf/GgufWriter.js';
import { tempDir } from '../../helpers/tempDir.js';
import { hasGpu, packWindow, randomTokens, randomizeB, rig, sameBits, tinyModel } from './trainerFixtures.js';

/**
 * Graph reuse (patch 0009): every window of a session has the same shape, so the training graph,
 * its backward graph and the scheduler's allocation are built once and serve each window of the
 * same kind until a window of the other kind (evaluation) runs. Only the inputs change — tokens,
 * positions, the packing mask of however many examples the window holds, labels, loss mask — so a
 * reused graph must give exactly what a freshly built one gives. With a GPU build (`npm run
 * test:gpu`) every layer is offloaded, so the reused allocation spans the GPU and host splits.
 */
describe('training graph reuse between windows', () => {
  const dir = tempDir('lathe-graph-reuse-');
  afterAll(() => dir.remove());
  afterEach(() => {
    delete process.env.LATHE_GRAPH_REUSE;
  });
  const path = tinyModel(dir.path, 'reuse.gguf', GgmlType.F16, { nLayer: 2 });
  const names = ['blk.0.attn_k.weight.lora_a', 'blk.1.attn_q.weight.lora_b', 'blk.1.ffn_down.weight.lora_a'];

  // different packings: one example, three examples, two examples with masked prompts
  const windows: TrainingWindow[] = [
    packWindow([{ tokens: randomTokens(200, 1) }]),
    packWindow([
      { tokens: randomTokens(60, 2), trainFrom: 5 },
      { tokens: randomTokens(90, 3), trainFrom: 20 },
      { tokens: randomTokens(70, 4) },
    ]),
    packWindow([
      { tokens: randomTokens(120, 5), trainFrom: 30 },
      { tokens: randomTokens(100, 6), trainFrom: 10 },
    ]),
  ];

  /** Per window: loss and the gradients of that window alone; plus the evaluation's loss. */
  async function runAll() {
    const r = await rig(path, {}, 2, { offload: hasGpu() });
    randomizeB(r.adapter, 9); // A gets gradients too
    try {
      const out: { loss: number; grads: Float32Array[] }[] = [];
      const builds: number[] = [];
      for (const w of [windows[0], windows[1], windows[2], windows[0]] as TrainingWindow[]) {
        r.session.zeroGrad();
        const fb = await r.session.forwardBackward([w]);
        out.push({ loss: fb.lossSum, grads: names.map((n) => r.session.gradient(n)) });
        builds.push(r.session.graphBuilds);
      }
      const evaluation = await r.session.evaluate([windows[1] as TrainingWindow]);
      builds.push(r.session.graphBuilds);
      r.session.zeroGrad();
      const again = await r.session.forwardBackward([windows[2] as TrainingWindow]);
      builds.push(r.session.graphBuilds);
      out.push({ loss: again.lossSum, grads: names.map((n) => r.session.gradient(n)) });
      return { out, builds, evalLoss: evaluation.lossSum };
    } finally {
      r.dispose();
    }
  }

  it('builds the graph once per kind of window, and a reused graph gives bit-identical losses and gradients', async () => {
    const reused = await runAll();
    // built for the first training window, reused for the next three; evaluation needs its own
    // graph, and the training window after it builds again
    expect(reused.builds).toEqual([1, 1, 1, 1, 2, 3]);

    process.env.LATHE_GRAPH_REUSE = '0';
    const rebuilt = await runAll();
    expect(rebuilt.builds).toEqual([1, 2, 3, 4, 5, 6]);

    expect(reused.evalLoss).toBe(rebuilt.evalLoss);
    for (let i = 0; i < reused.out.length; i++) {
      const a = reused.out[i];
      const b = rebuilt.out[i];
      expect(a?.loss).toBe(b?.loss);
      for (let g = 0; g < names.length; g++) expect(sameBits(a?.grads[g], b?.grads[g])).toBe(true);
    }
    // the same window twice in one session: the same result (nothing left over from the windows between)
    expect(reused.out[3]?.loss).toBe(reused.out[0]?.loss);
    for (let g = 0; g < names.length; g++)
      expect(sameBits(reused.out[3]?.grads[g], reused.out[0]?.grads[g])).toBe(true);
  });
});
