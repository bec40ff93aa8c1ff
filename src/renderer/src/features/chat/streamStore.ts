import { useSyncExternalStore } from 'react';

/**
 * The text of answers being written, outside React state: `chat.token` deltas are appended here
 * and only the one message that shows them re-renders (once per animation frame at most), not the
 * whole thread.
 */
export class StreamStore {
  readonly #text = new Map<string, string>();
  readonly #listeners = new Map<string, Set<() => void>>();
  readonly #dirty = new Set<string>();
  #frame: number | null = null;

  append(messageId: string, delta: string): void {
    this.#text.set(messageId, (this.#text.get(messageId) ?? '') + delta);
    this.#schedule(messageId);
  }

  /**
   * Starts an answer's stream from the text it already has (an answer being continued), unless
   * this window already streams it.
   */
  seed(messageId: string, content: string, thought: string | null): void {
    if (this.#text.has(messageId)) return;
    this.#text.set(messageId, content);
    if (thought) this.#text.set(thoughtKey(messageId), thought);
    this.#schedule(messageId);
  }

  /** A delta of the answer's thought (a reasoning model's, before the answer). */
  appendThought(messageId: string, delta: string): void {
    const key = thoughtKey(messageId);
    this.#text.set(key, (this.#text.get(key) ?? '') + delta);
    this.#schedule(messageId);
  }

  get(messageId: string): string | undefined {
    return this.#text.get(messageId);
  }

  getThought(messageId: string): string | undefined {
    return this.#text.get(thoughtKey(messageId));
  }

  /** Forgets an answer once its final text is stored. */
  clear(messageId: string): void {
    this.#text.delete(messageId);
    this.#text.delete(thoughtKey(messageId));
    this.#schedule(messageId);
  }

  subscribe(messageId: string, listener: () => void): () => void {
    let set = this.#listeners.get(messageId);
    if (!set) this.#listeners.set(messageId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(messageId);
    };
  }

  #schedule(messageId: string): void {
    this.#dirty.add(messageId);
    if (this.#frame === null) this.#frame = requestAnimationFrame(() => this.#flush());
  }

  #flush(): void {
    this.#frame = null;
    const ids = [...this.#dirty];
    this.#dirty.clear();
    for (const id of ids) for (const listener of this.#listeners.get(id) ?? []) listener();
  }
}

const thoughtKey = (messageId: string) => `${messageId}\u0000thought`;

/** The streamed thought of one answer so far, or undefined when none has arrived here. */
export function useStreamedThought(store: StreamStore, messageId: string): string | undefined {
  return useSyncExternalStore(
    (listener) => store.subscribe(messageId, listener),
    () => store.getThought(messageId),
  );
}

/** The streamed text of one answer so far, or undefined when none has arrived here. */
export function useStreamedText(store: StreamStore, messageId: string): string | undefined {
  return useSyncExternalStore(
    (listener) => store.subscribe(messageId, listener),
    () => store.get(messageId),
  );
}
