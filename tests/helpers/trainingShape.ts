import type { TrainingShape } from '../../src/main/core/training/memoryEstimate';

/**
 * A llama-like training shape of L layers, width E, FFN F and vocabulary V, every matrix of ggml
 * type `type` (0 = F32, 1 = F16), with `nHeadKv` of `nHead` heads for K and V (grouped-query).
 */
export function llamaTrainingShape(
  L: number,
  E: number,
  F: number,
  V: number,
  { nHead = 8, nHeadKv = nHead, type = 0 }: { nHead?: number; nHeadKv?: number; type?: number } = {},
): TrainingShape {
  const kv = (E * nHeadKv) / nHead;
  const tensors = [
    { name: 'token_embd.weight', type, dims: [E, V] },
    { name: 'output.weight', type, dims: [E, V] },
  ];
  for (let l = 0; l < L; l++) {
    for (const [n, d] of [
      ['attn_q', [E, E]],
      ['attn_k', [E, kv]],
      ['attn_v', [E, kv]],
      ['attn_output', [E, E]],
      ['ffn_gate', [E, F]],
      ['ffn_up', [E, F]],
      ['ffn_down', [F, E]],
    ] as const)
      tensors.push({ name: `blk.${l}.${n}.weight`, type, dims: [...d] });
  }
  return { nLayer: L, nEmbd: E, nHead, nHeadKv, nFf: F, nVocab: V, tensors };
}
