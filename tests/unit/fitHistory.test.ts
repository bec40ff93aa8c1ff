import { describe, expect, it } from 'vitest';
import { fitHistory } from '../../src/main/core/inference/fitHistory';
import { AppError } from '../../src/shared/errors';
import type { ChatMessage } from '../../src/shared/domain';

/** One "token" per character plus 4 per message for the template's markers. */
const count = (messages: ChatMessage[]) => messages.reduce((n, m) => n + m.content.length + 4, 0);

const chat = (turns: number): ChatMessage[] => [
  { role: 'system', content: 'sys' },
  ...Array.from({ length: turns }, (_, i): ChatMessage[] => [
    { role: 'user', content: `question ${i}` },
    { role: 'assistant', content: `answer number ${i}` },
  ]).flat(),
  { role: 'user', content: 'last' },
];

describe('fitHistory', () => {
  it('keeps everything when it fits', () => {
    const messages = chat(2);
    const fitted = fitHistory(messages, count, { contextSize: 1000, reserve: 100, minReserve: 10 });
    expect(fitted).toEqual({ messages, promptTokens: count(messages), dropped: 0 });
  });

  it('drops the oldest whole exchanges, keeps the system prompt and starts at a user turn', () => {
    const messages = chat(10);
    const contextSize = 150;
    const fitted = fitHistory(messages, count, { contextSize, reserve: 40, minReserve: 10 });
    expect(fitted.dropped).toBeGreaterThan(0);
    expect(fitted.dropped % 2).toBe(0);
    expect(fitted.messages[0]).toEqual({ role: 'system', content: 'sys' });
    expect(fitted.messages[1]!.role).toBe('user');
    expect(fitted.messages.at(-1)).toEqual({ role: 'user', content: 'last' });
    expect(fitted.promptTokens + 40).toBeLessThanOrEqual(contextSize);
    // The earliest start that fits: keeping one more exchange would not.
    const oneMore = [messages[0]!, ...messages.slice(1 + fitted.dropped - 2)];
    expect(count(oneMore) + 40).toBeGreaterThan(contextSize);
  });

  it('keeps only the last message when nothing else fits, even below the wanted reserve', () => {
    const fitted = fitHistory(chat(3), count, { contextSize: 20, reserve: 100, minReserve: 5 });
    expect(fitted.messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'last' },
    ]);
    expect(fitted.dropped).toBe(6);
  });

  it('refuses a prompt that leaves no room for an answer', () => {
    try {
      fitHistory(chat(1), count, { contextSize: 12, reserve: 10, minReserve: 8 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('INVALID_INPUT');
      expect((error as AppError).details).toMatchObject({ reason: 'prompt-too-long', contextSize: 12 });
    }
  });

  it('works without a system prompt', () => {
    const messages = chat(4).slice(1);
    const fitted = fitHistory(messages, count, { contextSize: 60, reserve: 10, minReserve: 5 });
    expect(fitted.messages[0]!.role).toBe('user');
    expect(fitted.messages.at(-1)!.content).toBe('last');
  });
});
