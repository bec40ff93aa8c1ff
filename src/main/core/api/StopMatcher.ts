/**
 * Cuts a streamed text at the first of some stop strings, as OpenAI's `stop` does: text that may
 * be the start of a stop string is held back until it is known not to be, so no piece of a stop
 * string is ever delivered.
 */
export class StopMatcher {
  readonly #stops: readonly string[];
  readonly #hold: number;
  #pending = '';
  #stopped = false;

  constructor(stops: readonly string[]) {
    this.#stops = stops.filter((s) => s.length > 0);
    this.#hold = Math.max(0, ...this.#stops.map((s) => s.length - 1));
  }

  /** True once a stop string was seen: nothing more is delivered. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Feeds a delta; returns the text safe to deliver now. */
  push(delta: string): string {
    if (this.#stopped) return '';
    if (this.#stops.length === 0) return delta;
    this.#pending += delta;
    let cut = -1;
    for (const stop of this.#stops) {
      const at = this.#pending.indexOf(stop);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) {
      this.#stopped = true;
      const out = this.#pending.slice(0, cut);
      this.#pending = '';
      return out;
    }
    // keep the longest tail that could still begin a stop string
    let keep = 0;
    for (let k = Math.min(this.#hold, this.#pending.length); k > 0; k--) {
      const tail = this.#pending.slice(-k);
      if (this.#stops.some((s) => s.startsWith(tail))) {
        keep = k;
        break;
      }
    }
    const out = this.#pending.slice(0, this.#pending.length - keep);
    this.#pending = this.#pending.slice(this.#pending.length - keep);
    return out;
  }

  /** At the end of the text: whatever was held back (it began no stop string after all). */
  flush(): string {
    const out = this.#stopped ? '' : this.#pending;
    this.#pending = '';
    return out;
  }
}
