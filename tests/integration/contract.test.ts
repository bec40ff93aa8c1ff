import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/createCore';
import { methodNames, methods, type MethodName } from '../../src/shared/contract';
import { errorCodes } from '../../src/shared/errors';
import { testCore } from '../helpers/testCore';
import { tempDir } from '../helpers/tempDir';

let dir: ReturnType<typeof tempDir>;
let core: Core;
let jobId: string;

beforeAll(async () => {
  dir = tempDir();
  // Downloads go to a closed local port, never to the internet, and fail at once.
  core = testCore(dir.path, { downloads: { hfEndpoint: 'http://127.0.0.1:9', retries: 0 }, inference: { gpu: false } });
  core.jobs.register('test.noop', async () => ({ done: true }));
  jobId = core.jobs.start('test.noop', {}, 'No-op').id;
  await core.jobs.wait(jobId);
});
afterAll(async () => {
  await core.close();
  dir.remove();
});

/** A contender on a model that is not in the library. */
const ghostContender = {
  modelId: 'no-such-model',
  sampling: { temperature: 0, topP: 1, topK: 0, minP: 0, repeatPenalty: 1, maxTokens: 4, seed: null },
};

/**
 * One valid input per method and what it answers: proves each method gets past validation, so a
 * rejection below is about the input. A code means the call reached the service and was refused there.
 */
