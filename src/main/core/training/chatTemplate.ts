import { Template } from '@huggingface/jinja';
import type { ChatMessage } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';

/** What a chat template needs besides the messages (from the model's GGUF metadata). */
export interface TemplateContext {
  /** Jinja source, as in the GGUF key `tokenizer.chat_template`. */
  template: string;
  bosToken: string;
  eosToken: string;
}

/** A conversation rendered to text, with the character ranges the model must learn to produce. */
export interface RenderedChat {
  text: string;
  /** `[start, end)` character ranges of each assistant turn: its content and its end-of-turn marker. */
  spans: [number, number][];
  /** True when a system message had to be folded into the first user turn (template has no system role). */
  foldedSystem: boolean;
}

const compiled = new Map<string, Template>();

function compile(source: string): Template {
  let template = compiled.get(source);
  if (!template) {
    try {
      template = new Template(source);
    } catch (error) {
      throw new AppError('UNSUPPORTED', `The model's chat template could not be parsed: ${(error as Error).message}`);
    }
    if (compiled.size > 32) compiled.clear();
    compiled.set(source, template);
  }
  return template;
}

/**
 * Renders messages with the model's own chat template, as Hugging Face's `apply_chat_template` does,
 * with reasoning off (`enable_thinking: false`) unless `thinking`: Lathe trains answers, not thought
 * traces, so a reasoning model (Qwen 3, SmolLM3, Gemma 4) is trained with its empty thought already
 * written, and chat asks it the same way unless the user turns thinking on.
 */
export function renderChat(
  ctx: TemplateContext,
  messages: readonly ChatMessage[],
  addGenerationPrompt: boolean,
  thinking = false,
): string {
  return compile(ctx.template).render({
    messages,
    add_generation_prompt: addGenerationPrompt,
    bos_token: ctx.bosToken,
    eos_token: ctx.eosToken,
    enable_thinking: thinking,
  });
}

/**
 * The text that closes an assistant turn in this template (`<|im_end|>`, `<|eot_id|>`,
 * `<end_of_turn>`, `<|end|>`, `</s>` …), found by rendering a probe conversation.
 */
export function endOfTurnMarker(ctx: TemplateContext): string {
  const probe: ChatMessage[] = [{ role: 'user', content: 'PROBE_USER' }];
  const full = renderChat(ctx, [...probe, { role: 'assistant', content: 'PROBE_ANSWER' }], false);
  const at = full.lastIndexOf('PROBE_ANSWER');
  if (at < 0) throw new AppError('UNSUPPORTED', 'The chat template does not render assistant messages verbatim.');
  const after = full.slice(at + 'PROBE_ANSWER'.length).trimStart();
  return after.split(/\s/)[0] ?? '';
}

/**
 * Renders a conversation and finds, for every assistant turn, exactly the text the model produces
 * for it: what follows the generation prompt, up to and including the end-of-turn marker.
 *
 * Most templates are prefix-stable (rendering the first k turns gives a prefix of the whole), and
 * then the span is the difference between "history + generation prompt" and "history + answer".
 * Templates that rewrite earlier turns (Qwen 3 drops empty reasoning from old turns, Mistral moves
 * the system prompt into the last user turn) fall back to locating each answer's content in order.
 */
export function renderWithAssistantSpans(
  ctx: TemplateContext,
  messages: readonly ChatMessage[],
  options: { thinking?: boolean } = {},
): RenderedChat {
  const thinking = options.thinking ?? false;
  const { text: full, turns, foldedSystem } = renderFolding(ctx, messages, false, thinking);
  const marker = endOfTurnMarker(ctx);
  const last = turns.length - 1;
  let text = full;
  // The final answer is learned in the context chat will ask it in: the generation prompt. When the
  // template renders a finished conversation differently (Mistral moves the system prompt into the
  // last user turn, Gemma 4 opens an empty thought only in the prompt), the text is that prompt
  // followed by the answer as the template writes it.
  const finalTurn = turns[last]?.role === 'assistant' ? turns[last] : undefined;
  // (the loop below reuses it: two template renders an example, not four)
  let final = finalTurn ? prefixSpan(ctx, turns, last, full, marker, thinking) : null;
  if (finalTurn && !final) {
    const answer = lastSpan(finalTurn.content, full, marker);
    if (answer) {
      const prompt = renderChat(ctx, turns.slice(0, last), true, thinking);
      text = prompt + full.slice(answer[0], answer[1]);
      final = [prompt.length, text.length];
    }
  }
  const spans: [number, number][] = [];
  let cursor = 0;
  turns.forEach((message, i) => {
    if (message.role !== 'assistant') return;
    const span =
      i === last && final
        ? final
        : (prefixSpan(ctx, turns, i, text, marker, thinking) ?? searchSpan(message.content, text, cursor, marker));
    if (!span || span[0] < cursor) {
      throw new AppError(
        'UNSUPPORTED',
        `The chat template does not render assistant turn ${i + 1} verbatim, so its loss mask cannot be built.`,
      );
    }
    spans.push(span);
    cursor = span[1];
  });
  return { text, spans, foldedSystem };
}

