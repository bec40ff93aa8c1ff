import { describe, expect, it } from 'vitest';
import { GenerationThreadTuner, threadPlan } from '../../src/main/core/inference/threadPlan';

describe('threadPlan', () => {
  it('gives prompts every math core, and tunes generation between all of them and one fewer', () => {
    expect(threadPlan(2, {})).toEqual({ batch: 2, generation: null, candidates: [1, 2] });
    expect(threadPlan(8, {})).toEqual({ batch: 8, generation: null, candidates: [7, 8] });
    expect(threadPlan(1, {})).toEqual({ batch: 1, generation: 1, candidates: [1] });
  });
  it('follows the settings; a fixed generation count is never above the batch threads', () => {
    expect(threadPlan(8, { threads: 4 })).toEqual({ batch: 4, generation: null, candidates: [3, 4] });
    expect(threadPlan(8, { generationThreads: 2 })).toEqual({ batch: 8, generation: 2, candidates: [2] });
    expect(threadPlan(8, { threads: 2, generationThreads: 6 })).toEqual({ batch: 2, generation: 2, candidates: [2] });
    expect(threadPlan(2, { generationThreads: 0 })).toEqual({ batch: 2, generation: 1, candidates: [1] });
  });
});

describe('GenerationThreadTuner', () => {
  it('skips the warmup, alternates the candidates, then keeps the one with the lower median', () => {
    const tuner = new GenerationThreadTuner([1, 2], { samples: 3, warmup: 2 });
    const ms = { 1: [10, 11, 50], 2: [20, 21, 19] } as Record<number, number[]>;
    const asked: number[] = [];
    for (let i = 0; i < 2; i++) {
      const t = tuner.next();
      asked.push(t);
      expect(tuner.record(t, 1000)).toBeNull(); // warmup: not counted
    }
    let chosen: number | null = null;
    while (chosen === null) {
      const t = tuner.next();
      asked.push(t);
      chosen = tuner.record(t, (ms[t] as number[]).shift() as number);
    }
    expect(asked).toEqual([1, 1, 1, 2, 1, 2, 1, 2]);
    // an outlier (50 ms) does not hide that 1 thread is faster
    expect(chosen).toBe(1);
    expect(tuner.chosen).toBe(1);
    expect(tuner.next()).toBe(1);
    expect(tuner.record(1, 5)).toBeNull();
  });
  it('has nothing to tune with one candidate', () => {
    const tuner = new GenerationThreadTuner([3]);
    expect(tuner.chosen).toBe(3);
    expect(tuner.next()).toBe(3);
  });
});
