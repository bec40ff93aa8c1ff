import type { ComponentProps } from 'react';
import { LoaderCircle } from 'lucide-react';
import type { JobState, TrainingProgress } from '@shared/domain';
import { Badge } from '@renderer/components/ui/Badge';

export const runStates: Record<JobState, { label: string; variant: ComponentProps<typeof Badge>['variant'] }> = {
  queued: { label: 'Queued', variant: 'outline' },
  running: { label: 'Training', variant: 'default' },
  succeeded: { label: 'Done', variant: 'success' },
  failed: { label: 'Failed', variant: 'destructive' },
  cancelled: { label: 'Cancelled', variant: 'secondary' },
  interrupted: { label: 'Interrupted', variant: 'warning' },
};

export const phaseLabels: Record<TrainingProgress['phase'], string> = {
  preparing: 'Preparing data',
  scoring: 'Scoring pairs',
  training: 'Training',
  evaluating: 'Evaluating',
  saving: 'Saving adapter',
};

/** A run's state; while it runs, its phase (preparing, training, evaluating, saving). */
export function RunStateBadge({ state, phase }: { state: JobState; phase?: TrainingProgress['phase'] | null }) {
  const { label, variant } = runStates[state];
  const running = state === 'running';
  return (
    <Badge variant={variant} data-testid="run-state" data-state={state}>
      {running && <LoaderCircle aria-hidden className="size-3 animate-spin" />}
      {running && phase ? phaseLabels[phase] : label}
    </Badge>
  );
}
