import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tempDir.js';
import {
  packWindow,
  randomTokens,
  randomizeB,
  relDiff,
  rig,
  tinyModel,
  type Example,
  type Rig,
} from './trainerFixtures.js';

// One model and adapter for every case below (each case zeroes the gradients it reads).
const dir = tempDir('lathe-native-');
let r: Rig;
beforeAll(async () => {
  r = await rig(tinyModel(dir.path));
  randomizeB(r.adapter, 5);
});
afterAll(() => {
  r.dispose();
  dir.remove();
});
const gradients = () => new Map(r.adapter.info().tensors.map((t) => [t.name, r.session.gradient(t.name)] as const));

// Preference training gives each side of a pair its own gradient weight (±w) and needs each
// window's own loss: both are the addon's, checked here against unweighted windows.
describe('weighted windows and per-window losses', () => {
  const a: Example = { tokens: randomTokens(40, 71), trainFrom: 12 };
  const b: Example = { tokens: randomTokens(55, 72), trainFrom: 20 };

  it('reports each window’s own loss sum, in order', async () => {
    const both = await r.session.evaluate([packWindow([a]), packWindow([b])]);
    const aloneA = await r.session.evaluate([packWindow([a])]);
    const aloneB = await r.session.evaluate([packWindow([b])]);
    expect(both.losses).toHaveLength(2);
    expect(both.losses[0]).toBeCloseTo(aloneA.lossSum, 4);
    expect(both.losses[1]).toBeCloseTo(aloneB.lossSum, 4);
    expect(both.losses[0]).not.toBeCloseTo(both.losses[1]!, 2);
    expect(both.lossSum).toBeCloseTo(both.losses[0]! + both.losses[1]!, 4);
  });

  it('adds a window’s gradient times its weight, negative weights included', async () => {
    r.session.zeroGrad();
    await r.session.forwardBackward([packWindow([a])]);
    const ga = gradients();
    r.session.zeroGrad();
    await r.session.forwardBackward([packWindow([b])]);
    const gb = gradients();
    r.session.zeroGrad();
    await r.session.forwardBackward([
      { ...packWindow([a]), weight: 0.75 },
      { ...packWindow([b]), weight: -2.5 },
    ]);
    const weighted = gradients();
    r.session.zeroGrad();
    let checked = 0;
    for (const [name, g] of weighted) {
      const expected = ga.get(name)!.map((x, i) => 0.75 * x - 2.5 * gb.get(name)![i]!);
      if (expected.every((x) => x === 0)) continue;
      expect(relDiff(g, expected), name).toBeLessThan(1e-5);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('refuses a weight that is not a finite number', () => {
    expect(() => r.session.forwardBackward([{ ...packWindow([a]), weight: Number.NaN }])).toThrow(/weight/);
  });
});

// A preference pair in one window: the chosen answer's labels weigh +1, the rejected one's −1, and
// the gradient's weight comes from the window's own loss (DPO): the CE backward handles weighted
// label rows (patch 0013), on the CPU here and on every GPU backend that runs the gradient tests.
describe('weighted labels and preference windows', () => {
  const chosen: Example = { tokens: randomTokens(50, 81), trainFrom: 20 };
  const rejected: Example = { tokens: randomTokens(44, 82), trainFrom: 20 };
  /** Both examples in one window, labels weighted +1 (chosen) and −1 (rejected). */
  const pairWindow = () => {
    const w = packWindow([chosen, rejected]);
    const labelWeights = new Float32Array(w.labels.length).fill(1);
    // the rejected example is the second sequence (seqIds 1)
    w.seqIds!.forEach((s, i) => {
      if (s === 1) labelWeights[i] = -1;
    });
    return { ...w, labelWeights };
  };

  it('gives the loss Σ w·NLL: a pair window scores NLL(chosen) − NLL(rejected)', async () => {
    const a = await r.session.evaluate([packWindow([chosen])]);
    const b = await r.session.evaluate([packWindow([rejected])]);
    const pair = await r.session.evaluate([pairWindow()]);
    expect(pair.losses[0]).toBeCloseTo(a.lossSum - b.lossSum, 3);
    const doubled = await r.session.evaluate([
      { ...packWindow([chosen]), labelWeights: new Float32Array(packWindow([chosen]).labels.length).fill(2) },
    ]);
    expect(doubled.lossSum).toBeCloseTo(2 * a.lossSum, 3);
  });

  it('back-propagates weighted labels: the pair’s gradient is ∇NLL(chosen) − ∇NLL(rejected)', async () => {
    r.session.zeroGrad();
    await r.session.forwardBackward([packWindow([chosen])]);
    const ga = gradients();
    r.session.zeroGrad();
    await r.session.forwardBackward([packWindow([rejected])]);
    const gb = gradients();
    r.session.zeroGrad();
    await r.session.forwardBackward([pairWindow()]);
    const gp = gradients();
    r.session.zeroGrad();
    let checked = 0;
    for (const [name, g] of gp) {
      const expected = ga.get(name)!.map((x, i) => x - gb.get(name)![i]!);
      if (expected.every((x) => x === 0)) continue;
      expect(relDiff(g, expected), name).toBeLessThan(1e-4);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('weighs a preference window by DPO’s factor from its own loss', async () => {
    const loss = (await r.session.evaluate([pairWindow()])).losses[0]!;
    r.session.zeroGrad();
    await r.session.forwardBackward([pairWindow()]);
    const unit = gradients();
    r.session.zeroGrad();
    const preference = { reference: loss + 0.8, beta: 0.5, scale: 0.25 };
    const res = await r.session.forwardBackward([{ ...pairWindow(), preference }]);
    const weighted = gradients();
    r.session.zeroGrad();
    // Δ = reference − L = 0.8: weight = 0.25·0.5·σ(−0.4)
    const expected = 0.25 * 0.5 * (1 / (1 + Math.exp(0.4)));
    expect(res.weights[0]).toBeCloseTo(expected, 5);
    for (const [name, g] of weighted) {
      const u = unit.get(name)!.map((x) => x * expected);
      if (u.every((x) => x === 0)) continue;
      expect(relDiff(g, u), name).toBeLessThan(1e-4);
    }
  });

  it('refuses label weights of the wrong length and a preference without its numbers', () => {
    expect(() => r.session.evaluate([{ ...packWindow([chosen]), labelWeights: new Float32Array(3) }])).toThrow(
      /labelWeights/,
    );
    expect(() =>
      r.session.forwardBackward([{ ...packWindow([chosen]), preference: { reference: 0, beta: 0, scale: 1 } }]),
    ).toThrow(/beta > 0/);
  });
});
