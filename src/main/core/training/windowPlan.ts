/**
 * The window a run trains with and its rows, from the examples' token lengths: one function for
 * the run (runTraining's planDevice, with the lengths it tokenized) and for the estimate before
 * it (TrainingService.estimate, with a dataset's cached token counts), so the two agree.
 */
import { largestFittingPlan, type MemoryPlanInput } from './memoryEstimate';
import { rankRowSizes } from './rowPlan';
import { windowSizeFor } from './schedule';

/**
 * Largest window a GPU run may grow to (more packed examples per pass; attention grows
 * quadratically). `LATHE_GPU_MAX_WINDOW` changes it; 256 keeps the window the data needs.
 */
export function maxGpuWindow(): number {
  const fromEnv = Number(process.env.LATHE_GPU_MAX_WINDOW);
  return Number.isInteger(fromEnv) && fromEnv >= 256 ? fromEnv : 2048;
}

/** The window the data needs, and the shortest row its longest example fits in. */
export function windowNeeds(maxLength: number | undefined, longest: number): { needed: number; rowMin: number } {
  const needed = windowSizeFor(maxLength ?? Math.min(2048, longest));
  // rows must hold the longest example, not the max length the window allows
  return { needed, rowMin: Math.min(needed, windowSizeFor(longest)) };
}

/**
 * The lengths a run would train on, from the examples' full token counts: over the max length
 * (2048 without one) an example is skipped or cut to it, as prepareExamples does.
 */
export function trainedLengths(
  counts: readonly number[],
  maxLength: number | undefined,
  overLength: 'skip' | 'truncate',
): number[] {
  const limit = maxLength ?? 2048;
  return overLength === 'skip' ? counts.filter((n) => n <= limit) : counts.map((n) => Math.min(n, limit));
}

export interface WindowPlanInput {
  lora: Omit<MemoryPlanInput, 'windowSize' | 'offload' | 'rowSize'>;
  /** Token lengths of the training examples (for the rows' packing). */
  lengths: readonly number[];
  /** The window the data needs, and the shortest row allowed (windowNeeds). */
  needed: number;
  rowMin: number;
  /** Device bytes a GPU run may use, weights included; null on the CPU. */
  gpuBudget: number | null;
  /** Tokens per optimizer step: a GPU window grows at most to this. */
  batchTokens: number;
}

/**
 * On a GPU the window grows (up to the tokens of one optimizer step and maxGpuWindow) to the
 * largest whose estimate fits the budget, each window in the rows that make one pass over the data
 * cheapest (rowPlan.ts); null when not even the data's own window fits. The CPU keeps the data's
 * own window; rows still pay when the max length leaves it longer than the examples (and they only
 * lower the memory needed).
 */
export function planWindow(input: WindowPlanInput): { windowSize: number; rowSize: number } | null {
  const { lora, lengths, needed, rowMin } = input;
  if (input.gpuBudget === null) {
    return { windowSize: needed, rowSize: rankRowSizes(lengths, needed, rowMin, lora.shape)[0]?.rowSize ?? needed };
  }
  const cap = Math.min(maxGpuWindow(), Math.max(needed, Math.floor(input.batchTokens / 256) * 256));
  const packed = new Map<string, number>(); // each packing once, whatever windows ask for it
  const rowSizes = (w: number) => rankRowSizes(lengths, w, rowMin, lora.shape, packed).map((c) => c.rowSize);
  return largestFittingPlan(lora, needed, cap, input.gpuBudget, rowSizes);
}
