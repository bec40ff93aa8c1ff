import type { ChatMessage } from '../../../shared/domain';
import { modelError } from '../models/modelError';

export interface FitOptions {
  /** Tokens per sequence. */
  contextSize: number;
  /** Room wanted for the answer; older turns are dropped to keep it. */
  reserve: number;
  /** The least room for an answer; below it the prompt is refused. */
  minReserve: number;
}

export interface FittedHistory {
  messages: ChatMessage[];
  /** Tokens of the kept messages, as counted. */
  promptTokens: number;
  /** How many of the oldest turns were left out. */
  dropped: number;
}

/**
 * Makes a chat fit its context: keeps the system prompt and the last user message, and drops the
 * oldest turns (whole user→assistant exchanges) until the prompt leaves `reserve` tokens for the
 * answer. Throws INVALID_INPUT (`prompt-too-long`) when the system prompt and the last message alone
 * leave less than `minReserve`. `count` tokenizes a candidate prompt; it is called O(log n) times.
 */
export function fitHistory(
  messages: readonly ChatMessage[],
  count: (messages: ChatMessage[]) => number,
  options: FitOptions,
): FittedHistory {
  const system = messages[0]?.role === 'system' ? [messages[0]] : [];
  const turns = messages.slice(system.length);
  if (turns.length === 0) throw new Error('fitHistory needs at least one turn');
  // Where a kept history may start: at a user turn, so an answer never opens the context.
  const starts = turns.flatMap((m, i) => (m.role === 'user' || i === turns.length - 1 ? [i] : []));
  const candidate = (start: number) => [...system, ...turns.slice(start)];
  const tokens = new Map<number, number>();
  const tokensFrom = (start: number) => {
    let n = tokens.get(start);
    if (n === undefined) tokens.set(start, (n = count(candidate(start))));
    return n;
  };
  const last = starts[starts.length - 1]!;
  const minimal = tokensFrom(last);
  if (minimal + options.minReserve > options.contextSize) {
    throw modelError(
      'INVALID_INPUT',
      'prompt-too-long',
      `The message is too long for this model's context: the prompt needs ${minimal} tokens and the context holds ${options.contextSize}. Shorten the message or the system prompt.`,
      { promptTokens: minimal, contextSize: options.contextSize },
    );
  }
  // Binary search for the earliest start that fits; fewer turns never need more tokens.
  const fits = (start: number) => tokensFrom(start) + options.reserve <= options.contextSize;
  let lo = 0;
  let hi = starts.length - 1;
  if (!fits(starts[hi]!)) lo = hi;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fits(starts[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  const start = starts[lo]!;
  return { messages: candidate(start), promptTokens: tokensFrom(start), dropped: start };
}
