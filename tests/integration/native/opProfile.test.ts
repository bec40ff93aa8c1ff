import { afterAll, describe, expect, it } from 'vitest';
import type { OpProfileResult, TrainingSession } from '../../../native/index.js';
import { GgmlType } from '../../helpers/gguf/GgufWriter.js';
import { tempDir } from '../../helpers/tempDir.js';
import { hasGpu, packWindow, randomTokens, randomizeB, relDiff, rig, tinyModel } from './trainerFixtures.js';

/**
 * The op profile (`profileOps`, native/src/OpProfile.h): every node of a training window timed on
 * its own and added to its kind — what the GPU check prints to show where a step's time goes.
 * With a GPU build (`npm run test:gpu`) every layer is offloaded, so the scheduler's callback path
 * runs across the GPU and host splits.
 */
describe('op profile of the training graph', () => {
  const dir = tempDir('lathe-op-profile-');
  afterAll(() => dir.remove());
  const nLayer = 3;
  const path = tinyModel(dir.path, 'profile.gguf', GgmlType.F16, { nLayer });
  const window = packWindow([
    { tokens: randomTokens(120, 1), trainFrom: 10 },
    { tokens: randomTokens(90, 2), trainFrom: 5 },
  ]);

  async function run(profileOps: boolean) {
    const r = await rig(path, {}, 2, { offload: hasGpu(), session: { profileOps } });
    randomizeB(r.adapter, 3); // so that A gets a gradient too
    return r;
  }

  function find(p: OpProfileResult, op: string, phase: 'forward' | 'backward', name?: RegExp, src0?: string) {
    return p.ops.filter(
      (o) =>
        o.op === op && o.phase === phase && (!name || name.test(o.name)) && (src0 === undefined || o.src0 === src0),
    );
  }

  const grads = (s: TrainingSession) =>
    ['blk.0.attn_q.weight.lora_a', 'blk.2.ffn_down.weight.lora_b'].map((n) => s.gradient(n));

  it('needs profileOps', async () => {
    const plain = await run(false);
    try {
      expect(() => plain.session.opProfile()).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error);
    } finally {
      plain.dispose();
    }
  });

  it('splits a window by kind of node, forward and backward, and starts over after each read', async () => {
    const profiled = await run(true);
    const plain = await run(false);
    try {
      const started = performance.now();
      const result = await profiled.session.forwardBackward([window]);
      const wall = performance.now() - started;
      const p = profiled.session.opProfile();
      expect(p.windows).toBe(1);
      // one attention score product and softmax per layer, forward; their gradients backward
      expect(find(p, 'MUL_MAT', 'forward', /^kq-#$/).map((o) => o.count)).toEqual([nLayer]);
      expect(find(p, 'SOFT_MAX', 'forward', /^kq_soft_max-#$/).map((o) => o.count)).toEqual([nLayer]);
      expect(find(p, 'SOFT_MAX_BACK', 'backward').reduce((n, o) => n + o.count, 0)).toBe(nLayer);
      expect(find(p, 'CROSS_ENTROPY_LOSS', 'forward').map((o) => o.count)).toEqual([1]);
      // each frozen weight's product, by projection: forward with the weight, backward with its
      // transpose (native/src/FrozenTranspose.h)
      for (const w of ['attn_q', 'attn_output', 'ffn_down']) {
        const forward = find(p, 'MUL_MAT', 'forward', undefined, `blk.#.${w}.weight`);
        expect(forward.map((o) => [o.src0Type, o.count])).toEqual([['f16', nLayer]]);
        const backward = find(p, 'MUL_MAT', 'backward', undefined, `blk.#.${w}.weight.T`);
        expect(backward.reduce((n, o) => n + o.count, 0)).toBeGreaterThanOrEqual(nLayer - 1);
      }
      expect(find(p, 'CROSS_ENTROPY_LOSS_BACK', 'backward').map((o) => o.count)).toEqual([1]);
      // the halves are the sum of their ops, most expensive first, and together within the wall time
      const sum = (phase: string) => p.ops.filter((o) => o.phase === phase).reduce((s, o) => s + o.ms, 0);
      expect(sum('forward')).toBeCloseTo(p.forwardMs, 6);
      expect(sum('backward')).toBeCloseTo(p.backwardMs, 6);
      expect(p.forwardMs).toBeGreaterThan(0);
      expect(p.backwardMs).toBeGreaterThan(0);
      expect(p.hostMs + p.forwardMs + p.backwardMs).toBeLessThanOrEqual(wall);
      expect(p.ops.map((o) => o.ms)).toEqual([...p.ops.map((o) => o.ms)].sort((a, b) => b - a));
      const again = profiled.session.opProfile();
      expect(again).toEqual({ windows: 0, hostMs: 0, forwardMs: 0, backwardMs: 0, ops: [] });

      // running node by node computes the same window: same loss, same gradients
      const reference = await plain.session.forwardBackward([window]);
      expect(result.lossSum).toBeCloseTo(reference.lossSum, 4);
      const [a, b] = [grads(profiled.session), grads(plain.session)];
      for (let i = 0; i < a.length; i++) expect(relDiff(a[i] as Float32Array, b[i] as Float32Array)).toBeLessThan(1e-5);
    } finally {
      profiled.dispose();
      plain.dispose();
    }
  });
});