/** The last place `content` is rendered in `text`, through the end-of-turn marker after it. */
function lastSpan(content: string, text: string, marker: string): [number, number] | null {
  for (const needle of [content, content.trim()]) {
    if (needle === '') continue;
    const at = text.lastIndexOf(needle);
    if (at < 0) continue;
    let end = at + needle.length;
    if (marker && text.startsWith(marker, end)) end += marker.length;
    return [at, end];
  }
  return null;
}

/**
 * The prompt a model answers from — the conversation so far and the assistant's opening — rendered
 * exactly as training renders the context of an answer (a system prompt folded into the first user
 * turn where the template has no system role). Chat uses it, so a fine-tune is asked the way it learned.
 */
export function renderPrompt(
  ctx: TemplateContext,
  messages: readonly ChatMessage[],
  options: { thinking?: boolean } = {},
): string {
  return renderFolding(ctx, messages, true, options.thinking ?? false).text;
}

/** Renders, and when the template refuses a leading system message, renders it folded (Gemma 2). */
function renderFolding(
  ctx: TemplateContext,
  messages: readonly ChatMessage[],
  addGenerationPrompt: boolean,
  thinking = false,
): { text: string; turns: ChatMessage[]; foldedSystem: boolean } {
  const turns = [...messages];
  try {
    return { text: renderChat(ctx, turns, addGenerationPrompt, thinking), turns, foldedSystem: false };
  } catch (error) {
    if (turns[0]?.role !== 'system') throw templateError(error);
    // Templates without a system role (Gemma): fold the system prompt into the first user turn.
    const folded = foldSystem(turns);
    try {
      return { text: renderChat(ctx, folded, addGenerationPrompt, thinking), turns: folded, foldedSystem: true };
    } catch (retry) {
      throw templateError(retry);
    }
  }
}

function prefixSpan(
  ctx: TemplateContext,
  turns: readonly ChatMessage[],
  i: number,
  text: string,
  marker: string,
  thinking: boolean,
): [number, number] | null {
  let prompt: string;
  let withAnswer: string;
  try {
    prompt = renderChat(ctx, turns.slice(0, i), true, thinking);
    withAnswer = renderChat(ctx, turns.slice(0, i + 1), false, thinking);
  } catch {
    return null;
  }
  if (!withAnswer.startsWith(prompt)) return null;
  const segment = withAnswer.slice(prompt.length);
  const content = turns[i]!.content;
  const contentAt = segment.indexOf(content.trim());
  let contentEnd = contentAt + content.trim().length;
  if (contentAt < 0) {
    // A thought the template writes its own way (Qwen 3 re-spaces `<think>…</think>`): the turn
    // is everything the template writes for it, up to its end-of-turn marker.
    const markerAt = thinking && marker ? segment.lastIndexOf(marker) : -1;
    if (markerAt <= 0) return null;
    contentEnd = markerAt;
  }
  const markerAt = marker ? segment.indexOf(marker, contentEnd) : -1;
  const end = markerAt >= 0 ? markerAt + marker.length : contentEnd;
  const answer = segment.slice(0, end);
  // The answer must sit at the same place in the whole conversation.
  if (!text.startsWith(prompt) || text.slice(prompt.length, prompt.length + answer.length) !== answer) return null;
  return [prompt.length, prompt.length + answer.length];
}

function searchSpan(content: string, text: string, from: number, marker: string): [number, number] | null {
  for (const needle of [content, content.trim()]) {
    if (needle === '') continue;
    const at = text.indexOf(needle, from);
    if (at < 0) continue;
    let end = at + needle.length;
    if (marker && text.startsWith(marker, end)) end += marker.length;
    return [at, end];
  }
  return null;
}

function foldSystem(turns: ChatMessage[]): ChatMessage[] {
  const [system, ...rest] = turns;
  const firstUser = rest.findIndex((m) => m.role === 'user');
  if (!system || firstUser < 0) return rest;
  return rest.map((m, i) => (i === firstUser ? { role: 'user', content: `${system.content}\n\n${m.content}` } : m));
}

function templateError(error: unknown): AppError {
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('INVALID_INPUT', `The model's chat template rejected this conversation: ${message}`);
}
