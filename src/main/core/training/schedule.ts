import type { Hyperparams } from '../../../shared/domain';

/**
 * Learning rate for optimizer step `step` (0-based) of `total`: linear warmup from 0 over
 * `warmupRatio` of the steps, then constant, linear or cosine decay to 0 at the last step.
 */
export function learningRateAt(
  step: number,
  total: number,
  params: Pick<Hyperparams, 'learningRate' | 'warmupRatio' | 'schedule'>,
): number {
  const peak = params.learningRate;
  const warmup = Math.floor(total * params.warmupRatio);
  if (step < warmup) return (peak * (step + 1)) / (warmup + 1);
  if (params.schedule === 'constant') return peak;
  const span = Math.max(1, total - warmup);
  const progress = Math.min(1, (step - warmup) / span);
  if (params.schedule === 'linear') return peak * (1 - progress);
  return peak * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/** Windows per optimizer step for a token budget: at least one. */
export function windowsPerStep(batchTokens: number, windowSize: number): number {
  return Math.max(1, Math.round(batchTokens / windowSize));
}

/** The smallest window (a multiple of 256, llama.cpp's context granularity) that holds `maxLength`. */
export function windowSizeFor(maxLength: number): number {
  return Math.max(256, Math.ceil(maxLength / 256) * 256);
}
