import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/createCore';
import type { EventName } from '../../src/shared/contract';
import type { DatasetExample, DatasetInfo } from '../../src/shared/datasets';
import type {
  ChatThread,
  ChatTurnStarted,
  Conversation,
  KeptExample,
  ModelInfo,
  StoredMessage,
} from '../../src/shared/domain';
import { writeRandomLlama } from '../helpers/gguf/randomLlama';
import { writeLoraAdapter, writeRealVocabModel, writeTinyChatModel } from '../helpers/models/testModels';
import { tempDir } from '../helpers/tempDir';
import { coreCalls } from '../helpers/coreCalls';
import { testCore } from '../helpers/testCore';

const inference = { gpu: false, threads: 2, contextSize: 256, sequences: 2 } as const;
let dir: ReturnType<typeof tempDir>;
let dataDir: string;
let core: Core;
let modelId: string;
let sha256: string;
const seen: { event: EventName; payload: unknown }[] = [];

beforeAll(async () => {
  dir = tempDir();
  dataDir = join(dir.path, 'data');
  writeTinyChatModel(join(dir.path, 'tiny.gguf'));
  core = start();
  modelId = await importModel(join(dir.path, 'tiny.gguf'));
  sha256 = (await call<ModelInfo>('models.get', { id: modelId })).sha256;
});
afterAll(async () => {
  await core.close();
  dir.remove();
});

function start(): Core {
  const c = testCore(dataDir, { inference });
  c.events.subscribe((event, payload) => seen.push({ event, payload }));
  return c;
}
const { call, failure, importModel } = coreCalls(() => core);
/** Resolves with the final `chat.message` of an answer (the first after event `from`). */
function finished(messageId: string, from = 0): Promise<StoredMessage> {
  return new Promise((resolve) => {
    const check = () => {
      const hit = seen
        .slice(from)
        .find(
          (e) =>
            e.event === 'chat.message' &&
            (e.payload as StoredMessage).id === messageId &&
            (e.payload as StoredMessage).status !== 'streaming',
        );
      if (hit) resolve(hit.payload as StoredMessage);
      else setTimeout(check, 5);
    };
    check();
  });
}
const deltas = (messageId: string) =>
  seen
    .filter((e) => e.event === 'chat.token' && (e.payload as { messageId: string }).messageId === messageId)
    .map((e) => (e.payload as { delta: string }).delta);

const greedy = { temperature: 0, maxTokens: 12, seed: 1 };

