import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/createCore';
import type { Adapter, Job, ModelInfo, TrainingRun } from '../../src/shared/domain';
import { writeRandomLlama } from '../helpers/gguf/randomLlama';
import { tempDir } from '../helpers/tempDir';
import { testCore } from '../helpers/testCore';

let dir: ReturnType<typeof tempDir>;
let core: Core;
let modelPath: string;
let modelId: string;

async function call<T>(method: string, input: unknown): Promise<T> {
  const result = await core.dispatch(method, input);
  if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
  return result.data as T;
}

async function importModel(path: string, name: string): Promise<string> {
  const { job } = await call<{ job: Job }>('models.import', { path, name });
  const done = await core.jobs.wait(job.id);
  expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
  return (done.result as { modelId: string }).modelId;
}

beforeAll(async () => {
  dir = tempDir('lathe-training-library-');
  modelPath = join(dir.path, 'tiny.gguf');
  writeRandomLlama(modelPath, { seed: 3 });
  core = testCore(join(dir.path, 'data'), { checkpointEverySeconds: 0, progressIntervalMs: 0 });
  modelId = await importModel(modelPath, 'Tiny library model');
});
afterAll(async () => {
  await core?.close();
  dir?.remove();
});

describe('fine-tuning a model of the library (baseModelId)', () => {
  it('trains on a dataset: the run records the model file, is named after the model, and the adapter is its variant', async () => {
    const dataset = await call<{ id: string }>('datasets.create', { name: 'Library sums' });
    for (let i = 0; i < 10; i++) {
      await call('datasets.examples.create', {
        datasetId: dataset.id,
        messages: [
          { role: 'user', content: `question number ${i}` },
          { role: 'assistant', content: 'the answer is always lathe' },
        ],
      });
    }
    const run = await call<TrainingRun>('training.start', {
      baseModelId: modelId,
      data: { kind: 'dataset', datasetId: dataset.id },
      hyperparams: { rank: 4, alpha: 8, epochs: 1, batchTokens: 256, maxLength: 256, threads: 2 },
    });
    expect(run).toMatchObject({ baseModelPath: modelPath, name: 'Tiny library model · Library sums' });
    const job = await core.jobs.wait(run.jobId!);
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');

    const model = await call<ModelInfo>('models.get', { id: modelId });
    const adapters = await call<Adapter[]>('adapters.list', { baseModelSha256: model.sha256 });
    expect(adapters.map((a) => a.runId)).toEqual([run.id]);
    expect(model.variants.map((v) => v.adapterId)).toEqual([adapters[0]!.id]);
  });

  it('refuses an unknown model, a model whose file is gone, and both or neither of id and path', async () => {
    const data = { kind: 'file', path: join(dir.path, 'unused.jsonl') };
    const runsBefore = (await call<TrainingRun[]>('training.list', {})).length;
    await expect(call('training.start', { baseModelId: 'no-such-model', data })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'No model with id no-such-model.',
    });

    const gonePath = join(dir.path, 'gone.gguf');
    writeRandomLlama(gonePath, { seed: 4 });
    const goneId = await importModel(gonePath, 'Gone');
    rmSync(gonePath);
    await expect(call('training.start', { baseModelId: goneId, data })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      details: { reason: 'missing' },
      message: expect.stringContaining('"Gone" is no longer at'),
    });

    await expect(
      call('training.start', { baseModelId: modelId, baseModelPath: modelPath, data }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('give either baseModelId or baseModelPath'),
    });
    await expect(call('training.start', { data })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    // Nothing was recorded for the refused starts.
    expect(await call<TrainingRun[]>('training.list', {})).toHaveLength(runsBefore);
  });
});
