import { describe, expect, it } from 'vitest';
import { fillRatio, packWindows } from '../../src/main/core/training/packWindows';
import { seededRandom } from '../../src/main/core/training/random';
import type { TokenizedExample } from '../../src/main/core/training/tokenizeExample';

/** An example of `length` tokens whose second half is the answer. */
function example(length: number, base = 1000): TokenizedExample {
  const tokens = Int32Array.from({ length }, (_v, i) => base + i);
  const mask = Uint8Array.from({ length }, (_v, i) => (i >= length / 2 ? 1 : 0));
  return { tokens, mask };
}

describe('packWindows', () => {
  it('keeps every example whole, isolated by sequence id, with positions restarting at 0', () => {
    const examples = [example(5, 100), example(3, 200), example(4, 300)];
    const windows = packWindows(examples, { windowSize: 8, padToken: 0 });
    expect(windows.flatMap((w) => w.examples).sort()).toEqual([0, 1, 2]);
    for (const w of windows) {
      let at = 0;
      w.examples.forEach((index, seq) => {
        const e = examples[index]!;
        expect([...w.tokens.subarray(at, at + e.tokens.length)]).toEqual([...e.tokens]);
        expect([...w.seqIds.subarray(at, at + e.tokens.length)].every((s) => s === seq)).toBe(true);
        expect([...w.positions.subarray(at, at + e.tokens.length)]).toEqual([...e.tokens.keys()]);
        at += e.tokens.length;
      });
      // Padding: its own sequence, no labels.
      for (let k = at; k < 8; k++) {
        expect(w.seqIds[k]).toBe(w.examples.length);
        expect(w.labels[k]).toBe(-1);
        expect(w.tokens[k]).toBe(0);
      }
    }
  });

  it('labels position t with token t+1 only where t+1 is an answer token, never across examples', () => {
    const e = example(6, 10); // answer = tokens 3, 4, 5
    const [w] = packWindows([e, example(2, 50)], { windowSize: 8, padToken: 0 });
    expect([...w!.labels.subarray(0, 6)]).toEqual([-1, -1, 13, 14, 15, -1]);
    expect(w!.labelled).toBe(3 + 1);
  });

  it('best-fit decreasing fills windows tightly on a realistic chat length mix', () => {
    const random = seededRandom(7);
    const examples = Array.from({ length: 2000 }, (_v, i) => {
      // Log-normal-ish chat lengths: most 60-400 tokens, a tail to 2000.
      const length = Math.min(2048, Math.max(16, Math.round(Math.exp(4.8 + random() * 1.6 + random() * 0.6))));
      return example(length, i);
    });
    const windows = packWindows(examples, { windowSize: 2048, padToken: 0 });
    expect(fillRatio(windows)).toBeGreaterThanOrEqual(0.9);
    expect(windows.every((w) => w.examples.length <= 64)).toBe(true);
  });

  it('refuses an example longer than the window', () => {
    expect(() => packWindows([example(9)], { windowSize: 8, padToken: 0 })).toThrow(/does not fit/);
  });

  describe('rows (attention row by row)', () => {
    const rowOf = (i: number, rowSize: number) => Math.floor(i / rowSize);

    it('packs whole examples into rows, no sequence in two rows, each row padded in its own sequence', () => {
      const random = seededRandom(3);
      const examples = Array.from({ length: 40 }, (_v, i) => example(3 + Math.floor(random() * 14), 100 * (i + 1)));
      const windows = packWindows(examples, { windowSize: 64, rowSize: 16, padToken: 0 });
      expect(windows.flatMap((w) => w.examples).sort((a, b) => a - b)).toEqual([...examples.keys()]);
      for (const w of windows) {
        const rowsOfSeq = new Map<number, Set<number>>();
        w.seqIds.forEach((s, i) => rowsOfSeq.set(s, (rowsOfSeq.get(s) ?? new Set()).add(rowOf(i, 16))));
        expect([...rowsOfSeq.values()].every((rows) => rows.size === 1)).toBe(true);
        // every example's tokens sit in one row, contiguous, positions from 0
        for (const index of w.examples) {
          const e = examples[index]!;
          const at = w.tokens.indexOf(e.tokens[0]!);
          expect([...w.tokens.subarray(at, at + e.tokens.length)]).toEqual([...e.tokens]);
          expect(rowOf(at, 16)).toBe(rowOf(at + e.tokens.length - 1, 16));
          expect([...w.positions.subarray(at, at + e.tokens.length)]).toEqual([...e.tokens.keys()]);
        }
        // a label is the next token of the same example, in the same row
        w.labels.forEach((label, i) => {
          if (label < 0) return;
          expect(rowOf(i + 1, 16)).toBe(rowOf(i, 16));
          expect(w.seqIds[i + 1]).toBe(w.seqIds[i]);
          expect(w.tokens[i + 1]).toBe(label);
        });
      }
      expect(windows.reduce((n, w) => n + w.filled, 0)).toBe(examples.reduce((n, e) => n + e.tokens.length, 0));
    });

    it('is the one-row packing when the row is the window', () => {
      const examples = [example(5, 100), example(3, 200), example(4, 300), example(7, 400)];
      const plain = packWindows(examples, { windowSize: 8, padToken: 0 });
      const oneRow = packWindows(examples, { windowSize: 8, rowSize: 8, padToken: 0 });
      expect(oneRow).toEqual(plain);
    });

    it('leaves the missing rows of the last window as padding, and refuses rows that do not divide the window or examples longer than a row', () => {
      const windows = packWindows([example(10), example(12)], { windowSize: 64, rowSize: 16, padToken: 0 });
      expect(windows).toHaveLength(1);
      const w = windows[0]!;
      expect(w.filled).toBe(22);
      expect([...w.labels.subarray(32)].every((l) => l === -1)).toBe(true);
      expect(new Set(w.seqIds.subarray(32, 48)).size).toBe(1);
      expect(w.seqIds[32]).not.toBe(w.seqIds[48]);
      expect(() => packWindows([example(4)], { windowSize: 64, rowSize: 24, padToken: 0 })).toThrow(/do not divide/);
      expect(() => packWindows([example(17)], { windowSize: 64, rowSize: 16, padToken: 0 })).toThrow(
        /does not fit a 16-token row/,
      );
    });
  });
});
