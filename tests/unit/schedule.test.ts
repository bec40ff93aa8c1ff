import { describe, expect, it } from 'vitest';
import { learningRateAt, windowSizeFor, windowsPerStep } from '../../src/main/core/training/schedule';

const base = { learningRate: 2e-4, warmupRatio: 0.1, schedule: 'cosine' as const };

describe('learning-rate schedule', () => {
  it('warms up linearly, peaks, then decays along a cosine to zero', () => {
    const total = 100;
    const lrs = Array.from({ length: total + 1 }, (_v, s) => learningRateAt(s, total, base));
    expect(lrs[0]).toBeCloseTo(2e-4 / 11);
    for (let s = 1; s < 10; s++) expect(lrs[s]!).toBeGreaterThan(lrs[s - 1]!);
    expect(lrs[10]).toBeCloseTo(2e-4);
    expect(lrs[55]).toBeCloseTo(1e-4, 6); // halfway through the decay
    for (let s = 11; s <= total; s++) expect(lrs[s]!).toBeLessThanOrEqual(lrs[s - 1]!);
    expect(lrs[total]).toBeCloseTo(0);
  });

  it('supports linear and constant schedules', () => {
    expect(learningRateAt(55, 100, { ...base, schedule: 'linear' })).toBeCloseTo(1e-4, 6);
    expect(learningRateAt(99, 100, { ...base, schedule: 'constant' })).toBe(2e-4);
  });

  it('sizes windows and steps', () => {
    expect(windowSizeFor(10)).toBe(256);
    expect(windowSizeFor(257)).toBe(512);
    expect(windowSizeFor(2048)).toBe(2048);
    expect(windowsPerStep(8192, 512)).toBe(16);
    expect(windowsPerStep(100, 2048)).toBe(1);
  });
});
