import { afterEach, describe, expect, it } from 'vitest';
import { estimateTrainingMemory } from '../../src/main/core/training/memoryEstimate';
import { planWindow, trainedLengths, windowNeeds } from '../../src/main/core/training/windowPlan';
import { llamaTrainingShape } from '../helpers/trainingShape';

// TinyLlama-1.1B's shape in F16 (32 heads, 8 for K and V)
const oneB = llamaTrainingShape(22, 2048, 5632, 32000, { nHead: 32, nHeadKv: 8, type: 1 });
const lora = {
  shape: oneB,
  rank: 16,
  targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as ('q' | 'k' | 'v' | 'o' | 'gate' | 'up' | 'down')[],
};
const gib = 1024 ** 3;

afterEach(() => {
  delete process.env.LATHE_GPU_MAX_WINDOW;
});

describe('the lengths a run trains on', () => {
  it('skips or cuts what is over the max length (2048 without one)', () => {
    expect(trainedLengths([100, 600, 3000], 512, 'skip')).toEqual([100]);
    expect(trainedLengths([100, 600, 3000], 512, 'truncate')).toEqual([100, 512, 512]);
    expect(trainedLengths([100, 600, 3000], undefined, 'skip')).toEqual([100, 600]);
    expect(trainedLengths([100, 600, 3000], undefined, 'truncate')).toEqual([100, 600, 2048]);
  });

  it('needs the max length’s window, or the longest example’s (at most 2048), and rows that hold the longest', () => {
    expect(windowNeeds(1024, 300)).toEqual({ needed: 1024, rowMin: 512 });
    expect(windowNeeds(undefined, 300)).toEqual({ needed: 512, rowMin: 512 });
    expect(windowNeeds(undefined, 5000)).toEqual({ needed: 2048, rowMin: 2048 });
    expect(windowNeeds(4096, 5000)).toEqual({ needed: 4096, rowMin: 4096 });
  });
});

describe('the window a run plans', () => {
  const short = Array.from({ length: 400 }, (_v, i) => 200 + (i % 50)); // ≤ 249 tokens each

  it('on the CPU keeps the data’s window, in rows when the examples are shorter than it', () => {
    const { needed, rowMin } = windowNeeds(1024, 249);
    expect(planWindow({ lora, lengths: short, needed, rowMin, gpuBudget: null, batchTokens: 4096 })).toEqual({
      windowSize: 1024,
      rowSize: 256,
    });
    const long = Array.from({ length: 40 }, () => 1000);
    const n = windowNeeds(1024, 1000);
    expect(planWindow({ lora, lengths: long, ...n, gpuBudget: null, batchTokens: 4096 })).toEqual({
      windowSize: 1024,
      rowSize: 1024,
    });
  });

  it('on a GPU grows to the step’s tokens (at most 2048) with the examples in rows, when it fits', () => {
    const { needed, rowMin } = windowNeeds(512, 249);
    const big = planWindow({ lora, lengths: short, needed, rowMin, gpuBudget: 70 * gib, batchTokens: 4096 });
    expect(big).toEqual({ windowSize: 2048, rowSize: 256 });
    // the step's tokens cap it
    expect(planWindow({ lora, lengths: short, needed, rowMin, gpuBudget: 70 * gib, batchTokens: 1024 })).toEqual({
      windowSize: 1024,
      rowSize: 256,
    });
    // and LATHE_GPU_MAX_WINDOW
    process.env.LATHE_GPU_MAX_WINDOW = '512';
    expect(planWindow({ lora, lengths: short, needed, rowMin, gpuBudget: 70 * gib, batchTokens: 4096 })).toEqual({
      windowSize: 512,
      rowSize: 256,
    });
  });

  it('on a GPU stops at the largest window that fits the budget, and is null when none does', () => {
    const { needed, rowMin } = windowNeeds(512, 249);
    const at = (windowSize: number, rowSize: number) =>
      estimateTrainingMemory({ ...lora, windowSize, rowSize, offload: true }).device.total;
    // a budget between the 1024 and 1280 windows' needs
    const budget = (at(1024, 256) + at(1280, 256)) / 2;
    expect(planWindow({ lora, lengths: short, needed, rowMin, gpuBudget: budget, batchTokens: 4096 })).toEqual({
      windowSize: 1024,
      rowSize: 256,
    });
    expect(planWindow({ lora, lengths: short, needed, rowMin, gpuBudget: at(512, 256) - 1, batchTokens: 4096 })).toBe(
      null,
    );
  });
});
