import { afterAll, describe, expect, it } from 'vitest';
import { endOfTurnMarker, renderWithAssistantSpans } from '../../src/main/core/training/chatTemplate';
import { tokenizeExample, type TokenizerPort } from '../../src/main/core/training/tokenizeExample';
import type { ChatMessage } from '../../src/shared/domain';
import { tokenizerPort, vocabModels } from '../helpers/vocabModels';

/** Real model families: the vocabulary from llama.cpp's test models, the template the family ships. */
const families = [
  { name: 'Llama 3.2', vocab: 'llama-bpe', template: 'meta-llama-Llama-3.2-3B-Instruct', marker: '<|eot_id|>' },
  { name: 'Llama 3.1', vocab: 'llama-bpe', template: 'meta-llama-Llama-3.1-8B-Instruct', marker: '<|eot_id|>' },
  { name: 'Qwen 2.5', vocab: 'qwen2', template: 'Qwen-Qwen2.5-7B-Instruct', marker: '<|im_end|>' },
  { name: 'Qwen 3', vocab: 'qwen2', template: 'Qwen-Qwen3-0.6B', marker: '<|im_end|>' },
  { name: 'Gemma 4', vocab: 'gemma-4', template: 'google-gemma-4-31B-it', marker: '<turn|>' },
  { name: 'Phi-3.5', vocab: 'phi-3', template: 'microsoft-Phi-3.5-mini-instruct', marker: '<|end|>' },
  // Mistral glues the answer to `[/INST]`, and SentencePiece merges `]` with a leading code fence
  // into one token that straddles the boundary: that token is a label (it carries answer text).
  {
    name: 'Mistral',
    vocab: 'llama-spm',
    template: 'mistralai-Mistral-Nemo-Instruct-2407',
    marker: '</s>',
    straddles: true,
  },
] as const;

const conversation: ChatMessage[] = [
  { role: 'system', content: 'You are Lathe, a terse assistant.' },
  { role: 'user', content: 'What is LoRA?' },
  { role: 'assistant', content: 'Low-rank adapters: two small matrices added to a frozen weight.' },
  { role: 'user', content: 'Show it in code, with ünïcödé 🚀.' },
  { role: 'assistant', content: '```python\ndelta = scale * (B @ A)\n```\nThat is all — 🚀 done.' },
];

const vocabs = vocabModels();
afterAll(() => vocabs.dispose());

async function tokenizerFor(vocab: string): Promise<{ port: TokenizerPort; bos: string; eos: string }> {
  const model = await vocabs.vocab(vocab);
  return { port: tokenizerPort(model), bos: model.tokens.bosString ?? '', eos: model.tokens.eosString ?? '' };
}

/** Contiguous runs of masked tokens. */
function runs(mask: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] && !mask[i - 1]) out.push([i, i + 1]);
    else if (mask[i]) out[out.length - 1]![1] = i + 1;
  }
  return out;
}

describe.each(families)('loss mask on the real $name template and vocabulary', (family) => {
  it('masks exactly each assistant answer and its end-of-turn token, multi-turn', async () => {
    const { port, bos, eos } = await tokenizerFor(family.vocab);
    const template = vocabs.template(family.template);
    const ctx = { template, bosToken: bos, eosToken: eos };
    expect(endOfTurnMarker(ctx)).toBe(family.marker);
    expect(port.tokenize(family.marker)).toHaveLength(1); // a real special token, not text

    const rendered = renderWithAssistantSpans(ctx, conversation);
    const { tokens, mask } = tokenizeExample(rendered, port);
    const answers = conversation.filter((m) => m.role === 'assistant');
    const masked = runs(mask);
    expect(masked).toHaveLength(answers.length);

    masked.forEach(([start, end], i) => {
      const text = port.detokenize([...tokens.subarray(start, end)]);
      // Qwen 3 renders an empty reasoning block before the final answer; it is model output too.
      const answer = text.replace(/^\s*<think>\s*<\/think>\s*/, '').trimStart();
      const expected = answers[i]!.content.trim() + family.marker;
      if ('straddles' in family) {
        // Only the first masked token may carry prompt text, and only what precedes the answer.
        expect(answer.endsWith(expected)).toBe(true);
        const extra = answer.length - expected.length;
        expect(extra).toBeLessThan(port.detokenize([tokens[start]!]).trimStart().length);
      } else {
        expect(answer).toBe(expected);
      }
    });

    // Nothing of the system or user turns is a label; every user turn is in the prompt. (Mistral's
    // template only renders the system prompt when the conversation ends with a user turn.)
    const prompt = port.detokenize([...tokens].filter((_t, i) => !mask[i]));
    for (const message of conversation.filter((m) => m.role === 'user'))
      expect(prompt).toContain(message.content.trim());
    const labels = port.detokenize([...tokens].filter((_t, i) => mask[i]));
    for (const message of conversation.filter((m) => m.role !== 'assistant')) {
      expect(labels).not.toContain(message.content.trim());
    }
    for (const answer of answers) expect(prompt).not.toContain(answer.content.trim());
    // BOS appears exactly once at the start when the model wants one.
    if (port.addBos && port.bos !== null) {
      expect(tokens[0]).toBe(port.bos);
      expect([...tokens].filter((t) => t === port.bos)).toHaveLength(1);
    }
  });
});
