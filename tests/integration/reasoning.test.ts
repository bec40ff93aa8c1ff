import { join } from 'node:path';
import type { ChatHistoryItem } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/createCore';
import { LatheChatWrapper } from '../../src/main/core/inference/LatheChatWrapper';
import { fallbackChatTemplate } from '../../src/main/core/models/chatFormat';
import { reasoningOf } from '../../src/main/core/models/reasoning';
import type { Comparison } from '../../src/shared/compare';
import type {
  ChatTurnStarted,
  Conversation,
  KeptExample,
  ModelInfo,
  StoredMessage,
  TrainingRun,
} from '../../src/shared/domain';
import { coreCalls } from '../helpers/coreCalls';
import { writeRealVocabModel } from '../helpers/models/testModels';
import { thinking } from '../helpers/thinkingFixture';
import { tempDir } from '../helpers/tempDir';
import { testCore } from '../helpers/testCore';
import { vocabModels } from '../helpers/vocabModels';

/**
 * Reasoning models: which templates can think and how their thoughts are marked, the thinking
 * switch in the prompt, and a thought written by a real model split from its answer on its way
 * through the model process, the chat service, the events and the database.
 */
const vocabs = vocabModels();
afterAll(() => vocabs.dispose());

describe('the reasoning of real chat templates', () => {
  it.each([
    ['Qwen-Qwen3-0.6B', 'switchable', '<think>'],
    ['HuggingFaceTB-SmolLM3-3B', 'switchable', '<think>'],
    ['google-gemma-4-31B-it', 'switchable', '<|channel>thought'],
    ['deepseek-ai-DeepSeek-R1-Distill-Llama-8B', 'always', '<think>'],
    // llama.cpp's copies of these two add an `enable_thinking` switch to the published templates.
    ['Qwen-QwQ-32B', 'switchable', '<think>'],
    ['deepseek-ai-DeepSeek-R1-Distill-Qwen-32B', 'switchable', '<think>'],
    ['meta-llama-Llama-3.2-3B-Instruct', 'none', null],
    ['Qwen-Qwen2.5-7B-Instruct', 'none', null],
    ['google-gemma-2-2b-it', 'none', null],
  ] as const)('%s: %s', (name, mode, open) => {
    const reasoning = reasoningOf({ template: vocabs.template(name), bosToken: '<s>', eosToken: '</s>' });
    expect(reasoning.mode).toBe(mode);
    expect(reasoning.markers?.open ?? null).toBe(open);
  });

  it('the ChatML fallback has none', () => {
    expect(reasoningOf({ template: fallbackChatTemplate, bosToken: '', eosToken: '' })).toEqual({
      mode: 'none',
      markers: null,
    });
  });

  it('the switch changes the prompt only where the template can think, and a sequence wrapper starts off', async () => {
    const model = await vocabs.vocab('qwen2');
    const history: ChatHistoryItem[] = [
      { type: 'user', text: 'What is LoRA?' },
      { type: 'model', response: [] },
    ];
    const prompt = (w: LatheChatWrapper) => w.generateContextState({ chatHistory: history }).contextText.toString();
    const qwen3 = LatheChatWrapper.forModel(model, vocabs.template('Qwen-Qwen3-0.6B')).forSequence();
    expect(prompt(qwen3)).toMatch(/<\|im_start\|>assistant\n<think>\n\n<\/think>\n\n$/);
    expect(qwen3.opensThought(history)).toBe(false);
    qwen3.thinking = true;
    expect(prompt(qwen3)).toMatch(/<\|im_start\|>assistant\n$/);
    expect(qwen3.forSequence().thinking).toBe(false);

    const r1 = LatheChatWrapper.forModel(model, vocabs.template('deepseek-ai-DeepSeek-R1-Distill-Llama-8B'));
    expect(r1.opensThought(history)).toBe(true);
    const qwen25 = LatheChatWrapper.forModel(model, vocabs.template('Qwen-Qwen2.5-7B-Instruct'));
    const before = prompt(qwen25);
    qwen25.thinking = true;
    expect(prompt(qwen25)).toBe(before);
  });
});

