import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TargetModule } from '../../../native/index.js';
import { tempDir } from '../../helpers/tempDir.js';
import {
  dot,
  norm,
  packWindow,
  randomTokens,
  randomizeB,
  restore,
  rig,
  snapshot,
  tinyModel,
  type Rig,
} from './trainerFixtures.js';

const MODULES: [TargetModule, string][] = [
  ['q', 'attn_q'],
  ['k', 'attn_k'],
  ['v', 'attn_v'],
  ['o', 'attn_output'],
  ['gate', 'ffn_gate'],
  ['up', 'ffn_up'],
  ['down', 'ffn_down'],
];

describe('gradients of the masked loss', () => {
  const dir = tempDir('lathe-native-');
  let r: Rig;
  // two examples packed, prompts masked: the gradient must respect both the mask and the packing
  const w = packWindow([
    { tokens: randomTokens(30, 21), trainFrom: 12 },
    { tokens: randomTokens(25, 22), trainFrom: 8 },
  ]);

  beforeAll(async () => {
    r = await rig(tinyModel(dir.path));
  });
  afterAll(() => {
    r.dispose();
    dir.remove();
  });

  it('reach LoRA on attn_k and attn_v even from a fresh adapter (B = 0)', async () => {
    await r.session.forwardBackward([w]);
    for (const m of ['attn_k', 'attn_v']) {
      for (const l of [0, 1])
        expect(norm(r.session.gradient(`blk.${l}.${m}.weight.lora_b`)), `${l}.${m}`).toBeGreaterThan(1e-3);
    }
    r.session.zeroGrad();
  });

  it('match a finite-difference estimate of the masked loss for each of the seven modules', async () => {
    randomizeB(r.adapter, 9);
    const start = snapshot(r.adapter);
    await r.session.forwardBackward([w]);
    const grads = new Map([...start.keys()].map((n) => [n, r.session.gradient(n)]));
    r.session.zeroGrad();

    const loss = async (name: string, dir: Float32Array, eps: number): Promise<number> => {
      const base = start.get(name) ?? new Float32Array();
      r.adapter.setTensor(
        name,
        base.map((x, i) => x + eps * (dir[i] ?? 0)),
      );
      const res = await r.session.evaluate([w]);
      r.adapter.setTensor(name, base);
      return res.lossSum;
    };

    for (const [mod, part] of MODULES) {
      for (const ab of ['lora_a', 'lora_b']) {
        const name = `blk.1.${part}.weight.${ab}`;
        const g = grads.get(name) ?? new Float32Array();
        // along the gradient itself: the directional derivative is |g|, far above float noise
        const d = g.map((x) => x / norm(g));
        const eps = 1e-2;
        const fd = ((await loss(name, d, eps)) - (await loss(name, d, -eps))) / (2 * eps);
        const analytic = dot(g, d);
        expect(analytic, `${mod} ${ab}`).toBeGreaterThan(1e-3);
        expect(Math.abs(fd - analytic) / analytic, `${mod} ${ab}: fd ${fd} vs analytic ${analytic}`).toBeLessThan(0.02);
      }
    }
    restore(r.adapter, start);
  });

  it('an SGD step moves the weights by exactly -lr times the gradient', async () => {
    const start = snapshot(r.adapter);
    await r.session.forwardBackward([w]);
    const g = r.session.gradient('blk.0.attn_v.weight.lora_a');
    const lr = 1e-3;
    await r.session.optimizerStep({ lr, optimizer: 'sgd', normalize: 'sum' });
    const after = r.adapter.getTensor('blk.0.attn_v.weight.lora_a');
    const before = start.get('blk.0.attn_v.weight.lora_a') ?? new Float32Array();
    for (let i = 0; i < g.length; i++) expect(after[i]).toBeCloseTo((before[i] ?? 0) - lr * (g[i] ?? 0), 6);
    restore(r.adapter, start);
  });
});
