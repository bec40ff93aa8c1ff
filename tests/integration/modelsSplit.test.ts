import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, renameSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrainerAddon } from '../../native/index.js';
import type { Core } from '../../src/main/core/createCore';
import type { ChatTurnStarted, Conversation, ModelInfo, StoredMessage } from '../../src/shared/domain';
import { writeRandomLlama } from '../helpers/gguf/randomLlama';
import { chatMlTemplate } from '../helpers/models/testModels';
import { coreCalls } from '../helpers/coreCalls';
import { tempDir } from '../helpers/tempDir';
import { testCore } from '../helpers/testCore';

/**
 * Split GGUFs (`gguf-split`'s `…-00001-of-00003.gguf`): imported by their first part, checked and
 * hashed whole, loaded by node-llama-cpp for chat and by the trainer, deleted whole.
 */
let dir: ReturnType<typeof tempDir>;
let core: Core;
const seen: { event: string; payload: unknown }[] = [];
const { call, failure } = coreCalls(() => core);
const part = (i: number) => join(dir.path, `tiny-0000${i}-of-00003.gguf`);

beforeAll(() => {
  dir = tempDir();
  writeRandomLlama(join(dir.path, 'tiny.gguf'), { chatTemplate: chatMlTemplate, splits: 3 });
  core = testCore(join(dir.path, 'data'), { inference: { gpu: false, threads: 2, contextSize: 256 } });
  core.events.subscribe((event, payload) => seen.push({ event, payload }));
});
afterAll(async () => {
  await core.close();
  dir.remove();
});

async function importJob(path: string): Promise<{ state: string; result?: unknown }> {
  const { job } = await call<{ job: { id: string } }>('models.import', { path });
  return core.jobs.wait(job.id);
}

describe('split GGUF models', () => {
  let id: string;

  it('wants the first part, and every part beside it', async () => {
    for (const i of [1, 2, 3]) expect(existsSync(part(i)), `part ${i}`).toBe(true);
    const second = await failure('models.import', { path: part(2) });
    expect(second).toMatchObject({ code: 'INVALID_INPUT', details: { reason: 'split-part', firstPart: part(1) } });
    expect(second.message).toMatch(/part 2 of 3.*tiny-00001-of-00003\.gguf/);

    renameSync(part(3), `${part(3)}.away`);
    const missing = await failure('models.import', { path: part(1) });
    renameSync(`${part(3)}.away`, part(3));
    expect(missing).toMatchObject({ code: 'NOT_FOUND', details: { reason: 'missing', path: part(3) } });
    expect(missing.message).toMatch(/Part 3 of 3/);
  });

  it('imports by the first part: the size and the hash are of all the parts, in order', async () => {
    const done = await importJob(part(1));
    expect(done.state).toBe('succeeded');
    id = (done.result as { modelId: string }).modelId;
    const model = await call<ModelInfo>('models.get', { id });
    const bytes = [1, 2, 3].map((i) => readFileSync(part(i)));
    const whole = createHash('sha256');
    for (const b of bytes) whole.update(b);
    expect(model).toMatchObject({
      path: part(1),
      files: 3,
      sizeBytes: bytes.reduce((a, b) => a + b.length, 0),
      sha256: whole.digest('hex'),
      architecture: 'llama',
      hasChatTemplate: true,
      missing: false,
    });
    expect(model.parameterCount).toBeGreaterThan(0);
  });

  it('chats through node-llama-cpp, which loads the parts from the first', async () => {
    const c = await call<Conversation>('chat.conversations.create', {
      modelId: id,
      sampling: { temperature: 0, maxTokens: 6, seed: 1 },
    });
    const turn = await call<ChatTurnStarted>('chat.send', { conversationId: c.id, content: 'Hello' });
    let answer: StoredMessage | undefined;
    while (!answer) {
      answer = seen
        .map((e) => e.payload as StoredMessage)
        .find((m) => m?.id === turn.assistantMessageId && m.status !== 'streaming');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(answer.status).toBe('done');
    expect(answer.stats?.completionTokens).toBeGreaterThan(0);
  });

  it('loads in the trainer from the first part', async () => {
    const t = loadTrainerAddon();
    const model = new t.TrainerModel(part(1));
    await model.load();
    try {
      expect(model.info().nParams).toBeGreaterThan(0);
    } finally {
      model.dispose();
    }
  });

  it('shows a missing part, and a truncated part is refused on import', async () => {
    renameSync(part(2), `${part(2)}.away`);
    expect((await call<ModelInfo>('models.get', { id })).missing).toBe(true);
    renameSync(`${part(2)}.away`, part(2));
    expect((await call<ModelInfo>('models.get', { id })).missing).toBe(false);

    const copy = (i: number) => join(dir.path, `cut-0000${i}-of-00003.gguf`);
    for (const i of [1, 2, 3]) copyFileSync(part(i), copy(i));
    truncateSync(copy(2), Math.floor(statSync(copy(2)).size / 2));
    expect(await failure('models.import', { path: copy(1) })).toMatchObject({
      code: 'INVALID_INPUT',
      details: { reason: 'corrupt' },
    });
  });

  it('deletes every part with the model', async () => {
    expect(await call('models.delete', { id, deleteFile: true })).toEqual({ deleted: true, fileDeleted: true });
    for (const i of [1, 2, 3]) expect(existsSync(part(i)), `part ${i}`).toBe(false);
  });
});
