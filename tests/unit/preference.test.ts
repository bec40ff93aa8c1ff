import { describe, expect, it } from 'vitest';
import type { SourceExample } from '../../src/main/core/training/prepareExamples';
import { dpoStep, pairWindows, preparePairs, softplus, withAnswer } from '../../src/main/core/training/preference';
import { unitsForStep } from '../../src/main/core/training/trainingObjectives';
import { charTokenizer, chatml } from '../helpers/charTokenizer';

const options = { maxLength: 512, overLength: 'skip' as const, seed: 3 };
const pair = (id: string, answer: string, rejected?: string, split?: SourceExample['split']): SourceExample => ({
  id,
  ...(split ? { split } : {}),
  ...(rejected !== undefined ? { rejected } : {}),
  messages: [
    { role: 'user', content: `first ${id}` },
    { role: 'assistant', content: 'earlier answer' },
    { role: 'user', content: `then ${id}` },
    { role: 'assistant', content: answer },
  ],
});
const labelled = (e: { tokens: Int32Array | number[]; mask: Uint8Array }) =>
  charTokenizer.detokenize([...e.tokens].filter((_t, i) => e.mask[i]));

describe('dpoStep', () => {
  // scores are pair windows' losses, NLL(chosen) − NLL(rejected); Δ = reference − policy
  it('is ln 2 with weights β/2 per pair while the fine-tune is its base', () => {
    const r = dpoStep([-2, 3], [-2, 3], 0.1);
    expect(r.loss).toBeCloseTo(Math.log(2), 12);
    expect(r.weights).toEqual([0.025, 0.025]);
    expect(r.margin).toBe(0);
    expect(r.accuracy).toBe(0);
  });

  it('matches −log σ(β·Δ) and its derivative for a pair that moved', () => {
    // chosen NLL fell by 2, rejected NLL rose by 1: the score fell by 3, Δ = 3
    const beta = 0.5;
    const r = dpoStep([10 - 2 - (12 + 1)], [10 - 12], beta);
    const z = beta * 3;
    expect(r.loss).toBeCloseTo(Math.log(1 + Math.exp(-z)), 12);
    expect(r.weights[0]).toBeCloseTo(beta / (1 + Math.exp(z)), 12);
    expect(r.accuracy).toBe(1);
    expect(r.margin).toBeCloseTo(z, 12);
    // the weight is the loss's derivative with respect to the pair's score (finite differences)
    const h = 1e-6;
    const d = (dpoStep([-5 + h], [-2], beta).loss - dpoStep([-5 - h], [-2], beta).loss) / (2 * h);
    expect(d).toBeCloseTo(r.weights[0]!, 6);
  });

  it('averages over the pairs, stays finite for huge margins and refuses mismatched input', () => {
    const r = dpoStep([0, 1, 2, 3], [0, 1, 2, 3], 1);
    expect(r.weights).toEqual([0.125, 0.125, 0.125, 0.125]);
    expect(dpoStep([-5000], [5000], 1).loss).toBe(0);
    expect(dpoStep([5000], [-5000], 1).loss).toBeCloseTo(10000, 6);
    expect(softplus(-800)).toBeGreaterThanOrEqual(0);
    expect(() => dpoStep([], [], 0.1)).toThrow(/do not match/);
    expect(() => dpoStep([1, 2], [1, 2, 3], 0.1)).toThrow(/do not match/);
  });
});

