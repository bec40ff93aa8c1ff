/**
 * How much memory a LoRA training run needs, before it starts: base weights + the frozen weights'
 * transposes + adapter + gradient accumulators + AdamW state + KV cache + activations, split
 * between the device that trains (a GPU when layers are offloaded: everything but the token
 * embeddings, AdamW included) and the host.
 *
 * Everything but the activations is exact arithmetic on the GGUF's tensors. The activations (the
 * scheduler's compute buffers of the forward + backward graph, which ggml-alloc packs by liveness)
 * are a fit: 36 measurements of `TrainingSession.memory().compute` after a training window, on
 * llama shapes of 1–24 layers, width 64–256, FFN 128–1024, 2–8 heads, vocabularies 512–4096 and
 * windows of 256–1024 tokens, all fall within −6 %…+7 % of
 *
 *   4 bytes × (L·W·(9.0·E + 2.6·F + 1.0·H·W) + 1.05·H·W² + 3.85·W·V)
 *
 * (L layers, W window tokens, E width, F FFN width, H heads, V vocabulary): per layer the kept
 * forward activations and the attention probabilities, plus one layer's backward temporaries and
 * the logits with their softmax and gradient. The width term was 7.9·E until patch 0008 made
 * contiguous copies of Q and K for the attention product; re-measured then on five shapes (up to
 * 30 layers, width 576, vocabulary 49,152), the fit is within −2 %…+2 %. The estimate adds 10 % on top. The integration test
 * `memoryEstimate.test.ts` checks it against the addon's own accounting on shapes outside the fit.
 */

import type { TrainingMemoryParts } from '../../../shared/domain';

/** ggml type ids (GGUF `ggmlType`) → [bytes per block, elements per block]. */
const typeSizes: Record<number, readonly [number, number]> = {
  0: [4, 1], // F32
  1: [2, 1], // F16
  2: [18, 32], // Q4_0
  3: [20, 32], // Q4_1
  6: [22, 32], // Q5_0
  7: [24, 32], // Q5_1
  8: [34, 32], // Q8_0
  10: [84, 256], // Q2_K
  11: [110, 256], // Q3_K
  12: [144, 256], // Q4_K
  13: [176, 256], // Q5_K
  14: [210, 256], // Q6_K
  30: [2, 1], // BF16
};
const F32 = 0;
const F16 = 1;
const Q8_0 = 8;
const BF16 = 30;

export interface ModelTensor {
  name: string;
  /** ggml type id as in the GGUF. */
  type: number;
  /** ne0 (row length), ne1, … */
  dims: readonly number[];
  /** Bytes in the file; used for types the table above does not know. */
  fileBytes?: number;
}

export interface TrainingShape {
  nLayer: number;
  nEmbd: number;
  nHead: number;
  nHeadKv: number;
  nFf: number;
  nVocab: number;
  tensors: readonly ModelTensor[];
}

export interface MemoryPlanInput {
  shape: TrainingShape;
  rank: number;
  targets: readonly string[];
  windowSize: number;
  /** Tokens per row when the window is several rows attended to one by one; default the whole window. */
  rowSize?: number;
  /** Every layer on a GPU (the trainer's GPU mode) or everything on the CPU. */
  offload: boolean;
}

/** Bytes, by what holds them (the contract's type: runs report their estimate as it is). */
export type MemoryParts = TrainingMemoryParts;

export interface MemoryEstimate {
  /** Where the training graph runs: the GPU when offloaded, else the host. */
  device: MemoryParts;
  /** What stays in host memory when training on a GPU (the token embeddings); zeros otherwise. */
  host: MemoryParts;
}

const elements = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

export function tensorBytes(t: ModelTensor): number {
  const size = typeSizes[t.type];
  if (!size) return t.fileBytes ?? elements(t.dims);
  return Math.ceil(elements(t.dims) / size[1]) * size[0];
}

/** A frozen weight's transpose keeps F32/F16/BF16/Q8_0; other types become Q8_0 (F16 when rows are not a multiple of 32). */
function transposeBytes(t: ModelTensor): number {
  if ([F32, F16, BF16, Q8_0].includes(t.type)) return tensorBytes(t);
  const rows = t.dims[1] ?? 1;
  return rows % 32 === 0 ? tensorBytes({ ...t, type: Q8_0 }) : tensorBytes({ ...t, type: F16 });
}

const moduleTensor: Record<string, string> = {
  q: 'attn_q',
  k: 'attn_k',
  v: 'attn_v',
  o: 'attn_output',
  gate: 'ffn_gate',
  up: 'ffn_up',
  down: 'ffn_down',
};

/**
 * Activations of one training window (forward + backward), bytes, without margin. A window of rows
 * (`rowSize` < `windowSize`, TrainingSession's `rows`) attends row by row: its attention terms are
 * W·S instead of W².
 */
export function activationBytes(
  shape: Omit<TrainingShape, 'tensors'>,
  windowSize: number,
  rowSize: number = windowSize,
): number {
  const { nLayer: L, nEmbd: E, nFf: F, nHead: H, nVocab: V } = shape;
  const W = windowSize;
  const S = Math.min(rowSize, W);
  return 4 * (L * W * (9.0 * E + 2.6 * F + 1.0 * H * S) + 1.05 * H * W * S + 3.85 * W * V);
}

const margin = 1.1;

/** Share of a GPU's free memory a run may plan to use (the driver and other programs need some). */
export const gpuMemoryShare = 0.9;
/** Share of the host's RAM a run may need before the system would kill it. */
export const hostMemoryShare = 0.95;

