import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tempDir.js';
import {
  packWindow,
  randomTokens,
  randomizeB,
  restore,
  rig,
  sameBits,
  snapshot,
  tinyModel,
  trainStep,
  type Rig,
} from './trainerFixtures.js';

describe('LoRA training on a random-weight llama', () => {
  const dir = tempDir('lathe-native-');
  let r: Rig;

  beforeAll(async () => {
    r = await rig(tinyModel(dir.path));
  });
  afterAll(() => {
    r.dispose();
    dir.remove();
  });

  it('lowers the masked loss', async () => {
    // prompt of 20 tokens (masked), response of 20 tokens (trained)
    const w = packWindow([{ tokens: randomTokens(40, 11), trainFrom: 20 }]);
    const start = snapshot(r.adapter);
    const losses: number[] = [];
    for (let i = 0; i < 15; i++) losses.push(await trainStep(r.session, [w], 1e-2));
    const after = await r.session.evaluate([w]);
    expect(after.nTokens).toBe(20);
    expect(losses[0]).toBeGreaterThan(4);
    expect(after.lossSum / after.nTokens).toBeLessThan((losses[0] ?? 0) * 0.5);
    restore(r.adapter, start);
  });

  it('with every label masked, leaves the adapter bit-identical', async () => {
    // a fresh session: AdamW moments left by earlier steps would move the weights on their own
    const fresh = await rig(tinyModel(dir.path, 'masked.gguf'));
    randomizeB(fresh.adapter, 5); // a nonzero B, so every tensor would get a gradient if one leaked
    const w = packWindow([{ tokens: randomTokens(60, 12), trainFrom: 1000 }]);
    expect(w.labels.every((x) => x === -1)).toBe(true);
    const before = snapshot(fresh.adapter);
    for (let i = 0; i < 3; i++) {
      const fb = await fresh.session.forwardBackward([w]);
      expect(fb).toMatchObject({ lossSum: 0, nTokens: 0, nCorrect: 0 });
      for (const name of before.keys())
        expect(
          fresh.session.gradient(name).every((x) => x === 0),
          name,
        ).toBe(true);
      await fresh.session.optimizerStep({ lr: 1e-2 });
    }
    for (const [name, v] of snapshot(fresh.adapter)) expect(sameBits(v, before.get(name)), name).toBe(true);
    fresh.dispose();
  });

  it('repeating one step from the same state gives the same update (gradients do not accumulate)', async () => {
    const w = packWindow([{ tokens: randomTokens(50, 13), trainFrom: 10 }]);
    const start = snapshot(r.adapter);
    const updates: Map<string, Float32Array>[] = [];
    for (let rep = 0; rep < 3; rep++) {
      restore(r.adapter, start);
      await r.session.forwardBackward([w]);
      await r.session.optimizerStep({ lr: 1e-3, optimizer: 'sgd', normalize: 'sum' });
      updates.push(snapshot(r.adapter));
    }
    let changed = 0;
    for (const [name, v0] of start) {
      const [u0, u1, u2] = updates.map((s) => s.get(name));
      if (!sameBits(u0, v0)) changed++;
      expect(sameBits(u1, u0), name).toBe(true);
      expect(sameBits(u2, u0), name).toBe(true);
    }
    expect(changed).toBeGreaterThanOrEqual(start.size / 2); // every lora_b (A gets no gradient while B = 0)
    restore(r.adapter, start);
  });
});
