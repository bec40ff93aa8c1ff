import { writeFileSync } from 'node:fs';
import type { LlamaContext, Token } from 'node-llama-cpp';
import { join } from 'node:path';
import {
  loadTrainerAddon,
  type LoraAdapter,
  type LoraCreateOptions,
  type TrainerAddon,
  type TrainerModel,
  type TrainingSession,
  type TrainingSessionOptions,
  type TrainingWindow,
} from '../../../native/index.js';
import { GgmlType } from '../../helpers/gguf/GgufWriter.js';
import { rng, writeRandomLlama, type LlamaShape } from '../../helpers/gguf/randomLlama.js';

export { relErr } from '../../helpers/relErr.js';

/** Window size of every test: the smallest llama.cpp allows (its context granularity). */
export const WINDOW = 256;
/** First plain (non-byte, non-special) token of the test vocabulary. */
export const PLAIN = 259;

let addon: TrainerAddon | undefined;
export function trainer(): TrainerAddon {
  addon ??= loadTrainerAddon();
  return addon;
}

export interface Rig {
  model: TrainerModel;
  adapter: LoraAdapter;
  session: TrainingSession;
  dispose(): void;
}

/** Writes a random tiny llama GGUF and returns its path. */
export function tinyModel(
  dir: string,
  name = 'tiny.gguf',
  type: GgmlType = GgmlType.F32,
  shape?: Partial<LlamaShape>,
  seed = 1,
): string {
  const path = join(dir, name);
  writeRandomLlama(path, { type, shape, seed });
  return path;
}

/** Whether the addon under test sees a GPU (a GPU build, e.g. under `npm run test:gpu`). */
export function hasGpu(): boolean {
  return trainer()
    .devices()
    .some((d) => d.type === 'gpu' || d.type === 'igpu');
}

export interface RigOptions {
  /** Offload every layer (`gpuLayers: -1`); default: none. */
  offload?: boolean;
  /** Extra TrainingSession options (e.g. `profileOps`). */
  session?: Partial<TrainingSessionOptions>;
}

/** Model + fresh adapter + initialized session. */
export async function rig(
  modelPath: string,
  lora: Partial<LoraCreateOptions> = {},
  threads = 2,
  options: RigOptions = {},
): Promise<Rig> {
  const t = trainer();
  const model = new t.TrainerModel(modelPath, options.offload ? { gpuLayers: -1 } : {});
  await model.load();
  const adapter = new t.LoraAdapter(model);
  await adapter.create({ rank: 4, alpha: 8, targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'], seed: 7, ...lora });
  const session = new t.TrainingSession(model, adapter, { windowSize: WINDOW, threads, ...options.session });
  await session.init();
  return {
    model,
    adapter,
    session,
    dispose() {
      session.dispose();
      adapter.dispose();
      model.dispose();
    },
  };
}

/** A random sequence of plain tokens. */
export function randomTokens(n: number, seed: number, vocab = 288): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => PLAIN + Math.floor(r() * (vocab - PLAIN)));
}

export interface Example {
  tokens: number[];
  /** Positions i (0-based in `tokens`) whose next token is learned; default: every position. */
  trainFrom?: number;
}

/**
 * Packs examples into one window: example k gets seq id k and positions from 0; each position i < len-1
 * predicts token i+1 when i >= trainFrom - 1 (so the first trained token is tokens[trainFrom]).
 * The rest of the window is padding in its own sequence, masked.
 */
export function packWindow(examples: Example[]): TrainingWindow {
  return packRows([examples]);
}

/**
 * Packs `rows` (each a list of examples) into one window of WINDOW tokens, rows of WINDOW /
 * rows.length tokens (TrainingSession's `rows`): sequence ids count on across rows, and each row's
 * padding is its own sequence, masked.
 */
