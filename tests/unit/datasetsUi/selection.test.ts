import { describe, expect, test } from 'vitest';
import { applyClick, clickRange, emptySelection } from '../../../src/renderer/src/features/datasets/selection';
import { histogramGeometry } from '../../../src/renderer/src/features/datasets/histogram';

describe('example list selection', () => {
  test('a plain click picks one; Ctrl/⌘ toggles; Shift takes the range from the anchor', () => {
    let s = applyClick(emptySelection, { index: 2, id: 'c', shift: false, toggle: false });
    expect([...s.ids]).toEqual(['c']);
    s = applyClick(s, { index: 4, id: 'e', shift: false, toggle: true });
    expect([...s.ids].sort()).toEqual(['c', 'e']);
    expect(s.anchor).toBe(4);
    s = applyClick(s, { index: 4, id: 'e', shift: false, toggle: true });
    expect([...s.ids]).toEqual(['c']);
    // Shift replaces the selection with the range; Shift+Ctrl adds the range.
    const range = applyClick(s, { index: 1, id: 'b', shift: true, toggle: false, rangeIds: ['b', 'c', 'd', 'e'] });
    expect([...range.ids]).toEqual(['b', 'c', 'd', 'e']);
    expect(range.anchor).toBe(4);
    const added = applyClick(
      { ids: new Set(['z']), anchor: 0 },
      { index: 1, id: 'b', shift: true, toggle: true, rangeIds: ['a', 'b'] },
    );
    expect([...added.ids].sort()).toEqual(['a', 'b', 'z']);
  });

  test('Shift without an anchor acts as a plain click; ranges are ordered', () => {
    const s = applyClick(emptySelection, { index: 3, id: 'd', shift: true, toggle: false, rangeIds: ['a'] });
    expect([...s.ids]).toEqual(['d']);
    expect(clickRange(7, 2)).toEqual([2, 7]);
    expect(clickRange(2, 7)).toEqual([2, 7]);
  });
});

describe('token histogram geometry', () => {
  const bins = [
    { from: 0, to: 50, count: 4 },
    { from: 50, to: 100, count: 2 },
    { from: 100, to: 150, count: 1 },
    { from: 150, to: 200, count: 0 },
  ];

  test('bars over the max length are marked, the straddling bin apart, and the line falls at the limit', () => {
    const g = histogramGeometry(bins, 100, 400, 100);
    // Bins are [from, to) over whole tokens: 100 itself is not over, so [100, 150) straddles.
    expect(g.bars.map((b) => b.over)).toEqual([false, false, false, true]);
    expect(g.bars.map((b) => b.straddles)).toEqual([false, false, true, false]);
    expect(g.limitX).toBeCloseTo(200);
    expect(g.peak).toBe(4);
    expect(g.bars[0]!.height).toBe(100);
    expect(g.bars[3]!.height).toBe(0);
    const edge = histogramGeometry(bins, 99, 400, 100);
    expect(edge.bars[2]!.over).toBe(true);
    expect(edge.bars[1]!.straddles).toBe(false);
  });

  test('the axis reaches past a limit beyond every example, and no limit draws no line', () => {
    const g = histogramGeometry(bins, 1000, 400, 100);
    expect(g.max).toBe(1050);
    expect(g.limitX).toBeLessThan(400);
    expect(g.bars.every((b) => !b.over)).toBe(true);
    expect(histogramGeometry(bins, null, 400, 100).limitX).toBeNull();
    expect(histogramGeometry([], 10, 400, 100).bars).toEqual([]);
  });
});
