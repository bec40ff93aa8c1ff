import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GgmlType } from '../../helpers/gguf/GgufWriter.js';
import { tempDir } from '../../helpers/tempDir.js';
import { packWindow, randomTokens, rig, tinyModel, trainStep, trainer } from './trainerFixtures.js';

/** Trains a few steps and returns [first loss, final loss]. */
async function trainOn(modelPath: string): Promise<[number, number]> {
  const r = await rig(modelPath);
  try {
    const w = packWindow([{ tokens: randomTokens(40, 51), trainFrom: 10 }]);
    const first = await trainStep(r.session, [w], 1e-2);
    for (let i = 0; i < 10; i++) await trainStep(r.session, [w], 1e-2);
    const ev = await r.session.evaluate([w]);
    return [first, ev.lossSum / ev.nTokens];
  } finally {
    r.dispose();
  }
}

describe('frozen bases of every common type train on CPU', () => {
  const dir = tempDir('lathe-native-');
  afterAll(() => dir.remove());

  it.each([
    ['F16', GgmlType.F16],
    ['Q8_0', GgmlType.Q8_0],
    ['Q4_0', GgmlType.Q4_0],
  ] as const)('%s (written by the test GGUF writer)', async (name, type) => {
    const [first, last] = await trainOn(tinyModel(dir.path, `${name}.gguf`, type));
    expect(last).toBeLessThan(first * 0.7);
  });

  it('Q4_K_M (a K-quant, quantized by llama.cpp)', async () => {
    const shape = { nEmbd: 256, nHead: 4, nHeadKv: 2, nFf: 512 }; // K-quant rows are multiples of 256
    const f32 = tinyModel(dir.path, 'k-f32.gguf', GgmlType.F32, shape);
    const q = join(dir.path, 'k-q4km.gguf');
    await trainer().quantizeModel(f32, q, 'Q4_K_M', 2);
    const model = new (trainer().TrainerModel)(q);
    await model.load();
    expect(model.info().description).toMatch(/Q4_K/);
    model.dispose();
    const [first, last] = await trainOn(q);
    expect(last).toBeLessThan(first * 0.7);
  });
});