describe('chat on a tiny model', () => {
  let conversation: Conversation;
  let first: ChatTurnStarted;

  it('streams an answer whose token events concatenate to the stored message', async () => {
    conversation = await call<Conversation>('chat.conversations.create', {
      modelId,
      systemPrompt: 'You are terse.',
      sampling: greedy,
    });
    first = await call<ChatTurnStarted>('chat.send', { conversationId: conversation.id, content: 'Hello there' });
    const answer = await finished(first.assistantMessageId);
    expect(answer).toMatchObject({ role: 'assistant', parentId: first.userMessageId, truncatedContext: false });
    expect(['done']).toContain(answer.status);
    expect(answer.content.length).toBeGreaterThan(0);
    expect(deltas(answer.id).join('')).toBe(answer.content);
    expect(answer.stats!.completionTokens).toBeGreaterThan(0);
    expect(answer.stats!.completionTokens).toBeLessThanOrEqual(12);
    expect(answer.stats!.promptTokens).toBeGreaterThan('You are terse.Hello there'.length);
    expect(answer.stats!.timeToFirstTokenMs).not.toBeNull();
    expect(answer.variant).toEqual({ modelId, adapters: [] });
    expect(answer.sampling).toMatchObject(greedy);
    // Token events come before the final message.
    const lastToken = seen.findLastIndex(
      (e) => e.event === 'chat.token' && (e.payload as { messageId: string }).messageId === answer.id,
    );
    const final = seen.findIndex((e) => e.event === 'chat.message' && (e.payload as StoredMessage).id === answer.id);
    expect(lastToken).toBeLessThan(final);
    const thread = await call<ChatThread>('chat.thread', { conversationId: conversation.id });
    expect(thread.conversation.title).toBe('Hello there');
    expect(thread.messages.map((m) => m.id)).toEqual([first.userMessageId, first.assistantMessageId]);
  });

  it('answers BUSY to a second send while the first is generating, and stops mid-stream', async () => {
    await call('chat.conversations.update', {
      id: conversation.id,
      sampling: { temperature: 1, maxTokens: 4000, seed: 3 },
    });
    const turn = await call<ChatTurnStarted>('chat.send', { conversationId: conversation.id, content: 'Tell me more' });
    expect(await failure('chat.send', { conversationId: conversation.id, content: 'again' })).toMatchObject({
      code: 'BUSY',
    });
    while (deltas(turn.assistantMessageId).length === 0) await new Promise((r) => setTimeout(r, 1));
    expect(await call('chat.stop', { conversationId: conversation.id })).toEqual({ stopped: true });
    const answer = await finished(turn.assistantMessageId);
    expect(answer.status).toBe('stopped');
    expect(deltas(answer.id).join('')).toBe(answer.content);
    expect(await call('chat.stop', { conversationId: conversation.id })).toEqual({ stopped: false });
    await call('chat.conversations.update', { id: conversation.id, sampling: greedy });
  });

  it('regenerates as a sibling and navigates between branches', async () => {
    const again = await call<ChatTurnStarted>('chat.regenerate', { messageId: first.assistantMessageId });
    expect(again.userMessageId).toBe(first.userMessageId);
    await finished(again.assistantMessageId);
    let thread = await call<ChatThread>('chat.thread', { conversationId: conversation.id });
    expect(thread.messages.map((m) => m.id)).toEqual([first.userMessageId, again.assistantMessageId]);
    expect(thread.messages[1]).toMatchObject({
      siblingIndex: 1,
      siblingCount: 2,
      siblingIds: [first.assistantMessageId, again.assistantMessageId],
    });
    // Back to the first answer: the branch continues down to its newest descendant.
    thread = await call<ChatThread>('chat.thread', {
      conversationId: conversation.id,
      leafId: first.assistantMessageId,
    });
    expect(thread.messages[1]!.id).toBe(first.assistantMessageId);
    expect(thread.messages.length).toBe(4);
    expect((await call<ChatThread>('chat.thread', { conversationId: conversation.id })).messages).toEqual(
      thread.messages,
    );
  });

  it('edits a user message into a new branch with its own answer', async () => {
    const edited = await call<ChatTurnStarted>('chat.edit', { messageId: first.userMessageId, content: 'Hi!' });
    await finished(edited.assistantMessageId);
    const thread = await call<ChatThread>('chat.thread', { conversationId: conversation.id });
    expect(thread.messages.map((m) => m.content)[0]).toBe('Hi!');
    expect(thread.messages[0]).toMatchObject({ parentId: null, siblingIndex: 1, siblingCount: 2 });
    expect(thread.messages[1]!.id).toBe(edited.assistantMessageId);
    expect(await failure('chat.edit', { messageId: edited.assistantMessageId, content: 'x' })).toMatchObject({
      code: 'CONFLICT',
    });
    expect(await failure('chat.regenerate', { messageId: edited.userMessageId })).toMatchObject({ code: 'CONFLICT' });
  });

  it('saves an answer edited by hand as a new version that the next turns see and Continue goes on from', async () => {
    const c = await call<Conversation>('chat.conversations.create', { modelId, sampling: greedy });
    const turn = await call<ChatTurnStarted>('chat.send', { conversationId: c.id, content: 'Start a story' });
    const original = await finished(turn.assistantMessageId);
    const mine = 'Once upon a time, a lathe';
    const version = await call<StoredMessage>('chat.editAnswer', { messageId: original.id, content: mine });
    expect(version).toMatchObject({
      parentId: turn.userMessageId,
      role: 'assistant',
      content: mine,
      edited: true,
      reasoning: null,
      status: 'done',
      stats: null,
      variant: original.variant,
    });
    const thread = await call<ChatThread>('chat.thread', { conversationId: c.id });
    expect(thread.messages.map((m) => m.id)).toEqual([turn.userMessageId, version.id]);
    expect(thread.messages[1]).toMatchObject({ siblingCount: 2, siblingIndex: 1 });
    // The model's answer stays, one version back.
    const back = await call<ChatThread>('chat.thread', { conversationId: c.id, leafId: original.id });
    expect(back.messages[1]).toMatchObject({ id: original.id, content: original.content, edited: false });
    expect(await failure('chat.editAnswer', { messageId: turn.userMessageId, content: 'x' })).toMatchObject({
      code: 'CONFLICT',
    });

    // Continue goes on from the hand-written beginning (a prefilled answer).
    const before = seen.length;
    const more = await call<ChatTurnStarted>('chat.continue', { messageId: version.id });
    expect(more.assistantMessageId).toBe(version.id);
    const grown = await finished(version.id, before);
    expect(grown.content.startsWith(mine)).toBe(true);
    expect(grown.content.length).toBeGreaterThan(mine.length);
    const added = seen
      .slice(before)
      .filter((e) => e.event === 'chat.token' && (e.payload as { messageId: string }).messageId === version.id)
      .map((e) => (e.payload as { delta: string }).delta);
    expect(added.join('')).toBe(grown.content.slice(mine.length));
    expect(grown).toMatchObject({ edited: true, status: 'done' });

    // The next turn is asked after the edited version, and keeping it keeps it as edited.
    const next = await call<ChatTurnStarted>('chat.send', { conversationId: c.id, content: 'Go on' });
    const answer = await finished(next.assistantMessageId);
    const kept = await call<KeptExample>('chat.keep', { messageId: answer.id });
    expect(kept.messages.slice(0, 2)).toEqual([
      { role: 'user', content: 'Start a story' },
      { role: 'assistant', content: grown.content },
    ]);
    expect((await call<KeptExample>('chat.keep', { messageId: grown.id })).edited).toBe(true);
  });

  it('draws a fresh seed for each answer without a fixed seed, and records the seed used', async () => {
    const c = await call<Conversation>('chat.conversations.create', {
      modelId,
      sampling: { temperature: 1, topK: 0, topP: 1, minP: 0, repeatPenalty: 1, maxTokens: 10, seed: null },
    });
    const turn = await call<ChatTurnStarted>('chat.send', { conversationId: c.id, content: 'Surprise me' });
    const answers = [await finished(turn.assistantMessageId)];
    // Regenerations follow each other within a second, where node-llama-cpp's own default seed
    // (the current second) would repeat itself.
    for (let i = 0; i < 2; i++) {
      const again = await call<ChatTurnStarted>('chat.regenerate', { messageId: turn.assistantMessageId });
      answers.push(await finished(again.assistantMessageId));
    }
    const seeds = answers.map((a) => a.sampling!.seed);
    for (const seed of seeds) expect(Number.isInteger(seed)).toBe(true);
    expect(new Set(seeds).size).toBe(3);
    // The conversation keeps "random"; the answers record what was drawn. A fixed seed is kept as is.
    expect((await call<Conversation>('chat.conversations.get', { id: c.id })).sampling.seed).toBeNull();
    await call('chat.conversations.update', { id: c.id, sampling: { seed: 1234 } });
    const fixed = await call<ChatTurnStarted>('chat.regenerate', { messageId: turn.assistantMessageId });
    expect((await finished(fixed.assistantMessageId)).sampling!.seed).toBe(1234);
  });

  it('evaluates prompts on every thread, and generates on the faster of all threads and one fewer', async () => {
    expect(core.inference.counters.threads).toMatchObject({ batch: 2, candidates: [1, 2] });
    const c = await call<Conversation>('chat.conversations.create', {
      modelId,
      sampling: { temperature: 1, topK: 0, topP: 1, minP: 0, repeatPenalty: 1, maxTokens: 64, seed: 5 },
    });
    // Answers until the tuner has timed both counts (2 warmup + 12 each).
    for (let i = 0; i < 10 && core.inference.counters.threads?.generation === null; i++) {
      const turn = await call<ChatTurnStarted>('chat.send', { conversationId: c.id, content: `Tell me more ${i}` });
      await finished(turn.assistantMessageId);
    }
    const chosen = core.inference.counters.threads?.generation;
    expect([1, 2]).toContain(chosen);
    const before = new Map(core.inference.counters.decodesByThreads);
    const turn = await call<ChatTurnStarted>('chat.send', {
      conversationId: c.id,
      content: 'A question long enough to be a batch of many tokens',
    });
    const answer = await finished(turn.assistantMessageId);
    const grown = (threads: number) =>
      (core.inference.counters.decodesByThreads.get(threads) ?? 0) - (before.get(threads) ?? 0);
    // the prompt on 2 threads, then one decode per generated token on the chosen count
    expect(grown(2)).toBeGreaterThanOrEqual(1);
    expect(grown(chosen as number)).toBeGreaterThanOrEqual((answer.stats?.completionTokens ?? 0) - 1);
    if (chosen === 1) expect(grown(2)).toBeLessThanOrEqual(2);
  });

  it('refuses a prompt longer than the context and drops the oldest turns of a long chat', async () => {
    const error = await failure('chat.send', { conversationId: conversation.id, content: 'x'.repeat(400) });
    expect(error).toMatchObject({ code: 'INVALID_INPUT', details: { reason: 'prompt-too-long' } });
    expect(error.message).toMatch(/too long/);

    const long = await call<Conversation>('chat.conversations.create', {
      modelId,
      systemPrompt: 'Keep me.',
      sampling: { ...greedy, maxTokens: 8 },
    });
    let answer: StoredMessage | null = null;
    for (let i = 0; i < 6 && !answer?.truncatedContext; i++) {
      const turn = await call<ChatTurnStarted>('chat.send', {
        conversationId: long.id,
        content: `Turn ${i}: ${'words '.repeat(10)}`,
      });
      answer = await finished(turn.assistantMessageId);
    }
    expect(answer!.truncatedContext).toBe(true);
    expect(answer!.status).toBe('done');
    expect(answer!.stats!.promptTokens).toBeLessThanOrEqual(256);
  });

  it('applies adapters without reloading the base model, and a LoRA changes the answer', async () => {
    const strong = join(dir.path, 'strong.gguf');
    const zero = join(dir.path, 'zero.gguf');
    writeLoraAdapter(strong, { gain: 3, seed: 11 });
    writeLoraAdapter(zero, { gain: 0 });
    const insert = core.db.prepare(
      `INSERT INTO adapters (id, name, path, base_model_path, base_model_sha256, run_id, rank, alpha, targets, size_bytes, created_at)
       VALUES (?, ?, ?, ?, ?, NULL, 4, 4, '["q","v"]', 1, ?)`,
    );
    insert.run('strong', 'Strong', strong, join(dir.path, 'tiny.gguf'), sha256, 2);
    insert.run('zero', 'Zero', zero, join(dir.path, 'tiny.gguf'), sha256, 1);
    insert.run('foreign', 'Foreign', join(dir.path, 'foreign.gguf'), '/other.gguf', 'f'.repeat(64), 3);
    expect((await call<ModelInfo>('models.get', { id: modelId })).variants.map((v) => v.adapterId)).toEqual([
      'strong',
      'zero',
    ]);

    const ask = async (adapters: { adapterId: string; scale?: number }[]) => {
      const c = await call<Conversation>('chat.conversations.create', { modelId, adapters, sampling: greedy });
      const turn = await call<ChatTurnStarted>('chat.send', { conversationId: c.id, content: 'Same question' });
      return (await finished(turn.assistantMessageId)).content;
    };
    const loadsBefore = core.inference.counters.modelLoads;
    const contextsBefore = core.inference.counters.contextCreations;
    const base = await ask([]);
    const withZero = await ask([{ adapterId: 'zero' }]);
    const withStrong = await ask([{ adapterId: 'strong', scale: 1 }]);
    expect(withZero).toBe(base);
    expect(withStrong).not.toBe(base);
    expect(core.inference.counters.modelLoads).toBe(loadsBefore);
    expect(core.inference.counters.contextCreations).toBe(contextsBefore + 2);
    console.info(
      `inference: model load ${core.inference.counters.lastModelLoadMs} ms, adapter context ${core.inference.counters.lastContextCreateMs} ms`,
    );
    expect((await call<{ contexts: string[][] }>('inference.status', {})).contexts).toHaveLength(2);

    expect(
      await failure('chat.conversations.create', { modelId, adapters: [{ adapterId: 'foreign', scale: 1 }] }),
    ).toMatchObject({ code: 'CONFLICT', details: { reason: 'adapter-mismatch' } });
  });

  it('stores feedback and kept examples with a link back, and exports the branch', async () => {
    const thread = await call<ChatThread>('chat.thread', { conversationId: conversation.id });
    const answer = thread.messages.at(-1)!;
    expect((await call<StoredMessage>('chat.feedback', { messageId: answer.id, rating: 'up' })).rating).toBe('up');
    const kept = await call<KeptExample>('chat.keep', { messageId: answer.id, editedContent: 'A better answer.' });
    expect(kept).toMatchObject({ conversationId: conversation.id, messageId: answer.id, edited: true });
    expect(kept.messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      ...thread.messages.slice(0, -1).map((m) => ({ role: m.role, content: m.content })),
      { role: 'assistant', content: 'A better answer.' },
    ]);
    const again = await call<KeptExample>('chat.keep', { messageId: answer.id });
    expect(again).toMatchObject({ id: kept.id, edited: false });
    const stored = (await call<ChatThread>('chat.thread', { conversationId: conversation.id })).messages.at(-1)!;
    expect(stored).toMatchObject({ rating: 'up', keptExampleId: kept.id });
    expect(await failure('chat.feedback', { messageId: thread.messages[0]!.id, rating: 'down' })).toMatchObject({
      code: 'CONFLICT',
    });

    const md = await call<{ filename: string; text: string }>('chat.export', {
      conversationId: conversation.id,
      format: 'markdown',
    });
    expect(md.filename).toBe('hello-there.md');
    expect(md.text).toContain('## System\n\nYou are terse.');
    expect(md.text).toContain('## User\n\nHi!');
    const json = await call<{ text: string }>('chat.export', { conversationId: conversation.id, format: 'json' });
    expect(JSON.parse(json.text).messages).toHaveLength(thread.messages.length);
  });

  it('lists and searches conversations by title and message text', async () => {
    await call('chat.conversations.rename', { id: conversation.id, title: 'Greetings' });
    const all = await call<{ id: string }[]>('chat.conversations.list', {});
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect((await call<{ id: string }[]>('chat.conversations.list', { search: 'greet' })).map((c) => c.id)).toEqual([
      conversation.id,
    ]);
    const byText = await call<{ id: string; snippet: string | null }[]>('chat.conversations.list', {
      search: 'tell me MORE',
    });
    expect(byText).toEqual([expect.objectContaining({ id: conversation.id, snippet: 'Tell me more' })]);
  });

  it('keeps answers in "Kept from chat" (created on demand) or a chosen dataset, linked to the message', async () => {
    const thread = await call<ChatThread>('chat.thread', { conversationId: conversation.id });
    const answer = thread.messages.at(-1)!;
    const kept = await call<KeptExample>('chat.keep', { messageId: answer.id });
    const sets = await call<DatasetInfo[]>('datasets.list', {});
    const keptSet = sets.find((d) => d.name === 'Kept from chat')!;
    expect(kept.datasetId).toBe(keptSet.id);
    const example = await call<DatasetExample>('datasets.examples.get', { id: kept.id });
    expect(example).toMatchObject({
      source: 'chat',
      sourceRef: { conversationId: conversation.id, messageId: answer.id, edited: false },
      messages: kept.messages,
    });
    expect(seen).toContainEqual({ event: 'datasets.changed', payload: { datasetId: keptSet.id, change: 'examples' } });

    const mine = await call<DatasetInfo>('datasets.create', { name: 'Best answers' });
    const second = await call<KeptExample>('chat.keep', {
      messageId: answer.id,
      datasetId: mine.id,
      editedContent: 'Edited.',
    });
    expect(second).toMatchObject({ datasetId: mine.id, edited: true });
    expect(second.id).not.toBe(kept.id);
    // The message points at the newest example kept from it; trashing it falls back to the older one.
    expect((await call<ChatThread>('chat.thread', { conversationId: conversation.id })).messages.at(-1)).toMatchObject({
      keptExampleId: second.id,
    });
    await call('datasets.examples.bulk', { ids: [second.id], action: { kind: 'delete' } });
    expect((await call<ChatThread>('chat.thread', { conversationId: conversation.id })).messages.at(-1)).toMatchObject({
      keptExampleId: kept.id,
    });
    expect(await failure('chat.keep', { messageId: answer.id, datasetId: 'no-such-dataset' })).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('keeps everything across a restart of the core', async () => {
    const before = await call<ChatThread>('chat.thread', { conversationId: conversation.id });
    await core.close();
    core = start();
    const after = await call<ChatThread>('chat.thread', { conversationId: conversation.id });
    expect(after).toEqual(before);
    expect((await call<ModelInfo[]>('models.list', {})).map((m) => m.id)).toContain(modelId);
    const turn = await call<ChatTurnStarted>('chat.send', { conversationId: conversation.id, content: 'Still there?' });
    expect((await finished(turn.assistantMessageId)).status).toBe('done');
    expect(core.inference.counters.modelLoads).toBe(1);
    expect(await call('chat.conversations.delete', { id: conversation.id })).toEqual({ deleted: true });
    expect(await failure('chat.thread', { conversationId: conversation.id })).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe.each(['llama3', 'qwen25'] as const)('a model with the real %s vocabulary and template', (family) => {
  it('loads and chats through its own chat template', async () => {
    const path = join(dir.path, `${family}.gguf`);
    await writeRealVocabModel(path, family);
    const id = await importModel(path);
    expect((await call<ModelInfo>('models.get', { id })).hasChatTemplate).toBe(true);
    const c = await call<Conversation>('chat.conversations.create', {
      modelId: id,
      systemPrompt: 'Be brief.',
      sampling: { ...greedy, maxTokens: 6 },
    });
    const turn = await call<ChatTurnStarted>('chat.send', { conversationId: c.id, content: 'Hello, ünïcödé 🚀' });
    const answer = await finished(turn.assistantMessageId);
    expect(answer.status).toBe('done');
    expect(deltas(answer.id).join('')).toBe(answer.content);
    expect(core.inference.counters.chatWrapper).toBe('Lathe template');
    expect(answer.stats!.promptTokens).toBeGreaterThan(10);
  });
});

describe('a model whose chat template Lathe cannot use', () => {
  it('still chats, through node-llama-cpp’s own pick, and training refuses it with the reason', async () => {
    const path = join(dir.path, 'broken-template.gguf');
    writeRandomLlama(path, { seed: 9, chatTemplate: '{% for message in messages %}{{ message.content }' });
    const id = await importModel(path);
    const c = await call<Conversation>('chat.conversations.create', {
      modelId: id,
      sampling: { ...greedy, maxTokens: 4 },
    });
    const turn = await call<ChatTurnStarted>('chat.send', { conversationId: c.id, content: 'Hello' });
    expect((await finished(turn.assistantMessageId)).status).toBe('done');
    expect(core.inference.counters.chatWrapper).not.toBe('Lathe template');
    const data = join(dir.path, 'one-chat.jsonl');
    writeFileSync(
      data,
      JSON.stringify({
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello' },
        ],
      }) + '\n',
    );
    const run = await call<{ jobId: string }>('training.start', {
      baseModelId: id,
      data: { kind: 'file', path: data },
    });
    const job = await core.jobs.wait(run.jobId);
    expect(job.error).toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringMatching(/^The model's chat template could not be parsed/),
    });
  });
});
