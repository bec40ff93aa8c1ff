import { useQueryClient } from '@tanstack/react-query';
import type { TrainingRun } from '@shared/domain';
import { useApiEvent } from '@renderer/lib/useApiEvent';
import { adaptersPrefix, applyProgress, liveKey, runKey, runsKey, type LiveRun } from './trainingQueries';

/**
 * Keeps the fine-tune queries live from push events (no polling): `training.progress` feeds each
 * run's live state and step count; a training job changing state refetches the runs (their state
 * mirrors the job's) and, when one succeeds, the adapters.
 */
export function useTrainingEvents(): void {
  const queryClient = useQueryClient();

  useApiEvent('training.progress', (progress) => {
    queryClient.setQueryData<LiveRun>(liveKey(progress.runId), (previous) => applyProgress(previous, progress));
    if (progress.totalSteps > 0) {
      queryClient.setQueryData<TrainingRun[]>(runsKey, (runs) =>
        runs?.map((run) =>
          run.id === progress.runId ? { ...run, step: progress.step, totalSteps: progress.totalSteps } : run,
        ),
      );
    }
  });

  useApiEvent('training.device', ({ runId }) => {
    void queryClient.invalidateQueries({ queryKey: runKey(runId) });
  });

  useApiEvent('jobs.updated', (job) => {
    if (job.kind !== 'training.run') return;
    void queryClient.invalidateQueries({ queryKey: runsKey });
    void queryClient.invalidateQueries({ queryKey: ['training.get'] });
    if (job.state === 'succeeded') void queryClient.invalidateQueries({ queryKey: adaptersPrefix });
  });
}
