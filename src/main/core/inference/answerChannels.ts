/** Something that gathers text deltas and sends them on when flushed (DeltaBatcher, TextCoalescer). */
interface Buffered {
  push(delta: string): void;
  flush(): void;
}

/**
 * The generation hooks for an answer's two streams, the answer and its thought, each through its
 * own buffer: each flushes the other first, so what is sent keeps the order it was written in.
 */
export function answerChannels(
  text: Buffered,
  thought: Buffered,
): { onText: (delta: string) => void; onThought: (delta: string) => void } {
  return {
    onText: (delta) => {
      thought.flush();
      text.push(delta);
    },
    onThought: (delta) => {
      text.flush();
      thought.push(delta);
    },
  };
}
