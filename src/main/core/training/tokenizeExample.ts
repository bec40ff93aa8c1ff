import { AppError } from '../../../shared/errors';
import type { RenderedChat } from './chatTemplate';

/** The model's tokenizer, as the training process sees it (node-llama-cpp in production). */
export interface TokenizerPort {
  /** Tokenizes with special tokens parsed (`<|im_end|>` becomes one token). Never adds BOS. */
  tokenize(text: string): number[];
  /** Detokenizes with special tokens rendered as text. */
  detokenize(tokens: readonly number[]): string;
  /** BOS token id, or null when the vocabulary has none. */
  bos: number | null;
  /** Whether the model expects BOS before every sequence (GGUF `tokenizer.ggml.add_bos_token`). */
  addBos: boolean;
}

/** A tokenized conversation: `mask[t]` is 1 when token t is produced by the assistant (a label). */
export interface TokenizedExample {
  tokens: Int32Array;
  /** Per token: 1 if the model must learn to produce it, 0 for prompt (system, user, template). */
  mask: Uint8Array;
}

/**
 * Tokenizes a rendered conversation and marks exactly the tokens of its assistant spans.
 *
 * Character spans are mapped onto tokens through the detokenized text, which may differ from the
 * rendered text by whitespace the tokenizer inserts (SentencePiece's leading space); the two are
 * aligned character by character, and anything else is refused.
 */
export function tokenizeExample(rendered: RenderedChat, tokenizer: TokenizerPort): TokenizedExample {
  const body = tokenizer.tokenize(rendered.text);
  const prependBos = tokenizer.addBos && tokenizer.bos !== null && body[0] !== tokenizer.bos;
  const detokenized = tokenizer.detokenize(body);
  const toDetok = alignOffsets(rendered.text, detokenized);

  const prefixLength = memoPrefixLength(body, tokenizer);
  /** Index of the token that contains detokenized character `offset` (or body.length at the end). */
  const tokenAt = (offset: number): number => {
    let lo = 0;
    let hi = body.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (prefixLength(mid + 1) > offset) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };

  const mask = new Uint8Array(body.length);
  for (const [start, end] of rendered.spans) {
    if (end <= start) continue;
    const first = tokenAt(toDetok[start]!);
    const last = tokenAt(toDetok[end - 1]!);
    mask.fill(1, first, last + 1);
  }
  const offset = prependBos ? 1 : 0;
  const tokens = new Int32Array(body.length + offset);
  const fullMask = new Uint8Array(body.length + offset);
  if (prependBos) tokens[0] = tokenizer.bos!;
  tokens.set(body, offset);
  fullMask.set(mask, offset);
  return { tokens, mask: fullMask };
}

function memoPrefixLength(tokens: readonly number[], tokenizer: TokenizerPort): (count: number) => number {
  const cache = new Map<number, number>();
  return (count) => {
    let length = cache.get(count);
    if (length === undefined) {
      length = count === 0 ? 0 : tokenizer.detokenize(tokens.slice(0, count)).length;
      cache.set(count, length);
    }
    return length;
  };
}

/**
 * Maps every character offset of `text` (0..length) to the matching offset in `detokenized`,
 * tolerating whitespace present in only one of them. SentencePiece's space marker `▁` counts as a
 * space (vocabularies that spell it with byte tokens detokenize it verbatim).
 */
export function alignOffsets(text: string, detokenized: string): Int32Array {
  const map = new Int32Array(text.length + 1);
  let j = 0;
  for (let i = 0; i < text.length;) {
    const t = text[i]!;
    const d = detokenized[j];
    if (d !== undefined && (t === d || (t === ' ' && d === spaceMarker))) {
      map[i++] = j++;
    } else if (d !== undefined && isSpaceLike(d)) {
      j++;
    } else if (isSpaceLike(t)) {
      map[i++] = j;
    } else {
      throw new AppError(
        'UNSUPPORTED',
        `The tokenizer does not round-trip this text (at character ${i}: ${JSON.stringify(text.slice(i, i + 20))}).`,
      );
    }
  }
  map[text.length] = detokenized.length;
  return map;
}

const spaceMarker = '\u2581';

function isSpaceLike(c: string): boolean {
  return c === spaceMarker || /\s/.test(c);
}
