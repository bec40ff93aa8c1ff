/**
 * Merges the text deltas of one answer that arrive within one event-loop turn into one push, so a
 * fast model does not cost one IPC/WebSocket message per token. `push` only appends to a string;
 * the first push of a turn schedules one `setImmediate`.
 */
export class DeltaBatcher {
  #pending = '';
  #scheduled: NodeJS.Immediate | null = null;
  #text = '';

  constructor(private readonly emit: (delta: string) => void) {}

  /** Everything pushed so far. */
  get text(): string {
    return this.#text;
  }

  push(delta: string): void {
    if (!delta) return;
    this.#pending += delta;
    this.#text += delta;
    this.#scheduled ??= setImmediate(() => this.flush());
  }

  /** Emits what is pending now (call before the final message so order is kept). */
  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = null;
    if (!this.#pending) return;
    const delta = this.#pending;
    this.#pending = '';
    this.emit(delta);
  }
}
