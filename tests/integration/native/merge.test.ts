import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLlama, readGgufFileInfo, type Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GgmlType } from '../../helpers/gguf/GgufWriter.js';
import { tempDir } from '../../helpers/tempDir.js';
import {
  greedyContinuation,
  packWindow,
  randomTokens,
  rig,
  sequenceNll,
  tinyModel,
  trainer,
  trainStep,
} from './trainerFixtures.js';

/**
 * Merging a trained adapter into its base: the merged GGUF, loaded alone by node-llama-cpp,
 * answers as base + adapter does (greedy continuation and loss), in the base's own weight types.
 */
const dir = tempDir('lathe-merge-');
const sequence = randomTokens(32, 41);
const prefix = 8;
let llama: Llama;

beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: 'never' });
});
afterAll(() => dir.remove());

/** A base model of one type: written by the test GGUF writer, or a K-quant made by llama.cpp's quantizer. */
async function makeBase(type: GgmlType | 'Q4_K_M', name: string): Promise<string> {
  if (type !== 'Q4_K_M') return tinyModel(dir.path, `${name}.gguf`, type);
  // K-quant rows are multiples of 256
  const f32 = tinyModel(dir.path, `${name}-f32.gguf`, GgmlType.F32, { nEmbd: 256, nHead: 4, nHeadKv: 2, nFf: 512 });
  const base = join(dir.path, `${name}.gguf`);
  await trainer().quantizeModel(f32, base, 'Q4_K_M', 2);
  return base;
}

/** Trains an adapter that learns `sequence` on a base of `type`; returns the base and adapter paths. */
async function trained(type: GgmlType | 'Q4_K_M', name: string): Promise<{ base: string; adapter: string }> {
  const base = await makeBase(type, name);
  const adapter = join(dir.path, `${name}-adapter.gguf`);
  const r = await rig(base, { rank: 8, alpha: 16 });
  const w = packWindow([{ tokens: sequence, trainFrom: 1 }]);
  for (let i = 0; i < 60; i++) await trainStep(r.session, [w], 1e-2);
  await r.adapter.save(adapter, { 'general.name': `${name}-adapter` });
  r.dispose();
  return { base, adapter };
}

/** Greedy continuation of the sequence's prefix, and the mean NLL of the whole sequence. */
async function behaviour(modelPath: string, adapter?: string): Promise<{ continuation: number[]; loss: number }> {
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({
    contextSize: 256,
    threads: 1,
    ...(adapter ? { lora: { adapters: [{ filePath: adapter }] } } : {}),
  });
  const continuation = await greedyContinuation(context, sequence.slice(0, prefix), sequence.length - prefix);
  await context.dispose();
  const scoring = await model.createContext({
    contextSize: 256,
    threads: 1,
    ...(adapter ? { lora: { adapters: [{ filePath: adapter }] } } : {}),
  });
  const loss = await sequenceNll(scoring, sequence);
  await scoring.dispose();
  await model.dispose();
  return { continuation, loss };
}

describe.each([
  { type: GgmlType.F32, name: 'f32', lossTolerance: 1e-3 },
  { type: GgmlType.F16, name: 'f16', lossTolerance: 2e-2 },
  { type: GgmlType.Q8_0, name: 'q8', lossTolerance: 1e-1 },
  // 4 bits a weight: the merged update is quantized too, so the loss moves more
  { type: 'Q4_K_M' as const, name: 'q4km', lossTolerance: 3e-1 },
])('merging an adapter into a $name base', ({ type, name, lossTolerance }) => {
  it('writes a GGUF that answers alone as base + adapter does, in the base’s own types', async () => {
    const { base, adapter } = await trained(type, name);
    const output = join(dir.path, `${name}-merged.gguf`);
    const task = trainer().mergeAdapter({ base, adapter, output, name: `${name} merged`, threads: 2 });
    const result = await task.done;
    expect(result.merged).toBe(14); // seven projections in each of the two layers
    expect(task.progress()).toEqual({ done: result.tensors, total: result.tensors });

    const [baseInfo, mergedInfo] = await Promise.all([base, output].map((p) => readGgufFileInfo(p)));
    const types = (info: typeof baseInfo) => info!.fullTensorInfo!.map((t) => [t.name, t.ggmlType, t.dimensions]);
    expect(types(mergedInfo)).toEqual(types(baseInfo));
    // the K-quant case has K-quant weights to merge into (ggml type 12 is Q4_K)
    if (type === 'Q4_K_M') expect(types(baseInfo).some(([, t]) => t === 12)).toBe(true);
    expect(mergedInfo!.metadata.general.name).toBe(`${name} merged`);
    expect(mergedInfo!.metadata.general.architecture).toBe('llama');

    const tuned = await behaviour(base, adapter);
    const merged = await behaviour(output);
    const plain = await behaviour(base);
    expect(tuned.continuation).toEqual(sequence.slice(prefix));
    expect(merged.continuation).toEqual(sequence.slice(prefix));
    expect(plain.continuation).not.toEqual(sequence.slice(prefix));
    expect(Math.abs(merged.loss - tuned.loss)).toBeLessThan(lossTolerance + 0.05 * tuned.loss);
    expect(readdirSync(dir.path).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('merging refuses what it cannot do, and leaves nothing behind', () => {
  it('another model’s adapter, a file that is not an adapter, writing over an input; cancel stops it', async () => {
    const { base, adapter } = await trained(GgmlType.F32, 'refuse');
    const wider = tinyModel(dir.path, 'wider.gguf', GgmlType.F32, { nEmbd: 96, nFf: 192 }, 5);
    const output = join(dir.path, 'refused.gguf');
    await expect(trainer().mergeAdapter({ base: wider, adapter, output }).done).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('does not fit'),
    });
    await expect(trainer().mergeAdapter({ base, adapter: base, output }).done).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('is not a LoRA adapter'),
    });
    const junk = join(dir.path, 'junk.gguf');
    writeFileSync(junk, 'not a gguf');
    await expect(trainer().mergeAdapter({ base: junk, adapter, output }).done).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('cannot read the base model as GGUF'),
    });
    expect(() => trainer().mergeAdapter({ base, adapter, output: base })).toThrow(/output must be a new file/);
    expect(() =>
      trainer().mergeAdapter({ base, adapter, output, metadata: { 'x.y': true } as unknown as Record<string, string> }),
    ).toThrow(/metadata values are strings or non-negative integers \(x\.y\)/);

    // Cancelled midway (each tensor slowed to 20 ms): it stops before the next tensor.
    process.env.LATHE_MERGE_TENSOR_DELAY_MS = '20';
    const task = trainer().mergeAdapter({ base, adapter, output, threads: 1 });
    delete process.env.LATHE_MERGE_TENSOR_DELAY_MS;
    while (task.progress().done < 2) await new Promise((r) => setTimeout(r, 5));
    task.cancel();
    await expect(task.done).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(task.progress().done).toBeLessThan(task.progress().total);
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(dir.path).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
