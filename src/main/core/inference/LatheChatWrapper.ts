import {
  ChatWrapper,
  LlamaText,
  resolveChatWrapper,
  SpecialToken,
  SpecialTokensText,
  type ChatHistoryItem,
  type ChatWrapperGenerateContextStateOptions,
  type ChatWrapperGeneratedContextState,
  type LlamaModel,
} from 'node-llama-cpp';
import type { ChatMessage } from '../../../shared/domain';
import { chatTemplateOf } from '../models/chatFormat';
import { opensThought, reasoningOf, type Reasoning } from '../models/reasoning';
import { endOfTurnMarker, renderPrompt, type TemplateContext } from '../training/chatTemplate';

/**
 * Writes a model's chats with the renderer training uses: the GGUF's own Jinja template (or the
 * ChatML fallback) through Hugging Face's engine, tokenized in one piece with special tokens parsed,
 * BOS first when the model wants it and the template did not write it. So the prompt of an answer
 * is token for token the context that answer was trained in.
 *
 * node-llama-cpp's own wrappers render the same templates differently in places that matter to a
 * fine-tune: a space after each special token on SentencePiece vocabularies, Gemma 2's folded
 * system prompt (`---` between it and the question), Gemma 4's thinking switch, Llama 2's format
 * for a llama without a template.
 *
 * Reasoning is off, as training renders, unless `thinking` is set (a template that can switch it:
 * `reasoning.mode === 'switchable'`). One wrapper a sequence (`forSequence`), so conversations
 * answering at once may differ in it.
 */
export class LatheChatWrapper extends ChatWrapper {
  readonly wrapperName = 'Lathe template';
  /** How the template handles reasoning, and the markers of a thought. */
  readonly reasoning: Reasoning;
  /** Render prompts with `enable_thinking: true` (used only where the template can switch it). */
  thinking = false;
  readonly #ctx: TemplateContext;
  readonly #options: { addBos: boolean; bosParses: boolean };
  readonly #stops: LlamaText[];

  /**
   * `addBos`: the model wants BOS first (training prepends it); `bosParses`: the BOS token's text
   * tokenizes to that one token, so it can lead the prompt's single piece.
   */
  constructor(ctx: TemplateContext, options: { addBos: boolean; bosParses: boolean }, reasoning = reasoningOf(ctx)) {
    super();
    this.#ctx = ctx;
    this.#options = options;
    this.reasoning = reasoning;
    const marker = endOfTurnMarker(ctx);
    this.#stops = [
      LlamaText(new SpecialToken('EOS')),
      LlamaText(new SpecialToken('EOT')),
      ...(marker ? [LlamaText(new SpecialTokensText(marker)), LlamaText(marker)] : []),
    ];
  }

  /** A wrapper of the same model for one more sequence, with thinking off. */
  forSequence(): LatheChatWrapper {
    return new LatheChatWrapper(this.#ctx, this.#options, this.reasoning);
  }

  /** True when the prompt for `chatHistory` ends inside an opened thought (the model thinks first). */
  opensThought(chatHistory: readonly ChatHistoryItem[]): boolean {
    if (!this.reasoning.markers) return false;
    return opensThought(this.#prompt(chatHistory), this.reasoning.markers);
  }

  /** The wrapper for a loaded model: its template (or the fallback), BOS and EOS from its vocabulary. */
  static forModel(model: LlamaModel, template = chatTemplateOf(model.fileInfo.metadata)): LatheChatWrapper {
    const { bos, bosString } = model.tokens;
    const bosTokens = bos !== null && bosString ? model.tokenize(bosString, true) : [];
    return new LatheChatWrapper(
      {
        template,
        bosToken: bosString ?? '',
        eosToken: model.tokens.eosString ?? '',
      },
      {
        addBos: model.tokens.shouldPrependBosToken && bos !== null,
        bosParses: bosTokens.length === 1 && bosTokens[0] === bos,
      },
    );
  }

  #prompt(chatHistory: readonly ChatHistoryItem[]): string {
    const { messages, answerSoFar } = fromHistory(chatHistory);
    const thinking = this.thinking && this.reasoning.mode === 'switchable';
    return renderPrompt(this.#ctx, messages, { thinking }) + answerSoFar;
  }

  override generateContextState({
    chatHistory,
  }: ChatWrapperGenerateContextStateOptions): ChatWrapperGeneratedContextState {
    const prompt = this.#prompt(chatHistory);
    const bos = this.#ctx.bosToken;
    const needsBos = this.#options.addBos && !(bos !== '' && prompt.startsWith(bos));
    return {
      // One piece, as training tokenizes it: node-llama-cpp tokenizes a piece after another one
      // as a continuation, which on SentencePiece vocabularies drops the leading space training has.
      contextText: !needsBos
        ? LlamaText(new SpecialTokensText(prompt))
        : this.#options.bosParses
          ? LlamaText(new SpecialTokensText(bos + prompt))
          : LlamaText([new SpecialToken('BOS'), new SpecialTokensText(prompt)]),
      stopGenerationTriggers: this.#stops,
    };
  }
}

/**
 * How a loaded model's chats are written: Lathe's own wrapper, unless its template cannot be used
 * at all (it does not parse, or renders no conversation); then node-llama-cpp's pick, so the model
 * still chats (training refuses such a template with the reason).
 */
export function chatWrapperFor(model: LlamaModel): ChatWrapper {
  try {
    const wrapper = LatheChatWrapper.forModel(model);
    wrapper.generateContextState({
      chatHistory: [
        { type: 'system', text: 'PROBE_SYSTEM' },
        { type: 'user', text: 'PROBE_USER' },
        { type: 'model', response: [] },
      ],
    });
    return wrapper;
  } catch {
    return resolveChatWrapper(model);
  }
}

/** The conversation as training sees it, and the text of an answer already begun (the last model item). */
function fromHistory(history: readonly ChatHistoryItem[]): { messages: ChatMessage[]; answerSoFar: string } {
  const messages: ChatMessage[] = [];
  for (const item of history) {
    if (item.type === 'system') messages.push({ role: 'system', content: textOf(item.text) });
    else if (item.type === 'user') messages.push({ role: 'user', content: item.text });
    else messages.push({ role: 'assistant', content: item.response.filter((r) => typeof r === 'string').join('') });
  }
  const last = messages.at(-1);
  if (last?.role !== 'assistant') return { messages, answerSoFar: '' };
  messages.pop();
  return { messages, answerSoFar: last.content };
}

function textOf(text: string | unknown): string {
  return typeof text === 'string' ? text : LlamaText.fromJSON(text as never).toString();
}
