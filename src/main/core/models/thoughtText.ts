// The thought of an answer as training data stores it: before the answer, as
// `<think>\n…\n</think>\n\n` (the form reasoning datasets and Qwen 3's template use). Chat keeps
// thoughts apart (`messages.reasoning`); kept examples, imported files and the dataset list use
// this form, through these three functions.

const open = '<think>';
const close = '</think>';

/**
 * An answer with its thought before it. `thought` is a message's `reasoning_content` (DeepSeek,
 * Qwen 3), `reasoning` or `thinking` field as files carry it; anything but a non-blank string, or
 * an answer that already opens with a thought, leaves the answer as it is.
 */
export function withThought(content: string, thought: unknown): string {
  if (typeof thought !== 'string' || thought.trim() === '' || content.trimStart().startsWith(open)) return content;
  return `${open}\n${thought.trim()}\n${close}\n\n${content.trimStart()}`;
}

/** The thought a message object of a file carries, under any of the names files use. */
export function thoughtField(message: Record<string, unknown>): unknown {
  return message['reasoning_content'] ?? message['reasoning'] ?? message['thinking'];
}

/**
 * What an answer says after the thought it may open with: all of it when it has none, nothing
 * when the thought never closes.
 */
export function answerAfterThought(content: string): string {
  const text = content.trimStart();
  if (!text.startsWith(open)) return content;
  const at = text.indexOf(close);
  return at < 0 ? '' : text.slice(at + close.length);
}
