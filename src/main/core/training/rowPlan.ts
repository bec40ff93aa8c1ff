/**
 * How a GPU run splits its window into rows (TrainingSession's `rows`, packWindows' `rowSize`).
 * Attention over a window of W tokens in rows of S costs W·S instead of W², in time and in kept
 * activations; but examples cannot cross rows, so shorter rows may pack the data less tightly and
 * need more windows. The plan takes the row size with the least estimated compute for the whole
 * dataset: windows × W × (cost of one token with S tokens of attention).
 */
import { examplesPerRow, packRows } from './packWindows';
import type { TrainingShape } from './memoryEstimate';

/**
 * Attention's compute per score relative to a GEMM's: it runs at a fraction of the matrix units'
 * speed (scores, softmax and their gradients are memory-bound in F32). Fitted from measured steps:
 * ≈ 2.5 on this project's 2-core CPU (SmolLM2-135M shape, window 1024, 1 against 4 rows), ≈ 2.6 on
 * an H100 and ≈ 2.1 on an H200 (1B shape, F16: windows of 512 and 2048, and 2048 in rows of 512;
 * bench/results/gpu.md). An H100 run before patches 0008–0011 gave ≈ 6.5.
 */
export const attentionWeight = 2.5;

/** Relative compute of one training token whose attention spans `rowSize` tokens. */
export function tokenCost(shape: TrainingShape, rowSize: number): number {
  // 2 FLOPs per weight forward (the backward's input gradients double it, which scales both terms alike)
  let weights = 0;
  for (const t of shape.tensors) {
    if (t.dims.length >= 2 && t.name !== 'token_embd.weight') weights += t.dims.reduce((a, b) => a * b, 1);
  }
  // Q·Kᵀ and P·V: 2·S·E FLOPs each per token per layer
  const attention = 4 * rowSize * shape.nEmbd * shape.nLayer;
  return 2 * weights + attentionWeight * attention;
}

/** Row sizes a window can use: multiples of 256 that divide it and hold the longest example. */
export function rowSizeCandidates(windowSize: number, longest: number): number[] {
  const out: number[] = [];
  for (let s = 256; s <= windowSize; s += 256) if (windowSize % s === 0 && s >= longest) out.push(s);
  return out;
}

export interface RowChoice {
  rowSize: number;
  /** Windows one pass over the lengths needs. */
  windows: number;
  /** Estimated relative compute of that pass. */
  cost: number;
}

/**
 * The row sizes for `windowSize` that hold `minRow` tokens (the data's own window: every example,
 * the evaluation split's too), cheapest first for examples of `lengths` tokens (the training split).
 * `packed` keeps each packing's row count, by row size and examples per row, for the next window
 * size asked about (the same lengths).
 */
export function rankRowSizes(
  lengths: readonly number[],
  windowSize: number,
  minRow: number,
  shape: TrainingShape,
  packed: Map<string, number> = new Map(),
): RowChoice[] {
  return rowSizeCandidates(windowSize, minRow)
    .map((rowSize) => {
      const rows = windowSize / rowSize;
      const perRow = examplesPerRow(rows);
      const key = `${rowSize}/${perRow}`;
      let rowCount = packed.get(key);
      if (rowCount === undefined) {
        rowCount = packRows(lengths, rowSize, perRow).length;
        packed.set(key, rowCount);
      }
      const windows = Math.ceil(rowCount / rows);
      return { rowSize, windows, cost: windows * windowSize * tokenCost(shape, rowSize) };
    })
    .sort((a, b) => a.cost - b.cost || b.rowSize - a.rowSize);
}
