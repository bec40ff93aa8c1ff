import { join } from 'node:path';
import { getLlama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/createCore';
import type { DatasetExample, DatasetInfo, TokenStats } from '../../src/shared/datasets';
import type { Job } from '../../src/shared/domain';
import { writeRealVocabModel } from '../helpers/models/testModels';
import { tempDir } from '../helpers/tempDir';
import { testCore } from '../helpers/testCore';

let dir: ReturnType<typeof tempDir>;
let core: Core;
let modelId: string;
let modelPath: string;

beforeAll(async () => {
  dir = tempDir();
  modelPath = join(dir.path, 'qwen.gguf');
  await writeRealVocabModel(modelPath, 'qwen25');
  core = testCore(join(dir.path, 'data'), { inference: { gpu: false } });
  const { job } = await call<{ job: Job }>('models.import', { path: modelPath });
  modelId = ((await core.jobs.wait(job.id)).result as { modelId: string }).modelId;
}, 120_000);
afterAll(async () => {
  await core.close();
  dir.remove();
});

async function call<T>(method: string, input: unknown): Promise<T> {
  const result = await core.dispatch(method, input);
  if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
  return result.data as T;
}

describe('token counts', () => {
  it("counts tokens with the model's tokenizer and chat template, caches them, and histograms them", async () => {
    const d = await call<DatasetInfo>('datasets.create', { name: 'Tokens', defaultMaxLength: 30 });
    const short = await call<DatasetExample>('datasets.examples.create', {
      datasetId: d.id,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello there' },
        { role: 'assistant', content: 'Hi!' },
      ],
    });
    const long = await call<DatasetExample>('datasets.examples.create', {
      datasetId: d.id,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Tell me about tokenizers. '.repeat(10) },
        { role: 'assistant', content: 'They split text into tokens. '.repeat(10) },
      ],
    });
    const job = await call<Job>('datasets.tokenize', { datasetId: d.id, modelId });
    const done = await core.jobs.wait(job.id);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    expect(done.result).toMatchObject({ counted: 2, total: 2 });

    // Independently: Qwen 2.5's template with a system turn is plain ChatML; special tokens are single tokens.
    const llama = await getLlama({ gpu: false, build: 'never' });
    const model = await llama.loadModel({ modelPath, vocabOnly: true });
    const chatMl = (sys: string, user: string, answer: string) =>
      `<|im_start|>system\n${sys}<|im_end|>\n<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n${answer}<|im_end|>\n`;
    const expectedShort = model.tokenize(chatMl('Be brief.', 'Hello there', 'Hi!'), true).length;
    const expectedLong = model.tokenize(
      chatMl('Be brief.', 'Tell me about tokenizers. '.repeat(10), 'They split text into tokens. '.repeat(10)),
      true,
    ).length;
    await model.dispose();
    await llama.dispose();
    // 22 = 3 turns × (<|im_start|> role \n … <|im_end|> \n) with single-token markers + 7 content tokens.
    expect(expectedShort).toBe(22);
    const a = await call<DatasetExample>('datasets.examples.get', { id: short.id });
    const b = await call<DatasetExample>('datasets.examples.get', { id: long.id });
    expect(a).toMatchObject({ tokenCount: expectedShort, tokenModel: modelId });
    expect(b).toMatchObject({ tokenCount: expectedLong, tokenModel: modelId });

    const stats = await call<TokenStats>('datasets.stats', { datasetId: d.id, modelId });
    expect(stats).toMatchObject({ counted: 2, uncounted: 0, overMax: 1, maxLength: 30, max: expectedLong });

    // A second run counts nothing new; an edit is counted again.
    await call('datasets.examples.update', { id: short.id, note: 'note only keeps the count' });
    expect((await call<DatasetExample>('datasets.examples.get', { id: short.id })).tokenCount).toBe(expectedShort);
    const again = await core.jobs.wait((await call<Job>('datasets.tokenize', { datasetId: d.id, modelId })).id);
    expect(again.result).toMatchObject({ counted: 0 });
  }, 120_000);
});