export function estimateTrainingMemory(input: MemoryPlanInput): MemoryEstimate {
  const { shape, rank, targets, windowSize: W, offload } = input;
  const byName = new Map(shape.tensors.map((t) => [t.name, t]));
  const embd = byName.get('token_embd.weight');
  const output = byName.get('output.weight');
  let weights = 0;
  for (const t of shape.tensors) weights += tensorBytes(t);
  // llama.cpp keeps the token embeddings on the host; a model that ties its output to them gets a
  // copy of them on the GPU as its output layer.
  const embdBytes = embd ? tensorBytes(embd) : 0;
  const deviceWeights = offload ? weights - embdBytes + (output ? 0 : embdBytes) : weights;

  let transposes = 0;
  let adapterFloats = 0;
  for (let il = 0; il < shape.nLayer; il++) {
    for (const [module, tensor] of Object.entries(moduleTensor)) {
      const t = byName.get(`blk.${il}.${tensor}.weight`);
      if (!t) continue;
      // The backward pass needs no gradient below layer 0's attention inputs (the embeddings are frozen).
      if (!(il === 0 && ['q', 'k', 'v'].includes(module))) transposes += transposeBytes(t);
      if (targets.includes(module)) adapterFloats += rank * ((t.dims[0] ?? 0) + (t.dims[1] ?? 0));
    }
  }
  const outputWeight = output ?? embd;
  if (outputWeight) transposes += transposeBytes(outputWeight);
  const adapter = adapterFloats * 4;
  const headDim = shape.nEmbd / shape.nHead;
  const kvCache = 2 * shape.nLayer * W * headDim * shape.nHeadKv * 4;
  const activations = Math.round(activationBytes(shape, W, input.rowSize ?? W) * margin);
  // The gradient sum and AdamW's two moments: on the host for a CPU run; on a GPU beside the
  // adapter (native/src/DeviceOptimizer.h), plus a work buffer as large as the largest LoRA tensor.
  const optimizer = 3 * adapter;
  const largestLora =
    4 * rank * Math.max(0, ...shape.tensors.filter((t) => t.dims.length === 2).map((t) => Math.max(...t.dims)));

  const part = (p: Omit<MemoryParts, 'total'>): MemoryParts => ({
    ...p,
    total: p.weights + p.transposes + p.adapter + p.gradients + p.optimizer + p.kvCache + p.activations,
  });
  const zero = { weights: 0, transposes: 0, adapter: 0, gradients: 0, optimizer: 0, kvCache: 0, activations: 0 };
  if (!offload) {
    return {
      device: part({ weights, transposes, adapter, gradients: adapter, optimizer, kvCache, activations }),
      host: part(zero),
    };
  }
  return {
    device: part({
      weights: deviceWeights,
      transposes,
      adapter,
      gradients: adapter,
      optimizer: optimizer + largestLora,
      kvCache,
      activations,
    }),
    host: part({ ...zero, weights: embdBytes }),
  };
}

/**
 * The window for a GPU run: the largest multiple of 256 from `needed` up to `cap` whose estimate
 * fits in `budget` bytes of device memory (more examples packed per pass keep a GPU busy; memory
 * and attention grow with it). Null when even `needed` does not fit.
 */
export function largestFittingWindow(
  input: Omit<MemoryPlanInput, 'windowSize' | 'offload'>,
  needed: number,
  cap: number,
  budget: number,
): number | null {
  return largestFittingPlan(input, needed, cap, budget, (w) => [w])?.windowSize ?? null;
}

/**
 * As largestFittingWindow, for windows split into rows: `rowSizes(w)` lists the row sizes window
 * `w` may use, preferred first; a window fits with the first of them whose estimate fits.
 */
export function largestFittingPlan(
  input: Omit<MemoryPlanInput, 'windowSize' | 'offload' | 'rowSize'>,
  needed: number,
  cap: number,
  budget: number,
  rowSizes: (windowSize: number) => readonly number[],
): { windowSize: number; rowSize: number } | null {
  let best: { windowSize: number; rowSize: number } | null = null;
  for (let w = needed; w <= Math.max(needed, cap); w += 256) {
    const rowSize = rowSizes(w).find(
      (s) => estimateTrainingMemory({ ...input, windowSize: w, rowSize: s, offload: true }).device.total <= budget,
    );
    if (rowSize === undefined) break;
    best = { windowSize: w, rowSize };
  }
  return best;
}

/** Reads the shape the estimate needs from a GGUF's metadata and tensor list (node-llama-cpp's reader). */
export function trainingShapeFromGguf(info: {
  architectureMetadata?: unknown;
  fullTensorInfo?: readonly { name: string; dimensions: readonly (number | bigint)[]; ggmlType: number }[];
}): TrainingShape {
  const arch = (info.architectureMetadata ?? {}) as {
    block_count?: number;
    embedding_length?: number;
    feed_forward_length?: number | number[];
    attention?: { head_count?: number | number[]; head_count_kv?: number | number[] };
  };
  const first = (v: number | number[] | undefined, fallback: number) =>
    Array.isArray(v) ? (v[0] ?? fallback) : (v ?? fallback);
  const tensors: ModelTensor[] = (info.fullTensorInfo ?? []).map((t) => ({
    name: t.name,
    type: t.ggmlType,
    dims: t.dimensions.map(Number),
  }));
  const embd = tensors.find((t) => t.name === 'token_embd.weight');
  const nEmbd = arch.embedding_length ?? embd?.dims[0] ?? 0;
  const nHead = first(arch.attention?.head_count, 1);
  return {
    nLayer: arch.block_count ?? 0,
    nEmbd,
    nHead,
    nHeadKv: first(arch.attention?.head_count_kv, nHead),
    nFf: first(arch.feed_forward_length, 4 * nEmbd),
    nVocab: embd?.dims[1] ?? 0,
    tensors,
  };
}
