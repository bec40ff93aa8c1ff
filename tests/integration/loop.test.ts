import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/createCore';
import type {
  ChatTurnStarted,
  Conversation,
  Job,
  MergedModel,
  ModelInfo,
  StoredMessage,
  TrainingRun,
} from '../../src/shared/domain';
import { coreCalls } from '../helpers/coreCalls';
import { writeRealVocabModel } from '../helpers/models/testModels';
import { tempDir } from '../helpers/tempDir';
import { testCore } from '../helpers/testCore';

/**
 * The product's loop through the core, on models with Llama 3's real tokenizer: a dataset teaches
 * one answer, a fine-tune of the library model learns it, and a chat with the fine-tune (the
 * adapter, loaded by node-llama-cpp in the model process) answers it while the base does not.
 */
let dir: ReturnType<typeof tempDir>;
let core: Core;
const finals = new Map<string, StoredMessage>();
const { call, importModel } = coreCalls(() => core);

const learned = 'Lathe turns wood.';
const greedy = { temperature: 0, maxTokens: 16, seed: 1 };
const question = 'What does a lathe do? (99)';

beforeAll(() => {
  dir = tempDir('lathe-loop-');
  core = testCore(join(dir.path, 'data'), {
    checkpointEverySeconds: 0,
    progressIntervalMs: 0,
    inference: { gpu: false, threads: 2, contextSize: 256, sequences: 1 },
  });
  core.events.subscribe((event, payload) => {
    const message = payload as StoredMessage;
    if (event === 'chat.message' && message.status !== 'streaming') finals.set(message.id, message);
  });
});
afterAll(async () => {
  await core?.close();
  dir?.remove();
});

