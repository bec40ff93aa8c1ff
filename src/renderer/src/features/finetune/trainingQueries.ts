import type { TrainingMetricPoint, TrainingProgress, TrainingRun } from '@shared/domain';
import { apiQueryKey } from '@renderer/lib/useApiQuery';

export const runsKey = apiQueryKey('training.list', {});
export const runKey = (id: string) => apiQueryKey('training.get', { id });
/** Every `adapters.list` query, whatever its filter. */
export const adaptersPrefix = ['adapters.list'] as const;

/**
 * What the push events said about a run since the page opened: the latest progress (phase,
 * speed, ETA, memory: things `training.get` does not keep) and the steps seen, merged with the
 * fetched history so that a step arriving while a refetch is in flight is never lost.
 */
export interface LiveRun {
  /** Null after a resume until the new process reports. */
  progress: TrainingProgress | null;
  points: TrainingMetricPoint[];
}

/** Not a contract method: a client-side cache entry, written by `useTrainingEvents`. */
export const liveKey = (runId: string) => ['training.live', runId] as const;

/** Points kept per run from events; the fetched history holds the rest. */
const maxLivePoints = 20_000;

export function applyProgress(previous: LiveRun | undefined, progress: TrainingProgress): LiveRun {
  const points = previous?.points ?? [];
  if (progress.phase !== 'training') return { progress, points };
  const point: TrainingMetricPoint = {
    step: progress.step,
    epoch: progress.epoch,
    trainLoss: progress.trainLoss,
    evalLoss: progress.evalLoss,
    learningRate: progress.learningRate,
    tokensPerSecond: progress.tokensPerSecond,
  };
  // A resumed run repeats the steps after its checkpoint: drop what it is about to redo.
  const kept =
    points.length > 0 && points[points.length - 1]!.step >= point.step
      ? points.filter((p) => p.step < point.step)
      : points;
  const next = [...kept, point];
  return { progress, points: next.length > maxLivePoints ? next.slice(-maxLivePoints) : next };
}

export function isActiveRun(run: Pick<TrainingRun, 'state'>): boolean {
  return run.state === 'running' || run.state === 'queued';
}
