import { useEffect, useState } from 'react';
import { Cpu, Gauge, TriangleAlert } from 'lucide-react';
import type { MethodInput } from '@shared/contract';
import { isActive } from '@renderer/features/jobs/upsertJob';
import { useTrackedJob } from '@renderer/features/datasets/useTrackedJob';
import { plural } from '@renderer/features/datasets/format';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { useApiQuery } from '@renderer/lib/useApiQuery';
import { formatBytes, unusedGpuHint, windowPhrase } from './format';

/**
 * Before a run starts: how much memory it would need with the settings in the form, on the device
 * the trainer would use, for the window and rows the run would plan, and whether that fits. With a
 * dataset whose tokens are counted for the base model the plan is the run's own; otherwise a button
 * counts them. Follows the form with a short delay, so typing a path or a rank does not ask on
 * every key; says nothing while the model is not usable yet.
 */
export function MemoryEstimateLine({
  input,
  id,
  onUnsupported,
}: {
  input: MethodInput<'training.estimate'> | null;
  id?: string;
  /** Told whether the estimate found that this machine or build cannot train this (UNSUPPORTED). */
  onUnsupported?: (unsupported: boolean) => void;
}) {
  const [settled, setSettled] = useState(input);
  const key = JSON.stringify(input);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(input), 400);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` is the input's value
  }, [key]);
  const query = useApiQuery('training.estimate', settled ?? { baseModelPath: '-' }, {
    enabled: settled !== null,
    meta: { silent: true },
    staleTime: 30_000,
  });
  const tracked = useTrackedJob(() => void query.refetch());
  const unsupported = settled !== null && query.isError && query.error.code === 'UNSUPPORTED';
  useEffect(() => onUnsupported?.(unsupported), [unsupported, onUnsupported]);
  const tokenize = useApiMutation('datasets.tokenize', { onSuccess: (job) => tracked.track(job) });
  if (!settled) return null;
  if (query.isError) {
    // This machine or build cannot train this (the addon cannot load here, an architecture the
    // trainer lacks): say so before Start. Other failures (a path being typed) stay quiet.
    if (query.error.code !== 'UNSUPPORTED') return null;
    return (
      <p
        id={id}
        className="flex items-start gap-1.5 text-xs text-muted-foreground"
        data-testid="memory-estimate"
        data-error={query.error.code}
      >
        <TriangleAlert aria-hidden className="mt-px size-3.5 shrink-0 text-warning" />
        <span>{query.error.message}</span>
      </p>
    );
  }
  if (!query.data) {
    return (
      <p className="text-xs text-muted-foreground" data-testid="memory-estimate">
        Estimating memory…
      </p>
    );
  }
  const e = query.data;
  const need = e.estimate.device.total;
  const where = e.gpu ? `${e.backend} (${e.description})` : 'the CPU';
  const upTo = e.basis === 'upper-bound' ? ' up to' : '';
  const counting = tracked.job !== null && isActive(tracked.job);
  // what the Count button would count: the form's dataset, for its library model
  const countable =
    e.basis !== 'data' &&
    (e.tokenCounts?.uncounted ?? 0) > 0 &&
    settled.data?.kind === 'dataset' &&
    settled.baseModelId !== undefined
      ? { datasetId: settled.data.datasetId, modelId: settled.baseModelId }
      : null;
  const unused = e.unusedGpu ? unusedGpuHint(e.unusedGpu) : null;
  return (
    <div className="grid gap-1.5">
      <div
        className="flex items-start gap-1.5 text-xs text-muted-foreground tabular-nums"
        data-testid="memory-estimate"
        data-fits={e.fits}
        data-basis={e.basis}
      >
        {e.fits ? (
          <Gauge aria-hidden className="mt-px size-3.5 shrink-0" />
        ) : (
          <TriangleAlert aria-hidden className="mt-px size-3.5 shrink-0 text-warning" />
        )}
        <p>
          Needs{upTo} about <span className="font-medium text-foreground">{formatBytes(need)}</span> on {where}
          {e.gpu && e.estimate.host.total > 0 ? ` plus ${formatBytes(e.estimate.host.total)} of RAM` : ''} for{' '}
          {windowPhrase(e)}; {formatBytes(e.freeBytes)} free.
          {!e.fits && ' It may not fit: lower the max length or the rank, or free some memory.'}
          {e.basis === 'data' && e.tokenCounts && (
            <span data-testid="memory-estimate-basis">
              {' '}
              Planned from the token counts of its {plural(e.tokenCounts.counted, 'example')}.
            </span>
          )}
          {countable && (
            <span>
              {' '}
              {counting ? (
                <span data-testid="memory-estimate-counting">
                  Counting tokens… {Math.round((tracked.job?.progress ?? 0) * 100)}%
                </span>
              ) : (
                <>
                  <button
                    type="button"
                    className="font-medium text-foreground underline underline-offset-2 hover:text-primary disabled:opacity-60"
                    data-testid="memory-estimate-count"
                    disabled={tokenize.isPending}
                    onClick={() => tokenize.mutate(countable)}
                  >
                    Count the dataset&apos;s tokens
                  </button>{' '}
                  to plan from its examples&apos; lengths.
                </>
              )}
            </span>
          )}
        </p>
      </div>
      {unused && (
        <p className="flex items-start gap-1.5 text-xs text-muted-foreground" data-testid="memory-estimate-unused-gpu">
          <Cpu aria-hidden className="mt-px size-3.5 shrink-0 text-warning" />
          <span>
            {unused.text}{' '}
            <code className="rounded bg-muted px-1 py-px font-mono text-[11px] whitespace-nowrap text-foreground">
              {unused.command}
            </code>
          </span>
        </p>
      )}
    </div>
  );
}