const valid: { [M in MethodName]: () => [input: unknown, answer: 'ok' | string] } = {
  'app.info': () => [{}, 'ok'],
  'settings.get': () => [{}, 'ok'],
  'settings.update': () => [{ theme: 'dark' }, 'ok'],
  'jobs.list': () => [{ states: ['succeeded'], limit: 5 }, 'ok'],
  'jobs.get': () => [{ id: jobId }, 'ok'],
  'jobs.cancel': () => [{ id: jobId }, 'CONFLICT'], // already finished
  'jobs.clearFinished': () => [{}, 'ok'],
  'training.defaults': () => [{}, 'ok'],
  'training.start': () => [
    {
      baseModelPath: '/no/such/model.gguf',
      data: { kind: 'file', path: '/no/such/data.jsonl' },
      hyperparams: { rank: 8 },
    },
    'NOT_FOUND',
  ],
  'training.estimate': () => [{ baseModelPath: '/no/such/model.gguf', hyperparams: { rank: 8 } }, 'NOT_FOUND'],
  'training.cancel': () => [{ id: 'no-such-run' }, 'NOT_FOUND'],
  'training.resume': () => [{ id: 'no-such-run' }, 'NOT_FOUND'],
  'training.list': () => [{}, 'ok'],
  'training.get': () => [{ id: 'no-such-run' }, 'NOT_FOUND'],
  'adapters.list': () => [{ baseModelSha256: 'a'.repeat(64) }, 'ok'],
  'adapters.merge': () => [{ adapterId: 'no-such-adapter' }, 'NOT_FOUND'],
  'models.import': () => [{ path: '/no/such/model.gguf', name: 'M' }, 'NOT_FOUND'],
  'models.list': () => [{}, 'ok'],
  'models.get': () => [{ id: 'no-such-model' }, 'NOT_FOUND'],
  'models.rename': () => [{ id: 'no-such-model', name: 'New' }, 'NOT_FOUND'],
  'models.delete': () => [{ id: 'no-such-model', deleteFile: false }, 'NOT_FOUND'],
  'models.variants': () => [{ modelId: 'no-such-model' }, 'NOT_FOUND'],
  'models.download': () => [{ source: 'http://127.0.0.1:9/model.gguf#sha256=' + 'a'.repeat(64), name: 'M' }, 'ok'],
  'models.downloadResume': () => [{ jobId: 'no-such-job' }, 'NOT_FOUND'],
  'models.downloadDiscard': () => [{ jobId: 'no-such-job' }, 'NOT_FOUND'],
  'models.catalog': () => [{}, 'ok'],
  'models.fit': () => [{ modelId: 'no-such-model', contextSize: 2048, gpuLayers: 0 }, 'NOT_FOUND'],
  'system.hardware': () => [{}, 'ok'],
  'inference.status': () => [{}, 'ok'],
  'inference.load': () => [{ modelId: 'no-such-model', adapters: [{ adapterId: 'a', scale: 0.5 }] }, 'NOT_FOUND'],
  'inference.unload': () => [{}, 'ok'],
  'chat.conversations.list': () => [{ search: 'hello', limit: 10 }, 'ok'],
  'chat.conversations.get': () => [{ id: 'no-such-conversation' }, 'NOT_FOUND'],
  'chat.conversations.create': () => [
    { title: 'T', systemPrompt: 'Be brief.', preset: 'precise', sampling: { temperature: 0.5, seed: 7 } },
    'ok',
  ],
  'chat.conversations.rename': () => [{ id: 'no-such-conversation', title: 'T' }, 'NOT_FOUND'],
  'chat.conversations.delete': () => [{ id: 'no-such-conversation' }, 'NOT_FOUND'],
  'chat.conversations.update': () => [
    { id: 'no-such-conversation', systemPrompt: '', sampling: { topK: 10 } },
    'NOT_FOUND',
  ],
  'chat.send': () => [{ conversationId: 'no-such-conversation', content: 'hi', parentId: null }, 'NOT_FOUND'],
  'chat.regenerate': () => [{ messageId: 'no-such-message' }, 'NOT_FOUND'],
  'chat.continue': () => [{ messageId: 'no-such-message' }, 'NOT_FOUND'],
  'chat.editAnswer': () => [{ messageId: 'no-such-message', content: 'Fixed.' }, 'NOT_FOUND'],
  'chat.edit': () => [{ messageId: 'no-such-message', content: 'x' }, 'NOT_FOUND'],
  'chat.stop': () => [{ conversationId: 'no-such-conversation' }, 'ok'],
  'chat.thread': () => [{ conversationId: 'no-such-conversation' }, 'NOT_FOUND'],
  'chat.export': () => [{ conversationId: 'no-such-conversation', format: 'markdown' }, 'NOT_FOUND'],
  'chat.feedback': () => [{ messageId: 'no-such-message', rating: null }, 'NOT_FOUND'],
  'chat.keep': () => [{ messageId: 'no-such-message', editedContent: 'better' }, 'NOT_FOUND'],
  'compare.start': () => [
    { messages: [{ role: 'user', content: 'hi' }], contenders: [ghostContender, ghostContender], blind: true },
    'ok', // both sides then fail on their own with NOT_FOUND
  ],
  'compare.get': () => [{ id: 'no-such-comparison' }, 'NOT_FOUND'],
  'compare.list': () => [{ limit: 5 }, 'ok'],
  'compare.stop': () => [{ id: 'no-such-comparison', side: 'a' }, 'NOT_FOUND'],
  'compare.vote': () => [{ id: 'no-such-comparison', vote: 'both_bad', reason: 'x', idealAnswer: null }, 'NOT_FOUND'],
  'compare.delete': () => [{ id: 'no-such-comparison' }, 'NOT_FOUND'],
  'compare.toDataset': () => [{ id: 'no-such-comparison', datasetId: 'd', answer: 'ideal' }, 'NOT_FOUND'],
  'compare.batch.start': () => [{ prompts: ['  '], contenders: [ghostContender, ghostContender] }, 'INVALID_INPUT'],
  'compare.batch.list': () => [{}, 'ok'],
  'compare.batch.get': () => [{ id: 'no-such-batch' }, 'NOT_FOUND'],
  'compare.batch.cancel': () => [{ id: 'no-such-batch' }, 'NOT_FOUND'],
  'compare.batch.delete': () => [{ id: 'no-such-batch' }, 'NOT_FOUND'],
  'compare.results': () => [{ since: 0, datasetId: 'd' }, 'ok'],
  'chat.preferAlternative': () => [{ chosenMessageId: 'm1', rejectedMessageId: 'm2', reason: null }, 'NOT_FOUND'],
  'feedback.pairs': () => [{ limit: 5, sources: ['comparison', 'chat-rating'] }, 'ok'],
  'feedback.export': () => [{ path: `${dir.path}/pairs.jsonl`, format: 'llama-factory' }, 'INVALID_INPUT'], // nothing voted
  'feedback.toDataset': () => [{ targetDatasetId: 'no-such-dataset' }, 'NOT_FOUND'],
  'api.status': () => [{}, 'ok'],
  'api.configure': () => [{ enabled: false }, 'ok'],
  'datasets.list': () => [{}, 'ok'],
  'datasets.get': () => [{ id: 'no-such-dataset' }, 'NOT_FOUND'],
  'datasets.create': () => [{ name: `Contract ${Date.now()}`, tags: ['a'], defaultMaxLength: 2048 }, 'ok'],
  'datasets.update': () => [{ id: 'no-such-dataset', name: 'Renamed' }, 'NOT_FOUND'],
  'datasets.delete': () => [{ id: 'no-such-dataset' }, 'NOT_FOUND'],
  'datasets.examples.list': () => [
    { datasetId: 'no-such-dataset', filter: { search: 'x', splits: ['train'] }, sort: 'chars', limit: 50 },
    'NOT_FOUND',
  ],
  'datasets.examples.ids': () => [{ datasetId: 'no-such-dataset', trash: true }, 'NOT_FOUND'],
  'datasets.examples.get': () => [{ id: 'no-such-example' }, 'NOT_FOUND'],
  'datasets.examples.create': () => [
    {
      datasetId: 'no-such-dataset',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
      ],
    },
    'NOT_FOUND',
  ],
  'datasets.examples.update': () => [{ id: 'no-such-example', split: 'eval' }, 'NOT_FOUND'],
  'datasets.examples.undo': () => [{ id: 'no-such-example' }, 'NOT_FOUND'],
  'datasets.examples.bulk': () => [{ ids: ['no-such-example'], action: { kind: 'addTags', tags: ['t'] } }, 'NOT_FOUND'],
  'datasets.trash.restore': () => [{ ids: ['no-such-example'] }, 'ok'],
  'datasets.trash.empty': () => [{ datasetId: 'no-such-dataset' }, 'NOT_FOUND'],
  'datasets.sniff': () => [{ path: '/no/such/file.jsonl' }, 'NOT_FOUND'],
  'datasets.import': () => [
    { path: '/no/such/file.jsonl', datasetId: 'no-such-dataset', format: 'openai', onErrors: 'skip' },
    'NOT_FOUND',
  ],
  'datasets.export': () => [
    { datasetId: 'no-such-dataset', format: 'openai', path: '/tmp/out.jsonl', splits: 'separate', forTrainer: true },
    'NOT_FOUND',
  ],
  'datasets.tokenize': () => [{ datasetId: 'no-such-dataset', modelId: 'm' }, 'NOT_FOUND'],
  'datasets.stats': () => [{ datasetId: 'no-such-dataset', bins: 10 }, 'NOT_FOUND'],
  'datasets.hygiene': () => [{ datasetId: 'no-such-dataset', nearDuplicateThreshold: 0.9 }, 'NOT_FOUND'],
  'datasets.report': () => [{ datasetId: 'no-such-dataset' }, 'NOT_FOUND'],
  'datasets.fix': () => [{ datasetId: 'no-such-dataset', kind: 'exact_duplicate' }, 'NOT_FOUND'],
};

