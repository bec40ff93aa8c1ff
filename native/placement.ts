/**
 * What "no CPU fallback" means for a training graph (`TrainingSession.nodePlacement()`), shared by
 * the placement test and the GPU check (bench/gpuCheck.ts).
 */
import type { NodePlacement, PlacedOp } from './index.js';

/**
 * Nodes allowed on the CPU when every layer is offloaded: only the token-embedding lookup.
 * llama.cpp keeps `token_embd.weight` in host memory by design (its "input layer" is always the
 * CPU's, whatever `gpuLayers` says) and ggml's CUDA backend never takes a GET_ROWS from a host
 * weight, so the lookup of the window's tokens runs on the CPU and only its result (n_embd ×
 * tokens floats) goes to the GPU. The embeddings are frozen, so nothing flows back through it.
 */
export function isInputEmbeddingLookup(op: PlacedOp): boolean {
  return op.op === 'GET_ROWS' && op.src0 === 'token_embd.weight';
}

/** The kernel-running nodes that fell back to the CPU (or to no backend) other than the allowed ones. */
export function cpuFallbacks(placement: NodePlacement): PlacedOp[] {
  return placement.cpuOps.filter((op) => !isInputEmbeddingLookup(op));
}

/** `OP(src0 type)` → count, for reports. */
export function summarizeOps(ops: readonly PlacedOp[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const op of ops) {
    const key = `${op.op}(${op.src0Type ?? '-'})`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
