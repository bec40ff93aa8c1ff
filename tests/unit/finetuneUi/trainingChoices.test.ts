import { describe, expect, test } from 'vitest';
import type { DatasetInfo } from '../../../src/shared/datasets';
import { trainableArchitectures, type ModelInfo } from '../../../src/shared/domain';
import type { ApiError } from '../../../src/renderer/src/lib/ApiError';
import { fieldErrorsOf } from '../../../src/renderer/src/features/finetune/fieldErrors';
import { fineTuneHref, parseFineTuneHash } from '../../../src/renderer/src/features/finetune/fineTuneRoute';
import {
  datasetUnavailableReason,
  defaultDatasetId,
  defaultModelId,
  modelOfRun,
  modelUnavailableReason,
  runMaxLength,
  splitCountsLabel,
  splitPlan,
} from '../../../src/renderer/src/features/finetune/trainingChoices';

function model(id: string, over: Partial<ModelInfo> = {}): ModelInfo {
  return {
    id,
    name: id,
    path: `/models/${id}.gguf`,
    sha256: id.padEnd(64, '0'),
    sizeBytes: 1,
    files: 1,
    architecture: 'llama',
    parameterCount: null,
    fileType: null,
    contextLength: null,
    hasChatTemplate: true,
    reasoning: 'none',
    mergedFrom: null,
    missing: false,
    createdAt: 0,
    variants: [],
    ...over,
  };
}

function dataset(id: string, updatedAt: number, split = { train: 0, eval: 0, auto: 5 }): DatasetInfo {
  const total = split.train + split.eval + split.auto;
  return {
    id,
    name: id,
    description: '',
    tags: [],
    defaultMaxLength: null,
    createdAt: 0,
    updatedAt,
    counts: { total, trash: 0, split, source: {} as DatasetInfo['counts']['source'], withIssues: 0, pairs: 0 },
    tokens: { model: null, counted: 0, total, max: null, mean: null },
  };
}

const trainable = trainableArchitectures;

describe('base model choice', () => {
  test('a missing file or an architecture the trainer does not know disables a model, with the reason', () => {
    expect(modelUnavailableReason(model('a'), trainable)).toBeNull();
    expect(modelUnavailableReason(model('a', { missing: true }), trainable)).toBe('File missing');
    expect(modelUnavailableReason(model('a', { architecture: 'gemma3' }), trainable)).toBe(
      'Lathe cannot fine-tune gemma3 yet',
    );
  });

  test('starts with the newest usable model, or the preferred one while it is in the library', () => {
    const models = [
      model('gone', { missing: true }),
      model('gemma', { architecture: 'gemma3' }),
      model('ok'),
      model('older'),
    ];
    expect(defaultModelId(models, trainable)).toBe('ok');
    expect(defaultModelId(models, trainable, 'older')).toBe('older');
    // An unusable preferred model stays shown, so the form can say why it cannot train.
    expect(defaultModelId(models, trainable, 'gone')).toBe('gone');
    expect(defaultModelId(models, trainable, 'deleted')).toBe('ok');
    expect(defaultModelId([model('x', { missing: true })], trainable)).toBeNull();
    expect(defaultModelId([], trainable)).toBeNull();
  });

  test("finds a past run's model by content first, then by path", () => {
    const models = [model('a'), model('b')];
    expect(modelOfRun(models, { baseModelSha256: models[1]!.sha256, baseModelPath: '/moved.gguf' })).toBe('b');
    expect(modelOfRun(models, { baseModelSha256: '', baseModelPath: '/models/a.gguf' })).toBe('a');
    expect(modelOfRun(models, { baseModelSha256: 'f'.repeat(64), baseModelPath: '/elsewhere.gguf' })).toBeNull();
  });
});

