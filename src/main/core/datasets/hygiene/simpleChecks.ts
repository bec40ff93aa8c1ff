import { answerAfterThought } from '../../models/thoughtText';
import type { HygieneExample } from './types';

/**
 * Examples with no assistant turn, or with an assistant turn that is empty or only whitespace, or
 * only a thought (nothing after `</think>`, or a thought that never closes).
 */
export function findEmptyAnswers(examples: readonly HygieneExample[]): string[] {
  const ids: string[] = [];
  for (const example of examples) {
    let answers = 0;
    let empty = false;
    for (const m of example.messages) {
      if (m.role !== 'assistant') continue;
      answers++;
      if (answerAfterThought(m.content).trim() === '') empty = true;
    }
    if (answers === 0 || empty) ids.push(example.id);
  }
  return ids;
}

/** Characters per token for the estimate used when an example has no cached count (English prose ≈ 4). */
export const charsPerTokenEstimate = 4;

/** An example's token count: the cached one, or characters / 4 rounded up plus 4 per turn for the template. */
export function exampleTokens(example: HygieneExample): { tokens: number; estimated: boolean } {
  if (typeof example.tokens === 'number') return { tokens: example.tokens, estimated: false };
  let chars = 0;
  for (const m of example.messages) chars += m.content.length;
  return { tokens: Math.ceil(chars / charsPerTokenEstimate) + 4 * example.messages.length, estimated: true };
}

/**
 * Examples longer than `maxTokens` (a positive integer). Uses each example's cached `tokens` when
 * given; otherwise estimates from characters (`estimated: true`), so the caller can say so.
 */
export function findOverLength(
  examples: readonly HygieneExample[],
  maxTokens: number,
): { id: string; tokens: number; estimated: boolean }[] {
  const out: { id: string; tokens: number; estimated: boolean }[] = [];
  for (const example of examples) {
    const { tokens, estimated } = exampleTokens(example);
    if (tokens > maxTokens) out.push({ id: example.id, tokens, estimated });
  }
  return out;
}
