import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import { GgmlType, GgufWriter, type GgufValue } from '../gguf/GgufWriter';
import { rng, tinyShape, writeRandomLlama, type LlamaShape } from '../gguf/randomLlama';
import { llamaTree } from '../llamaTree';

/** A ChatML template (Qwen's shape, without tools): enough for a tiny random model to chat through. */
export const chatMlTemplate =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** A tiny random llama with the byte-level vocabulary and a ChatML template. */
export function writeTinyChatModel(path: string, seed = 1, shape: Partial<LlamaShape> = {}): LlamaShape {
  return writeRandomLlama(path, { seed, shape, chatTemplate: chatMlTemplate });
}

/** Real model families: a vocabulary from llama.cpp's test models and the template the family ships. */
export const realFamilies = {
  llama3: { vocab: 'llama-bpe', template: 'meta-llama-Llama-3.2-3B-Instruct' },
  qwen25: { vocab: 'qwen2', template: 'Qwen-Qwen2.5-7B-Instruct' },
  /** Qwen 3's template (thinking switchable with `enable_thinking`) on Qwen 2's vocabulary. */
  qwen3: { vocab: 'qwen2', template: 'Qwen-Qwen3-0.6B' },
  /** Gemma 2's template (no system role) on Llama 2's SentencePiece vocabulary. */
  gemma2: { vocab: 'llama-spm', template: 'google-gemma-2-2b-it' },
} as const;

/**
 * A loadable tiny llama with a real tokenizer (copied from `models/ggml-vocab-<vocab>.gguf`) and the
 * family's real chat template (or none, `template: false`). Weights are random and Q8_0 so a 150k
 * vocabulary stays ~20 MB.
 */
export async function writeRealVocabModel(
  path: string,
  family: keyof typeof realFamilies,
  options: { template?: boolean; seed?: number } = {},
): Promise<void> {
  const { vocab, template } = realFamilies[family];
  const tree = llamaTree();
  const info = await readGgufFileInfo(join(tree, 'models', `ggml-vocab-${vocab}.gguf`), { readTensorInfo: false });
  const ggml = (info.metadata.tokenizer as { ggml: Record<string, unknown> }).ggml;
  const tokenizer: [string, GgufValue][] = [];
  for (const [key, value] of Object.entries(ggml)) {
    const name = `tokenizer.ggml.${key}`;
    if (typeof value === 'string') tokenizer.push([name, { type: 'str', value }]);
    else if (typeof value === 'boolean') tokenizer.push([name, { type: 'bool', value }]);
    else if (typeof value === 'number') tokenizer.push([name, { type: 'u32', value }]);
    else if (Array.isArray(value) && key === 'scores')
      tokenizer.push([name, { type: 'f32[]', value: value as number[] }]);
    else if (Array.isArray(value) && typeof value[0] === 'number')
      tokenizer.push([name, { type: 'i32[]', value: value as number[] }]);
    else if (Array.isArray(value)) tokenizer.push([name, { type: 'str[]', value: value as string[] }]);
  }
  const nVocab = (ggml['tokens'] as string[]).length;
  writeRandomLlama(path, {
    shape: { nVocab, nCtxTrain: 2048 },
    type: GgmlType.Q8_0,
    tokenizer,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.template === false
      ? {}
      : { chatTemplate: readFileSync(join(tree, 'models', 'templates', `${template}.jinja`), 'utf8') }),
  });
}

/**
 * A LoRA adapter GGUF for a `writeRandomLlama` model of `shape`, on the q and v projections of every
 * layer. `gain` 0 writes a zero update (lora_b = 0); a large gain changes the answers visibly.
 */
export function writeLoraAdapter(
  path: string,
  options: { shape?: Partial<LlamaShape>; rank?: number; alpha?: number; gain?: number; seed?: number } = {},
): void {
  const s = { ...tinyShape, ...options.shape };
  const rank = options.rank ?? 4;
  const rand = rng(options.seed ?? 7);
  const gain = options.gain ?? 1;
  const headDim = s.nEmbd / s.nHead;
  const w = new GgufWriter()
    .set('general.architecture', { type: 'str', value: 'llama' })
    .set('general.type', { type: 'str', value: 'adapter' })
    .set('general.alignment', { type: 'u32', value: 32 })
    .set('adapter.type', { type: 'str', value: 'lora' })
    .set('adapter.lora.alpha', { type: 'f32', value: options.alpha ?? rank });
  const random = (n: number, scale: number) => Float32Array.from({ length: n }, () => (2 * rand() - 1) * scale);
  for (let l = 0; l < s.nLayer; l++) {
    for (const [name, nOut] of [
      ['attn_q', s.nHead * headDim],
      ['attn_v', s.nHeadKv * headDim],
    ] as const) {
      w.addTensor(`blk.${l}.${name}.weight.lora_a`, [s.nEmbd, rank], random(s.nEmbd * rank, Math.sqrt(3 / s.nEmbd)));
      w.addTensor(`blk.${l}.${name}.weight.lora_b`, [rank, nOut], random(rank * nOut, gain));
    }
  }
  w.write(path);
}
