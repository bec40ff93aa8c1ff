/**
 * Paces the text of one answer on its way out of the model process. A delta goes out at once when
 * the last send is at least `windowMs` old; otherwise it waits for the first delta after the window
 * has passed, which takes it along. A model slower than one token per window (≈ 60 tokens/s at the
 * default 16 ms, one display frame) so streams with no added delay, and a faster one sends about
 * one message per frame instead of one per token: each message costs the receiving process a
 * wake-up (about 0.1 ms of CPU here, more than everything after it). Sends ride on the wake-ups
 * that bring new tokens; a timer at twice the window only covers a stall (text held back mid-answer).
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
    const since = this.now() - this.#lastSent;
    if (since >= this.windowMs) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), 2 * this.windowMs - since);
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
