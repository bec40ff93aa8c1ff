import { Cpu, Gauge, MemoryStick } from 'lucide-react';
import { Badge } from '@renderer/components/ui/Badge';
import { Tooltip, TooltipContent, TooltipTrigger } from '@renderer/components/ui/Tooltip';
import { useApiQuery } from '@renderer/lib/useApiQuery';

/**
 * Whether a library model fits this machine and where it would run (`models.fit`), as a small
 * badge; the tooltip has the plain-language summary and the speed estimate.
 */
export function FitBadge({ modelId, contextSize }: { modelId: string; contextSize?: number }) {
  const fit = useApiQuery(
    'models.fit',
    { modelId, ...(contextSize ? { contextSize } : {}) },
    { staleTime: 60_000, retry: false },
  );
  if (fit.isPending || fit.isError) return null;
  const f = fit.data;
  const label = !f.fits ? 'Too big' : f.placement === 'gpu' ? 'GPU' : f.placement === 'partial' ? 'GPU + CPU' : 'CPU';
  const Icon = !f.fits ? MemoryStick : f.placement === 'cpu' ? Cpu : Gauge;
  const speed = `${f.tokensPerSecond.low}–${f.tokensPerSecond.high} tokens/s`;
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <Badge
          variant={!f.fits ? 'destructive' : f.placement === 'partial' ? 'warning' : 'success'}
          data-testid="fit-badge"
          data-placement={f.placement}
          tabIndex={0}
        >
          <Icon aria-hidden className="size-3" />
          {label}
          {f.fits && <span className="font-normal opacity-80">~{speed}</span>}
        </Badge>
      </TooltipTrigger>
      <TooltipContent className="max-w-72">
        <p>{f.summary}</p>
        <p className="mt-1 opacity-80">{f.tokensPerSecond.basis}</p>
      </TooltipContent>
    </Tooltip>
  );
}