/** Inputs every method must refuse. */
const alwaysInvalid: unknown[] = [undefined, null, 0, 'text', true, [], [{}], { __proto__: null, extra: 1 }];

/** Inputs each method must refuse, beyond the common ones. */
const invalidFor: { [M in MethodName]: unknown[] } = {
  'app.info': [{ verbose: true }],
  'api.status': [{ verbose: true }],
  'api.configure': [{ port: 80 }, { enabled: 'yes' }, { newKey: false }, { other: 1 }],
  'settings.get': [{ key: 'theme' }],
  'settings.update': [
    { theme: 'blue' },
    { theme: 1 },
    { modelsDir: '' },
    { modelsDir: 5 },
    { other: 1 },
    { huggingFaceToken: 'sk-123' },
    { huggingFaceToken: 'hf_short' },
    { huggingFaceTokenSet: true },
  ],
  'jobs.list': [
    { states: ['paused'] },
    { limit: 0 },
    { limit: 1.5 },
    { limit: 10_000 },
    { kind: '' },
    { states: 'running' },
  ],
  'jobs.get': [{}, { id: '' }, { id: 3 }, { id: 'x'.repeat(201) }, { id: 'a', more: 1 }],
  'jobs.cancel': [{}, { id: null }, { id: ['a'] }],
  'jobs.clearFinished': [{ all: true }],
  'training.defaults': [{ rank: 8 }],
  'training.estimate': [
    {},
    { baseModelPath: '' },
    { baseModelId: 'm', baseModelPath: '/m.gguf' },
    { baseModelPath: '/m.gguf', hyperparams: { rank: 0 } },
    { baseModelPath: '/m.gguf', hyperparams: { bogus: 1 } },
    { baseModelPath: '/m.gguf', data: { kind: 'url', path: '/d' } },
    { baseModelPath: '/m.gguf', data: { kind: 'dataset' } },
  ],
  'training.start': [
    {},
    { baseModelPath: '/m.gguf' },
    { baseModelPath: '/m.gguf', data: { kind: 'url', path: '/d' } },
    { baseModelPath: '', data: { kind: 'file', path: '/d' } },
    { baseModelPath: '/m.gguf', data: { kind: 'file', path: '/d' }, hyperparams: { rank: 0 } },
    { baseModelPath: '/m.gguf', data: { kind: 'file', path: '/d' }, hyperparams: { rank: 1.5 } },
    { baseModelPath: '/m.gguf', data: { kind: 'file', path: '/d' }, hyperparams: { targets: ['qkv'] } },
    { baseModelPath: '/m.gguf', data: { kind: 'file', path: '/d' }, hyperparams: { learningRate: -1 } },
    { baseModelPath: '/m.gguf', data: { kind: 'file', path: '/d' }, hyperparams: { epochs: 0 } },
    { baseModelPath: '/m.gguf', data: { kind: 'file', path: '/d' }, hyperparams: { bogus: 1 } },
    { data: { kind: 'file', path: '/d' } },
    { baseModelId: 'm', baseModelPath: '/m.gguf', data: { kind: 'file', path: '/d' } },
    { baseModelId: '', data: { kind: 'dataset', datasetId: 'd' } },
  ],
  'training.cancel': [{}, { id: '' }],
  'training.resume': [{ id: 7 }],
  'training.list': [{ all: 1 }],
  'training.get': [{ id: null }],
  'adapters.list': [{ baseModelSha256: 'xyz' }, { other: 1 }],
  'adapters.merge': [
    {},
    { adapterId: '' },
    { adapterId: 'a', path: 'relative.gguf' },
    { adapterId: 'a', addToLibrary: 'yes' },
  ],
  'models.import': [{}, { path: '' }, { path: 'relative/model.gguf' }, { path: '/m.gguf', name: '' }, { path: 5 }],
  'models.list': [{ all: true }],
  'models.get': [{}, { id: '' }],
  'models.rename': [{ id: 'a' }, { id: 'a', name: '   ' }, { id: 'a', name: 'x'.repeat(201) }],
  'models.delete': [{}, { id: 'a', deleteFile: 'yes' }],
  'models.variants': [{ id: 'a' }, { modelId: 1 }],
  'models.download': [
    {},
    { source: '' },
    { source: 5 },
    { source: 'ftp://example.com/m.gguf' },
    { source: 'hf:user' },
    { source: 'hf:user/repo' },
    { source: 'hf:user/repo/readme.md' },
    { source: 'https://example.com/m.gguf', name: '' },
    { source: 'hf:user/repo:Q4_K_M', extra: 1 },
  ],
  'models.downloadResume': [{}, { jobId: '' }, { id: 'j' }],
  'models.downloadDiscard': [{}, { jobId: 3 }],
  'models.catalog': [{ all: true }],
  'models.fit': [
    {},
    { modelId: 'm', path: '/m.gguf' },
    { path: 'relative/m.gguf' },
    { modelId: 'm', contextSize: 0 },
    { modelId: 'm', contextSize: 1.5 },
    { modelId: 'm', gpuLayers: -1 },
    { modelId: 'm', other: 1 },
  ],
  'system.hardware': [{ verbose: true }],
  'inference.status': [{ verbose: 1 }],
  'inference.load': [{}, { modelId: 'm', adapters: [{ adapterId: 'a', scale: 9 }] }, { modelId: 'm', adapters: 'a' }],
  'inference.unload': [{ modelId: 'm' }],
  'chat.conversations.list': [{ limit: 0 }, { search: 5 }],
  'chat.conversations.get': [{}, { id: 1 }],
  'chat.conversations.create': [
    { preset: 'wild' },
    { sampling: { temperature: -1 } },
    { sampling: { topP: 2 } },
    { sampling: { maxTokens: 0 } },
    { sampling: { bogus: 1 } },
    { adapters: [{ scale: 1 }] },
    { title: '' },
  ],
  'chat.conversations.rename': [{ id: 'c' }, { id: 'c', title: '' }],
  'chat.conversations.delete': [{}],
  'chat.conversations.update': [{ systemPrompt: 'x' }, { id: 'c', sampling: { topK: 1.5 } }, { id: 'c', other: 1 }],
  'chat.send': [{ conversationId: 'c' }, { conversationId: 'c', content: '' }, { content: 'hi' }],
  'chat.regenerate': [{}, { messageId: '' }],
  'chat.continue': [{}, { messageId: 1 }, { messageId: 'm', extra: true }],
  'chat.editAnswer': [{ messageId: 'm' }, { messageId: 'm', content: '' }, { messageId: 'm', content: 5 }],
  'chat.edit': [{ messageId: 'm' }, { messageId: 'm', content: '' }],
  'chat.stop': [{}],
  'chat.thread': [{ leafId: 'm' }, { conversationId: 'c', leafId: 3 }],
  'chat.export': [{ conversationId: 'c' }, { conversationId: 'c', format: 'pdf' }],
  'chat.feedback': [{ messageId: 'm' }, { messageId: 'm', rating: 'meh' }],
  'chat.keep': [{}, { messageId: 'm', editedContent: '' }, { messageId: 'm', datasetId: '' }],
  'compare.start': [
    {},
    { messages: [], contenders: [ghostContender, ghostContender] },
    { messages: [{ role: 'user', content: 'x' }], contenders: [ghostContender] },
    { messages: [{ role: 'robot', content: 'x' }], contenders: [ghostContender, ghostContender] },
    { messages: [{ role: 'user', content: '' }], contenders: [ghostContender, ghostContender] },
    { messages: [{ role: 'user', content: 'x' }], contenders: [{ modelId: 'm' }, ghostContender] },
    { messages: [{ role: 'user', content: 'x' }], contenders: [ghostContender, ghostContender], blind: 'yes' },
  ],
  'compare.get': [{}],
  'compare.list': [{ limit: 0 }, { batchId: '' }],
  'compare.stop': [{ id: 'c', side: 'c' }],
  'compare.vote': [{ id: 'c' }, { id: 'c', vote: 'left' }, { id: 'c', vote: 'a', reason: 3 }],
  'compare.delete': [{}],
  'compare.toDataset': [{ id: 'c' }, { id: 'c', datasetId: 'd', answer: 'winner' }],
  'compare.batch.start': [
    { prompts: [], contenders: [ghostContender, ghostContender] },
    { prompts: ['x'] },
    { contenders: [ghostContender, ghostContender] },
    { prompts: ['x'], datasetId: 'd', contenders: [ghostContender, ghostContender] },
  ],
  'compare.batch.list': [{ all: true }],
  'compare.batch.get': [{}],
  'compare.batch.cancel': [{}],
  'compare.batch.delete': [{}],
  'compare.results': [{ since: -1 }, { other: 1 }],
  'chat.preferAlternative': [{ chosenMessageId: 'm' }, { chosenMessageId: 'm', rejectedMessageId: '' }],
  'feedback.pairs': [{ sources: ['web'] }, { limit: -1 }],
  'feedback.toDataset': [
    {},
    { targetDatasetId: 7 },
    { targetDatasetId: 'd', sources: [] },
    { targetDatasetId: 'd', extra: 1 },
  ],
  'feedback.export': [
    { path: 'relative.jsonl', format: 'trl' },
    { path: '/tmp/pairs.jsonl', format: 'csv' },
    { path: '/tmp/pairs.jsonl' },
  ],
  'datasets.list': [{ all: true }],
  'datasets.get': [{}, { id: '' }],
  'datasets.create': [
    {},
    { name: '  ' },
    { name: 'x', defaultMaxLength: 0 },
    { name: 'x', tags: [''] },
    { name: 'x', other: 1 },
  ],
  'datasets.update': [{ name: 'x' }, { id: 'd', defaultMaxLength: 1.5 }, { id: 'd', name: '' }],
  'datasets.delete': [{}],
  'datasets.examples.list': [
    {},
    { datasetId: 'd', limit: 0 },
    { datasetId: 'd', limit: 5000 },
    { datasetId: 'd', offset: -1 },
    { datasetId: 'd', sort: 'random' },
    { datasetId: 'd', filter: { splits: ['test'] } },
    { datasetId: 'd', filter: { bogus: 1 } },
  ],
  'datasets.examples.ids': [{}, { datasetId: 'd', filter: { sources: ['web'] } }],
  'datasets.examples.get': [{}],
  'datasets.examples.create': [
    { datasetId: 'd' },
    { datasetId: 'd', messages: [] },
    { datasetId: 'd', messages: [{ role: 'robot', content: 'x' }] },
    { datasetId: 'd', messages: [{ role: 'system', content: 'only a system turn' }] },
    {
      datasetId: 'd',
      messages: [
        { role: 'user', content: 'x' },
        { role: 'system', content: 'late system' },
      ],
    },
    { datasetId: 'd', messages: [{ role: 'user', content: 'x' }], split: 'test' },
  ],
  'datasets.examples.update': [{}, { id: 'e', messages: [] }, { id: 'e', tags: 'a' }],
  'datasets.examples.undo': [{}],
  'datasets.examples.bulk': [
    { ids: [], action: { kind: 'delete' } },
    { ids: ['e'] },
    { ids: ['e'], action: { kind: 'explode' } },
    { ids: ['e'], action: { kind: 'addTags', tags: [] } },
    { ids: ['e'], action: { kind: 'setSplit', split: 'test' } },
  ],
  'datasets.trash.restore': [{ ids: [] }, {}],
  'datasets.trash.empty': [{}, { datasetId: 'd', ids: [] }],
  'datasets.sniff': [{}, { path: 'relative.jsonl' }],
  'datasets.import': [
    { path: '/a.jsonl', format: 'openai', onErrors: 'skip' },
    { path: '/a.jsonl', datasetId: 'd', name: 'n', format: 'openai', onErrors: 'skip' },
    { path: '/a.jsonl', datasetId: 'd', format: 'yaml', onErrors: 'skip' },
    { path: '/a.jsonl', datasetId: 'd', format: 'openai', onErrors: 'maybe' },
    { path: '/a.csv', datasetId: 'd', format: 'csv', onErrors: 'skip' },
    { path: 'a.jsonl', datasetId: 'd', format: 'openai', onErrors: 'skip' },
  ],
  'datasets.export': [
    { datasetId: 'd', format: 'openai', path: '/o.jsonl' },
    { datasetId: 'd', format: 'openai', path: 'o.jsonl', splits: 'together' },
    { datasetId: 'd', format: 'alpaca', path: '/o.jsonl', splits: 'together', forTrainer: true },
  ],
  'datasets.tokenize': [{ datasetId: 'd' }, { modelId: 'm' }],
  'datasets.stats': [{}, { datasetId: 'd', bins: 0 }, { datasetId: 'd', maxLength: -5 }],
  'datasets.hygiene': [{}, { datasetId: 'd', nearDuplicateThreshold: 0.2 }, { datasetId: 'd', maxTokens: 0 }],
  'datasets.report': [{}],
  'datasets.fix': [
    { datasetId: 'd' },
    { datasetId: 'd', kind: 'typos' },
    { datasetId: 'd', kind: 'leakage', exampleIds: [] },
  ],
};