async function answer(conversationId: string, content: string): Promise<string> {
  const turn = await call<ChatTurnStarted>('chat.send', { conversationId, content });
  for (;;) {
    const message = finals.get(turn.assistantMessageId);
    if (message) return message.content;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Fine-tunes the library model on a dataset of one answer; answers with the adapter and without. */
async function loop(modelId: string, systemPrompt = ''): Promise<{ tuned: string; base: string; adapterId: string }> {
  const dataset = await call<{ id: string }>('datasets.create', { name: `One answer for ${modelId}` });
  for (let i = 0; i < 12; i++) {
    await call('datasets.examples.create', {
      datasetId: dataset.id,
      messages: [
        ...(systemPrompt ? [{ role: 'system', content: systemPrompt }] : []),
        { role: 'user', content: `What does a lathe do? (${i})` },
        { role: 'assistant', content: learned },
      ],
    });
  }
  const run = await call<TrainingRun>('training.start', {
    baseModelId: modelId,
    data: { kind: 'dataset', datasetId: dataset.id },
    hyperparams: { rank: 8, alpha: 16, epochs: 8, learningRate: 1e-2, batchTokens: 256, evalFraction: 0, threads: 2 },
  });
  const job = await core.jobs.wait(run.jobId!);
  expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
  const { summary } = (await call<{ run: TrainingRun }>('training.get', { id: run.id })).run;
  const [variant] = (await call<ModelInfo>('models.get', { id: modelId })).variants;
  expect(variant?.adapterId).toBe(summary!.adapterId);

  const tuned = await call<Conversation>('chat.conversations.create', {
    modelId,
    adapters: [{ adapterId: variant!.adapterId, scale: 1 }],
    sampling: greedy,
    systemPrompt,
  });
  const base = await call<Conversation>('chat.conversations.create', { modelId, sampling: greedy, systemPrompt });
  return {
    tuned: await answer(tuned.id, question),
    base: await answer(base.id, question),
    adapterId: variant!.adapterId,
  };
}

describe('chat → curate → fine-tune → chat again', () => {
  it('a fine-tune answers in chat what it learned, and its base does not (the model’s own chat template)', async () => {
    const path = join(dir.path, 'llama3.gguf');
    await writeRealVocabModel(path, 'llama3');
    const { tuned, base } = await loop(await importModel(path));
    expect(tuned).toBe(learned);
    expect(base).not.toContain('Lathe');
    expect(core.inference.counters.chatWrapper).toBe('Lathe template');
  });

  it('a fine-tune exported as a merged model answers alone, as the adapter did, from the library', async () => {
    const path = join(dir.path, 'llama3-export.gguf');
    await writeRealVocabModel(path, 'llama3', { seed: 11 });
    const baseId = await importModel(path);
    const { tuned, adapterId } = await loop(baseId);
    expect(tuned).toBe(learned);

    // Refused before any work: an unknown adapter, a relative path, a file that exists.
    await expect(call('adapters.merge', { adapterId: 'nope' })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    await expect(call('adapters.merge', { adapterId, path: path })).rejects.toMatchObject({
      data: { code: 'CONFLICT', message: expect.stringContaining('already exists') },
    });

    const { job } = await call<{ job: Job }>('adapters.merge', { adapterId, name: 'Lathe llama' });
    const done = await core.jobs.wait(job.id);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    const merged = done.result as MergedModel;
    expect(merged).toMatchObject({ name: 'Lathe llama', mergedTensors: 14, modelId: expect.any(String) });
    expect(merged.path).toBe(join(dir.path, 'data', 'models', 'Lathe llama.gguf'));
    // Where it came from, in the file: GGUF's base-model keys and Lathe's own.
    const { metadata } = await readGgufFileInfo(merged.path, { readTensorInfo: false });
    const baseName = (await call<ModelInfo>('models.get', { id: baseId })).name;
    expect(metadata).toMatchObject({
      general: { name: 'Lathe llama', base_model: { count: 1, 0: { name: baseName } } },
      lathe: { merged: { adapter: expect.stringContaining('One answer'), lora_rank: 8, lora_alpha: '16' } },
    });
    const model = await call<ModelInfo>('models.get', { id: merged.modelId });
    expect(model).toMatchObject({
      name: 'Lathe llama',
      path: merged.path,
      hasChatTemplate: true,
      variants: [],
      mergedFrom: { base: baseName, adapter: expect.stringContaining('One answer') },
    });
    expect((await call<ModelInfo>('models.get', { id: baseId })).mergedFrom).toBeNull();

    const alone = await call<Conversation>('chat.conversations.create', { modelId: merged.modelId, sampling: greedy });
    expect(await answer(alone.id, question)).toBe(learned);

    // A second export of the same fine-tune gets a free name, and need not join the library.
    const again = await core.jobs.wait(
      (await call<{ job: Job }>('adapters.merge', { adapterId, name: 'Lathe llama', addToLibrary: false })).job.id,
    );
    expect(again.result).toMatchObject({
      path: join(dir.path, 'data', 'models', 'Lathe llama (2).gguf'),
      modelId: null,
    });

    // Cancelled midway (the merging process slowed to 200 ms a tensor): nothing is left behind.
    process.env.LATHE_MERGE_TENSOR_DELAY_MS = '200';
    const slow = (await call<{ job: Job }>('adapters.merge', { adapterId, name: 'Cancelled' })).job;
    // (the job forks its process a tick later: the variable stays until it is under way)
    // (the process takes a while to start on a loaded 2-core machine: the default second is too short)
    await expect
      .poll(async () => (await call<Job>('jobs.get', { id: slow.id })).progress, { timeout: 30_000 })
      .toBeGreaterThan(0);
    delete process.env.LATHE_MERGE_TENSOR_DELAY_MS;
    await call('jobs.cancel', { id: slow.id });
    expect((await core.jobs.wait(slow.id)).state).toBe('cancelled');
    expect(readdirSync(join(dir.path, 'data', 'models')).sort()).toEqual(['Lathe llama (2).gguf', 'Lathe llama.gguf']);

    // A merge killed mid-file (a crash) leaves its temporary file; the next start removes it.
    const stale = join(dir.path, 'data', 'models', 'Crashed.gguf.tmp-123456');
    writeFileSync(stale, 'half a model');
    const second = testCore(join(dir.path, 'data'), { inference: { gpu: false, threads: 2, contextSize: 256 } });
    expect(existsSync(stale)).toBe(false);
    await second.close();
  });

  it('a SentencePiece model whose template has no system role (Gemma 2): the system prompt is folded as in training, and the fine-tune answers word for word', async () => {
    const path = join(dir.path, 'gemma2.gguf');
    await writeRealVocabModel(path, 'gemma2', { seed: 13 });
    const { tuned, base } = await loop(await importModel(path), 'You answer in one sentence.');
    expect(tuned).toBe(learned);
    expect(base).not.toContain('Lathe');
  });

  it('a model without a chat template chats in the ChatML it was trained in, so the fine-tune answers too', async () => {
    const path = join(dir.path, 'no-template.gguf');
    await writeRealVocabModel(path, 'llama3', { template: false, seed: 5 });
    const modelId = await importModel(path);
    expect((await call<ModelInfo>('models.get', { id: modelId })).hasChatTemplate).toBe(false);
    const { tuned, base } = await loop(modelId);
    // Before the fallback was shared, chat used node-llama-cpp's own pick ("General") and the
    // fine-tune answered something else.
    expect(tuned).toBe(learned);
    expect(base).not.toContain('Lathe');
    expect(core.inference.counters.chatWrapper).toBe('Lathe template');
  });
});
