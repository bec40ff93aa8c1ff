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
  /** Most examples in one window (each takes a sequence id). Default 64. */
  maxExamplesPerWindow?: number;
  /** Token used for padding; it is never attended to by real tokens nor given a label. */
  padToken: number;
}

/**
 * Packs examples into windows with best-fit decreasing, so short chats do not waste compute on
 * padding. Every example must fit in one window (longer ones are skipped or truncated upstream).
 * Labels: position t predicts token t+1 of the same example when token t+1 is an answer token.
 */
export function packWindows(examples: readonly TokenizedExample[], options: PackOptions): TrainingWindow[] {
  const { windowSize, padToken } = options;
  const maxPer = options.maxExamplesPerWindow ?? 64;
  const order = examples.map((e, i) => ({ i, length: e.tokens.length }));
  order.sort((a, b) => b.length - a.length || a.i - b.i);

  interface Bin {
    members: number[];
    free: number;
  }
  const bins: Bin[] = [];
  // byFree[c] = bins with exactly c free tokens that still accept examples.
  const byFree: Bin[][] = Array.from({ length: windowSize + 1 }, () => []);
  for (const { i, length } of order) {
    if (length > windowSize)
      throw new Error(`Example ${i} (${length} tokens) does not fit a ${windowSize}-token window.`);
    if (length === 0) continue;
    let bin: Bin | undefined;
    for (let c = length; c <= windowSize && !bin; c++) {
      const list = byFree[c]!;
      if (list.length > 0) bin = list.pop();
    }
    if (!bin) {
      bin = { members: [], free: windowSize };
      bins.push(bin);
    }
    bin.members.push(i);
    bin.free -= length;
    if (bin.members.length < maxPer && bin.free > 0) byFree[bin.free]!.push(bin);
  }
  return bins.map((bin) => buildWindow(bin.members, examples, windowSize, padToken));
}

function buildWindow(
  members: number[],
  examples: readonly TokenizedExample[],
  windowSize: number,
  padToken: number,
): TrainingWindow {
  const tokens = new Int32Array(windowSize).fill(padToken);
  const labels = new Int32Array(windowSize).fill(-1);
  const seqIds = new Int32Array(windowSize).fill(members.length); // padding gets its own sequence
  const positions = new Int32Array(windowSize);
  let at = 0;
  let labelled = 0;
  members.forEach((index, seq) => {
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
  });
  for (let k = at; k < windowSize; k++) positions[k] = k - at;
  return { tokens, labels, seqIds, positions, examples: members, labelled, filled: at };
}

/** Share of processed positions that carry a real token, 0..1. */
export function fillRatio(windows: readonly TrainingWindow[]): number {
  const total = windows.reduce((s, w) => s + w.tokens.length, 0);
  return total === 0 ? 0 : windows.reduce((s, w) => s + w.filled, 0) / total;
}