describe('contract envelope', () => {
  it('covers every method in the tables', () => {
    expect(Object.keys(valid).sort()).toEqual([...methodNames].sort());
    expect(Object.keys(invalidFor).sort()).toEqual([...methodNames].sort());
  });

  it.each(methodNames)('%s accepts its valid example', async (method) => {
    const [input, answer] = valid[method]();
    const result = await core.dispatch(method, input);
    if (answer === 'ok') expect(result.ok).toBe(true);
    else expect(result).toMatchObject({ ok: false, error: { code: answer } });
  });

  it.each(methodNames)('%s rejects malformed input with INVALID_INPUT', async (method) => {
    for (const input of [...alwaysInvalid, ...invalidFor[method]]) {
      const result = await core.dispatch(method, input);
      expect(result, `${method} with ${JSON.stringify(input)}`).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
      if (!result.ok) expect(result.error.message).toContain(method);
    }
  });

  it('answers UNKNOWN_METHOD for names outside the contract', async () => {
    for (const name of ['app.nope', '', 'constructor', '__proto__', 'toString', 42, null, { m: 1 }]) {
      expect(await core.dispatch(name, {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
  });

  it.each(methodNames)(
    '%s: 300 random payloads never throw and always answer a well-formed envelope',
    async (method) => {
      const schema = methods[method].input;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.anything(),
            fc.dictionary(
              fc.constantFrom(
                'id',
                'theme',
                'modelsDir',
                'states',
                'limit',
                'kind',
                'baseModelPath',
                'data',
                'hyperparams',
                'path',
                'name',
                'modelId',
                'conversationId',
                'messageId',
                'content',
                'sampling',
                'format',
                'source',
                'jobId',
                'contextSize',
                'gpuLayers',
                'x',
              ),
              fc.anything(),
            ),
          ),
          async (payload) => {
            const result = await core.dispatch(method, payload);
            expect(typeof result.ok).toBe('boolean');
            if (result.ok) {
              expect(schema.safeParse(payload).success).toBe(true);
            } else {
              expect(errorCodes).toContain(result.error.code);
              expect(typeof result.error.message).toBe('string');
              if (!schema.safeParse(payload).success) expect(result.error.code).toBe('INVALID_INPUT');
            }
            expect(() => JSON.stringify(result)).not.toThrow();
          },
        ),
        { numRuns: 300, seed: 20261125 },
      );
    },
  );
});
