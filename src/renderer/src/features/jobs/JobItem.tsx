import type { ComponentProps } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { X } from 'lucide-react';
import type { Job, JobState } from '@shared/domain';
import { Badge } from '@renderer/components/ui/Badge';
import { Button } from '@renderer/components/ui/Button';
import { Progress } from '@renderer/components/ui/Progress';
import { Tooltip, TooltipContent, TooltipTrigger } from '@renderer/components/ui/Tooltip';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { jobsKey } from './useJobs';
import { isActive, upsertJob } from './upsertJob';

const stateBadges: Record<JobState, { label: string; variant: ComponentProps<typeof Badge>['variant'] }> = {
  queued: { label: 'Queued', variant: 'outline' },
  running: { label: 'Running', variant: 'default' },
  succeeded: { label: 'Done', variant: 'success' },
  failed: { label: 'Failed', variant: 'destructive' },
  cancelled: { label: 'Cancelled', variant: 'secondary' },
  interrupted: { label: 'Interrupted', variant: 'warning' },
};

/** One job in the activity list: title, state, progress and, while it runs, a cancel button. */
export function JobItem({ job }: { job: Job }) {
  const queryClient = useQueryClient();
  const cancel = useApiMutation('jobs.cancel', {
    onSuccess: (updated) => queryClient.setQueryData<Job[]>(jobsKey, (list) => upsertJob(list, updated)),
  });
  const badge = stateBadges[job.state];
  const active = isActive(job);
  const percent = Math.round(job.progress * 100);
  const detail = job.error?.message ?? job.message;

  return (
    <li className="flex flex-col gap-1.5 px-3 py-2.5">
      <div className="flex items-center gap-2">
        <span className="min-w-0 flex-1 truncate text-[13px] font-medium" title={job.title}>
          {job.title}
        </span>
        <Badge variant={badge.variant}>{badge.label}</Badge>
        {active && (
          <Tooltip>
            <TooltipTrigger asChild>
              <Button
                variant="ghost"
                size="icon-sm"
                className="text-muted-foreground hover:text-foreground"
                aria-label={`Cancel ${job.title}`}
                disabled={cancel.isPending}
                onClick={() => cancel.mutate({ id: job.id })}
              >
                <X />
              </Button>
            </TooltipTrigger>
            <TooltipContent>Cancel</TooltipContent>
          </Tooltip>
        )}
      </div>
      {job.state === 'running' && <Progress value={percent} aria-label={`${job.title} progress`} />}
      {detail && (
        <p className={job.error ? 'text-xs text-destructive' : 'truncate text-xs text-muted-foreground'}>
          {job.state === 'running' ? `${percent}% · ${detail}` : detail}
        </p>
      )}
    </li>
  );
}
