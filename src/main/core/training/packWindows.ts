import type { TokenizedExample } from './tokenizeExample';

/** One fixed-size training window holding one or more whole examples. */
export interface TrainingWindow {
  /** Input tokens, `windowSize` long (padding at the end). */
  tokens: Int32Array;
  /** Next-token target per position, or -1 where there is no label (prompt, last token, padding). */
  labels: Int32Array;
  /** Sequence id per position: each example its own (attention never crosses examples). */
  seqIds: Int32Array;
  /** Position per token, restarting at 0 for every example. */
  positions: Int32Array;
  /** Indexes (into the input list) of the examples packed here. */
  examples: number[];
  /** Positions with a label. */
  labelled: number;
  /** Positions holding real tokens (not padding). */
  filled: number;
}

export interface PackOptions {
  windowSize: number;
  /**
   * Tokens per row (default: the whole window). A window of several rows is attended to row by
   * row (TrainingSession's `rows` = windowSize / rowSize), so no example crosses a row: examples
   * are packed into rows, and rows into windows. Must divide `windowSize`.
   */
  rowSize?: number;
  /** Most examples in one window (each takes a sequence id). Default 64. */
  maxExamplesPerWindow?: number;
  /** Token used for padding; it is never attended to by real tokens nor given a label. */
  padToken: number;
}

/**
 * Packs examples into windows with best-fit decreasing, so short chats do not waste compute on
 * padding. Every example must fit in one row (longer ones are skipped or truncated upstream).
 * Labels: position t predicts token t+1 of the same example when token t+1 is an answer token.
 */
export function packWindows(examples: readonly TokenizedExample[], options: PackOptions): TrainingWindow[] {
  const { windowSize, padToken } = options;
  const rowSize = options.rowSize ?? windowSize;
  if (!Number.isInteger(rowSize) || rowSize <= 0 || windowSize % rowSize !== 0)
    throw new Error(`Rows of ${rowSize} tokens do not divide a ${windowSize}-token window.`);
  const rowsPerWindow = windowSize / rowSize;
  const maxPer = examplesPerRow(rowsPerWindow, options.maxExamplesPerWindow);
  const lengths = examples.map((e) => e.tokens.length);
  lengths.forEach((length, i) => {
    if (length > rowSize)
      throw new Error(
        `Example ${i} (${length} tokens) does not fit a ${rowSize}-token ${rowsPerWindow > 1 ? 'row' : 'window'}.`,
      );
  });
  const bins = packRows(lengths, rowSize, maxPer);
  const windows: TrainingWindow[] = [];
  for (let b = 0; b < bins.length; b += rowsPerWindow) {
    const rows = bins.slice(b, b + rowsPerWindow);
    windows.push(buildWindow(rows, examples, windowSize, rowSize, padToken));
  }
  return windows;
}

/** Most examples in one row of a window of `rowsPerWindow` rows (each row's padding takes a sequence id too). */
export function examplesPerRow(rowsPerWindow: number, perWindow = 64): number {
  return Math.max(1, Math.floor(perWindow / rowsPerWindow));
}

/**
 * Best-fit decreasing: the indexes of the examples in each row of `rowSize` tokens, at most
 * `maxPerRow` per row; empty examples are left out. Every length must be at most `rowSize`.
 */
export function packRows(lengths: readonly number[], rowSize: number, maxPerRow: number): number[][] {
  const order = lengths.map((length, i) => ({ i, length }));
  order.sort((a, b) => b.length - a.length || a.i - b.i);
  interface Bin {
    members: number[];
    free: number;
  }
  const bins: Bin[] = [];
  // byFree[c] = bins with exactly c free tokens that still accept examples.
  const byFree: Bin[][] = Array.from({ length: rowSize + 1 }, () => []);
  for (const { i, length } of order) {
    if (length > rowSize) throw new Error(`Example ${i} (${length} tokens) does not fit a ${rowSize}-token row.`);
    if (length === 0) continue;
    let bin: Bin | undefined;
    for (let c = length; c <= rowSize && !bin; c++) {
      const list = byFree[c]!;
      if (list.length > 0) bin = list.pop();
    }
    if (!bin) {
      bin = { members: [], free: rowSize };
      bins.push(bin);
    }
    bin.members.push(i);
    bin.free -= length;
    if (bin.members.length < maxPerRow && bin.free > 0) byFree[bin.free]!.push(bin);
  }
  return bins.map((bin) => bin.members);
}

/** One window of `rows` (each the examples packed in it; fewer than windowSize/rowSize leaves padding rows). */
function buildWindow(
  rows: number[][],
  examples: readonly TokenizedExample[],
  windowSize: number,
  rowSize: number,
  padToken: number,
): TrainingWindow {
  const tokens = new Int32Array(windowSize).fill(padToken);
  const labels = new Int32Array(windowSize).fill(-1);
  const seqIds = new Int32Array(windowSize);
  const positions = new Int32Array(windowSize);
  const members: number[] = [];
  let seq = 0;
  let labelled = 0;
  let filled = 0;
  for (let r = 0; r < windowSize / rowSize; r++) {
    let at = r * rowSize;
    for (const index of rows[r] ?? []) {
      const { tokens: t, mask } = examples[index]!;
      tokens.set(t, at);
      for (let k = 0; k < t.length; k++) {
        seqIds[at + k] = seq;
        positions[at + k] = k;
        if (k + 1 < t.length && mask[k + 1]) {
          labels[at + k] = t[k + 1]!;
          labelled++;
        }
      }
      at += t.length;
      filled += t.length;
      members.push(index);
      seq++;
    }
    // the row's padding: its own sequence (never attended to by real tokens)
    const rowEnd = (r + 1) * rowSize;
    const padStart = at;
    for (let k = at; k < rowEnd; k++) {
      seqIds[k] = seq;
      positions[k] = k - padStart;
    }
    seq++;
  }
  return { tokens, labels, seqIds, positions, examples: members, labelled, filled };
}

/** Share of processed positions that carry a real token, 0..1. */
export function fillRatio(windows: readonly TrainingWindow[]): number {
  const total = windows.reduce((s, w) => s + w.tokens.length, 0);
  return total === 0 ? 0 : windows.reduce((s, w) => s + w.filled, 0) / total;
}
