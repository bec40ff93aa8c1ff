import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { allTargetModules, type TrainingWindow } from '../../../native/index.js';
import { GgmlType } from '../../helpers/gguf/GgufWriter.js';
import { tempDir } from '../../helpers/tempDir.js';
import { packWindow, randomTokens, randomizeB, tinyModel, trainer, relErr } from './trainerFixtures.js';

/**
 * AdamW on the GPU (native/src/DeviceOptimizer.h): with the adapter on a GPU, gradients accumulate,
 * are normalized and clipped, and update the adapter there, with ggml's OPT_STEP_ADAMW/SGD. Checked
 * against the host optimizer on the same GPU gradients (`LATHE_OPTIMIZER=host`): the same gradients,
 * the same updates, interchangeable checkpoints, and the state counted in the GPU's memory. Runs
 * where the addon sees a GPU (`npm run test:gpu -- vulkan|cuda`); skipped elsewhere, with the reason.
 */
describe('the optimizer on the GPU', () => {
  const dir = tempDir('lathe-gpu-opt-');
  afterAll(() => dir.remove());
  afterEach(() => {
    delete process.env.LATHE_OPTIMIZER;
  });
  const gpu = trainer()
    .devices()
    .find((d) => d.type === 'gpu' || d.type === 'igpu');
  const shape = { nEmbd: 128, nHead: 4, nHeadKv: 2, nFf: 256, nVocab: 512 };
  const windows: TrainingWindow[] = [
    packWindow([{ tokens: randomTokens(120, 31, 512), trainFrom: 10 }]),
    packWindow([
      { tokens: randomTokens(70, 32, 512), trainFrom: 5 },
      { tokens: randomTokens(90, 33, 512), trainFrom: 20 },
    ]),
  ];

  async function rig(path: string, optimizer: 'device' | 'host') {
    if (optimizer === 'host') process.env.LATHE_OPTIMIZER = 'host';
    else delete process.env.LATHE_OPTIMIZER;
    const t = trainer();
    const model = new t.TrainerModel(path, { gpuLayers: -1 });
    await model.load();
    const adapter = new t.LoraAdapter(model);
    await adapter.create({ rank: 4, alpha: 8, targets: allTargetModules, seed: 9 });
    randomizeB(adapter, 4);
    const session = new t.TrainingSession(model, adapter, { windowSize: 256, threads: 2 });
    await session.init();
    const names = adapter.info().tensors.map((x) => x.name);
    return {
      session,
      names,
      weights: () => names.map((n) => adapter.getTensor(n)),
      dispose() {
        session.dispose();
        adapter.dispose();
        model.dispose();
      },
    };
  }

  const delta = (after: Float32Array[], before: Float32Array[]) =>
    after.map((a, k) => a.map((x, i) => x - (before[k]?.[i] ?? 0)));

  it(
    'AdamW with clipping and weight decay, and SGD: each update is the reference update of the same gradients',
    {
      timeout: 180_000,
    },
    async (ctx) => {
      if (!gpu) ctx.skip('no GPU device in this addon build or on this machine');
      const path = tinyModel(dir.path, 'opt.gguf', GgmlType.F32, shape, 5);
      const steps = [
        { lr: 1e-2, weightDecay: 0.05, maxGradNorm: 0 },
        { lr: 1e-2, weightDecay: 0.05, maxGradNorm: 1e-3 }, // clipped hard
        { lr: 5e-3, weightDecay: 0, maxGradNorm: 10 },
        { lr: 1e-2, weightDecay: 0.05, maxGradNorm: 0, optimizer: 'sgd' as const },
      ];
      const firstUpdates: Float32Array[][] = [];
      for (const optimizer of ['device', 'host'] as const) {
        const r = await rig(path, optimizer);
        try {
          // PyTorch's AdamW (decoupled weight decay, bias-corrected moments) in float64, fed with
          // the gradients the session itself accumulated: it must land where the session lands.
          const m = r.names.map((n) => new Float64Array(r.session.gradient(n).length));
          const v = r.names.map((n) => new Float64Array(r.session.gradient(n).length));
          for (const [i, o] of steps.entries()) {
            const before = r.weights();
            const fb = await r.session.forwardBackward(windows);
            const grads = r.names.map((n) => r.session.gradient(n));
            const res = await r.session.optimizerStep(o);
            const norm = Math.sqrt(grads.reduce((s, g) => s + g.reduce((a, x) => a + (x / fb.nTokens) ** 2, 0), 0));
            expect(Math.abs(res.gradNorm - norm) / norm, `norm, step ${i + 1}`).toBeLessThan(1e-4);
            const clip = o.maxGradNorm > 0 && norm > o.maxGradNorm ? o.maxGradNorm / (norm + 1e-6) : 1;
            const after = r.weights();
            let worst = 0;
            grads.forEach((g, k) => {
              const w0 = before[k]!;
              const expected = w0.map((w, j) => {
                const gj = ((g[j] ?? 0) / fb.nTokens) * clip;
                if (o.optimizer === 'sgd') return w - o.lr * (gj + o.weightDecay * w);
                const t = i + 1;
                m[k]![j] = 0.9 * m[k]![j]! + 0.1 * gj;
                v[k]![j] = 0.999 * v[k]![j]! + 0.001 * gj * gj;
                const mh = m[k]![j]! / (1 - 0.9 ** t);
                const vh = v[k]![j]! / (1 - 0.999 ** t);
                return w - o.lr * (mh / (Math.sqrt(vh) + 1e-8) + o.weightDecay * w);
              });
              worst = Math.max(worst, relErr(delta([after[k]!], [w0])[0]!, delta([expected], [w0])[0]!));
            });
            expect(worst, `${optimizer} optimizer, step ${i + 1}`).toBeLessThan(1e-3);
            if (i === 0) firstUpdates.push(delta(after, before));
          }
        } finally {
          r.dispose();
        }
      }
      // from the same start, the first updates of both optimizers agree
      const [dev, host] = firstUpdates as [Float32Array[], Float32Array[]];
      expect(Math.max(...dev.map((u, k) => relErr(u, host[k]!)))).toBeLessThan(1e-4);
    },
  );

  it(
    'adds weighted windows (preference pairs: ±w) to the GPU accumulator times their weight',
    { timeout: 120_000 },
    async (ctx) => {
      if (!gpu) ctx.skip('no GPU device in this addon build or on this machine');
      const path = tinyModel(dir.path, 'weights.gguf', GgmlType.F32, shape, 6);
      const r = await rig(path, 'device');
      try {
        const alone: Float32Array[][] = [];
        for (const w of windows) {
          r.session.zeroGrad();
          await r.session.forwardBackward([w]);
          alone.push(r.names.map((n) => r.session.gradient(n)));
        }
        r.session.zeroGrad();
        await r.session.forwardBackward([
          { ...windows[0]!, weight: 0.75 },
          { ...windows[1]!, weight: -2.5 },
        ]);
        const weighted = r.names.map((n) => r.session.gradient(n));
        r.session.zeroGrad();
        const worst = Math.max(
          ...weighted.map((g, k) =>
            relErr(
              g,
              alone[0]![k]!.map((x, i) => 0.75 * x - 2.5 * alone[1]![k]![i]!),
            ),
          ),
        );
        expect(worst).toBeLessThan(1e-4);
      } finally {
        r.dispose();
      }
    },
  );

  it(
    'keeps its state on the GPU, and its checkpoints resume on either optimizer',
    { timeout: 180_000 },
    async (ctx) => {
      if (!gpu) ctx.skip('no GPU device in this addon build or on this machine');
      const path = tinyModel(dir.path, 'ckpt.gguf', GgmlType.Q8_0, shape, 6);
      const file = join(dir.path, 'ckpt.gguf.ckpt');
      const step = (r: Awaited<ReturnType<typeof rig>>) =>
        r.session.forwardBackward(windows).then(() => r.session.optimizerStep({ lr: 5e-3, maxGradNorm: 1 }));

      const straight = await rig(path, 'device');
      let expected: Float32Array[];
      try {
        await step(straight);
        const memory = straight.session.memory();
        const onGpu = memory.find((m) => m.device === gpu?.name);
        expect(onGpu?.optimizer).toBeGreaterThanOrEqual(3 * (onGpu?.adapter ?? Infinity));
        expect(memory.find((m) => m.device === 'CPU')?.optimizer ?? 0).toBe(0);
        await step(straight);
        await straight.session.saveCheckpoint(file, '{"at":2}');
        await step(straight);
        expected = straight.weights();
      } finally {
        straight.dispose();
      }

      for (const optimizer of ['device', 'host'] as const) {
        const resumed = await rig(path, optimizer);
        try {
          await expect(resumed.session.loadCheckpoint(file)).resolves.toEqual({ step: 2, state: '{"at":2}' });
          await step(resumed);
          const got = resumed.weights();
          const worst = Math.max(...got.map((w, k) => relErr(w, expected[k]!)));
          expect(worst, optimizer).toBeLessThan(1e-5);
        } finally {
          resumed.dispose();
        }
      }
    },
  );
});
