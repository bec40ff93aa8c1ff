import { join } from 'node:path';
import type { ChatHistoryItem } from 'node-llama-cpp';
import { afterAll, describe, expect, it } from 'vitest';
import { llamaTokenCounter } from '../../src/main/core/datasets/tokenizeDataset';
import { LatheChatWrapper } from '../../src/main/core/inference/LatheChatWrapper';
import { fallbackChatTemplate } from '../../src/main/core/models/chatFormat';
import { renderTrainingChat, trainsThought } from '../../src/main/core/models/reasoning';
import { renderWithAssistantSpans } from '../../src/main/core/training/chatTemplate';
import { tokenizeExample } from '../../src/main/core/training/tokenizeExample';
import type { ChatMessage } from '../../src/shared/domain';
import { tokenizerPort, vocabModels } from '../helpers/vocabModels';
import { writeRealVocabModel } from '../helpers/models/testModels';
import { tempDir } from '../helpers/tempDir';

/**
 * A fine-tune is asked in chat exactly as it was trained: for every family, the prompt chat sends
 * for a conversation is, token for token, the context training gave the answer that follows it.
 */
const families = [
  { name: 'Llama 3.2', vocab: 'llama-bpe', template: 'meta-llama-Llama-3.2-3B-Instruct' },
  { name: 'Llama 3.1', vocab: 'llama-bpe', template: 'meta-llama-Llama-3.1-8B-Instruct' },
  { name: 'Qwen 2.5', vocab: 'qwen2', template: 'Qwen-Qwen2.5-7B-Instruct' },
  { name: 'Qwen 3', vocab: 'qwen2', template: 'Qwen-Qwen3-0.6B' },
  { name: 'Gemma 4', vocab: 'gemma-4', template: 'google-gemma-4-31B-it' },
  { name: 'Gemma 2 (no system role)', vocab: 'llama-spm', template: 'google-gemma-2-2b-it' },
  { name: 'Phi-3.5', vocab: 'phi-3', template: 'microsoft-Phi-3.5-mini-instruct' },
  { name: 'Mistral Nemo', vocab: 'llama-spm', template: 'mistralai-Mistral-Nemo-Instruct-2407' },
  { name: 'SmolLM3', vocab: 'llama-bpe', template: 'HuggingFaceTB-SmolLM3-3B' },
  { name: 'Granite 3.3', vocab: 'llama-bpe', template: 'ibm-granite-granite-3.3-2B-Instruct' },
  { name: 'no template (ChatML fallback), SentencePiece', vocab: 'llama-spm', template: null },
  { name: 'no template (ChatML fallback), BPE', vocab: 'llama-bpe', template: null },
] as const;

const conversations: Record<string, ChatMessage[]> = {
  'one question': [{ role: 'user', content: 'What is LoRA?' }],
  'a system prompt': [
    { role: 'system', content: 'You are Lathe, a terse assistant.' },
    { role: 'user', content: 'What is LoRA?' },
  ],
  'a second turn': [
    { role: 'system', content: 'You are Lathe, a terse assistant.' },
    { role: 'user', content: 'What is LoRA?' },
    { role: 'assistant', content: 'Low-rank adapters.' },
    { role: 'user', content: 'Show it, with ünïcödé 🚀.' },
  ],
};

const vocabs = vocabModels();
afterAll(() => vocabs.dispose());

function history(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  return [
    ...messages.map((m): ChatHistoryItem =>
      m.role === 'system'
        ? { type: 'system', text: m.content }
        : m.role === 'user'
          ? { type: 'user', text: m.content }
          : { type: 'model', response: [m.content] },
    ),
    { type: 'model', response: [] },
  ];
}

describe.each(families)('chat prompts of $name', (family) => {
  it.each(Object.keys(conversations))('equal the training context of the answer, with %s', async (key) => {
    const model = await vocabs.vocab(family.vocab);
    const template = family.template ? vocabs.template(family.template) : fallbackChatTemplate;
    const messages = conversations[key]!;
    const ctx = { template, bosToken: model.tokens.bosString ?? '', eosToken: model.tokens.eosString ?? '' };
    const trained = tokenizeExample(
      renderWithAssistantSpans(ctx, [...messages, { role: 'assistant', content: 'Sure.' }]),
      tokenizerPort(model),
    );
    // The context of the last answer: every token before its first label.
    let answerAt = trained.mask.lastIndexOf(1);
    while (answerAt > 0 && trained.mask[answerAt - 1] === 1) answerAt--;
    const context = Array.from(trained.tokens.subarray(0, answerAt));

    const wrapper = LatheChatWrapper.forModel(model, template);
    const prompt = wrapper
      .generateContextState({ chatHistory: history(messages) })
      .contextText.tokenize(model.tokenizer);
    expect(model.detokenize(prompt as never, true)).toBe(model.detokenize(context as never, true));
    expect(prompt).toEqual(context);
  });
});