describe('dataset choice', () => {
  test('the most recently updated dataset with examples, or the preferred one while it exists', () => {
    const list = [dataset('old', 1), dataset('new', 3), dataset('empty', 9, { train: 0, eval: 0, auto: 0 })];
    expect(defaultDatasetId(list)).toBe('new');
    expect(defaultDatasetId(list, 'old')).toBe('old');
    expect(defaultDatasetId(list, 'empty')).toBe('empty');
    expect(defaultDatasetId(list, 'deleted')).toBe('new');
    expect(defaultDatasetId([])).toBeNull();
    expect(datasetUnavailableReason(list[2]!)).toBe('No examples yet');
    expect(datasetUnavailableReason(list[0]!)).toBeNull();
  });

  test('splits like the trainer: the eval split when there is one, else a drawn share from 20 examples up', () => {
    expect(splitPlan({ train: 10, eval: 4, auto: 6 }, 0.05)).toEqual({ train: 16, eval: 4, drawn: false });
    expect(splitPlan({ train: 0, eval: 0, auto: 40 }, 0.05)).toEqual({ train: 38, eval: 2, drawn: true });
    expect(splitPlan({ train: 0, eval: 0, auto: 20 }, 0.01)).toEqual({ train: 19, eval: 1, drawn: true });
    expect(splitPlan({ train: 5, eval: 0, auto: 14 }, 0.5)).toEqual({ train: 19, eval: 0, drawn: false });
  });

  test("a dataset's token budget becomes a max length within the trainer's range", () => {
    expect(runMaxLength(null)).toBeNull();
    expect(runMaxLength(1024)).toBe(1024);
    expect(runMaxLength(4)).toBe(16);
    expect(runMaxLength(1_000_000)).toBe(32768);
  });

  test('labels the split counts, leaving out empty splits', () => {
    const format = (n: number) => n.toLocaleString('en-US');
    expect(splitCountsLabel({ train: 1200, eval: 12, auto: 0 }, format)).toBe('1,200 train · 12 eval');
    expect(splitCountsLabel({ train: 0, eval: 0, auto: 0 }, format)).toBe('empty');
  });
});

describe('the Fine-tune address', () => {
  test('round-trips a dataset id, and ignores other pages and shapes', () => {
    const href = fineTuneHref({ datasetId: 'a b/c' });
    expect(href).toBe('#/finetune/dataset/a%20b%2Fc');
    expect(parseFineTuneHash(href)).toEqual({ datasetId: 'a b/c', method: null });
    expect(parseFineTuneHash('#/finetune')).toEqual({ datasetId: null, method: null });
    expect(parseFineTuneHash('#/datasets/x')).toEqual({ datasetId: null, method: null });
    expect(parseFineTuneHash('#/finetune/model/x')).toEqual({ datasetId: null, method: null });
    expect(parseFineTuneHash('#/finetune/dataset/%E0%A4%A')).toEqual({ datasetId: null, method: null });
    // a preference run on the dataset
    const dpo = fineTuneHref({ datasetId: 'd1', method: 'dpo' });
    expect(dpo).toBe('#/finetune/dataset/d1/dpo');
    expect(parseFineTuneHash(dpo)).toEqual({ datasetId: 'd1', method: 'dpo' });
    expect(parseFineTuneHash('#/finetune/dataset/d1/other')).toEqual({ datasetId: 'd1', method: null });
  });
});

describe('which field a failed start is about', () => {
  const error = (code: string, message: string, details?: unknown) => ({ code, message, details }) as ApiError;
  const input = { baseModel: ['/models/tiny.gguf', 'Tiny'], data: ['Support chats'] };

  test('schema issues point at their field, baseModelId included', () => {
    expect(
      fieldErrorsOf(
        error('INVALID_INPUT', 'bad', { issues: [{ path: 'baseModelId', message: 'give either' }] }),
        input,
      ),
    ).toEqual({ baseModel: 'give either' });
  });

  test("the service's messages: a missing library model, an empty dataset, a bad file", () => {
    const missing = 'The file of "Tiny" is no longer at /models/tiny.gguf.';
    expect(fieldErrorsOf(error('NOT_FOUND', missing, { reason: 'missing', modelId: 'm' }), input)).toEqual({
      baseModel: missing,
    });
    const empty = 'The dataset "Support chats" has no examples to train on.';
    expect(fieldErrorsOf(error('INVALID_INPUT', empty, { datasetId: 'd', reason: 'no-examples' }), input)).toEqual({
      data: empty,
    });
    expect(fieldErrorsOf(error('NOT_FOUND', 'No model with id m.', { id: 'm' }), input)).toEqual({
      baseModel: 'No model with id m.',
    });
    expect(
      fieldErrorsOf(error('INVALID_INPUT', '1 bad record(s) in /d/notes.jsonl: line 2'), {
        baseModel: ['/m.gguf'],
        data: ['/d/notes.jsonl'],
      }),
    ).toEqual({ data: '1 bad record(s) in /d/notes.jsonl: line 2' });
    expect(fieldErrorsOf(error('BUSY', 'A fine-tune is running.'), input)).toEqual({});
  });
});
