import { describe, expect, it } from 'vitest';
import { attentionWeight, rankRowSizes, rowSizeCandidates, tokenCost } from '../../src/main/core/training/rowPlan';
import { llamaTrainingShape } from '../helpers/trainingShape';

/** A llama-like shape of L layers, width E, FFN F, vocabulary V (F32 tensors, 8 heads). */
const shape = (L: number, E: number, F: number, V: number) => llamaTrainingShape(L, E, F, V);

describe('rows of a GPU window', () => {
  it('offers the multiples of 256 that divide the window and hold the longest example', () => {
    expect(rowSizeCandidates(2048, 512)).toEqual([512, 1024, 2048]);
    expect(rowSizeCandidates(1536, 300)).toEqual([512, 768, 1536]);
    expect(rowSizeCandidates(768, 768)).toEqual([768]);
  });

  it('prices a token by its weights plus its attention span (the token embeddings are a lookup)', () => {
    const s = shape(2, 64, 128, 1000);
    const weights = 2 * (4 * 64 * 64 + 3 * 64 * 128) + 64 * 1000;
    expect(tokenCost(s, 0)).toBe(2 * weights);
    expect(tokenCost(s, 512) - tokenCost(s, 256)).toBe(attentionWeight * 4 * 256 * 64 * 2);
  });

  it('short rows when they pack as tightly: the same windows at a fraction of the attention', () => {
    const lengths = Array.from({ length: 64 }, () => 250); // 250 of 256: one per row, four per 1024 window
    const ranked = rankRowSizes(lengths, 1024, 256, shape(22, 2048, 5632, 32000));
    expect(ranked[0]).toMatchObject({ rowSize: 256, windows: 16 });
    expect(ranked.map((r) => r.rowSize)).toEqual([256, 512, 1024]);
    expect(ranked.every((r) => r.windows === 16)).toBe(true);
  });

  it('packs the data once per row size for every window size asked about', () => {
    const lengths = Array.from({ length: 64 }, (_v, i) => 40 + i * 3);
    const packed = new Map<string, number>();
    const s = shape(4, 256, 512, 1000);
    const at512 = rankRowSizes(lengths, 512, 256, s, packed);
    expect([...packed.keys()].sort()).toEqual(['256/32', '512/64']);
    const at1024 = rankRowSizes(lengths, 1024, 256, s, packed);
    // rows of 256 in a 1024 window take 16 examples each: a new packing; 512 in 1024 is 32 per row
    expect([...packed.keys()].sort()).toEqual(['1024/64', '256/16', '256/32', '512/32', '512/64']);
    expect(rankRowSizes(lengths, 1024, 256, s)).toEqual(at1024); // the same answer without the cache
    expect(at512.map((r) => r.rowSize).sort()).toEqual([256, 512]);
  });

  it('long rows when short ones waste most of the window on padding and attention is cheap', () => {
    // 300-token chats: a 512 row holds one (59 % full), a 1024 row three, a 2048 row six; a wide, shallow model
    const lengths = Array.from({ length: 600 }, () => 300);
    const ranked = rankRowSizes(lengths, 2048, 512, shape(2, 4096, 16384, 32000));
    // two rows of 1024 pack as tightly as one of 2048, with half its attention
    expect(ranked.map((r) => [r.rowSize, r.windows])).toEqual([
      [1024, 100],
      [2048, 100],
      [512, 150],
    ]);
    // an attention-heavy model (deep, narrow) takes the short rows despite the padding
    expect(rankRowSizes(lengths, 2048, 512, shape(48, 128, 256, 1000))[0]?.rowSize).toBe(512);
  });
});
