import { describe, expect, it } from 'vitest';
import { threadPlan } from '../../src/main/core/inference/threadPlan';

describe('threadPlan', () => {
  it('gives prompts every math core and generation one fewer, at least one', () => {
    expect(threadPlan(2, {})).toEqual({ batch: 2, generation: 1 });
    expect(threadPlan(8, {})).toEqual({ batch: 8, generation: 7 });
    expect(threadPlan(1, {})).toEqual({ batch: 1, generation: 1 });
  });
  it('follows the settings, generation never above the batch threads', () => {
    expect(threadPlan(8, { threads: 4 })).toEqual({ batch: 4, generation: 3 });
    expect(threadPlan(8, { generationThreads: 2 })).toEqual({ batch: 8, generation: 2 });
    expect(threadPlan(8, { threads: 2, generationThreads: 6 })).toEqual({ batch: 2, generation: 2 });
    expect(threadPlan(2, { generationThreads: 0 })).toEqual({ batch: 2, generation: 1 });
  });
});
