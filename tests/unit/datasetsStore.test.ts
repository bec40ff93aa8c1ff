import { describe, expect, it } from 'vitest';
import { charCount, ftsQuery, scopedFtsQuery } from '../../src/main/core/datasets/DatasetsRepo';
import { splitPaths } from '../../src/main/core/datasets/exportDataset';
import { tokenHistogram } from '../../src/main/core/datasets/tokenCounts';

describe('ftsQuery', () => {
  it('turns typed words into quoted prefix terms, all required', () => {
    expect(ftsQuery('tok')).toBe('"tok"*');
    expect(ftsQuery('  Café  au-lait ')).toBe('"Café"* "au"* "lait"*');
    expect(ftsQuery('naïve_bayes 42')).toBe('"naïve_bayes"* "42"*');
  });
  it('never passes FTS syntax through: quotes, operators and parentheses are dropped', () => {
    expect(ftsQuery('"a" OR (b) NEAR c*')).toBe('"a"* "OR"* "b"* "NEAR"* "c"*');
    expect(ftsQuery('"*)(')).toBeNull();
    expect(ftsQuery('')).toBeNull();
  });
  it('keeps at most 32 words', () => {
    expect(ftsQuery(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '))!.split(' ')).toHaveLength(32);
  });
});

describe('scopedFtsQuery', () => {
  it('puts the words in the text column and the dataset and live/trash in the scope column', () => {
    expect(scopedFtsQuery('"tok"*', '1b2c-3d', false)).toBe('text : ("tok"*) AND scope : ("d1b2c3d" "live")');
    expect(scopedFtsQuery('"a"*', 'x"y', true)).toBe('text : ("a"*) AND scope : ("dx""y" "trash")');
  });
});

describe('charCount', () => {
  it('sums the characters of every turn', () => {
    expect(
      charCount([
        { role: 'system', content: 'ab' },
        { role: 'user', content: 'cde' },
      ]),
    ).toBe(5);
  });
});

describe('splitPaths', () => {
  it('puts .train and .eval before the extension, beside the chosen file', () => {
    expect(splitPaths('/out/data.jsonl')).toEqual({ train: '/out/data.train.jsonl', eval: '/out/data.eval.jsonl' });
    expect(splitPaths('/out/data')).toEqual({ train: '/out/data.train', eval: '/out/data.eval' });
  });
});

describe('tokenHistogram', () => {
  it('bins counts with a round width from 0, counts those over the max length, and sums to the total', () => {
    const counts = [3, 10, 19, 20, 55, 130, 990];
    const h = tokenHistogram(counts, 100, 10);
    expect(h).toMatchObject({ counted: 7, overMax: 2, min: 3, max: 990, mean: 175.3 });
    const width = h.bins[0]!.to - h.bins[0]!.from;
    expect([1, 2, 5].some((m) => Number.isInteger(Math.log10(width / m)))).toBe(true);
    expect(h.bins[0]!.from).toBe(0);
    expect(h.bins.at(-1)!.to).toBeGreaterThan(990);
    expect(h.bins.reduce((s, b) => s + b.count, 0)).toBe(counts.length);
    expect(h.bins.length).toBeLessThanOrEqual(10);
  });
  it('reaches past the max length so its line is on the chart, and handles no counts', () => {
    const h = tokenHistogram([5, 6], 4096, 8);
    expect(h.bins.at(-1)!.to).toBeGreaterThan(4096);
    expect(h.overMax).toBe(0);
    expect(tokenHistogram([], 100, 8)).toEqual({ counted: 0, overMax: 0, min: null, max: null, mean: null, bins: [] });
  });
  it('puts a count equal to a bin edge in the upper bin', () => {
    const h = tokenHistogram([0, 10, 10, 19], null, 2);
    expect(h.bins.map((b) => [b.from, b.count])).toEqual([
      [0, 1],
      [10, 3],
    ]);
  });
});
