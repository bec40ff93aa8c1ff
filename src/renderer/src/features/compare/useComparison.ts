import { useCallback, useRef, useState } from 'react';
import type { CompareSide, Comparison } from '@shared/compare';
import { useApiEvent } from '@renderer/lib/useApiEvent';

/** Text streamed per side, per comparison, before the final `compare.updated` carries it. */
type Live = Record<string, Record<CompareSide, string>>;

/**
 * Follows comparisons as they stream: `compare.token` deltas are appended per side and every
 * `compare.updated` replaces the stored view. Tokens of a comparison not shown yet are kept, so
 * nothing is lost between `compare.start` answering and the view picking the id up.
 */
export function useComparisons() {
  const [views, setViews] = useState<Record<string, Comparison>>({});
  const live = useRef<Live>({});
  const [, setTick] = useState(0);

  useApiEvent('compare.token', ({ comparisonId, side, delta }) => {
    const entry = (live.current[comparisonId] ??= { a: '', b: '' });
    entry[side] += delta;
    setTick((t) => t + 1);
  });
  useApiEvent('compare.updated', (comparison) => {
    setViews((v) => (v[comparison.id] || comparison.batchId === null ? { ...v, [comparison.id]: comparison } : v));
  });

  const put = useCallback((comparison: Comparison) => {
    setViews((v) => ({ ...v, [comparison.id]: comparison }));
  }, []);

  /** The text to show for a side: the stored answer once finished, the streamed text while writing. */
  const text = useCallback((comparison: Comparison, side: CompareSide) => {
    const answer = comparison[side];
    const streamed = live.current[comparison.id]?.[side] ?? '';
    return answer.status === 'streaming' || answer.status === 'pending'
      ? streamed.length >= answer.content.length
        ? streamed
        : answer.content
      : answer.content;
  }, []);

  return { views, put, text };
}

/** True while a side is still pending or writing. */
export function isWriting(comparison: Comparison): boolean {
  return (['a', 'b'] as const).some((s) => ['pending', 'streaming'].includes(comparison[s].status));
}
