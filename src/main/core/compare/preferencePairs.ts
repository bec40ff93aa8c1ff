import type { ChatPreference, PreferencePair } from '../../../shared/compare';
import type { ChatMessage, StoredMessage } from '../../../shared/domain';
import { pathTo } from '../chat/thread';
import type { ComparisonRecord } from './CompareRepo';
import { isPairablePrompt } from './preferenceRecords';

const usable = (text: string) => text.trim().length > 0;

/**
 * The preference pairs a voted comparison stands for:
 * - `a`/`b`: the winner (or the ideal answer the user edited it into) over the loser.
 * - `tie`, `both_bad`: nothing on their own (no side is preferred); with an ideal answer, the ideal
 *   over each side.
 * Empty answers (a side that failed before writing) and pairs whose texts are equal are left out.
 */
export function comparisonPairs(c: ComparisonRecord): PreferencePair[] {
  if (c.vote === null || !isPairablePrompt(c.messages)) return [];
  const base = {
    source: 'comparison' as const,
    prompt: c.messages,
    reason: c.reason,
    createdAt: c.votedAt ?? c.createdAt,
  };
  const ideal = c.idealAnswer !== null && usable(c.idealAnswer) ? c.idealAnswer : null;
  const pairs: PreferencePair[] = [];
  const add = (id: string, chosen: string, rejected: string) => {
    if (usable(chosen) && usable(rejected) && chosen !== rejected) pairs.push({ ...base, id, chosen, rejected });
  };
  if (c.vote === 'a' || c.vote === 'b') {
    const loser = c.vote === 'a' ? 'b' : 'a';
    add(`comparison:${c.id}`, ideal ?? c.answers[c.vote].content, c.answers[loser].content);
  } else if (ideal !== null) {
    add(`comparison:${c.id}:a`, ideal, c.answers.a.content);
    add(`comparison:${c.id}:b`, ideal, c.answers.b.content);
  }
  return pairs;
}

/** The context of a chat answer: the system prompt and the turns of its branch before it (failed or empty answers left out). */
export function chatContext(systemPrompt: string, all: readonly StoredMessage[], answerId: string): ChatMessage[] {
  const path = pathTo(all, answerId).slice(0, -1);
  const messages: ChatMessage[] = systemPrompt.trim() ? [{ role: 'system', content: systemPrompt }] : [];
  for (const m of path) {
    if (m.role === 'assistant' && (m.status === 'failed' || m.content === '')) continue;
    messages.push({ role: m.role, content: m.content });
  }
  return messages;
}

/**
 * The preference pairs of one conversation: each explicit pick between two sibling answers
 * ("regenerate, then pick the better"), and each thumbs-up answer over each thumbs-down sibling
 * (answers to the same user message) that no pick already covers.
 */
export function chatPairs(
  conversation: { systemPrompt: string },
  all: readonly StoredMessage[],
  picks: readonly ChatPreference[],
): PreferencePair[] {
  const byId = new Map(all.map((m) => [m.id, m]));
  const pairs: PreferencePair[] = [];
  const covered = new Set<string>();
  const push = (
    id: string,
    source: 'chat-pick' | 'chat-rating',
    chosen: StoredMessage,
    rejected: StoredMessage,
    reason: string | null,
    createdAt: number,
  ) => {
    const prompt = chatContext(conversation.systemPrompt, all, chosen.id);
    if (!isPairablePrompt(prompt) || !usable(chosen.content) || !usable(rejected.content)) return;
    if (chosen.content === rejected.content) return;
    pairs.push({ id, source, prompt, chosen: chosen.content, rejected: rejected.content, reason, createdAt });
  };
  for (const pick of picks) {
    const chosen = byId.get(pick.chosenMessageId);
    const rejected = byId.get(pick.rejectedMessageId);
    if (!chosen || !rejected) continue;
    covered.add([chosen.id, rejected.id].sort().join('|'));
    push(`chat-pick:${pick.id}`, 'chat-pick', chosen, rejected, pick.reason, pick.createdAt);
  }
  const siblings = new Map<string, StoredMessage[]>();
  for (const m of all) {
    if (m.role !== 'assistant' || m.rating === null || m.parentId === null) continue;
    const list = siblings.get(m.parentId);
    if (list) list.push(m);
    else siblings.set(m.parentId, [m]);
  }
  for (const group of siblings.values()) {
    for (const up of group.filter((m) => m.rating === 'up')) {
      for (const down of group.filter((m) => m.rating === 'down')) {
        if (covered.has([up.id, down.id].sort().join('|'))) continue;
        push(`chat-rating:${up.id}:${down.id}`, 'chat-rating', up, down, null, Math.max(up.createdAt, down.createdAt));
      }
    }
  }
  return pairs;
}
