import { z } from 'zod';
import type { ChatMessage, Sampling } from '../../../shared/domain';
import { samplingPresets } from '../../../shared/domain';

/** An error in OpenAI's shape (`{"error": {message, type, param, code}}`) with its HTTP status. */
export class OpenAiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type:
      'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'server_error' | 'rate_limit_error',
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }

  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

const textPart = z.object({ type: z.literal('text'), text: z.string() }).passthrough();
const content = z.union([z.string(), z.array(z.union([textPart, z.object({ type: z.string() }).passthrough()]))]);

/** The fields of `POST /v1/chat/completions` Lathe reads; unknown fields are ignored, as OpenAI's servers do. */
const chatCompletionSchema = z
  .object({
    model: z.string().min(1, 'model is required'),
    messages: z
      .array(
        z
          .object({
            role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
            content: content.nullable().optional(),
          })
          .passthrough(),
      )
      .min(1, 'messages must not be empty'),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).passthrough().nullable().optional(),
    temperature: z.number().min(0).max(5).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    top_k: z.number().int().min(0).max(1000).nullable().optional(),
    min_p: z.number().min(0).max(1).nullable().optional(),
    repeat_penalty: z.number().min(1).max(3).nullable().optional(),
    max_tokens: z.number().int().min(1).max(32768).nullable().optional(),
    max_completion_tokens: z.number().int().min(1).max(32768).nullable().optional(),
    seed: z.number().int().nullable().optional(),
    stop: z
      .union([z.string(), z.array(z.string()).max(4)])
      .nullable()
      .optional(),
    n: z.number().int().nullable().optional(),
    /** vLLM's and SGLang's way to switch a reasoning model's thinking (`{"enable_thinking": true}`). */
    chat_template_kwargs: z.object({ enable_thinking: z.boolean().optional() }).passthrough().nullable().optional(),
  })
  .passthrough();

export interface ChatCompletionRequest {
  /** The `model` asked for: an id from `/v1/models`, a library model id or an adapter id. */
  model: string;
  messages: ChatMessage[];
  sampling: Sampling;
  stop: string[];
  stream: boolean;
  includeUsage: boolean;
}

/**
 * Reads a chat completion request into what Lathe's engine takes: a system prompt (system and
 * developer turns joined) first, then user and assistant turns, the last a user turn; sampling
 * from the request over the Balanced preset. Throws OpenAiError (400) naming the bad field.
 */
export function parseChatCompletion(body: unknown): ChatCompletionRequest {
  const parsed = chatCompletionSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.join('.');
    throw new OpenAiError(
      400,
      `${param ? `${param}: ` : ''}${issue.message}`,
      'invalid_request_error',
      null,
      param || null,
    );
  }
  const r = parsed.data;
  if (r.n !== undefined && r.n !== null && r.n !== 1) {
    throw new OpenAiError(400, 'Only n = 1 is supported.', 'invalid_request_error', null, 'n');
  }
  const system: string[] = [];
  const turns: ChatMessage[] = [];
  for (const [i, m] of r.messages.entries()) {
    const text = textOf(m.content, `messages.${i}.content`);
    if (m.role === 'system' || m.role === 'developer') {
      if (turns.length > 0) {
        throw new OpenAiError(
          400,
          'System messages must come before the conversation.',
          'invalid_request_error',
          null,
          `messages.${i}`,
        );
      }
      system.push(text);
    } else if (m.role === 'user' || m.role === 'assistant') {
      turns.push({ role: m.role, content: text });
    } else {
      throw new OpenAiError(
        400,
        `Messages with the role "${m.role}" are not supported.`,
        'invalid_request_error',
        null,
        `messages.${i}.role`,
      );
    }
  }
  if (turns.at(-1)?.role !== 'user') {
    throw new OpenAiError(400, "The last message must be the user's.", 'invalid_request_error', null, 'messages');
  }
  const base = samplingPresets.balanced;
  const seed = r.seed ?? null;
  const sampling: Sampling = {
    temperature: r.temperature ?? base.temperature,
    topP: r.top_p ?? base.topP,
    topK: r.top_k ?? base.topK,
    minP: r.min_p ?? base.minP,
    repeatPenalty: r.repeat_penalty ?? base.repeatPenalty,
    maxTokens: r.max_completion_tokens ?? r.max_tokens ?? base.maxTokens,
    // the engine's seeds are 31-bit
    seed: seed === null ? null : Math.abs(seed) % 2 ** 31,
    ...(r.chat_template_kwargs?.enable_thinking === true ? { thinking: true } : {}),
  };
  const stop = (typeof r.stop === 'string' ? [r.stop] : (r.stop ?? [])).filter((s) => s.length > 0);
  return {
    model: r.model,
    messages: [...(system.length > 0 ? [{ role: 'system' as const, content: system.join('\n\n') }] : []), ...turns],
    sampling,
    stop,
    stream: r.stream === true,
    includeUsage: r.stream_options?.include_usage === true,
  };
}

function textOf(value: z.infer<typeof content> | null | undefined, param: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return value
    .map((part, k) => {
      if (part.type !== 'text') {
        throw new OpenAiError(
          400,
          `Content parts of type "${part.type}" are not supported (text only).`,
          'invalid_request_error',
          null,
          `${param}.${k}`,
        );
      }
      return (part as { text: string }).text;
    })
    .join('');
}
