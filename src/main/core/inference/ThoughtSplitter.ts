import type { ThoughtMarkers } from '../models/reasoning';

type State = 'start' | 'thoughtStart' | 'thought' | 'afterThought' | 'answer';

/**
 * Where the text begins: at the start of an answer (`start`), just after a thought the prompt
 * opened (`openedThought`), or continuing an answer cut off in its thought (`midThought`) or after
 * it (`answer`); a continuation keeps its first characters, spaces included.
 */
export type SplitFrom = 'start' | 'openedThought' | 'midThought' | 'answer';

/**
 * Splits a streaming answer into its thought and the answer proper. A thought is read only where
 * the model opens it first thing (`<think>` before any other text), or where the prompt already
 * opened it; the same tags later in an answer are its text. Marker text split across
 * deltas is held back until it is known, so neither part ever shows a piece of a tag. Whitespace
 * around the thought is dropped: the answer starts at its first non-blank character.
 */
export class ThoughtSplitter {
  #state: State;
  #held = '';
  #thought = '';
  #answer = '';

  readonly #continued: boolean;

  constructor(
    private readonly markers: ThoughtMarkers | null,
    from: SplitFrom,
    private readonly emit: (delta: string, thought: boolean) => void,
  ) {
    const states: Record<SplitFrom, State> = {
      start: 'start',
      openedThought: 'thoughtStart',
      midThought: 'thought',
      answer: 'answer',
    };
    this.#state = !markers ? 'answer' : states[from];
    this.#continued = from === 'midThought';
  }

  /**
   * The thought so far, without the whitespace before it (a continued one keeps its start). A
   * closed thought also loses the whitespace after it; an unclosed one keeps it, so continuing it
   * gives the model back the very text it wrote.
   */
  get thought(): string {
    const closed = this.#state === 'afterThought' || (this.#state === 'answer' && this.#thought !== '');
    const text = this.#continued ? this.#thought : this.#thought.trimStart();
    return closed ? text.trimEnd() : text;
  }

  /** The answer so far. */
  get answer(): string {
    return this.#answer;
  }

  push(delta: string): void {
    if (!delta) return;
    this.#held += delta;
    this.#drain();
  }

  /**
   * Ends the text. An unclosed thought stays a thought; what was held back is a marker cut off by
   * the token limit (`</thi`, `<thi`), dropped so a continuation writes it whole, or whitespace.
   */
  end(): void {
    const held = this.#held;
    this.#held = '';
    if (this.#state === 'start' && held.trim() === '') this.#out(held, false);
    else if (this.#state === 'answer') this.#out(held, false);
  }

  #drain(): void {
    const { open, close } = this.markers ?? { open: '', close: '' };
    for (;;) {
      const held = this.#held;
      switch (this.#state) {
        case 'start': {
          const lead = held.trimStart();
          if (lead.startsWith(open)) {
            this.#held = lead.slice(open.length);
            this.#state = 'thoughtStart';
          } else if (open.startsWith(lead)) {
            return;
          } else {
            this.#state = 'answer';
          }
          break;
        }
        case 'thoughtStart': {
          const text = held.trimStart();
          if (text === '') return;
          this.#held = text;
          this.#state = 'thought';
          break;
        }
        case 'thought': {
          const at = held.indexOf(close);
          if (at >= 0) {
            this.#out(held.slice(0, at), true);
            this.#held = held.slice(at + close.length);
            this.#state = 'afterThought';
            break;
          }
          const keep = partialSuffix(held, close);
          this.#out(held.slice(0, held.length - keep), true);
          this.#held = held.slice(held.length - keep);
          return;
        }
        case 'afterThought': {
          const text = held.trimStart();
          if (text === '') {
            this.#held = '';
            return;
          }
          this.#held = text;
          this.#state = 'answer';
          break;
        }
        case 'answer':
          this.#held = '';
          this.#out(held, false);
          return;
      }
    }
  }

  #out(text: string, thought: boolean): void {
    if (!text) return;
    if (thought) this.#thought += text;
    else this.#answer += text;
    this.emit(text, thought);
  }
}

/** The length of the longest end of `text` that is a proper beginning of `marker`. */
function partialSuffix(text: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, text.length); n > 0; n--) {
    if (marker.startsWith(text.slice(text.length - n))) return n;
  }
  return 0;
}