describe('preparePairs', () => {
  it('renders both sides of the same chat and scores only the last answer', () => {
    const { train, eval: held, report } = preparePairs([pair('a', 'yes', 'no')], chatml, charTokenizer, options);
    expect(held).toEqual([]);
    expect(report.withoutRejected).toBe(0);
    const p = train[0]!;
    expect(labelled(p.chosen)).toBe('yes<|im_end|>');
    expect(labelled(p.rejected)).toBe('no<|im_end|>');
    // the same context before the answers
    const prefix = charTokenizer.detokenize([...p.chosen.tokens].slice(0, p.chosen.mask.indexOf(1)));
    expect(prefix.endsWith('<|im_start|>assistant\n')).toBe(true);
    expect(charTokenizer.detokenize([...p.rejected.tokens].slice(0, p.rejected.mask.indexOf(1)))).toBe(prefix);
    expect(report.lengths).toEqual([p.chosen.tokens.length, p.rejected.tokens.length]);
  });

  it('leaves out examples without a rejected answer and pairs that are too long, keeping splits', () => {
    const source = [
      pair('a', 'yes', 'no'),
      pair('b', 'plain'),
      pair('c', 'short', 'x'.repeat(600)),
      pair('d', 'yes', '   '),
      pair('e', 'held', 'out', 'eval'),
    ];
    const { train, eval: held, report } = preparePairs(source, chatml, charTokenizer, options);
    expect(train.map((p) => p.id)).toEqual(['a']);
    expect(held.map((p) => p.id)).toEqual(['e']);
    expect(report.withoutRejected).toBe(2);
    expect(report.tooLong).toEqual([{ id: 'c', tokens: expect.any(Number) }]);
    const cut = preparePairs(source, chatml, charTokenizer, { ...options, overLength: 'truncate' });
    expect(cut.train.map((p) => p.id)).toEqual(['a', 'c']);
    expect(cut.train[1]!.rejected.tokens.length).toBe(512);
  });

  it('says why no pair is left', () => {
    expect(() => preparePairs([pair('a', 'yes')], chatml, charTokenizer, options)).toThrow(
      /none of the 1 examples has a rejected answer/,
    );
    expect(() => preparePairs([pair('a', 'yes', 'x'.repeat(900))], chatml, charTokenizer, options)).toThrow(
      /of 1, 1 is longer than the max length \(512 tokens\)/,
    );
    expect(() => preparePairs([pair('a', 'yes', 'no', 'eval')], chatml, charTokenizer, options)).toThrow(/eval split/);
  });

  it('draws an eval share when the data has none (20 pairs or more)', () => {
    const source = Array.from({ length: 40 }, (_v, i) => pair(`p${i}`, 'yes', 'no'));
    const { train, eval: held } = preparePairs(source, chatml, charTokenizer, { ...options, evalFraction: 0.1 });
    expect(held).toHaveLength(4);
    expect(train).toHaveLength(36);
  });

  it('refuses a chat that does not end with an answer', () => {
    expect(() => withAnswer([{ role: 'user', content: 'q' }], 'a')).toThrow(/last turn/);
  });
});

describe('pairWindows and unitsForStep', () => {
  it('packs both answers of a pair into one window, the rejected one weighted −1', () => {
    const { train } = preparePairs([pair('a', 'yes', 'no'), pair('b', 'ok', 'nope')], chatml, charTokenizer, options);
    const windows = pairWindows(train, 256, 0);
    expect(windows).toHaveLength(2);
    for (const [k, w] of windows.entries()) {
      expect(w.examples).toHaveLength(2);
      const p = train[k]!;
      // the labelled text of each weight is that side's answer
      const side = (weight: number) =>
        charTokenizer.detokenize([...w.labels].filter((l, i) => l >= 0 && w.labelWeights[i] === weight).map((l) => l));
      expect(side(1)).toBe(labelled(p.chosen));
      expect(side(-1)).toBe(labelled(p.rejected));
    }
    expect(() => pairWindows(train, 40, 0)).toThrow();
  });

  it('visits every unit once per epoch, in a seeded order', () => {
    const units = Array.from({ length: 10 }, (_v, i) => i);
    const epoch = [0, 1, 2, 3].flatMap((s) => unitsForStep(units, s, 3, 4, 9));
    expect([...epoch].sort((a, b) => a - b)).toEqual(units);
    expect(unitsForStep(units, 1, 3, 4, 9)).toEqual(unitsForStep(units, 1, 3, 4, 9));
    expect(unitsForStep(units, 4, 3, 4, 9)).not.toEqual(unitsForStep(units, 0, 3, 4, 9));
  });
});
