import { useEffect, useState } from 'react';
import { Gauge, TriangleAlert } from 'lucide-react';
import type { MethodInput } from '@shared/contract';
import { useApiQuery } from '@renderer/lib/useApiQuery';
import { formatBytes } from './format';

/**
 * Before a run starts: how much memory it would need with the settings in the form, on the device
 * the trainer would use, and whether that fits. Follows the form with a short delay, so typing a
 * path or a rank does not ask on every key; says nothing while the model is not usable yet.
 */
export function MemoryEstimateLine({ input }: { input: MethodInput<'training.estimate'> | null }) {
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
  if (!settled || query.isError) return null;
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
  const upTo = e.windowKnown ? '' : ' up to';
  return (
    <p
      className="flex items-start gap-1.5 text-xs text-muted-foreground tabular-nums"
      data-testid="memory-estimate"
      data-fits={e.fits}
    >
      {e.fits ? (
        <Gauge aria-hidden className="mt-px size-3.5 shrink-0" />
      ) : (
        <TriangleAlert aria-hidden className="mt-px size-3.5 shrink-0 text-warning" />
      )}
      <span>
        Needs{upTo} about <span className="font-medium text-foreground">{formatBytes(need)}</span> on {where}
        {e.gpu && e.estimate.host.total > 0 ? ` plus ${formatBytes(e.estimate.host.total)} of RAM` : ''} for{' '}
        {e.windowSize}-token windows; {formatBytes(e.freeBytes)} free.
        {!e.fits && ' It may not fit: lower the max length or the rank, or free some memory.'}
      </span>
    </p>
  );
}
