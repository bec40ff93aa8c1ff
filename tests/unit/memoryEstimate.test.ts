import { describe, expect, it } from 'vitest';
import {
  estimateTrainingMemory,
  largestFittingWindow,
  tensorBytes,
  type ModelTensor,
  type TrainingShape,
} from '../../src/main/core/training/memoryEstimate';

const F32 = 0;
const Q8_0 = 8;
const Q4_K = 12;

function llama(opts: {
  layers: number;
  embd: number;
  ff: number;
  vocab: number;
  type: number;
  tied?: boolean;
}): TrainingShape {
  const t: ModelTensor[] = [{ name: 'token_embd.weight', type: opts.type, dims: [opts.embd, opts.vocab] }];
  for (let l = 0; l < opts.layers; l++) {
    for (const n of ['attn_q', 'attn_k', 'attn_v', 'attn_output'])
      t.push({ name: `blk.${l}.${n}.weight`, type: opts.type, dims: [opts.embd, opts.embd] });
    t.push({ name: `blk.${l}.ffn_gate.weight`, type: opts.type, dims: [opts.embd, opts.ff] });
    t.push({ name: `blk.${l}.ffn_up.weight`, type: opts.type, dims: [opts.embd, opts.ff] });
    t.push({ name: `blk.${l}.ffn_down.weight`, type: opts.type, dims: [opts.ff, opts.embd] });
    t.push({ name: `blk.${l}.attn_norm.weight`, type: F32, dims: [opts.embd] });
  }
  if (!opts.tied) t.push({ name: 'output.weight', type: opts.type, dims: [opts.embd, opts.vocab] });
  return { nLayer: opts.layers, nEmbd: opts.embd, nHead: 8, nHeadKv: 8, nFf: opts.ff, nVocab: opts.vocab, tensors: t };
}

describe('training memory estimate', () => {
  it('sizes tensors by their ggml block layout', () => {
    expect(tensorBytes({ name: 'a', type: F32, dims: [256, 4] })).toBe(4096);
    expect(tensorBytes({ name: 'a', type: Q8_0, dims: [256, 4] })).toBe(34 * 32);
    expect(tensorBytes({ name: 'a', type: Q4_K, dims: [256, 4] })).toBe(144 * 4);
    expect(tensorBytes({ name: 'a', type: 99, dims: [10], fileBytes: 77 })).toBe(77);
  });

  it('on a GPU keeps the token embeddings on the host, and a tied output on the device', () => {
    const base = { layers: 2, embd: 256, ff: 512, vocab: 1024, type: Q8_0 };
    const embd = tensorBytes({ name: 'e', type: Q8_0, dims: [256, 1024] });
    const untied = estimateTrainingMemory({
      shape: llama(base),
      rank: 8,
      targets: ['q'],
      windowSize: 256,
      offload: true,
    });
    const tied = estimateTrainingMemory({
      shape: llama({ ...base, tied: true }),
      rank: 8,
      targets: ['q'],
      windowSize: 256,
      offload: true,
    });
    expect(untied.host.weights).toBe(embd);
    expect(tied.host.weights).toBe(embd);
    expect(tied.device.weights).toBe(untied.device.weights); // the tied output is the embeddings' copy
    const cpu = estimateTrainingMemory({
      shape: llama(base),
      rank: 8,
      targets: ['q'],
      windowSize: 256,
      offload: false,
    });
    expect(cpu.device.weights).toBe(untied.device.weights + embd);
    expect(cpu.host.total).toBe(0);
    // AdamW runs where the adapter is: on the GPU (with a work buffer of the largest LoRA tensor)
    expect(untied.host.optimizer).toBe(0);
    expect(untied.device.optimizer).toBe(3 * untied.device.adapter + 4 * 8 * 1024);
    expect(cpu.device.optimizer).toBe(3 * cpu.device.adapter);
  });

  it('counts the adapter by rank and target, and turns K-quant transposes into Q8_0', () => {
    const shape = llama({ layers: 3, embd: 256, ff: 512, vocab: 512, type: Q4_K });
    const e = estimateTrainingMemory({ shape, rank: 4, targets: ['q', 'down'], windowSize: 256, offload: true });
    expect(e.device.adapter).toBe(3 * 4 * 4 * (256 + 256 + 512 + 256));
    expect(e.device.gradients).toBe(e.device.adapter);
    // every projection but layer 0's q/k/v, plus the output layer, in Q8_0
    const q8 = (a: number, b: number) => tensorBytes({ name: '', type: Q8_0, dims: [a, b] });
    const perLayer = 4 * q8(256, 256) + 3 * q8(256, 512);
    expect(e.device.transposes).toBe(3 * perLayer - 3 * q8(256, 256) + q8(256, 512));
  });

  it('grows with the window, quadratically through attention', () => {
    const shape = llama({ layers: 4, embd: 256, ff: 512, vocab: 1024, type: F32 });
    const at = (w: number) =>
      estimateTrainingMemory({ shape, rank: 8, targets: ['q'], windowSize: w, offload: true }).device.activations;
    expect(at(512)).toBeGreaterThan(2 * at(256));
    expect(at(1024)).toBeGreaterThan(2 * at(512));
  });

  it('picks the largest window that fits the budget, or none', () => {
    const shape = llama({ layers: 4, embd: 256, ff: 512, vocab: 1024, type: F32 });
    const input = { shape, rank: 8, targets: ['q', 'v'] };
    const size = (w: number) => estimateTrainingMemory({ ...input, windowSize: w, offload: true }).device.total;
    expect(largestFittingWindow(input, 256, 2048, size(1024))).toBe(1024);
    expect(largestFittingWindow(input, 256, 2048, size(1024) - 1)).toBe(768);
    expect(largestFittingWindow(input, 512, 512, size(2048))).toBe(512);
    expect(largestFittingWindow(input, 512, 2048, size(512) - 1)).toBeNull();
  });
});