describe('a reasoning model chatting', () => {
  let dir: ReturnType<typeof tempDir>;
  let core: Core;
  const finals = new Map<string, StoredMessage>();
  const tokens: { messageId: string; delta: string; thought: boolean }[] = [];
  const { call, importModel } = coreCalls(() => core);
  const { thought, answer: learned } = thinking;

  beforeAll(() => {
    dir = tempDir('lathe-reasoning-');
    core = testCore(join(dir.path, 'data'), {
      checkpointEverySeconds: 0,
      progressIntervalMs: 0,
      inference: { gpu: false, threads: 2, contextSize: 256, sequences: 1 },
    });
    core.events.subscribe((event, payload) => {
      if (event === 'chat.token') {
        const t = payload as { messageId: string; delta: string; thought?: boolean };
        tokens.push({ messageId: t.messageId, delta: t.delta, thought: t.thought === true });
      }
      const message = payload as StoredMessage;
      if (event === 'chat.message' && message.status !== 'streaming') finals.set(message.id, message);
    });
  });
  afterAll(async () => {
    await core?.close();
    dir?.remove();
  });

  async function answer(conversationId: string, content: string): Promise<StoredMessage> {
    const turn = await call<ChatTurnStarted>('chat.send', { conversationId, content });
    await expect.poll(() => finals.get(turn.assistantMessageId), { timeout: 60_000, interval: 10 }).toBeDefined();
    return finals.get(turn.assistantMessageId)!;
  }

  /** The Qwen 3 model and its fine-tune that thinks before answering (trained once, on first use). */
  let tuned: Promise<{ modelId: string; adapterId: string; datasetId: string }> | null = null;
  const thinker = () => (tuned ??= train());

  async function train(): Promise<{ modelId: string; adapterId: string; datasetId: string }> {
    const path = join(dir.path, 'qwen3.gguf');
    await writeRealVocabModel(path, 'qwen3', { seed: 17 });
    const modelId = await importModel(path);
    expect((await call<ModelInfo>('models.get', { id: modelId })).reasoning).toBe('switchable');

    // A fine-tune that learned to think before answering: examples whose answer opens with a
    // thought train with thinking on, as chat asks with Think on.
    const dataset = await call<{ id: string }>('datasets.create', { name: 'Thinks first' });
    for (const messages of thinking.examples()) {
      await call('datasets.examples.create', { datasetId: dataset.id, messages });
    }
    const run = await call<TrainingRun>('training.start', {
      baseModelId: modelId,
      data: { kind: 'dataset', datasetId: dataset.id },
      hyperparams: thinking.hyperparams,
    });
    const job = await core.jobs.wait(run.jobId!);
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    // Every example opens its answer with a thought: the run says all twelve taught thinking.
    const { summary } = (await call<{ run: TrainingRun }>('training.get', { id: run.id })).run;
    expect(summary).toMatchObject({ trainExamples: 12, thinkingExamples: 12 });
    const [variant] = (await call<ModelInfo>('models.get', { id: modelId })).variants;
    return { modelId, adapterId: variant!.adapterId, datasetId: dataset.id };
  }

  it('keeps the thought apart from the answer, streamed and stored, and the switch reaches the model', async () => {
    const { modelId, adapterId, datasetId } = await thinker();
    const greedy = { temperature: 0, maxTokens: 40, seed: 1, thinking: true };
    const conversation = await call<Conversation>('chat.conversations.create', {
      modelId,
      adapters: [{ adapterId, scale: 1 }],
      sampling: greedy,
    });
    const on = await answer(conversation.id, 'What does a lathe do? (99)');
    expect(on).toMatchObject({ status: 'done', content: learned, reasoning: thought });
    expect(on.sampling?.thinking).toBe(true);
    const streamed = tokens.filter((t) => t.messageId === on.id);
    const joined = (thoughts: boolean) =>
      streamed
        .filter((t) => t.thought === thoughts)
        .map((t) => t.delta)
        .join('');
    expect(joined(false)).toBe(learned);
    expect(joined(true).trim()).toBe(thought);
    expect(streamed.findIndex((t) => !t.thought)).toBeGreaterThan(streamed.findLastIndex((t) => t.thought));
    // Stored apart: the thread reads it back, and the answer kept as data is the answer alone,
    // unless its thought is kept too (then in the `<think>` form reasoning datasets use).
    const thread = await call<{ messages: StoredMessage[] }>('chat.thread', { conversationId: conversation.id });
    expect(thread.messages.at(-1)).toMatchObject({ content: learned, reasoning: thought });
    const kept = await call<KeptExample>('chat.keep', { messageId: on.id, datasetId });
    expect(kept.messages.at(-1)).toEqual({ role: 'assistant', content: learned });
    const keptThinking = await call<KeptExample>('chat.keep', { messageId: on.id, datasetId, withThought: true });
    expect(keptThinking.messages.at(-1)).toEqual({
      role: 'assistant',
      content: `<think>\n${thought}\n</think>\n\n${learned}`,
    });
    // Exports show it apart too: a quote before the answer in Markdown, a field in JSON.
    const md = await call<{ text: string }>('chat.export', { conversationId: conversation.id, format: 'markdown' });
    expect(md.text).toContain(`## Assistant\n\n> ${thought}\n\n${learned}\n`);
    const json = await call<{ text: string }>('chat.export', { conversationId: conversation.id, format: 'json' });
    expect(JSON.parse(json.text).messages.at(-1)).toMatchObject({ content: learned, reasoning: thought });

    // A preset keeps the switch; off, the prompt gets Qwen 3's empty thought (more tokens).
    await call('chat.conversations.update', { id: conversation.id, preset: 'precise' });
    const updated = await call<Conversation>('chat.conversations.get', { id: conversation.id });
    expect(updated.sampling).toMatchObject({ thinking: true, temperature: 0.2 });
    await call('chat.conversations.update', { id: conversation.id, sampling: { ...greedy, thinking: false } });
    const branch = await call<ChatTurnStarted>('chat.send', {
      conversationId: conversation.id,
      content: 'What does a lathe do? (99)',
      parentId: null,
    });
    await expect.poll(() => finals.get(branch.assistantMessageId), { timeout: 60_000, interval: 10 }).toBeDefined();
    const off = finals.get(branch.assistantMessageId)!;
    expect(off.sampling?.thinking).toBe(false);
    expect(off.stats!.promptTokens).toBeGreaterThan(on.stats!.promptTokens);
  });

  it('continues an answer cut off at its token limit, in its thought or in its answer, to the same text', async () => {
    const { modelId, adapterId } = await thinker();
    for (const maxTokens of [4, 9, 15, 18]) {
      const conversation = await call<Conversation>('chat.conversations.create', {
        modelId,
        adapters: [{ adapterId, scale: 1 }],
        sampling: { temperature: 0, maxTokens, seed: 1, thinking: true },
      });
      const cut = await answer(conversation.id, 'What does a lathe do? (99)');
      expect(cut.stats?.reachedMaxTokens).toBe(true);
      expect(`${cut.reasoning ?? ''}|${cut.content}`).not.toBe(`${thought}|${learned}`);
      // (an unclosed thought keeps its last newline: continued, the model gets its own text back)
      expect(thought.startsWith((cut.reasoning ?? '').trimEnd())).toBe(true);
      expect(learned.startsWith(cut.content)).toBe(true);

      // Max tokens raised, then Continue: the same message grows; the deltas are only what it adds.
      await call('chat.conversations.update', { id: conversation.id, sampling: { maxTokens: 64 } });
      finals.delete(cut.id);
      const streamedBefore = tokens.filter((t) => t.messageId === cut.id).length;
      const turn = await call<ChatTurnStarted>('chat.continue', { messageId: cut.id });
      expect(turn).toEqual({ userMessageId: cut.parentId, assistantMessageId: cut.id });
      await expect.poll(() => finals.get(cut.id), { timeout: 60_000, interval: 10 }).toBeDefined();
      const whole = finals.get(cut.id)!;
      expect(whole, `cut at ${maxTokens} tokens`).toMatchObject({
        status: 'done',
        reasoning: thought,
        content: learned,
      });
      expect(whole.stats?.reachedMaxTokens).toBeUndefined();
      expect(whole.sampling).toMatchObject({ maxTokens: 64, thinking: true });
      expect(whole.stats!.completionTokens).toBeGreaterThan(cut.stats!.completionTokens);
      const added = tokens.filter((t) => t.messageId === cut.id).slice(streamedBefore);
      expect(
        added
          .filter((t) => !t.thought)
          .map((t) => t.delta)
          .join(''),
      ).toBe(learned.slice(cut.content.length));
      const thread = await call<{ messages: StoredMessage[] }>('chat.thread', { conversationId: conversation.id });
      expect(thread.messages.map((m) => m.id)).toEqual([cut.parentId, cut.id]);
    }
  });

  it('compares answers, not thoughts: a thinking contender is its own contender, its thought left out', async () => {
    const { modelId, adapterId } = await thinker();
    const sampling = { temperature: 0, topP: 1, topK: 0, minP: 0, repeatPenalty: 1, maxTokens: 40, seed: 1 };
    const started = await call<Comparison>('compare.start', {
      messages: [{ role: 'user', content: 'What does a lathe do? (99)' }],
      contenders: [
        { modelId, adapters: [{ adapterId }], sampling: { ...sampling, thinking: true } },
        { modelId, sampling },
      ],
    });
    await expect
      .poll(
        async () => {
          const c = await call<Comparison>('compare.get', { id: started.id });
          return [c.a.status, c.b.status];
        },
        { timeout: 60_000, interval: 20 },
      )
      .toEqual(['done', 'done']);
    const done = await call<Comparison>('compare.get', { id: started.id });
    expect(done.a.content).toBe(learned);
    expect(done.a.contender!.label).toMatch(/ · T0 · thinking$/);
    expect(done.b.contender!.label).toMatch(/ · T0$/);
    expect(done.a.contender!.key).not.toBe(done.b.contender!.key);
  });

  it('refuses to continue a question or an answer with replies', async () => {
    const { modelId } = await thinker();
    const conversation = await call<Conversation>('chat.conversations.create', {
      modelId,
      sampling: { temperature: 0, maxTokens: 4, seed: 1 },
    });
    const first = await answer(conversation.id, 'One?');
    await answer(conversation.id, 'Two?');
    await expect(call('chat.continue', { messageId: first.parentId })).rejects.toMatchObject({
      data: { code: 'CONFLICT', message: 'Only an answer can be continued.' },
    });
    await expect(call('chat.continue', { messageId: first.id })).rejects.toMatchObject({
      data: { code: 'CONFLICT', details: { reason: 'has-replies' } },
    });
  });

  it('reads the reasoning of a model imported before it was recorded, at start', async () => {
    const path = join(dir.path, 'older.gguf');
    await writeRealVocabModel(path, 'qwen3', { seed: 19 });
    const modelId = await importModel(path);
    core.db.prepare('UPDATE models SET reasoning = NULL WHERE id = ?').run(modelId);
    expect((await call<ModelInfo>('models.get', { id: modelId })).reasoning).toBe('none');
    const changed: string[] = [];
    const off = core.events.subscribe((event, payload) => {
      if (event === 'models.changed') changed.push((payload as { modelId: string }).modelId);
    });
    expect(await core.models.readReasoning()).toBe(1);
    off();
    expect(changed).toEqual([modelId]);
    expect((await call<ModelInfo>('models.get', { id: modelId })).reasoning).toBe('switchable');
    expect(await core.models.readReasoning()).toBe(0);
  });
});
