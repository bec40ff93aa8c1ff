import { Cpu, TriangleAlert } from 'lucide-react';
import type { TrainingDeviceReport, TrainingMemoryParts } from '@shared/domain';
import { cn } from '@renderer/lib/cn';
import { formatBytes } from './format';

/** The parts of the memory bar, in drawing order. */
const parts: { key: keyof Omit<TrainingMemoryParts, 'total'>; label: string; className: string }[] = [
  { key: 'weights', label: 'Weights', className: 'bg-primary' },
  { key: 'transposes', label: 'Transposes', className: 'bg-primary/50' },
  { key: 'activations', label: 'Activations', className: 'bg-success' },
  { key: 'kvCache', label: 'KV cache', className: 'bg-warning' },
  { key: 'adapter', label: 'Adapter + gradients', className: 'bg-sky-500' },
  { key: 'optimizer', label: 'AdamW state', className: 'bg-muted-foreground/35' },
];

/**
 * Where a run trains and what it costs there: the device, the window, the memory estimated before
 * the first step (as a bar by part) next to what was really allocated after it, and, on a GPU, the
 * backward ops built from simpler ones for lack of a kernel, and the nodes of the training graph
 * that the backend could not run and left to the CPU.
 */
export function DeviceReport({ device }: { device: TrainingDeviceReport }) {
  const estimate = device.estimate.device;
  const measured = device.measured?.find((m) => m.device === device.backend) ?? null;
  const value = (key: (typeof parts)[number]['key']) =>
    key === 'adapter' ? estimate.adapter + estimate.gradients : estimate[key];
  const scale = Math.max(estimate.total, measured?.total ?? 0, 1);
  const fallbacks = device.cpuFallbacks ? Object.entries(device.cpuFallbacks) : null;
  const fallbackNodes = fallbacks?.reduce((n, [, c]) => n + c, 0) ?? 0;
  const decomposed = device.decomposedOps ?? [];

  return (
    <section aria-label="Device and memory" className="flex flex-col gap-2 text-[13px]" data-testid="run-device">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <h3 className="flex items-center gap-1.5 font-semibold">
          <Cpu aria-hidden className="size-3.5 text-muted-foreground" />
          <span data-testid="run-device-name">
            {device.gpu ? `${device.backend} · ${device.description}` : `CPU · ${device.description}`}
          </span>
        </h3>
        <span className="text-muted-foreground tabular-nums" data-testid="run-device-window">
          {device.windowSize}-token windows
          {device.rowSize < device.windowSize && (
            <span title="Each row is attended to on its own: attention costs a fraction of one long row's">
              {' '}
              of {device.windowSize / device.rowSize} × {device.rowSize}-token rows
            </span>
          )}
          {device.windowSize > device.neededWindowSize && (
            <span title="A GPU run packs more examples into each pass when memory allows">
              {' '}
              (grown from {device.neededWindowSize} to fill the GPU)
            </span>
          )}
        </span>
      </div>

      <div
        className="flex h-2.5 overflow-hidden rounded-full bg-muted"
        role="img"
        aria-label={`Estimated memory ${formatBytes(estimate.total)}`}
      >
        {parts.map((p) => {
          const v = value(p.key);
          return v > 0 ? (
            <div
              key={p.key}
              className={cn('h-full', p.className)}
              style={{ width: `${(v / scale) * 100}%` }}
              title={`${p.label}: ${formatBytes(v)}`}
            />
          ) : null;
        })}
      </div>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-muted-foreground">
        {parts.map((p) =>
          value(p.key) > 0 ? (
            <span key={p.key} className="flex items-center gap-1.5">
              <span aria-hidden className={cn('size-2 rounded-full', p.className)} />
              {p.label} {formatBytes(value(p.key))}
            </span>
          ) : null,
        )}
      </div>
      <p className="text-xs text-muted-foreground tabular-nums" data-testid="run-device-memory">
        {device.gpu ? 'GPU memory' : 'Memory'}: estimated{' '}
        <span className="font-medium text-foreground">{formatBytes(estimate.total)}</span>
        {measured ? (
          <>
            {' '}
            · allocated <span className="font-medium text-foreground">{formatBytes(measured.total)}</span> after the
            first step
          </>
        ) : (
          ' · measured after the first step'
        )}
        {device.freeBytes !== null && <> · {formatBytes(device.freeBytes)} free when the run started</>}
        {device.gpu && device.estimate.host.total > 0 && (
          <> · plus {formatBytes(device.estimate.host.total)} in system memory</>
        )}
      </p>

      {device.gpu && decomposed.length > 0 && (
        <p className="text-xs text-muted-foreground" data-testid="run-device-decomposed">
          {device.backend} has no kernel for {decomposed.join(', ')}: the training graph builds{' '}
          {decomposed.length === 1 ? 'it' : 'them'} from operations it has, so{' '}
          {decomposed.length === 1 ? 'it stays' : 'they stay'} on the GPU.
        </p>
      )}
      {device.gpu && fallbacks && fallbackNodes > 0 && (
        <p
          role="status"
          className="flex items-start gap-2 rounded-md bg-warning/12 px-2.5 py-2 text-xs text-foreground/80"
          data-testid="run-device-fallbacks"
        >
          <TriangleAlert aria-hidden className="mt-px size-3.5 shrink-0 text-warning" />
          <span>
            {fallbackNodes} node{fallbackNodes === 1 ? '' : 's'} of the training graph run on the CPU: {device.backend}{' '}
            has no kernel for {fallbacks.map(([op, n]) => `${op} ×${n}`).join(', ')}. Training is correct, only slower
            there.
          </span>
        </p>
      )}
      {device.gpu && fallbacks && fallbackNodes === 0 && (
        <p className="text-xs text-muted-foreground" data-testid="run-device-fallbacks">
          Every node of the training graph runs on {device.backend}.
        </p>
      )}
    </section>
  );
}
