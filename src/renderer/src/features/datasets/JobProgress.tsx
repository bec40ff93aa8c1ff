import { LoaderCircle, X } from 'lucide-react';
import type { Job } from '@shared/domain';
import { Button } from '@renderer/components/ui/Button';
import { Progress } from '@renderer/components/ui/Progress';
import { useApiMutation } from '@renderer/lib/useApiMutation';

/**
 * A running job: percent, the core's progress line (count, rate, time left) and Cancel. The
 * progress arrives as `jobs.progress` events; nothing here polls.
 */
export function JobProgress({ job, label }: { job: Job; label?: string }) {
  const cancel = useApiMutation('jobs.cancel');
  const percent = Math.round(job.progress * 100);
  return (
    <div data-testid="job-progress" data-state={job.state} className="rounded-lg border bg-muted/40 px-3 py-2.5">
      <div className="flex items-center gap-2 text-[13px]">
        <LoaderCircle aria-hidden className="size-3.5 animate-spin text-primary" />
        <span className="min-w-0 flex-1 truncate font-medium">{label ?? job.title}</span>
        <span className="text-xs text-muted-foreground tabular-nums" data-testid="job-percent">
          {percent}%
        </span>
        <Button
          variant="ghost"
          size="sm"
          className="h-6 px-2 text-xs"
          disabled={cancel.isPending}
          onClick={() => cancel.mutate({ id: job.id })}
        >
          <X />
          Cancel
        </Button>
      </div>
      <Progress value={percent} className="mt-2" aria-label={`${label ?? job.title} progress`} />
      <p className="mt-1.5 truncate text-xs text-muted-foreground tabular-nums">
        {job.state === 'queued' ? 'Waiting for another job to finish…' : job.message || 'Starting…'}
      </p>
    </div>
  );
}
