import { Activity, LoaderCircle } from 'lucide-react';
import { useQueryClient } from '@tanstack/react-query';
import { Button } from '@renderer/components/ui/Button';
import { Popover, PopoverContent, PopoverTrigger } from '@renderer/components/ui/Popover';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { JobItem } from './JobItem';
import { jobsKey, useJobs } from './useJobs';
import { isActive } from './upsertJob';

/**
 * The sidebar's activity button: shows how many jobs run, and opens the list of recent jobs
 * with their progress and a cancel button each.
 */
export function JobsIndicator() {
  const queryClient = useQueryClient();
  const jobs = useJobs();
  const list = jobs.data ?? [];
  const active = list.filter(isActive);
  const finished = list.length - active.length;
  const clear = useApiMutation('jobs.clearFinished', {
    onSuccess: () => queryClient.invalidateQueries({ queryKey: jobsKey }),
  });
  const queued = active.filter((job) => job.state === 'queued').length;
  const summary =
    active.length === 0
      ? 'No jobs running'
      : [`${active.length - queued} running`, queued > 0 ? `${queued} queued` : null].filter(Boolean).join(' · ');

  return (
    <Popover>
      <PopoverTrigger asChild>
        <button
          type="button"
          aria-label={`Activity: ${summary}`}
          className="flex h-8 w-full items-center gap-2.5 rounded-md px-2.5 text-[13px] text-sidebar-foreground outline-none hover:bg-sidebar-accent focus-visible:ring-[3px] focus-visible:ring-ring/50 data-[state=open]:bg-sidebar-accent"
        >
          {active.length > 0 ? (
            <LoaderCircle aria-hidden className="size-4 animate-spin text-primary" />
          ) : (
            <Activity aria-hidden className="size-4 opacity-70" />
          )}
          <span className="flex-1 text-left">Activity</span>
          {active.length > 0 && (
            <span className="rounded-full bg-primary px-1.5 text-[11px] leading-4 font-semibold text-primary-foreground">
              {active.length}
            </span>
          )}
        </button>
      </PopoverTrigger>
      <PopoverContent side="right" align="end" sideOffset={14} className="w-96 p-0">
        <div className="flex items-center justify-between border-b px-3 py-2.5">
          <div>
            <h2 className="text-sm font-semibold">Activity</h2>
            <p className="text-xs text-muted-foreground">{summary}</p>
          </div>
          <Button
            variant="ghost"
            size="sm"
            disabled={finished === 0 || clear.isPending}
            onClick={() => clear.mutate({})}
          >
            Clear finished
          </Button>
        </div>
        {list.length === 0 ? (
          <p className="px-3 py-8 text-center text-[13px] text-muted-foreground">
            {jobs.isPending ? 'Loading…' : 'Nothing yet. Downloads, imports and training runs show up here.'}
          </p>
        ) : (
          <ul className="max-h-96 divide-y overflow-y-auto" aria-label="Recent jobs">
            {list.map((job) => (
              <JobItem key={job.id} job={job} />
            ))}
          </ul>
        )}
      </PopoverContent>
    </Popover>
  );
}
