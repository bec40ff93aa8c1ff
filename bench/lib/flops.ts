import type { LlamaShape } from '../../tests/helpers/gguf/randomLlama.js';

export interface FlopCount {
  /** Weights of the frozen matrix multiplies: 7 projections per layer plus the LM head. */
  baseMatmulParams: number;
  /** LoRA A and B of the 7 projections of every layer. */
  loraParams: number;
  /** 4 · base: forward (2N) and backward through the activations (2N); no weight gradient. */
  baseFlops: number;
  /** 6 · LoRA: forward, backward through the activations, and the weight gradients. */
  loraFlops: number;
  /** 12 · layers · window · n_head · head_dim: QKᵀ and AV forward (4·T·d) and backward (8·T·d). */
  attentionFlops: number;
  /** Per useful token. */
  total: number;
}

/**
 * FLOPs per trained token of LoRA training, the usual model-FLOPs count (as in PaLM's MFU, with
 * the frozen weights' gradient left out): forward 2N plus backward through the activations 2N for
 * the frozen matrices, 6 per LoRA parameter, plus attention over the full window (no causal
 * discount; both implementations compute the full T×T products). Embedding lookups, norms, RoPE,
 * softmax and the optimizer are not counted.
 */
export function loraFlopsPerToken(s: LlamaShape, rank: number, window: number): FlopCount {
  const headDim = s.nEmbd / s.nHead;
  const q = s.nHead * headDim;
  const kv = s.nHeadKv * headDim;
  // [n_in, n_out] of q, k, v, o, gate, up, down
  const mats: [number, number][] = [
    [s.nEmbd, q],
    [s.nEmbd, kv],
    [s.nEmbd, kv],
    [q, s.nEmbd],
    [s.nEmbd, s.nFf],
    [s.nEmbd, s.nFf],
    [s.nFf, s.nEmbd],
  ];
  const baseMatmulParams = s.nLayer * mats.reduce((a, [i, o]) => a + i * o, 0) + s.nEmbd * s.nVocab;
  const loraParams = s.nLayer * mats.reduce((a, [i, o]) => a + rank * (i + o), 0);
  const baseFlops = 4 * baseMatmulParams;
  const loraFlops = 6 * loraParams;
  const attentionFlops = 12 * s.nLayer * window * q;
  return {
    baseMatmulParams,
    loraParams,
    baseFlops,
    loraFlops,
    attentionFlops,
    total: baseFlops + loraFlops + attentionFlops,
  };
}
