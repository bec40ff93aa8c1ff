import type { PreferenceFormat, PreferencePair } from '../../../shared/compare';
import type { ChatMessage } from '../../../shared/domain';

/** A TRL message (`{"role", "content"}`). */
interface TrlMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One ShareGPT turn as LLaMA-Factory reads it. */
interface ShareGptTurn {
  from: 'human' | 'gpt';
  value: string;
}

export type PreferenceRecord =
  | { prompt: string; chosen: string; rejected: string }
  | { prompt: TrlMessage[]; chosen: TrlMessage[]; rejected: TrlMessage[] }
  | { conversations: ShareGptTurn[]; system?: string; chosen: ShareGptTurn; rejected: ShareGptTurn };

/**
 * One preference pair as a JSONL record of `format` (see `preferenceFormats`).
 *
 * - `trl` (TRL's standard, string form): a single-turn prompt without system prompt is the user's
 *   text itself; anything longer is written as "System: …\n\nUser: …\n\nAssistant: …\n\nUser: …"
 *   so no context is lost. The conversational form is the faithful one for chat models.
 * - `trl-conversational`: `prompt` holds the context turns, `chosen`/`rejected` one assistant turn each.
 * - `llama-factory`: ShareGPT `conversations` alternating human/gpt and ending with a human turn,
 *   the system prompt in `system`, `chosen`/`rejected` as gpt turns (a `ranking: true` dataset with
 *   columns messages=conversations, chosen, rejected, system).
 */
export function preferenceRecord(pair: PreferencePair, format: PreferenceFormat): PreferenceRecord {
  const prompt = pair.prompt;
  switch (format) {
    case 'trl':
      return { prompt: plainPrompt(prompt), chosen: pair.chosen, rejected: pair.rejected };
    case 'trl-conversational':
      return {
        prompt: prompt.map((m) => ({ role: m.role, content: m.content })),
        chosen: [{ role: 'assistant', content: pair.chosen }],
        rejected: [{ role: 'assistant', content: pair.rejected }],
      };
    case 'llama-factory': {
      const system = prompt.filter((m) => m.role === 'system').map((m) => m.content);
      const conversations = prompt
        .filter((m) => m.role !== 'system')
        .map((m): ShareGptTurn => ({ from: m.role === 'user' ? 'human' : 'gpt', value: m.content }));
      return {
        conversations,
        ...(system.length > 0 ? { system: system.join('\n\n') } : {}),
        chosen: { from: 'gpt', value: pair.chosen },
        rejected: { from: 'gpt', value: pair.rejected },
      };
    }
  }
}

function plainPrompt(messages: readonly ChatMessage[]): string {
  const only = messages[0];
  if (messages.length === 1 && only?.role === 'user') return only.content;
  const names = { system: 'System', user: 'User', assistant: 'Assistant' } as const;
  return messages.map((m) => `${names[m.role]}: ${m.content}`).join('\n\n');
}

/**
 * Whether a context can become a pair in every format: optional system turns first, then
 * user/assistant turns alternating, starting and ending with the user (what DPO trainers expect).
 */
export function isPairablePrompt(messages: readonly ChatMessage[]): boolean {
  const turns = messages.filter((m) => m.role !== 'system');
  const systemsFirst = messages.slice(0, messages.length - turns.length).every((m) => m.role === 'system');
  if (!systemsFirst || turns.length === 0 || turns.length % 2 === 0) return false;
  return turns.every((m, i) => m.role === (i % 2 === 0 ? 'user' : 'assistant'));
}
