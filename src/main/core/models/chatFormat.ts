/**
 * ChatML: the format Lathe trains, counts tokens and chats in when a GGUF has no chat template of
 * its own. One source for all three, so a fine-tune answers in chat the way it was trained.
 */
export const fallbackChatTemplate =
  "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** The GGUF's own chat template (`tokenizer.chat_template`), or null when it has none or a blank one. */
export function ggufChatTemplate(metadata: unknown): string | null {
  const template = (metadata as { tokenizer?: { chat_template?: unknown } } | undefined)?.tokenizer?.chat_template;
  return typeof template === 'string' && template.trim() !== '' ? template : null;
}

/** The template a model is trained and chatted with: its own, else the fallback. */
export function chatTemplateOf(metadata: unknown): string {
  return ggufChatTemplate(metadata) ?? fallbackChatTemplate;
}
