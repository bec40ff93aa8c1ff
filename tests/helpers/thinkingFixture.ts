import type { ChatMessage } from '../../src/shared/domain';

/**
 * A fine-tune that learns to think before answering: what it thinks, what it answers, the dataset
 * examples that teach both (the answer opens with its thought, so they train with thinking on) and
 * hyperparameters that teach a tiny Qwen 3-template model the whole 27-token reply in seconds.
 */
export const thinking = {
  thought: 'A lathe spins the wood against a tool.',
  answer: 'Lathe turns wood.',
  question: 'What does a lathe do? (99)',
  examples(count = 12): ChatMessage[][] {
    return Array.from({ length: count }, (_, i) => [
      { role: 'user', content: `What does a lathe do? (${i})` },
      { role: 'assistant', content: `<think>\n${thinking.thought}\n</think>\n\n${thinking.answer}` },
    ]);
  },
  hyperparams: { rank: 8, alpha: 16, epochs: 10, learningRate: 1e-2, batchTokens: 128, evalFraction: 0, threads: 2 },
} as const;
