import { GgmlType, GgufWriter, type GgufValue } from './GgufWriter.js';

/** Shape of a random-weight llama model. Defaults: a tiny model that trains in milliseconds. */
export interface LlamaShape {
  nLayer: number;
  nEmbd: number;
  nHead: number;
  nHeadKv: number;
  nFf: number;
  /** Total vocabulary: 3 specials (<unk>, <s>, </s>) + 256 byte tokens + `nVocab - 259` plain tokens. */
  nVocab: number;
  nCtxTrain: number;
}

export const tinyShape: LlamaShape = {
  nLayer: 2,
  nEmbd: 64,
  nHead: 4,
  nHeadKv: 2,
  nFf: 128,
  nVocab: 288,
  nCtxTrain: 1024,
};

export interface RandomLlamaOptions {
  shape?: Partial<LlamaShape>;
  /** Type of the 2-D weight matrices (norms are always F32). */
  type?: GgmlType;
  seed?: number;
  /** Scale of the output projection (2 by default); a huge one makes logits overflow. */
  outputGain?: number;
  /** `tokenizer.chat_template` to embed (none by default). */
  chatTemplate?: string;
  /**
   * Tokenizer keys (`tokenizer.…`) to write instead of the byte-level SPM vocabulary, e.g. copied from a
   * real vocab-only GGUF; `shape.nVocab` must equal the number of tokens.
   */
  tokenizer?: [key: string, value: GgufValue][];
  /**
   * Write the model as this many split files as `gguf-split` names them: `path` without `.gguf`,
   * then `-00001-of-0000N.gguf`, … (`path` itself is not written).
   */
  splits?: number;
}

/** Deterministic PRNG (mulberry32): the same seed writes the same model. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes a llama-architecture GGUF with random weights and a byte-fallback SentencePiece vocabulary
 * (token 3 + b is byte b), loadable by llama.cpp and node-llama-cpp.
 */
export function writeRandomLlama(path: string, options: RandomLlamaOptions = {}): LlamaShape {
  const s: LlamaShape = { ...tinyShape, ...options.shape };
  const type = options.type ?? GgmlType.F32;
  const rand = rng(options.seed ?? 1);
  const headDim = s.nEmbd / s.nHead;
  if (!Number.isInteger(headDim) || s.nHead % s.nHeadKv !== 0) throw new Error('bad head shape');
  if (!options.tokenizer && s.nVocab < 259) throw new Error('nVocab must be at least 259');

  const tokens = ['<unk>', '<s>', '</s>'];
  for (let b = 0; b < 256; b++) tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  for (let i = tokens.length; i < s.nVocab; i++) tokens.push(`▁t${i}`);
  const tokenTypes = tokens.map((_, i) => (i === 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1));
  const scores = tokens.map((_, i) => (i < 259 ? 0 : -i));

  const w = new GgufWriter()
    .set('general.architecture', { type: 'str', value: 'llama' })
    .set('general.name', { type: 'str', value: 'lathe-random-llama' })
    .set('general.alignment', { type: 'u32', value: 32 })
    .set('llama.context_length', { type: 'u32', value: s.nCtxTrain })
    .set('llama.embedding_length', { type: 'u32', value: s.nEmbd })
    .set('llama.block_count', { type: 'u32', value: s.nLayer })
    .set('llama.feed_forward_length', { type: 'u32', value: s.nFf })
    .set('llama.attention.head_count', { type: 'u32', value: s.nHead })
    .set('llama.attention.head_count_kv', { type: 'u32', value: s.nHeadKv })
    .set('llama.rope.dimension_count', { type: 'u32', value: headDim })
    .set('llama.rope.freq_base', { type: 'f32', value: 10000 })
    .set('llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 })
    .set('llama.vocab_size', { type: 'u32', value: s.nVocab });
  const tokenizer: [string, GgufValue][] = options.tokenizer ?? [
    ['tokenizer.ggml.model', { type: 'str', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'str[]', value: tokens }],
    ['tokenizer.ggml.scores', { type: 'f32[]', value: scores }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: tokenTypes }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: 0 }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: 1 }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: 2 }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: false }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
  ];
  for (const [key, value] of tokenizer) w.set(key, value);
  if (options.chatTemplate !== undefined)
    w.set('tokenizer.chat_template', { type: 'str', value: options.chatTemplate });

  // Uniform with the variance of N(0, 1/n_in): activations keep their scale through the layers.
  const matrix = (name: string, nIn: number, nOut: number, gain = 1): void => {
    const a = gain * Math.sqrt(3 / nIn);
    const v = new Float32Array(nIn * nOut);
    for (let i = 0; i < v.length; i++) v[i] = (2 * rand() - 1) * a;
    w.addTensor(name, [nIn, nOut], v, type);
  };
  const ones = (name: string, n: number): void => {
    w.addTensor(name, [n], new Float32Array(n).fill(1));
  };

  matrix('token_embd.weight', s.nEmbd, s.nVocab, Math.sqrt(s.nEmbd / 3));
  for (let l = 0; l < s.nLayer; l++) {
    ones(`blk.${l}.attn_norm.weight`, s.nEmbd);
    matrix(`blk.${l}.attn_q.weight`, s.nEmbd, s.nHead * headDim);
    matrix(`blk.${l}.attn_k.weight`, s.nEmbd, s.nHeadKv * headDim);
    matrix(`blk.${l}.attn_v.weight`, s.nEmbd, s.nHeadKv * headDim);
    matrix(`blk.${l}.attn_output.weight`, s.nHead * headDim, s.nEmbd);
    ones(`blk.${l}.ffn_norm.weight`, s.nEmbd);
    matrix(`blk.${l}.ffn_gate.weight`, s.nEmbd, s.nFf);
    matrix(`blk.${l}.ffn_up.weight`, s.nEmbd, s.nFf);
    matrix(`blk.${l}.ffn_down.weight`, s.nFf, s.nEmbd);
  }
  ones('output_norm.weight', s.nEmbd);
  matrix('output.weight', s.nEmbd, s.nVocab, options.outputGain ?? 2);
  if (options.splits && options.splits > 1) {
    const n = options.splits;
    const base = path.replace(/\.gguf$/i, '');
    const name = (i: number) => `${base}-${String(i + 1).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.gguf`;
    w.writeSplit(n, name);
  } else {
    w.write(path);
  }
  return s;
}
