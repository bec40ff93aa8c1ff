import type { Conversation, ThreadMessage } from '../../../shared/domain';

/** A branch of a conversation as a downloadable text: JSON (lossless) or Markdown (readable). */
export function exportConversation(
  input: {
    conversation: Conversation;
    messages: readonly ThreadMessage[];
    model: { name: string; sha256: string } | null;
  },
  format: 'json' | 'markdown',
): { filename: string; mimeType: string; text: string } {
  const { conversation, messages, model } = input;
  const base = slug(conversation.title) || 'conversation';
  if (format === 'json') {
    const data = {
      title: conversation.title,
      systemPrompt: conversation.systemPrompt,
      model: model ? { name: model.name, sha256: model.sha256 } : null,
      adapters: conversation.adapters,
      sampling: conversation.sampling,
      exportedAt: new Date().toISOString(),
      messages: messages.map((m) => ({
        role: m.role,
        content: m.content,
        createdAt: new Date(m.createdAt).toISOString(),
        ...(m.role === 'assistant'
          ? {
              ...(m.reasoning ? { reasoning: m.reasoning } : {}),
              ...(m.edited ? { edited: true } : {}),
              status: m.status,
              stats: m.stats,
              truncatedContext: m.truncatedContext,
            }
          : {}),
      })),
    };
    return { filename: `${base}.json`, mimeType: 'application/json', text: `${JSON.stringify(data, null, 2)}\n` };
  }
  const lines = [`# ${conversation.title}`, ''];
  if (model) lines.push(`*Model: ${model.name}*`, '');
  if (conversation.systemPrompt.trim()) lines.push('## System', '', conversation.systemPrompt.trim(), '');
  for (const m of messages) {
    lines.push(m.role === 'user' ? '## User' : '## Assistant', '');
    // The thought as a quote, so it reads apart from the answer.
    if (m.role === 'assistant' && m.reasoning)
      lines.push(
        ...m.reasoning
          .trim()
          .split('\n')
          .map((l) => `> ${l}`.trimEnd()),
        '',
      );
    lines.push(m.content.trim(), '');
  }
  return { filename: `${base}.md`, mimeType: 'text/markdown', text: lines.join('\n') };
}

function slug(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .toLowerCase()
    .slice(0, 60);
}
