import { describe, expect, it } from 'vitest';
import { bradleyTerry, eloScale, wilsonInterval, type Game } from '../../../src/main/core/compare/ratings';

describe('wilsonInterval', () => {
  it('matches hand-computed 95 % intervals', () => {
    // 8 of 10: centre (0.8 + 1.9208/10) / 1.38416 = 0.71673, half 1.96·√0.025604 / 1.38416 = 0.22658.
    const eight = wilsonInterval(8, 10)!;
    expect(eight.low).toBeCloseTo(0.49016, 4);
    expect(eight.high).toBeCloseTo(0.94331, 4);
    // 0 of 5: the interval starts at 0 and ends at 2 · 0.38416 / 1.76832 = 0.43450.
    const none = wilsonInterval(0, 5)!;
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.4345, 4);
    // Symmetric around one half for 5 of 10.
    const half = wilsonInterval(5, 10)!;
    expect(half.low + half.high).toBeCloseTo(1, 12);
    expect(half.low).toBeCloseTo(0.23659, 4);
  });

  it('has no interval without votes and narrows as votes grow', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    const small = wilsonInterval(6, 10)!;
    const large = wilsonInterval(600, 1000)!;
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
    expect(wilsonInterval(10, 10)!.high).toBe(1);
  });
});

const games = (a: string, b: string, aWins: number, bWins: number, draws = 0): Game[] => [
  ...Array.from({ length: aWins }, (): Game => ({ a, b, score: 1 })),
  ...Array.from({ length: bWins }, (): Game => ({ a, b, score: 0 })),
  ...Array.from({ length: draws }, (): Game => ({ a, b, score: 0.5 })),
];

describe('bradleyTerry', () => {
  it('two players: strengths in the ratio of wins (3–1 → √3 and 1/√3, +190.8 Elo)', () => {
    const p = bradleyTerry(games('A', 'B', 3, 1), { prior: 0 });
    expect(p.get('A')).toBeCloseTo(Math.sqrt(3), 8);
    expect(p.get('B')).toBeCloseTo(1 / Math.sqrt(3), 8);
    expect(eloScale(p.get('A')!) - eloScale(p.get('B')!)).toBeCloseTo(190.85, 1);
  });

  it('a draw is half a win each (1 win + 1 draw = 1.5 to 0.5, ratio 3)', () => {
    const p = bradleyTerry(games('A', 'B', 1, 0, 1), { prior: 0 });
    expect(p.get('A')! / p.get('B')!).toBeCloseTo(3, 8);
  });

  it('a rock-paper-scissors cycle leaves everyone equal', () => {
    const p = bradleyTerry([...games('A', 'B', 1, 0), ...games('B', 'C', 1, 0), ...games('C', 'A', 1, 0)], {
      prior: 0,
    });
    for (const v of p.values()) expect(v).toBeCloseTo(1, 8);
  });

  it('three players: the fit satisfies the likelihood equations W_i = Σ n_ij p_i / (p_i + p_j)', () => {
    const all = [...games('A', 'B', 7, 3), ...games('B', 'C', 6, 4), ...games('A', 'C', 8, 2, 2)];
    const p = bradleyTerry(all, { prior: 0 });
    const wins = { A: 7 + 8 + 1, B: 3 + 6, C: 4 + 2 + 1 };
    const n: Record<string, Record<string, number>> = {
      A: { B: 10, C: 12 },
      B: { A: 10, C: 10 },
      C: { A: 12, B: 10 },
    };
    for (const i of ['A', 'B', 'C'] as const) {
      const expected = Object.entries(n[i]!).reduce(
        (sum, [j, nij]) => sum + (nij * p.get(i)!) / (p.get(i)! + p.get(j)!),
        0,
      );
      expect(expected).toBeCloseTo(wins[i], 6);
    }
    expect(p.get('A')! > p.get('B')! && p.get('B')! > p.get('C')!).toBe(true);
    // Geometric mean 1.
    expect(p.get('A')! * p.get('B')! * p.get('C')!).toBeCloseTo(1, 8);
  });

  it('with the default prior, an unbeaten player stays finite and separate groups share one scale', () => {
    const p = bradleyTerry([...games('A', 'B', 4, 0), ...games('C', 'D', 1, 1)]);
    expect(Number.isFinite(p.get('A')!)).toBe(true);
    expect(p.get('A')!).toBeGreaterThan(p.get('C')!);
    expect(p.get('C')!).toBeCloseTo(p.get('D')!, 8);
    expect(p.get('B')!).toBeLessThan(p.get('D')!);
    expect(bradleyTerry([]).size).toBe(0);
  });
});