describe('token counts of a dataset', () => {
  it('count what training tokenizes, also where the template folds the system prompt (Gemma 2)', async () => {
    const dir = tempDir('lathe-chat-prompt-');
    try {
      const path = join(dir.path, 'gemma2.gguf');
      await writeRealVocabModel(path, 'gemma2');
      const counter = await llamaTokenCounter(vocabs.llama)(path);
      const model = await (await vocabs.llama()).loadModel({ modelPath: path, vocabOnly: true });
      const template = vocabs.template('google-gemma-2-2b-it');
      const ctx = { template, bosToken: model.tokens.bosString ?? '', eosToken: model.tokens.eosString ?? '' };
      for (const messages of Object.values(conversations)) {
        const example = [...messages, { role: 'assistant' as const, content: 'Sure.' }];
        const trained = tokenizeExample(renderWithAssistantSpans(ctx, example), tokenizerPort(model));
        expect(counter.count(example)).toBe(trained.tokens.length);
      }
      await counter.dispose();
      await model.dispose();
    } finally {
      dir.remove();
    }
  });
});

describe('a reasoning model (Qwen 3)', () => {
  it('is asked with its thought already closed, and learns the answer alone, not an empty thought', async () => {
    const model = await vocabs.vocab('qwen2');
    const template = vocabs.template('Qwen-Qwen3-0.6B');
    const messages = conversations['one question']!;
    const wrapper = LatheChatWrapper.forModel(model, template);
    const prompt = wrapper.generateContextState({ chatHistory: history(messages) }).contextText;
    expect(model.detokenize(prompt.tokenize(model.tokenizer), true)).toMatch(
      /<\|im_start\|>assistant\n<think>\n\n<\/think>\n\n$/,
    );
    const ctx = { template, bosToken: model.tokens.bosString ?? '', eosToken: model.tokens.eosString ?? '' };
    const rendered = renderWithAssistantSpans(ctx, [...messages, { role: 'assistant', content: 'Sure.' }]);
    const [[start, end]] = rendered.spans as [[number, number]];
    expect(rendered.text.slice(start, end)).toBe('Sure.<|im_end|>');
  });

  it.each(Object.keys(conversations))(
    'learns an answer that opens with a thought with thinking on, in the context chat asks with Think on (%s)',
    async (key) => {
      const model = await vocabs.vocab('qwen2');
      const template = vocabs.template('Qwen-Qwen3-0.6B');
      const messages = conversations[key]!;
      const ctx = { template, bosToken: model.tokens.bosString ?? '', eosToken: model.tokens.eosString ?? '' };
      const answer = '<think>\nThey ask about LoRA.\n</think>\n\nLow-rank adapters.';
      const example: ChatMessage[] = [...messages, { role: 'assistant', content: answer }];
      expect(trainsThought(ctx, example)).toBe(true);
      const rendered = renderTrainingChat(ctx, example);
      const [start, end] = rendered.spans.at(-1)!;
      expect(rendered.text.slice(start, end)).toBe(`${answer}<|im_end|>`);
      const trained = tokenizeExample(rendered, tokenizerPort(model));
      let answerAt = trained.mask.lastIndexOf(1);
      while (answerAt > 0 && trained.mask[answerAt - 1] === 1) answerAt--;
      const context = Array.from(trained.tokens.subarray(0, answerAt));

      const wrapper = LatheChatWrapper.forModel(model, template).forSequence();
      wrapper.thinking = true;
      const prompt = wrapper.generateContextState({ chatHistory: history(messages) }).contextText;
      expect(model.detokenize(prompt.tokenize(model.tokenizer) as never, true)).toBe(
        model.detokenize(context as never, true),
      );
      expect(prompt.tokenize(model.tokenizer)).toEqual(context);
    },
  );
});