export function packRows(rows: Example[][]): TrainingWindow {
  const rowLen = WINDOW / rows.length;
  const tokens = new Int32Array(WINDOW);
  const labels = new Int32Array(WINDOW).fill(-1);
  const positions = new Int32Array(WINDOW);
  const seqIds = new Int32Array(WINDOW);
  let seq = 0;
  rows.forEach((examples, r) => {
    let at = r * rowLen;
    for (const ex of examples) {
      const from = ex.trainFrom ?? 1;
      ex.tokens.forEach((tok, i) => {
        tokens[at + i] = tok;
        positions[at + i] = i;
        seqIds[at + i] = seq;
        if (i + 1 < ex.tokens.length && i + 1 >= from) labels[at + i] = ex.tokens[i + 1] ?? -1;
      });
      at += ex.tokens.length;
      seq++;
    }
    if (at > (r + 1) * rowLen) throw new Error(rows.length > 1 ? `row ${r} overflows` : 'examples overflow the window');
    for (let i = at; i < (r + 1) * rowLen; i++) {
      positions[i] = i - at;
      seqIds[i] = seq;
    }
    seq++;
  });
  return { tokens, labels, positions, seqIds };
}

/** Every adapter tensor, by name. */
export function snapshot(adapter: LoraAdapter): Map<string, Float32Array> {
  return new Map(adapter.info().tensors.map((t) => [t.name, adapter.getTensor(t.name)]));
}

export function restore(adapter: LoraAdapter, snap: Map<string, Float32Array>): void {
  for (const [name, v] of snap) adapter.setTensor(name, v);
}

/** Fills every lora_b with small random values (a fresh B is zero, which zeroes A's gradient). */
export function randomizeB(adapter: LoraAdapter, seed: number, scale = 0.05): void {
  const r = rng(seed);
  for (const t of adapter.info().tensors) {
    if (!t.name.endsWith('.lora_b')) continue;
    const v = new Float32Array(t.ne[0] * t.ne[1]);
    for (let i = 0; i < v.length; i++) v[i] = (2 * r() - 1) * scale;
    adapter.setTensor(t.name, v);
  }
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}

export function norm(a: Float32Array): number {
  return Math.sqrt(dot(a, a));
}

/** ||a - b|| / max(||a||, ||b||). */
export function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
  return Math.sqrt(d) / Math.max(norm(a), norm(b), 1e-30);
}

/** One optimizer step over `windows`; returns the mean masked loss of the step. */
export async function trainStep(session: TrainingSession, windows: TrainingWindow[], lr: number): Promise<number> {
  const r = await session.forwardBackward(windows);
  await session.optimizerStep({ lr });
  return r.lossSum / r.nTokens;
}

/** Bitwise equality of two float arrays. */
export function sameBits(a: Float32Array | undefined, b: Float32Array | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Writes `count` one-turn chat examples (`question i` → `answer(i)`) as a dataset JSONL file; returns its path. */
export function writeChatExamples(path: string, count: number, answer: (i: number) => string): string {
  const lines = Array.from({ length: count }, (_v, i) =>
    JSON.stringify({
      id: `e${i}`,
      messages: [
        { role: 'user', content: `question ${i}` },
        { role: 'assistant', content: answer(i) },
      ],
    }),
  );
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** Mean negative log-likelihood node-llama-cpp gives `sequence` (each token after the first) in `context`. */
export async function sequenceNll(context: LlamaContext, sequence: readonly number[]): Promise<number> {
  const input = sequence
    .slice(0, -1)
    .map(
      (t) =>
        [t as Token, { generateNext: { probabilities: true } }] as [
          Token,
          { generateNext: { probabilities: boolean } },
        ],
    );
  const out = await context.getSequence().controlledEvaluate(input);
  let nll = 0;
  for (let i = 0; i < input.length; i++)
    nll -= Math.log(out[i]?.next?.probabilities?.get(sequence[i + 1] as Token) ?? 1e-30);
  return nll / input.length;
}

/** The `count` tokens greedy decoding continues `prefix` with in `context`. */
export async function greedyContinuation(
  context: LlamaContext,
  prefix: readonly number[],
  count: number,
): Promise<number[]> {
  const out: number[] = [];
  for await (const t of context.getSequence().evaluate(prefix as Token[], { temperature: 0 })) {
    out.push(t);
    if (out.length >= count) break;
  }
  return out;
}
