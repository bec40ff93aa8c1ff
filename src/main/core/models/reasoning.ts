import type { ChatMessage, ReasoningMode } from '../../../shared/domain';
import {
  renderPrompt,
  renderWithAssistantSpans,
  type RenderedChat,
  type TemplateContext,
} from '../training/chatTemplate';

/** The text a model writes around its thought, e.g. `<think>` … `</think>`. */
export interface ThoughtMarkers {
  open: string;
  close: string;
}

/** How a model's template handles reasoning, and how its thoughts are marked. */
export interface Reasoning {
  mode: ReasoningMode;
  /** The markers its template names, or null (then nothing it writes is read as a thought). */
  markers: ThoughtMarkers | null;
}

/**
 * Thought markers of the reasoning models llama.cpp's templates know: Qwen 3, QwQ, DeepSeek R1,
 * SmolLM3, GLM and most others write `<think>`; Gemma 4 a `thought` channel; Command R7B and
 * Seed-OSS their own tags.
 */
const knownMarkers: readonly ThoughtMarkers[] = [
  { open: '<think>', close: '</think>' },
  { open: '<|channel>thought', close: '<channel|>' },
  { open: '<|START_THINKING|>', close: '<|END_THINKING|>' },
  { open: '<seed:think>', close: '</seed:think>' },
];

const probe: ChatMessage[] = [{ role: 'user', content: 'PROBE_USER' }];

/**
 * Reads a chat template's reasoning: `switchable` when its prompt changes with `enable_thinking`
 * (Qwen 3, SmolLM3, Gemma 4), `always` when its prompt opens a thought the model then writes
 * (DeepSeek R1 distills, QwQ), `none` otherwise. A template that cannot be rendered reads as `none`.
 */
export function reasoningOf(ctx: TemplateContext): Reasoning {
  const markers = knownMarkers.find((m) => ctx.template.includes(m.open) || ctx.template.includes(m.close)) ?? null;
  if (!markers) return { mode: 'none', markers: null };
  let off: string;
  let on: string;
  try {
    off = renderPrompt(ctx, probe, { thinking: false });
    on = renderPrompt(ctx, probe, { thinking: true });
  } catch {
    return { mode: 'none', markers: null };
  }
  if (off !== on) return { mode: 'switchable', markers };
  return { mode: opensThought(on, markers) ? 'always' : 'none', markers };
}

/** True when `prompt` ends inside a thought: its last opening marker is not closed. */
export function opensThought(prompt: string, markers: ThoughtMarkers | null): boolean {
  if (!markers) return false;
  const at = prompt.lastIndexOf(markers.open);
  return at >= 0 && !prompt.includes(markers.close, at + markers.open.length);
}

const cache = new Map<string, Reasoning>();

/** `reasoningOf`, remembered by template source (training asks it for every example). */
function reasoningCached(ctx: TemplateContext): Reasoning {
  let reasoning = cache.get(ctx.template);
  if (!reasoning) {
    reasoning = reasoningOf(ctx);
    if (cache.size > 32) cache.clear();
    cache.set(ctx.template, reasoning);
  }
  return reasoning;
}

/**
 * True when an example teaches thinking: its last answer opens with a thought (`<think>…</think>`
 * before the answer, as kept from a chat with thinking on) and the template can switch thinking on.
 * Such an example is trained with thinking on, in the context chat asks with Think on.
 */
export function trainsThought(ctx: TemplateContext, messages: readonly ChatMessage[]): boolean {
  const last = messages.at(-1);
  if (last?.role !== 'assistant') return false;
  const { mode, markers } = reasoningCached(ctx);
  return mode === 'switchable' && markers !== null && last.content.trimStart().startsWith(markers.open);
}

/**
 * A training example rendered with its loss spans: reasoning off, as Lathe trains answers, unless
 * the example teaches thinking (`trainsThought`). Training and dataset token counts both use it.
 */
export function renderTrainingChat(ctx: TemplateContext, messages: readonly ChatMessage[]): RenderedChat {
  return renderWithAssistantSpans(ctx, messages, { thinking: trainsThought(ctx, messages) });
}
