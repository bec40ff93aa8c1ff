/**
 * Paces the text of one answer on its way out of the model process: a delta goes out at once when
 * nothing went out in the last `windowMs`, otherwise it waits for the window's end together with
 * whatever else arrives meanwhile. A model slower than one token per window (≈ 60 tokens/s at the
 * default 16 ms, one display frame) streams with no added delay; a faster one sends one message per
 * frame instead of one per token, because each message costs the receiving process a wake-up
 * (about 0.1 ms of CPU here, more than everything after it).
 */
export class TextCoalescer {
  #pending = '';
  #timer: ReturnType<typeof setTimeout> | null = null;
  #lastSent = -Infinity;

  constructor(
    private readonly send: (delta: string) => void,
    private readonly windowMs = 16,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(delta: string): void {
    if (!delta) return;
    this.#pending += delta;
    if (this.#timer) return;
    const wait = this.#lastSent + this.windowMs - this.now();
    if (wait <= 0) this.flush();
    else this.#timer = setTimeout(() => this.flush(), wait);
  }

  /** Sends what is pending now (call before the answer's end so nothing is left behind). */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (!this.#pending) return;
    const delta = this.#pending;
    this.#pending = '';
    this.#lastSent = this.now();
    this.send(delta);
  }
}
