/**
 * The random-weight models of `bench/inference.ts`, written once into node_modules/.cache/lathe-bench/
 * and reused (the file name carries a hash of the writer's source, as in bench/training.ts):
 * SmolLM2-135M's shape in Q8_0 (written directly), and Llama 3.2 1B's shape written F16 and then
 * quantized to Q4_K_M by Lathe's addon (`quantizeModel`, llama.cpp's own quantizer).
 *
 *   node --import ./bench/lib/register.mjs bench/lib/inferenceModels.ts [--quick]   (writes them ahead)
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTrainerAddon } from '../../native/index.js';
import { GgmlType } from '../../tests/helpers/gguf/GgufWriter.js';
import { writeRandomLlama, type LlamaShape } from '../../tests/helpers/gguf/randomLlama.js';

export const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
export const cacheDir = join(root, 'node_modules', '.cache', 'lathe-bench');

export interface BenchModel {
  key: string;
  name: string;
  shape: LlamaShape;
  type: 'Q8_0' | 'Q4_K_M' | 'Q4_0';
}

/** SmolLM2-135M (untied LM head: 30 layers, 576, 9/3 heads, ff 1536, vocab 49152). */
export const smolModel: BenchModel = {
  key: 'smollm2-135m-q8_0',
  name: 'SmolLM2-135M shape, Q8_0',
  shape: { nLayer: 30, nEmbd: 576, nHead: 9, nHeadKv: 3, nFf: 1536, nVocab: 49152, nCtxTrain: 2048 },
  type: 'Q8_0',
};
/** Llama 3.2 1B (16 layers, 2048, 32/8 heads, ff 8192, vocab 128256; the writer's LM head is untied). */
export const llama1bModel: BenchModel = {
  key: 'llama-1b-q4_k_m',
  name: 'Llama-3.2-1B shape, Q4_K_M',
  shape: { nLayer: 16, nEmbd: 2048, nHead: 32, nHeadKv: 8, nFf: 8192, nVocab: 128256, nCtxTrain: 2048 },
  type: 'Q4_K_M',
};
/** `--quick`: tiny. */
export const quickModel: BenchModel = {
  key: 'quick-q8_0',
  name: 'tiny smoke model, Q8_0',
  shape: { nLayer: 2, nEmbd: 128, nHead: 4, nHeadKv: 2, nFf: 256, nVocab: 512, nCtxTrain: 1024 },
  type: 'Q8_0',
};

function sourceHash(): string {
  const h = createHash('sha1');
  for (const f of ['tests/helpers/gguf/randomLlama.ts', 'tests/helpers/gguf/GgufWriter.ts']) {
    h.update(readFileSync(join(root, f)));
  }
  return h.digest('hex').slice(0, 8);
}

const log = (m: string): void => console.error(`[bench] ${m}`);

function fileName(shape: LlamaShape, type: string): string {
  const s = shape;
  return `llama-L${s.nLayer}-E${s.nEmbd}-H${s.nHead}-KV${s.nHeadKv}-FF${s.nFf}-V${s.nVocab}-${type}-${sourceHash()}.gguf`;
}

function writeDirect(shape: LlamaShape, type: 'F16' | 'Q8_0' | 'Q4_0'): string {
  const path = join(cacheDir, fileName(shape, type));
  if (existsSync(path)) return path;
  const t0 = performance.now();
  const tmp = `${path}.tmp-${process.pid}`;
  writeRandomLlama(tmp, { shape, type: GgmlType[type], seed: 1 });
  renameSync(tmp, path);
  log(`wrote ${path} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return path;
}

/** Writes (or reuses) the model; returns its path and whether/how long it took to make. */
export async function ensureModel(m: BenchModel): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  if (m.type !== 'Q4_K_M') return writeDirect(m.shape, m.type);
  const path = join(cacheDir, fileName(m.shape, m.type));
  if (existsSync(path)) return path;
  const f16 = writeDirect(m.shape, 'F16');
  const t0 = performance.now();
  const tmp = `${path}.tmp-${process.pid}`;
  await loadTrainerAddon().quantizeModel(f16, tmp, 'Q4_K_M', 2);
  renameSync(tmp, path);
  rmSync(f16, { force: true }); // 3 GB, only needed to make the Q4_K_M file
  log(`quantized ${path} (Q4_K_M) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return path;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const list = process.argv.includes('--quick') ? [quickModel] : [smolModel, llama1bModel];
  for (const m of list) console.log(await ensureModel(m));
}
