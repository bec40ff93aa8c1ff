import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tempDir.js';
import {
  WINDOW,
  packWindow,
  randomTokens,
  randomizeB,
  relDiff,
  restore,
  rig,
  snapshot,
  tinyModel,
  type Example,
  type Rig,
} from './trainerFixtures.js';

describe('packing several examples into one window', () => {
  const dir = tempDir('lathe-native-');
  let r: Rig;
  const examples: Example[] = [
    { tokens: randomTokens(37, 31), trainFrom: 10 },
    { tokens: randomTokens(64, 32), trainFrom: 30 },
    { tokens: randomTokens(21, 33), trainFrom: 5 },
    { tokens: randomTokens(90, 34), trainFrom: 1 },
  ];

  beforeAll(async () => {
    r = await rig(tinyModel(dir.path));
    randomizeB(r.adapter, 3);
  });
  afterAll(() => {
    r.dispose();
    dir.remove();
  });

  it('gives a loss equal to the sum of the examples alone, and isolation matters', async () => {
    const packed = await r.session.evaluate([packWindow(examples)]);
    let sum = 0;
    let tokens = 0;
    for (const ex of examples) {
      const alone = await r.session.evaluate([packWindow([ex])]);
      sum += alone.lossSum;
      tokens += alone.nTokens;
    }
    expect(packed.nTokens).toBe(tokens);
    expect(Math.abs(packed.lossSum - sum) / sum).toBeLessThan(1e-5);

    // the same tokens as one sequence (no isolation, positions running on) give another loss
    const w = packWindow(examples);
    const flat = { ...w, seqIds: new Int32Array(WINDOW), positions: Int32Array.from({ length: WINDOW }, (_, i) => i) };
    const unisolated = await r.session.evaluate([flat]);
    expect(Math.abs(unisolated.lossSum - sum) / sum).toBeGreaterThan(1e-2);
  });

  it('one step on the packed window equals the sum of the single-example steps', async () => {
    const start = snapshot(r.adapter);
    const lr = 1e-3;
    const step = async (ex: Example[]): Promise<Map<string, Float32Array>> => {
      restore(r.adapter, start);
      await r.session.forwardBackward([packWindow(ex)]);
      await r.session.optimizerStep({ lr, optimizer: 'sgd', normalize: 'sum' });
      const after = snapshot(r.adapter);
      return new Map([...after].map(([n, v]) => [n, v.map((x, i) => x - (start.get(n)?.[i] ?? 0))]));
    };
    const packed = await step(examples);
    const sum = new Map([...start].map(([n, v]) => [n, new Float32Array(v.length)]));
    for (const ex of examples) {
      for (const [n, d] of await step([ex])) {
        const acc = sum.get(n) ?? new Float32Array();
        d.forEach((x, i) => (acc[i] = (acc[i] ?? 0) + x));
      }
    }
    for (const [n, d] of packed) expect(relDiff(d, sum.get(n) ?? new Float32Array()), n).toBeLessThan(1e-3);
    restore(r.adapter, start);
  });

  it('rejects more sequences than the unified cache holds', () => {
    const w = packWindow([{ tokens: randomTokens(10, 35) }]);
    w.seqIds = new Int32Array(WINDOW).fill(300);
    expect(() => r.session.evaluate([w])).toThrow(/seqIds/);
  });
});
