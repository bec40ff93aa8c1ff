import { useMemo } from 'react';
import { skipToken, useQuery } from '@tanstack/react-query';
import type { TrainingMetricPoint, TrainingProgress, TrainingRun } from '@shared/domain';
import { useApiQuery } from '@renderer/lib/useApiQuery';
import { mergeMetrics } from './chartData';
import { isActiveRun, liveKey, type LiveRun } from './trainingQueries';

export interface RunDetail {
  run: TrainingRun;
  /** Every recorded step, ascending, fetched and live merged. */
  metrics: TrainingMetricPoint[];
  /** The latest progress event, only while the run is active. */
  progress: TrainingProgress | null;
  /** True until the history of steps has loaded. */
  loading: boolean;
}

/** One run with its steps, kept current by `useTrainingEvents`. `fallback` shows until it loads. */
export function useRunDetail(fallback: TrainingRun): RunDetail {
  // Always refetch on mount: steps that happened while the page was closed were not pushed to it.
  const detail = useApiQuery('training.get', { id: fallback.id }, { staleTime: 0 });
  const live = useQuery<LiveRun>({ queryKey: liveKey(fallback.id), queryFn: skipToken, staleTime: Infinity });
  const fetched = detail.data?.metrics;
  const livePoints = live.data?.points;
  const metrics = useMemo(() => mergeMetrics(fetched, livePoints), [fetched, livePoints]);
  // The list is updated by every progress event, the detail only on state changes: take the
  // detail's record but never a step count older than the list's.
  const base = detail.data?.run ?? fallback;
  const run: TrainingRun =
    base.state === fallback.state && fallback.step > base.step
      ? { ...base, step: fallback.step, totalSteps: fallback.totalSteps }
      : base;
  const progress = isActiveRun(run) ? (live.data?.progress ?? null) : null;
  return { run, metrics, progress, loading: detail.isPending };
}
