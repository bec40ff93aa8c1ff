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

// Preference training gives each side of a pair its own gradient weight (±w) and needs each
// window's own loss: both are the addon's, checked here against unweighted windows.
describe('weighted windows and per-window losses', () => {
  const dir = tempDir('lathe-native-');
  let r: Rig;
  const a: Example = { tokens: randomTokens(40, 71), trainFrom: 12 };
  const b: Example = { tokens: randomTokens(55, 72), trainFrom: 20 };

  beforeAll(async () => {
    r = await rig(tinyModel(dir.path));
    randomizeB(r.adapter, 5);
  });
  afterAll(() => {
    r.dispose();
    dir.remove();
  });

  const gradients = () => new Map(r.adapter.info().tensors.map((t) => [t.name, r.session.gradient(t.name)] as const));

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
